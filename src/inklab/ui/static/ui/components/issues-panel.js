// The issues panel of the workspace: the job's issues (open, and resolved on request), arrows to
// the previous and next frame with issues, and the comment thread of the opened issue with its
// answer box and the resolve/reopen button. It only shows; the review mode does the requests.

import { h, replace, formatDate } from "../dom.js";

/**
 * @typedef {{id: number, frame: number, position: number[], job: number, resolved: boolean,
 *            owner: {username: string} | null, assignee: {username: string} | null,
 *            created_date: string, comments: {count: number}}} Issue
 * @typedef {{id: number, issue: number, message: string, owner: {username: string} | null,
 *            created_date: string}} Comment
 * @typedef {{
 *   open: (issue: Issue) => void,
 *   close: () => void,
 *   step: (direction: number) => void,
 *   showResolved: (show: boolean) => void,
 *   comment: (issue: Issue, message: string) => Promise<boolean>,
 *   setResolved: (issue: Issue, resolved: boolean) => void,
 *   remove: (issue: Issue) => void,
 * }} IssuesPanelActions
 *   ``comment`` resolves to whether the message was sent (the box is emptied then)
 */

/** The right-hand column of issues. ``show`` redraws it. */
export class IssuesPanel {
  /** @param {IssuesPanelActions} actions */
  constructor(actions) {
    this.actions = actions;
    this.count = h("span", { class: "muted small issues-count" });
    this.resolvedBox = /** @type {HTMLInputElement} */ (h("input", { type: "checkbox", class: "show-resolved",
      onchange: () => actions.showResolved(this.resolvedBox.checked) }));
    this.list = h("ul", { class: "issues-list", "aria-label": "Issues" });
    this.thread = h("div", { class: "issue-thread" });
    this.extras = h("div", { class: "issue-tools" });
    this.element = h("aside", { class: "issues-panel", "aria-label": "Issues" },
      h("div", { class: "sidebar-head" }, h("strong", null, "Issues"), this.count,
        h("span", { class: "grow" }),
        h("button", { type: "button", class: "icon-button issue-previous", title: "Previous frame with issues",
          "aria-label": "Previous frame with issues", onclick: () => actions.step(-1) }, "◀"),
        h("button", { type: "button", class: "icon-button issue-next", title: "Next frame with issues",
          "aria-label": "Next frame with issues", onclick: () => actions.step(1) }, "▶")),
      h("label", { class: "inline small" }, this.resolvedBox, " Show resolved issues"),
      this.extras, this.list, this.thread);
  }

  /**
   * @param {Issue[]} issues those to list (already filtered), by frame
   * @param {number} frame the frame on screen (its issues are marked)
   * @param {Issue | null} opened the issue whose thread is open
   * @param {Comment[] | null} comments its comments (null: being loaded)
   * @param {number} openCount the job's unresolved issues
   */
  show(issues, frame, opened, comments, openCount) {
    this.count.textContent = `${openCount} open`;
    replace(this.list, issues.length ? issues.map((issue) => h("li", {
      class: `issue-row${issue.frame === frame ? " on-frame" : ""}${opened?.id === issue.id ? " opened" : ""}`,
      dataset: { issueId: issue.id, frame: issue.frame, resolved: String(issue.resolved) },
    }, h("button", { type: "button", class: "link issue-open", onclick: () => this.actions.open(issue) },
      h("strong", null, `#${issue.id}`), ` frame ${issue.frame}`),
    h("span", { class: `badge ${issue.resolved ? "badge-ok" : "badge-warn"}` }, issue.resolved ? "resolved" : "open"),
    h("span", { class: "muted small", title: "Comments" }, `${issue.comments.count} ✎`)))
      : h("li", { class: "muted small" }, "No issues."));
    if (!opened) {
      replace(this.thread);
      return;
    }
    const box = /** @type {HTMLTextAreaElement} */ (h("textarea", { class: "comment-text", rows: 2, "aria-label": "Your answer",
      placeholder: "Answer…" }));
    box.addEventListener("keydown", (e) => e.stopPropagation());
    const send = /** @type {HTMLButtonElement} */ (h("button", { type: "button", class: "button small primary comment-send",
      onclick: async () => {
        if (!box.value.trim()) return;
        send.disabled = true;
        if (await this.actions.comment(opened, box.value.trim())) box.value = "";
        send.disabled = false;
      } }, "Comment"));
    replace(this.thread,
      h("div", { class: "sidebar-head" }, h("strong", null, `Issue #${opened.id}`),
        h("span", { class: "muted small" }, `frame ${opened.frame}${opened.owner ? ` · ${opened.owner.username}` : ""}`),
        h("span", { class: "grow" }),
        h("button", { type: "button", class: "icon-button", title: "Close the thread", "aria-label": "Close the thread",
          onclick: () => this.actions.close() }, "×")),
      h("ol", { class: "comments" }, comments === null ? h("li", { class: "muted small" }, "Loading…")
        : comments.map((c) => h("li", { class: "comment", dataset: { commentId: c.id } },
          h("div", { class: "muted small" }, `${c.owner?.username ?? "?"} · ${formatDate(c.created_date)}`),
          h("div", { class: "comment-message" }, c.message)))),
      box,
      h("div", { class: "row compact" }, send,
        h("button", { type: "button", class: `button small ${opened.resolved ? "issue-reopen" : "issue-resolve"}`,
          onclick: () => this.actions.setResolved(opened, !opened.resolved) }, opened.resolved ? "Reopen" : "Resolve"),
        h("button", { type: "button", class: "button small danger issue-remove",
          onclick: () => this.actions.remove(opened) }, "Remove")));
  }
}
