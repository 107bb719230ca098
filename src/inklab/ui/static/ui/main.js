// Entry point of the web UI: routes to views.

import { Api } from "./api.js";
import { App } from "./app.js";
import { ID, Router } from "./router.js";
import { invitationsView } from "./views/invitations.js";
import { jobsView } from "./views/jobs.js";
import { loginView, registerView } from "./views/auth.js";
import { modelsView } from "./views/models.js";
import { notFoundView } from "./views/not-found.js";
import { organizationView } from "./views/organization.js";
import { projectView } from "./views/project.js";
import { projectsView } from "./views/projects.js";
import { taskCreateView } from "./views/task-create.js";
import { taskView } from "./views/task.js";
import { tasksView } from "./views/tasks.js";
import { workspaceView } from "./views/workspace.js";

async function start() {
  const root = /** @type {HTMLElement} */ (document.getElementById("app"));
  const api = new Api();
  const router = new Router();
  const app = new App(root, api, router);
  router
    .on("/", () => router.navigate(app.user ? "/tasks" : "/login", { replace: true }))
    .on("/login", (m) => app.show(loginView, m, { auth: false }))
    .on("/register", (m) => app.show(registerView, m, { auth: false }))
    .on("/projects", (m) => app.show(projectsView, m))
    .on(`/projects/:id(${ID})`, (m) => app.show(projectView, m))
    .on("/tasks", (m) => app.show(tasksView, m))
    .on("/tasks/create", (m) => app.show(taskCreateView, m))
    .on(`/tasks/:id(${ID})`, (m) => app.show(taskView, m))
    .on("/jobs", (m) => app.show(jobsView, m))
    .on("/models", (m) => app.show(modelsView, m))
    .on("/organization", (m) => app.show(organizationView, m))
    .on("/invitations", (m) => app.show(invitationsView, m))
    .on(`/jobs/:id(${ID})`, (m) => app.show(workspaceView, m));
  // Unknown addresses, and ids that are not ids (/projects/abc): no request is made for them.
  router.fallback = (m) => app.show(notFoundView, m, { auth: false });
  try {
    await app.loadUser();
  } catch (error) {
    app.toasts.error(error);
  }
  router.start();
}

start();
