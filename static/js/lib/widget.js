// The small page furniture every widget has: a phase badge, a status line, and buttons
// named by their data-action. One place, so every widget speaks to them the same way.

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

// enabled: {action: true/false}; the buttons not named are left as they are.
export function setButtons(buttons, enabled) {
  for (const [name, on] of Object.entries(enabled)) buttons[name].disabled = !on;
}

// aria-disabled, not disabled: a busy button keeps the keyboard focus it has.
export function setAriaDisabled(button, off) {
  button.setAttribute("aria-disabled", off ? "true" : "false");
}
