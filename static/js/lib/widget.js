// The small page furniture every widget has: a phase badge, a status line, buttons named by
// their data-action, and a helper for the elements a widget builds. One place, so every
// widget speaks to them the same way.

export function setPhase(root, phase, text) {
  const badge = root.querySelector("[data-role=phase]");
  badge.dataset.phase = phase;
  badge.textContent = text;
}

export function setStatus(root, text) {
  root.querySelector("[data-role=status]").textContent = text;
}

// {action: button} for every button[data-action] inside root.
export function actionButtons(root) {
  return Object.fromEntries([...root.querySelectorAll("button[data-action]")].map((b) => [b.dataset.action, b]));
}

// enabled: {action: true/false}; the buttons not named, or not on this widget, are left alone.
export function setButtons(buttons, enabled) {
  for (const [name, on] of Object.entries(enabled)) {
    if (buttons[name]) buttons[name].disabled = !on;
  }
}

// aria-disabled, not disabled: a busy button keeps the keyboard focus it has.
export function setAriaDisabled(button, off) {
  button.setAttribute("aria-disabled", off ? "true" : "false");
}

// A new element with an optional class and text: element("p", "fine", "Measured here.").
export function element(tag, className = "", text = undefined) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

// An error message a screen reader announces at once.
export function alertElement(text) {
  const node = element("p", "error", text);
  node.setAttribute("role", "alert");
  return node;
}
