// The annotation guide of a project or task: a markdown editor with a preview and image upload.

import { h, replace } from "../dom.js";
import { assetUrl, getGuide, saveGuide, uploadGuideImage } from "../api/guides.js";
import { renderMarkdown } from "./markdown.js";

/**
 * A card with the guide's editor; saves create the guide when there is none yet.
 * @param {import("../app.js").Context} ctx
 * @param {{resource: "projects" | "tasks", id: number, guideId: number | null}} owner
 * @returns {{element: HTMLElement, dirty: () => boolean}}
 */
export function guideEditor(ctx, owner) {
  let guideId = owner.guideId;
  let saved = "";
  const text = /** @type {HTMLTextAreaElement} */ (h("textarea", { class: "guide-text", rows: 10, "aria-label": "Guide (markdown)",
    placeholder: "Instructions for the annotators, in markdown: # headings, - lists, **bold**, [links](https://…), images." }));
  const preview = h("div", { class: "guide-preview card", hidden: true });
  const save = /** @type {HTMLButtonElement} */ (h("button", { type: "button", class: "button primary guide-save", disabled: true },
    "Save guide"));
  const status = h("span", { class: "muted small guide-status", role: "status" });
  const picker = /** @type {HTMLInputElement} */ (h("input", { type: "file", accept: "image/png,image/jpeg,image/gif,image/webp,image/bmp",
    hidden: true, class: "guide-image-input" }));
  const previewButton = h("button", { type: "button", class: "button guide-preview-button" }, "Preview");
  const refresh = () => { save.disabled = text.value === saved; };
  text.addEventListener("input", refresh);

  /** @returns {Promise<number>} */
  const store = async () => {
    const guide = await saveGuide(ctx.api, owner, guideId, text.value);
    guideId = guide.id;
    saved = guide.markdown;
    refresh();
    status.textContent = "Saved.";
    return guide.id;
  };
  save.addEventListener("click", () => {
    save.disabled = true;
    store().then(() => ctx.toasts.success("The guide was saved.")).catch((error) => {
      refresh();
      ctx.toasts.error(error);
    });
  });
  previewButton.addEventListener("click", () => {
    preview.hidden = !preview.hidden;
    replace(preview, renderMarkdown(text.value));
  });
  picker.addEventListener("change", async () => {
    const file = picker.files?.[0];
    picker.value = "";
    if (!file) return;
    try {
      const id = guideId ?? await store();
      const asset = await uploadGuideImage(ctx.api, id, file);
      const at = text.selectionStart ?? text.value.length;
      const alt = file.name.replace(/[[\]()]/g, "");
      text.setRangeText(`\n![${alt}](${assetUrl(asset.uuid)})\n`, at, at, "end");
      refresh();
      status.textContent = "Image added: save the guide to keep it in the text.";
    } catch (error) {
      ctx.toasts.error(error);
    }
  });
  const element = h("section", { class: "card guide-section" },
    h("div", { class: "section-header" }, h("h2", null, "Annotation guide"),
      h("div", { class: "row" }, status, previewButton,
        h("button", { type: "button", class: "button", onclick: () => picker.click() }, "Add image"), picker, save)),
    text, preview);
  if (guideId !== null) {
    getGuide(ctx.api, guideId).then((guide) => {
      saved = guide.markdown;
      text.value = guide.markdown;
      refresh();
    }).catch((error) => ctx.toasts.error(error));
  }
  return { element, dirty: () => text.value !== saved };
}
