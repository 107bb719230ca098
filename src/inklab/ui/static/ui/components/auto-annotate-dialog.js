// "Automatic annotation": queue a request for a function registered on the server (CVAT's
// /api/lambda API) and follow it while an agent of that function does the work.

import { h, field } from "../dom.js";
import { Dialog } from "./dialog.js";
import { ProgressBar } from "./progress.js";

/** A request in one of these states is still to be done. */
const ACTIVE = ["queued", "started"];

/**
 * The mapping from the function's labels to the task's: each function label gets a <select> of the
 * task's labels (of a compatible kind), preset to the label of the same name, or "not used".
 * @param {any[]} functionLabels the function's ``labels_v2``
 * @param {any[]} taskLabels
 * @returns {{element: HTMLElement, mapping: () => Record<string, {name: string}>}}
 */
export function labelMapping(functionLabels, taskLabels) {
  const rows = functionLabels.map((label) => {
    const compatible = taskLabels.filter((t) => (label.type === "skeleton") === (t.type === "skeleton")
      && (label.type === "tag") === (t.type === "tag"));
    const select = /** @type {HTMLSelectElement} */ (h("select", { "aria-label": `Task label for ${label.name}`,
      dataset: { functionLabel: label.name } },
    h("option", { value: "" }, "— not used —"),
    compatible.map((t) => h("option", { value: t.name, selected: t.name === label.name }, t.name))));
    return { label, select, row: h("tr", null, h("td", null, label.name, h("span", { class: "muted small" }, ` ${label.type || "any"}`)),
      h("td", null, "→"), h("td", null, select)) };
  });
  return {
    element: h("table", { class: "table mapping-table" },
      h("thead", null, h("tr", null, h("th", null, "Function label"), h("th"), h("th", null, "Task label"))),
      h("tbody", null, rows.map((r) => r.row))),
    mapping: () => Object.fromEntries(rows.filter((r) => r.select.value).map((r) => [r.label.name, { name: r.select.value }])),
  };
}

/**
 * @param {any} rq a ``/api/lambda/requests`` entry
 * @returns {string}
 */
function describe(rq) {
  if (rq.status === "queued") return "Queued: waiting for an agent of the function (inklab function run-agent).";
  if (rq.status === "started") return `Annotating… ${rq.progress ?? 0}%`;
  if (rq.status === "finished") return "Done: the annotations were added.";
  return `Failed: ${rq.exc_info || "the agent reported an error."}`;
}

/**
 * Run a function over a task.
 * @param {import("../app.js").Context} ctx
 * @param {{id: number, name: string, onDone?: () => void}} task
 */
export async function openAutoAnnotateDialog(ctx, task) {
  let functions, labels, requests;
  try {
    [functions, labels, requests] = await Promise.all([
      ctx.api.get("/api/lambda/functions"), ctx.api.listAll("/api/labels", { task_id: task.id }),
      ctx.api.get("/api/lambda/requests", { task: task.id }),
    ]);
  } catch (error) {
    ctx.toasts.error(error);
    return;
  }
  functions = functions.filter((/** @type {any} */ f) => f.kind === "detector");  // the others are the workspace's AI tools
  const progress = new ProgressBar();
  const error = h("p", { class: "form-error", role: "alert" });
  const start = /** @type {HTMLButtonElement} */ (h("button", { type: "button", class: "button primary",
    disabled: !functions.length }, "Annotate"));
  const cancel = /** @type {HTMLButtonElement} */ (h("button", { type: "button", class: "button danger", hidden: true },
    "Cancel the request"));
  const select = /** @type {HTMLSelectElement} */ (h("select", { class: "function-select", "aria-label": "Function" },
    functions.map((f) => h("option", { value: f.id }, f.name))));
  const threshold = /** @type {HTMLInputElement} */ (h("input", { type: "number", name: "threshold", min: 0, max: 1,
    step: 0.05, placeholder: "the function's default" }));
  const cleanup = /** @type {HTMLInputElement} */ (h("input", { type: "checkbox", name: "cleanup" }));
  const masks = /** @type {HTMLInputElement} */ (h("input", { type: "checkbox", name: "conv_mask_to_poly" }));
  const mappingBox = h("div", { class: "mapping" });
  /** @type {ReturnType<typeof labelMapping> | null} */
  let mapping = null;
  const showMapping = () => {
    const fn = functions.find((/** @type {any} */ f) => f.id === select.value);
    mapping = fn ? labelMapping(fn.labels_v2 || [], labels) : null;
    mappingBox.replaceChildren(...(mapping ? [mapping.element] : []),
      fn?.description ? h("p", { class: "muted small" }, fn.description) : "");
  };
  select.addEventListener("change", showMapping);
  showMapping();

  /** @type {ReturnType<typeof setTimeout> | null} */
  let timer = null;
  let following = /** @type {string | null} */ (null);
  const stop = () => {
    if (timer) clearTimeout(timer);
    timer = null;
    following = null;
  };
  /** @param {any} rq */
  const show = (rq) => {
    progress.set((rq.progress ?? 0) / 100, describe(rq));
    const active = ACTIVE.includes(rq.status);
    cancel.hidden = !active;
    start.disabled = active || !functions.length;
    if (rq.status === "failed") error.textContent = describe(rq);
  };
  /** @param {string} id */
  const follow = (id) => {
    following = id;
    const poll = async () => {
      if (following !== id) return;
      try {
        const rq = await ctx.api.get(`/api/lambda/requests/${id}`);
        if (following !== id) return;
        show(rq);
        if (ACTIVE.includes(rq.status)) {
          timer = setTimeout(poll, ctx.api.pollInterval);
        } else {
          stop();
          if (rq.status === "finished") {
            ctx.toasts.success(`“${task.name}” was annotated automatically.`);
            task.onDone?.();
          }
        }
      } catch (e) {
        stop();
        start.disabled = false;
        cancel.hidden = true;
        error.textContent = e instanceof Error ? e.message : String(e);
      }
    };
    poll();
  };

  const dialog = new Dialog({
    title: `Automatic annotation of “${task.name}”`,
    className: "auto-annotate-dialog",
    wide: true,
    body: functions.length
      ? [field("Function", select), mappingBox,
        field("Confidence threshold", threshold, "Detections below it are dropped (0–1)."),
        h("label", { class: "checkbox" }, cleanup, "Delete the task's existing annotations first"),
        h("label", { class: "checkbox" }, masks, "Convert masks to polygons"),
        progress.element, error]
      : [h("p", { class: "muted" }, "No functions are registered on this server. Register one with ",
        h("code", null, "inklab function create-native NAME --function-file F.py"), " and serve it with ",
        h("code", null, "inklab function run-agent ID --function-file F.py"), ".")],
    actions: [h("button", { type: "button", class: "button", onclick: () => dialog.close() }, "Close"), cancel, start],
    onClose: stop,
  }).open();

  start.addEventListener("click", async () => {
    error.textContent = "";
    const chosen = mapping?.mapping() ?? {};
    if (!Object.keys(chosen).length) {
      error.textContent = "Map at least one of the function's labels to a label of the task.";
      return;
    }
    const value = threshold.value.trim();
    if (value && !(Number(value) >= 0 && Number(value) <= 1)) {
      error.textContent = "The confidence threshold must be between 0 and 1.";
      return;
    }
    start.disabled = true;
    try {
      const rq = await ctx.api.post("/api/lambda/requests", {
        function: select.value, task: task.id, mapping: chosen, cleanup: cleanup.checked,
        conv_mask_to_poly: masks.checked, ...(value ? { threshold: Number(value) } : {}),
      });
      show(rq);
      follow(String(rq.id));
    } catch (e) {
      start.disabled = false;
      error.textContent = e instanceof Error ? e.message : String(e);
    }
  });
  cancel.addEventListener("click", async () => {
    const id = following;
    if (!id) return;
    stop();
    try {
      await ctx.api.delete(`/api/lambda/requests/${id}`);
      progress.set(0, "Cancelled.");
      cancel.hidden = true;
      start.disabled = false;
    } catch (e) {
      error.textContent = e instanceof Error ? e.message : String(e);
      follow(id);
    }
  });

  const active = requests.find((/** @type {any} */ rq) => ACTIVE.includes(rq.status));
  if (active) {
    select.value = active.function.id;
    showMapping();
    follow(String(active.id));
  }
}
