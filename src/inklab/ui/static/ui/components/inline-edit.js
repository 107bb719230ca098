// A text that becomes an input on click and saves on Enter or blur (task and project names).

import { h } from "../dom.js";

/**
 * @param {{value: string, label: string, tag?: string, onSave: (value: string) => Promise<void>,
 *          onError: (error: unknown) => void}} options
 * @returns {HTMLElement}
 */
export function inlineEdit({ value, label, tag = "h1", onSave, onError }) {
  let current = value;
  const text = h(tag, { class: "inline-edit", title: `Click to change the ${label}`, tabindex: "0" }, current);
  const input = /** @type {HTMLInputElement} */ (h("input", { class: "inline-edit-input", "aria-label": label, hidden: true }));
  const wrapper = h("div", { class: "inline-edit-wrapper" }, text, input);
  const begin = () => {
    input.value = current;
    text.hidden = true;
    input.hidden = false;
    input.focus();
    input.select();
  };
  let busy = false;
  const finish = async (/** @type {boolean} */ save) => {
    if (busy || input.hidden) return;
    const next = input.value.trim();
    if (save && next && next !== current) {
      busy = true;
      try {
        await onSave(next);
        current = next;
        text.textContent = next;
      } catch (error) {
        onError(error);
      } finally {
        busy = false;
      }
    }
    input.hidden = true;
    text.hidden = false;
  };
  text.addEventListener("click", begin);
  text.addEventListener("keydown", (e) => { if (e.key === "Enter") begin(); });
  input.addEventListener("keydown", (e) => {
    if (e.key === "Enter") finish(true);
    if (e.key === "Escape") finish(false);
  });
  input.addEventListener("blur", () => finish(true));
  return wrapper;
}

/**
 * A <select> of users (plus "nobody") that calls ``onPick`` with the chosen id. ``selected`` is
 * the current assignee as the object embeds it: it is offered even when ``users`` (the users the
 * server lets this user list, only themself in the personal workspace) lacks it.
 * @param {{users: any[], selected: {id: number, username: string} | null | undefined, label: string,
 *          onPick: (id: number | null) => void}} options
 * @returns {HTMLSelectElement}
 */
export function userSelect({ users, selected, label, onPick }) {
  const offered = selected && !users.some((u) => u.id === selected.id) ? [selected, ...users] : users;
  const select = /** @type {HTMLSelectElement} */ (h("select", { "aria-label": label, class: "user-select" },
    h("option", { value: "" }, "— nobody —"),
    offered.map((u) => h("option", { value: String(u.id), selected: u.id === selected?.id }, u.username))));
  select.addEventListener("change", () => onPick(select.value ? Number(select.value) : null));
  return select;
}
