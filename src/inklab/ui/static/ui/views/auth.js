// Sign-in and sign-up pages.

import { h, field } from "../dom.js";

/**
 * @typedef {import("../app.js").Context} Context
 * @typedef {import("../router.js").Match} Match
 * @typedef {import("../app.js").View} View
 */

/** @param {URLSearchParams} query @returns {string} a safe local path to continue to */
function nextPath(query) {
  const next = query.get("next") || "/tasks";
  return next.startsWith("/") && !next.startsWith("//") ? next : "/tasks";
}

/**
 * @param {HTMLFormElement} form
 * @param {HTMLElement} errorBox
 * @param {() => Promise<void>} action
 */
function submitWith(form, errorBox, action) {
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const button = /** @type {HTMLButtonElement} */ (form.querySelector("button[type=submit]"));
    button.disabled = true;
    errorBox.textContent = "";
    try {
      await action();
    } catch (error) {
      errorBox.textContent = error instanceof Error ? error.message : String(error);
    } finally {
      button.disabled = false;
    }
  });
}

/**
 * @param {Context} ctx
 * @param {Match} match
 * @returns {View}
 */
export function loginView(ctx, match) {
  document.title = "Sign in · inklab";
  if (ctx.user) {
    queueMicrotask(() => ctx.router.navigate(nextPath(match.query), { replace: true }));
  }
  const login = h("input", { name: "login", autocomplete: "username", required: true, autofocus: true });
  const password = h("input", { name: "password", type: "password", autocomplete: "current-password", required: true });
  const error = h("p", { class: "form-error", role: "alert" });
  const form = /** @type {HTMLFormElement} */ (h("form", { class: "auth-form card" },
    h("h1", null, "Sign in to inklab"),
    field("User name or email", login),
    field("Password", password),
    error,
    h("button", { type: "submit", class: "button primary wide" }, "Sign in"),
    h("p", { class: "muted" }, "New here? ", h("a", { href: `/register${location.search}` }, "Create an account"))));
  submitWith(form, error, async () => {
    const user = await ctx.api.login(/** @type {HTMLInputElement} */ (login).value.trim(),
      /** @type {HTMLInputElement} */ (password).value);
    await ctx.app.signedIn(user);
    ctx.router.navigate(nextPath(match.query), { replace: true });
  });
  return { element: h("section", { class: "auth-page" }, form) };
}

/**
 * @param {Context} ctx
 * @param {Match} match
 * @returns {View}
 */
export function registerView(ctx, match) {
  document.title = "Sign up · inklab";
  /** @param {string} name @param {Record<string, any>} [props] */
  const input = (name, props = {}) => /** @type {HTMLInputElement} */ (h("input", { name, ...props }));
  const username = input("username", { required: true, autocomplete: "username", autofocus: true });
  const email = input("email", { type: "email", autocomplete: "email" });
  const firstName = input("first_name", { autocomplete: "given-name" });
  const lastName = input("last_name", { autocomplete: "family-name" });
  const password1 = input("password1", { type: "password", required: true, autocomplete: "new-password" });
  const password2 = input("password2", { type: "password", required: true, autocomplete: "new-password" });
  const error = h("p", { class: "form-error", role: "alert" });
  const form = /** @type {HTMLFormElement} */ (h("form", { class: "auth-form card" },
    h("h1", null, "Create an account"),
    field("User name", username),
    field("Email", email),
    h("div", { class: "row" }, field("First name", firstName), field("Last name", lastName)),
    field("Password", password1, "At least 8 characters, not only digits, not a common password."),
    field("Repeat the password", password2),
    error,
    h("button", { type: "submit", class: "button primary wide" }, "Sign up"),
    h("p", { class: "muted" }, "Have an account? ", h("a", { href: `/login${location.search}` }, "Sign in"))));
  submitWith(form, error, async () => {
    if (password1.value !== password2.value) throw new Error("The two passwords do not match.");
    const user = await ctx.api.register({
      username: username.value.trim(), email: email.value.trim(), first_name: firstName.value.trim(),
      last_name: lastName.value.trim(), password1: password1.value, password2: password2.value,
    });
    await ctx.app.signedIn(user);
    ctx.toasts.success(`Welcome, ${user.username}!`);
    ctx.router.navigate(nextPath(match.query), { replace: true });
  });
  return { element: h("section", { class: "auth-page" }, form) };
}
