"""The Content-Security-Policy in a real Chromium: the app, the admin and the API documentation run
under it without a single violation, inline script on the app's origin is blocked, and a backup
crafted to store a web page as a frame is refused."""

from __future__ import annotations

import io
import json
import re
import zipfile
from pathlib import Path
from typing import Any

from tests.e2e.conftest import sign_in
from tests.e2e.helpers import Workspace
from tests.support.live import LiveServer
from tests.support.rest import Rest

_WATCH = """
window.__violations = [];
document.addEventListener("securitypolicyviolation",
  (e) => window.__violations.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`));
"""


def _watch(page: Any) -> list[str]:
    """Record every CSP violation of the page (events and console reports) from now on."""
    reports: list[str] = []
    page.add_init_script(_WATCH)
    page.on("console", lambda m: reports.append(m.text) if "Content Security Policy" in m.text else None)
    return reports


def _violations(page: Any, reports: list[str]) -> list[str]:
    return [*page.evaluate("window.__violations || []"), *reports]


def test_the_app_admin_and_docs_run_under_the_policy(page: Any, live_server: LiveServer,
                                                     annotation_task: dict[str, Any]) -> None:
    reports = _watch(page)
    response = page.goto("/login")
    policy = response.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    assert response.headers["x-content-type-options"] == "nosniff"
    sign_in(page, *live_server.admin)
    seen = {}
    for path, ready in [
        ("/tasks", "text=e2e"),
        ("/projects", "main"),
        (f"/tasks/{annotation_task['id']}", "text=Back up"),
        (f"/jobs/{annotation_task['job']['id']}", None),
        ("/api/docs/", ".swagger-ui .opblock"),
        ("/admin/", "#content"),
        ("/admin/projects/task/", "#changelist"),
        (f"/admin/projects/task/{annotation_task['id']}/change/", "form"),
    ]:
        if ready is None:
            Workspace(page).open(annotation_task["job"]["id"])
        else:
            page.goto(path)
            page.wait_for_selector(ready)
        page.wait_for_load_state("networkidle")
        seen[path] = _violations(page, reports)
        reports.clear()
    assert seen == {path: [] for path in seen}


def test_inline_script_is_blocked_on_the_apps_origin(admin_page: Any) -> None:
    page = admin_page
    reports = _watch(page)
    page.goto("/tasks")
    page.wait_for_selector("main")
    ran = page.evaluate("""() => {
        window.__ran = [];
        const script = document.createElement("script");
        script.textContent = "window.__ran.push('inline script')";
        document.body.append(script);
        const button = document.createElement("button");
        button.setAttribute("onclick", "window.__ran.push('inline handler')");
        document.body.append(button);
        button.click();
        return window.__ran;
    }""")
    assert ran == []
    violations = _violations(page, reports)
    assert any(v.startswith("script-src") for v in violations), violations


def _html_frame_backup(rest: Rest, task_id: int) -> bytes:
    """A real backup of the task whose first frame is made a web page that steals a token."""
    rq = rest.call("POST", f"/api/tasks/{task_id}/backup/export?location=local")
    done = rest.wait(rq["rq_id"])
    data = rest.http.request("GET", done["result_url"], headers=rest.headers).data
    source = zipfile.ZipFile(io.BytesIO(data))
    files = {name: source.read(name) for name in source.namelist()}
    doc = json.loads(files["task.json"])
    frame = doc["frames"][0]
    frame["mime_type"] = "text/html"
    files["task.json"] = json.dumps(doc).encode()
    files[f"data/{frame['file']}"] = (b"<script>fetch('/api/auth/access_tokens', {method: 'POST', "
                                      b"body: '{\"name\": \"stolen\"}'})</script>")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as target:
        for name, content in files.items():
            target.writestr(name, content)
    return buffer.getvalue()


def test_a_backup_with_a_web_page_for_a_frame_is_refused(admin_page: Any, rest: Rest, tmp_path: Path,
                                                         annotation_task: dict[str, Any]) -> None:
    page = admin_page
    crafted = tmp_path / "crafted.zip"
    crafted.write_bytes(_html_frame_backup(rest, annotation_task["id"]))
    before = rest.get("/api/tasks?page_size=100")["count"]
    page.goto("/tasks")
    page.click("text=Create from backup")
    dialog = page.locator("dialog.restore-dialog")
    dialog.locator(".file-input").set_input_files(str(crafted))
    dialog.locator("button:has-text('Create')").click()
    error = dialog.locator(".form-error")
    error.wait_for()
    page.wait_for_function("() => document.querySelector('dialog.restore-dialog .form-error').textContent")
    assert re.search(r"crafted\.zip: task\.json: frames\[0\]\.mime_type: 'text/html' is not the type of a frame",
                     error.text_content())
    assert rest.get("/api/tasks?page_size=100")["count"] == before
    # the original frame of a real task opens as an image, under the media policy
    response = page.goto(f"/api/tasks/{annotation_task['id']}/data?type=frame&number=0&quality=original")
    assert response.headers["content-type"] == "image/png"
    assert response.headers["content-security-policy"] == "default-src 'none'; sandbox"
