// A small, safe markdown renderer for annotation guides: builds DOM nodes, never parses HTML.
//
// Supported: headings (#), paragraphs, "-"/"*" and "1." lists, "> " quotes, ``` code blocks,
// "---" rules, and inline **bold**, *italic*/_italic_, `code`, [links](url) and ![images](url).
// Everything else is text: "<b>" shows as the characters < b >. Links go only to http(s) or to
// this server; images only to this server's guide assets (/api/assets/...).

import { h } from "../dom.js";

const INLINE = /(\*\*([^*]+)\*\*|`([^`]+)`|!\[([^\]]*)\]\(([^)\s]+)\)|\[([^\]]+)\]\(([^)\s]+)\)|\*([^*]+)\*|_([^_]+)_)/;

/**
 * A link target the guide may use, or null: http(s) anywhere, or a path on this server.
 * @param {string} url
 * @returns {string | null}
 */
export function safeLink(url) {
  if (/^https?:\/\//i.test(url)) return url;
  if (url.startsWith("/") && !url.startsWith("//")) return url;
  return null;
}

/**
 * An image source the guide may show, or null: only this server's guide assets.
 * @param {string} url
 * @returns {string | null}
 */
export function safeImage(url) {
  return /^\/api\/assets\/[0-9a-fA-F-]{36}$/.test(url) ? url : null;
}

/**
 * Inline markdown as nodes.
 * @param {string} text
 * @returns {(Node | string)[]}
 */
function inline(text) {
  /** @type {(Node | string)[]} */
  const out = [];
  let rest = text;
  while (rest) {
    const match = INLINE.exec(rest);
    if (!match) {
      out.push(rest);
      break;
    }
    if (match.index) out.push(rest.slice(0, match.index));
    const [whole, , bold, code, alt, src, label, href, em1, em2] = match;
    if (bold !== undefined) out.push(h("strong", null, ...inline(bold)));
    else if (code !== undefined) out.push(h("code", null, code));
    else if (src !== undefined) {
      const url = safeImage(src);
      out.push(url ? h("img", { src: url, alt, class: "guide-image", loading: "lazy" }) : `![${alt}](${src})`);
    } else if (href !== undefined) {
      const url = safeLink(href);
      out.push(url ? h("a", { href: url, target: "_blank", rel: "noopener noreferrer" }, ...inline(label)) : label);
    } else out.push(h("em", null, ...inline(em1 ?? em2)));
    rest = rest.slice(match.index + whole.length);
  }
  return out;
}

/**
 * Render markdown into a container element (class "markdown").
 * @param {string} markdown
 * @returns {HTMLElement}
 */
export function renderMarkdown(markdown) {
  const root = h("div", { class: "markdown" });
  const lines = markdown.replace(/\r\n?/g, "\n").split("\n");
  /** @type {string[]} */
  let paragraph = [];
  /** @type {HTMLElement | null} */
  let list = null;
  const flush = () => {
    if (paragraph.length) root.append(h("p", null, ...inline(paragraph.join(" "))));
    paragraph = [];
    list = null;
  };
  for (let i = 0; i < lines.length; i += 1) {
    const line = lines[i];
    if (line.startsWith("```")) {
      flush();
      const code = [];
      for (i += 1; i < lines.length && !lines[i].startsWith("```"); i += 1) code.push(lines[i]);
      root.append(h("pre", null, h("code", null, code.join("\n"))));
      continue;
    }
    const heading = /^(#{1,6})\s+(.*)$/.exec(line);
    const bullet = /^\s*[-*]\s+(.*)$/.exec(line);
    const numbered = /^\s*\d+[.)]\s+(.*)$/.exec(line);
    if (!line.trim()) flush();
    else if (heading) {
      flush();
      root.append(h(`h${heading[1].length}`, null, ...inline(heading[2])));
    } else if (/^\s*(-{3,}|\*{3,})\s*$/.test(line)) {
      flush();
      root.append(h("hr"));
    } else if (bullet || numbered) {
      const tag = bullet ? "ul" : "ol";
      if (paragraph.length) flush();
      if (!list || list.tagName.toLowerCase() !== tag) {
        list = h(tag);
        root.append(list);
      }
      list.append(h("li", null, ...inline((bullet || numbered)?.[1] ?? "")));
    } else if (line.startsWith(">")) {
      flush();
      root.append(h("blockquote", null, ...inline(line.replace(/^>\s?/, ""))));
    } else {
      list = null;
      paragraph.push(line.trim());
    }
  }
  flush();
  return root;
}
