// The annotation guide shown to annotators in a dialog (the workspace's "Guide" button).

import { h } from "../dom.js";
import { getGuide } from "../api/guides.js";
import { Dialog } from "./dialog.js";
import { renderMarkdown } from "./markdown.js";

/**
 * Open a guide, rendered safely, in a modal dialog.
 * @param {import("../app.js").Context} ctx
 * @param {number} guideId
 * @returns {Promise<void>}
 */
export async function openGuideDialog(ctx, guideId) {
  try {
    const guide = await getGuide(ctx.api, guideId);
    const body = guide.markdown.trim() ? renderMarkdown(guide.markdown) : h("p", { class: "muted" }, "The guide is empty.");
    new Dialog({ title: "Annotation guide", wide: true, className: "guide-dialog", body: [body] }).open();
  } catch (error) {
    ctx.toasts.error(error);
  }
}
