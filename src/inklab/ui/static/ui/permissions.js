// Which controls to show: the client's mirror of the server's rules table
// (src/inklab/server/iam/rules.py) for the common actions.
//
// The server decides; this only spares users buttons that it would refuse (a worker sees no
// Delete and no Save labels). A rule lists the relations of which any one allows an action;
// ``relations`` computes the ones a user holds to an object, as the server does.

/** Organization roles, from the least to the most privileged. */
export const ROLES = ["worker", "supervisor", "maintainer", "owner"];

/**
 * @typedef {"admin" | "personal" | "owner" | "assignee" | "project owner" | "project assignee" |
 *           "task manager" | "self" | "org worker" | "org supervisor" | "org maintainer" | "org owner"} Relation
 * @typedef {{user: any, roles: Map<number, string>, organizationId: number | null}} Subject
 *   ``roles``: the user's role in each organization they are an active member of;
 *   ``organizationId``: the current context (null: the personal workspace)
 * @typedef {{project?: any, task?: any}} Related objects a rule looks at beside the object itself
 */

/** @type {Record<string, Relation[]>} resource:action → who may (administrators may do all). */
export const RULES = {
  "organization:change": ["org maintainer"],
  "organization:delete": ["org owner"],
  "membership:change": ["org maintainer"],
  "membership:delete": ["org maintainer", "self"],
  "invitation:create": ["org maintainer"],
  "invitation:resend": ["org maintainer", "owner"],
  "invitation:delete": ["org maintainer", "owner"],
  "project:create": ["personal", "org supervisor"],
  "project:change": ["owner", "assignee", "org maintainer"],
  "project:delete": ["owner", "org maintainer"],
  "task:create": ["personal", "org supervisor"],
  "task:change": ["owner", "assignee", "project owner", "project assignee", "org maintainer"],
  "task:delete": ["owner", "project owner", "org maintainer"],
  "job:annotate": ["task manager", "assignee", "org maintainer"],
  "job:set state": ["task manager", "assignee", "org maintainer"],
  "job:set stage": ["task manager", "org maintainer"],
  "job:assign": ["task manager", "org maintainer"],
};

/**
 * Whether ``role`` is ``other`` or above it.
 * @param {string | null | undefined} role
 * @param {string} other
 * @returns {boolean}
 */
export function atLeast(role, other) {
  return Boolean(role) && ROLES.indexOf(/** @type {string} */ (role)) >= ROLES.indexOf(other);
}

/**
 * The organization relations a member with ``role`` holds (each role includes those below it).
 * @param {string | null | undefined} role
 * @returns {Relation[]}
 */
function roleRelations(role) {
  return ROLES.filter((r) => atLeast(role, r)).map((r) => /** @type {Relation} */ (`org ${r}`));
}

/** @param {any} user @returns {boolean} */
export function isAdmin(user) {
  return Boolean(user && (user.is_superuser || user.is_staff));
}

/**
 * The id of a user field (``{id, username}``, an id, or null).
 * @param {any} value
 * @returns {number | null}
 */
const userId = (value) => (value && typeof value === "object" ? value.id : value) ?? null;

/**
 * The relations ``subject`` holds to ``obj`` of ``resource`` (null ``obj``: the current workspace,
 * for ``create``).
 * @param {Subject} subject
 * @param {string} resource
 * @param {any} obj
 * @param {Related} [related]
 * @returns {Set<Relation>}
 */
export function relations(subject, resource, obj, related = {}) {
  /** @type {Set<Relation>} */
  const held = new Set();
  const me = subject.user?.id;
  if (isAdmin(subject.user)) held.add("admin");
  // An organization is its own; other objects name theirs (null: a personal workspace's).
  const orgId = !obj ? subject.organizationId : resource === "organization" ? obj.id : (obj.organization ?? null);
  if (orgId === null) {
    if (!obj) held.add("personal");
  } else {
    const role = subject.roles.get(Number(orgId));
    // In an organization only its active members hold relations to its objects.
    if (!role) return held;
    for (const relation of roleRelations(role)) held.add(relation);
  }
  if (!obj || me === undefined) return held;
  if (resource === "membership") {
    if (userId(obj.user) === me) held.add("self");
    return held;
  }
  if (userId(obj.owner) === me) held.add("owner");
  if (userId(obj.assignee) === me) held.add("assignee");
  const project = related.project;
  if (project && userId(project.owner) === me) held.add("project owner");
  if (project && userId(project.assignee) === me) held.add("project assignee");
  if (resource === "job" && related.task) {
    const task = related.task;
    if (["owner", "assignee"].some((k) => userId(task[k]) === me)
      || (project && ["owner", "assignee"].some((k) => userId(project[k]) === me))) held.add("task manager");
  }
  return held;
}

/**
 * Whether ``subject`` may do ``action`` on ``obj`` of ``resource`` (null ``obj`` for ``create``).
 * @param {Subject} subject
 * @param {string} resource "project", "task", "job", "organization", "membership", "invitation"
 * @param {string} action "create", "change", "delete", "annotate", "assign", "set state", "set stage", "resend"
 * @param {any} [obj]
 * @param {Related} [related]
 * @returns {boolean}
 */
export function can(subject, resource, action, obj = null, related = {}) {
  const rule = RULES[`${resource}:${action}`];
  if (!rule) throw new Error(`No rule for ${resource}:${action}.`);
  const held = relations(subject, resource, obj, related);
  return held.has("admin") || rule.some((relation) => held.has(relation));
}
