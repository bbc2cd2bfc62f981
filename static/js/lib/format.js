// Numbers for people: thousands separators, SI prefixes where they help, always a unit.
// (The server formats the estimates; these are only for the live counters.)

const numberFormat = new Intl.NumberFormat("en");

export function formatCount(value) {
  return numberFormat.format(Math.round(value));
}

export function formatFlops(value) {
  if (value < 1e6) return `${formatCount(value)} FLOPs`;
  const units = [[1e15, "peta"], [1e12, "tera"], [1e9, "giga"], [1e6, "mega"]];
  for (const [size, name] of units) {
    if (value >= size) return `${(value / size).toFixed(2)} ${name}FLOPs (${value.toExponential(2)})`;
  }
  return formatCount(value);
}

export function formatDuration(ns) {
  if (ns < 1e3) return `${Math.round(ns)} ns`;
  if (ns < 1e6) return `${(ns / 1e3).toFixed(1)} µs`;
  if (ns < 1e9) return `${(ns / 1e6).toFixed(1)} ms`;
  return `${(ns / 1e9).toFixed(2)} s`;
}

export function formatPercent(fraction) {
  return `${(fraction * 100).toFixed(1)}%`;
}
