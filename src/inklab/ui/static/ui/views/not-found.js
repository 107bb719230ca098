// The page for unknown addresses.

import { h } from "../dom.js";

/**
 * @param {import("../app.js").Context} ctx
 * @param {import("../router.js").Match} match
 * @returns {import("../app.js").View}
 */
export function notFoundView(ctx, match) {
  document.title = "Not found · inklab";
  return {
    element: h("section", { class: "page narrow" }, h("h1", null, "Nothing here"),
      h("p", null, `There is no page at ${match.path}.`), h("a", { href: "/", class: "button" }, "Go to the start page")),
  };
}
