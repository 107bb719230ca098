// The objects sidebar: the frame's tags, its objects (a virtual list: only visible rows exist,
// so 20,000 objects cost nothing to show), and the card of the selected object.
//
// ``show`` runs on every frame while the frames are scrubbed or played, so it changes the page
// only where what it shows changed: a row or card showing the same thing as before is kept (each
// is known by a signature of what it shows), and the list's scroll offset and height are kept
// from its scroll and resize events instead of being read back while the page is being changed
// (which would make the browser lay the page out again in the middle of the frame).

import { h, replace } from "../dom.js";
import { icon } from "./icons.js";
import { objectCard } from "./object-card.js";

const ROW_HEIGHT = 30;

/**
 * @typedef {{obj: any, shape: any, label: {name: string, color: string} | undefined}} Entry
 * @typedef {import("./object-card.js").CardActions & {
 *   select: (cid: number | null) => void,
 *   hover: (cid: number | null) => void,
 *   toggleAll: (flag: "locked" | "hidden") => void,
 *   addTag: (labelId: number) => void,
 *   tagLabels: () => {id: number, name: string}[],
 *   filter: (text: string) => string | null,
 *   buildFilter: (text: string) => Promise<string | null>,
 * }} SidebarActions
 *   ``filter``: apply an object filter (see annotation/filter.js); returns an error message, or null;
 *   ``buildFilter``: open the query builder on a filter; answers the filter to apply, or null
 */

/** The right-hand panel of the workspace; ``show`` fills it for a frame. */
export class ObjectsSidebar {
  /** @param {SidebarActions} actions */
  constructor(actions) {
    this.actions = actions;
    /** @type {Entry[]} */
    this.entries = [];
    /** @type {Entry[]} */
    this.tags = [];
    /** @type {number | null} */
    this.selected = null;
    this.count = h("span", { class: "muted" });
    this.spacer = h("div", { class: "virtual-spacer" });
    this.rows = h("div", { class: "virtual-rows" });
    this.list = h("div", { class: "objects-list", role: "listbox", "aria-label": "Objects on this frame" }, this.spacer, this.rows);
    /** The list's scroll offset and height (see the top of this file). */
    this.scrollTop = 0;
    this.viewHeight = 0;
    this.list.addEventListener("scroll", () => {
      this.scrollTop = this.list.scrollTop;
      this.renderRows();
    });
    new ResizeObserver(([entry]) => {
      this.viewHeight = entry.contentRect.height;
      this.renderRows();
    }).observe(this.list);
    /** @type {Map<string, HTMLElement>} the rows shown, by signature */
    this.rowsShown = new Map();
    /** The signatures of what the card and the tag list show. */
    this.cardShown = "";
    this.tagsShown = "";
    this.tagLabel = /** @type {HTMLSelectElement} */ (h("select", { "aria-label": "Tag label", class: "tag-label" }));
    this.tagList = h("div", { class: "tag-list" });
    this.card = h("div", { class: "card-slot" });
    this.filterInput = /** @type {HTMLInputElement} */ (h("input", { type: "search", class: "object-filter", "aria-label": "Object filter",
      placeholder: 'Filter: label=="car" & occluded==false', spellcheck: false }));
    this.filterError = h("p", { class: "form-error small filter-error", role: "alert" });
    const applyFilter = () => {
      const error = actions.filter(this.filterInput.value);
      this.filterError.textContent = error || "";
      this.filterInput.setAttribute("aria-invalid", String(Boolean(error)));
    };
    this.filterInput.addEventListener("change", applyFilter);
    this.filterInput.addEventListener("search", applyFilter);
    this.filterInput.addEventListener("keydown", (e) => {
      if (e.key === "Escape") this.filterInput.blur();
      e.stopPropagation();
    });
    this.filterBuilder = h("button", { type: "button", class: "button small filter-builder", title: "Build a filter (query builder)",
      onclick: async () => {
        const text = await actions.buildFilter(this.filterInput.value);
        if (text === null) return;
        this.filterInput.value = text;
        applyFilter();
      } }, "Filter…");
    this.element = h("aside", { class: "objects-sidebar" },
      h("section", { class: "sidebar-section tags-section" },
        h("div", { class: "sidebar-head" }, h("strong", null, "Tags")),
        this.tagList,
        h("div", { class: "row compact" }, this.tagLabel,
          h("button", { type: "button", class: "button small add-tag", onclick: () => {
            if (this.tagLabel.value) actions.addTag(Number(this.tagLabel.value));
          } }, "+ Tag"))),
      h("section", { class: "sidebar-section objects-section" },
        h("div", { class: "sidebar-head" }, h("strong", null, "Objects "), this.count, h("span", { class: "spacer" }),
          h("button", { type: "button", class: "icon-button", title: "Lock or unlock all", "aria-label": "Lock all",
            onclick: () => actions.toggleAll("locked") }, icon("lock")),
          h("button", { type: "button", class: "icon-button", title: "Hide or show all", "aria-label": "Hide all",
            onclick: () => actions.toggleAll("hidden") }, icon("eye"))),
        h("div", { class: "row compact filter-row" }, this.filterInput, this.filterBuilder), this.filterError,
        this.list),
      this.card);
  }

  refreshTagLabels() {
    const current = this.tagLabel.value;
    replace(this.tagLabel, this.actions.tagLabels().map((l) => h("option", { value: String(l.id) }, l.name)));
    if (current) this.tagLabel.value = current;
  }

  /**
   * @param {Entry[]} entries objects (shapes and tracks) in list order
   * @param {Entry[]} tags
   * @param {number | null} selected cid
   */
  show(entries, tags, selected) {
    this.entries = entries;
    this.tags = tags;
    this.selected = selected;
    setText(this.count, `(${entries.length})`);
    const height = `${entries.length * ROW_HEIGHT}px`;
    if (this.spacer.style.height !== height) this.spacer.style.height = height;
    this.renderTags();
    this.renderRows();
    this.renderCard();
  }

  renderTags() {
    const { tags, selected } = this;
    const signature = tags.map((t) => `${t.obj.cid}:${t.label?.name}:${t.label?.color}:${t.obj.cid === selected}`).join(",");
    if (signature === this.tagsShown && this.tagList.firstChild) return;
    this.tagsShown = signature;
    replace(this.tagList, tags.length ? tags.map((t) => h("span", {
      class: `chip tag-chip ${t.obj.cid === selected ? "selected" : ""}`, dataset: { cid: t.obj.cid },
      style: { borderColor: t.label?.color || "#888" }, onclick: () => this.actions.select(t.obj.cid),
    }, h("span", { class: "swatch", style: { background: t.label?.color || "#888" } }), t.label?.name || "?",
    h("button", { type: "button", class: "icon-button", title: "Remove tag", "aria-label": `Remove tag ${t.label?.name}`,
      onclick: (/** @type {Event} */ e) => { e.stopPropagation(); this.actions.remove(t.obj, true); } }, "×")))
      : h("span", { class: "muted small" }, "No tags on this frame."));
  }

  /** Scroll the selected row into view. */
  reveal() {
    const index = this.entries.findIndex((e) => e.obj.cid === this.selected);
    if (index < 0) return;
    const top = index * ROW_HEIGHT;
    const height = this.viewHeight || this.list.clientHeight;
    let scrollTop = this.scrollTop;
    if (top < scrollTop) scrollTop = top;
    else if (top + ROW_HEIGHT > scrollTop + height) scrollTop = top + ROW_HEIGHT - height;
    if (scrollTop !== this.scrollTop) this.list.scrollTop = this.scrollTop = scrollTop;
    this.renderRows();
  }

  renderRows() {
    const first = Math.max(0, Math.floor(this.scrollTop / ROW_HEIGHT) - 5);
    const visible = Math.ceil((this.viewHeight || 600) / ROW_HEIGHT) + 10;
    const offset = `translateY(${first * ROW_HEIGHT}px)`;
    if (this.rows.style.transform !== offset) this.rows.style.transform = offset;
    const previous = this.rowsShown;
    this.rowsShown = new Map();
    const rows = this.entries.slice(first, first + visible).map((entry) => {
      const signature = this.rowSignature(entry);
      const row = previous.get(signature) ?? this.row(entry);
      this.rowsShown.set(signature, row);
      return row;
    });
    const current = this.rows.children;
    if (rows.length !== current.length || rows.some((row, i) => current[i] !== row)) this.rows.replaceChildren(...rows);
  }

  /** @param {Entry} entry @returns {string} what its row shows */
  rowSignature({ obj, shape, label }) {
    const track = obj.kind === "track";
    return [obj.cid, obj.sid, obj.kind, shape.type, label?.name, label?.color, track && shape.keyframe, track && shape.outside,
      Boolean(shape.occluded), obj.cid === this.selected, obj.hidden, obj.locked].join("|");
  }

  /** @param {Entry} entry @returns {HTMLElement} */
  row(entry) {
    const { obj, shape, label } = entry;
    const selected = obj.cid === this.selected;
    return h("div", {
      class: `object-row ${selected ? "selected" : ""} ${obj.hidden ? "is-hidden" : ""}`, role: "option",
      "aria-selected": String(selected), dataset: { cid: obj.cid, sid: obj.sid ?? "" },
      style: { height: `${ROW_HEIGHT}px` },
      onclick: () => this.actions.select(obj.cid),
      onmouseenter: () => this.actions.hover(obj.cid),
      onmouseleave: () => this.actions.hover(null),
    },
    h("span", { class: "swatch", style: { background: label?.color || "#888" } }),
    h("span", { class: "object-id" }, obj.sid !== null ? `#${obj.sid}` : "new"),
    h("span", { class: "object-label" }, label?.name || "?"),
    h("span", { class: "object-type muted" }, obj.kind === "track" ? `${shape.type} track` : shape.type),
    obj.kind === "track" && shape.keyframe ? h("span", { class: "flag", title: "keyframe" }, "◆") : null,
    obj.kind === "track" && shape.outside ? h("span", { class: "flag outside-flag", title: "outside on this frame (O brings it back)" }, "⊘") : null,
    shape.occluded ? h("span", { class: "flag", title: "occluded" }, "◌") : null,
    h("span", { class: "spacer" }),
    h("button", { type: "button", class: `icon-button ${obj.locked ? "on" : ""}`, title: "Lock (L)",
      "aria-label": "Lock", onclick: (/** @type {Event} */ e) => { e.stopPropagation(); this.actions.toggle(obj, "locked"); } },
    icon(obj.locked ? "lock" : "unlock")),
    h("button", { type: "button", class: `icon-button ${obj.hidden ? "on" : ""}`, title: "Hide (H)", "aria-label": "Hide",
      onclick: (/** @type {Event} */ e) => { e.stopPropagation(); this.actions.toggle(obj, "hidden"); } }, icon(obj.hidden ? "eyeOff" : "eye")));
  }

  renderCard() {
    const selected = (/** @type {Entry} */ e) => e.obj.cid === this.selected;
    const entry = this.selected === null ? undefined : this.entries.find(selected) ?? this.tags.find(selected);
    const signature = entry ? cardSignature(entry) : "none";
    if (signature === this.cardShown) return;
    this.cardShown = signature;
    replace(this.card, entry ? objectCard(entry.obj, entry.shape, this.actions)
      : h("p", { class: "muted small card-empty" }, "Select an object to change its label and attributes."));
  }
}

/**
 * What the card of an object shows: the object (its revision changes with each edit), its flags,
 * and for a track its state on this frame.
 * @param {Entry} entry @returns {string}
 */
function cardSignature({ obj, shape }) {
  const own = [obj.cid, obj.rev, obj.sid, obj.locked, obj.hidden];
  if (obj.kind !== "track") return own.join("|");
  return `${own.join("|")}|${JSON.stringify([shape.type, shape.keyframe, shape.outside, shape.occluded, shape.source,
    shape.attributes, (shape.elements || []).map((/** @type {any} */ e) => e.outside)])}`;
}

/** @param {HTMLElement} element @param {string} text set only when it differs (setting it anew relays the text out) */
function setText(element, text) {
  if (element.textContent !== text) element.textContent = text;
}
