"""Review in the workspace, in a real browser: a reviewer pins issues on a job in validation (a
drawn region, a quick issue on an object), rejects the job; its annotator sees the open issues,
answers and asks for a review; the reviewer resolves the issue and accepts the job."""

from __future__ import annotations

from typing import Any

from tests.e2e.conftest import shot
from tests.e2e.helpers import Workspace
from tests.support.live import LiveServer
from tests.support.rest import Rest


def _as(page: Any, username: str, password: str) -> None:
    """Sign the page's browser context in as another user (through the API, as the UI does)."""
    page.request.post("/api/auth/logout", data={})
    response = page.request.post("/api/auth/login", data={"username": username, "password": password})
    assert response.ok, response.text()


def _issues(rest: Rest, job_id: int) -> list[dict[str, Any]]:
    return sorted(rest.get(f"/api/issues?job_id={job_id}&page_size=100")["results"], key=lambda i: i["id"])


def _comments(rest: Rest, issue_id: int) -> list[str]:
    results = rest.get(f"/api/comments?issue_id={issue_id}&page_size=100")["results"]
    return [c["message"] for c in sorted(results, key=lambda c: c["id"])]


def _move(page: Any, action: str) -> None:
    page.click(".workspace-top .menu summary")
    page.click(f".menu-items .job-move[data-action={action}]")


def _red_share(page: Any, ws: Workspace, box: tuple[float, float, float, float]) -> float:
    """How much redder than green the canvas is inside an image region (issues are tinted red)."""
    ws.next_frame()
    x1, y1 = ws.screen(box[0], box[1])
    x2, y2 = ws.screen(box[2], box[3])
    canvas_box = ws.canvas.bounding_box()
    return page.evaluate(
        """([x1, y1, x2, y2]) => {
          const c = document.querySelector('canvas.annotation-canvas');
          const k = c.width / c.getBoundingClientRect().width;
          const d = c.getContext('2d').getImageData(x1 * k, y1 * k, (x2 - x1) * k, (y2 - y1) * k).data;
          let red = 0, green = 0;
          for (let i = 0; i < d.length; i += 4) { red += d[i]; green += d[i + 1]; }
          return (red - green) / (d.length / 4);
        }""", [x1 - canvas_box["x"] + 4, y1 - canvas_box["y"] + 4, x2 - canvas_box["x"] - 4, y2 - canvas_box["y"] - 4])


def test_review_issue_answer_resolve_accept(page: Any, rest: Rest, annotation_task: dict[str, Any],
                                            live_server: LiveServer) -> None:
    job = annotation_task["job"]
    car = annotation_task["labels"]["car"]
    name, password = f"reviewed-{annotation_task['id']}", "Fix-what-they-say-1"
    annotator = Rest.register(live_server, name, password)
    annotator_id = annotator.get("/api/users/self")["id"]
    rest.call("PATCH", f"/api/tasks/{annotation_task['id']}/annotations?action=create", {"shapes": [
        {"type": "rectangle", "frame": 1, "label_id": car["id"], "points": [200, 150, 260, 200]}], "tags": [], "tracks": []})
    rest.call("PATCH", f"/api/jobs/{job['id']}", {"assignee": annotator_id, "stage": "validation", "state": "in progress"})

    # Out of review a job without issues shows no issues column.
    _as(page, *live_server.admin)
    rest.call("PATCH", f"/api/jobs/{job['id']}", {"stage": "annotation"})
    ws = Workspace(page).open(job["id"], frame=0)
    assert page.locator(".issues-panel").is_hidden() and page.locator(".issue-tool").is_hidden()
    rest.call("PATCH", f"/api/jobs/{job['id']}", {"stage": "validation"})

    # The reviewer: the issue tool is there in validation; a region dragged on frame 0 and its comment.
    ws.open(job["id"], frame=0)
    assert page.locator(".issues-panel").is_visible()
    assert page.locator(".workspace").get_attribute("data-stage") == "validation"
    before = _red_share(page, ws, (40, 40, 120, 100))
    ws.tool("issue")
    ws.drag((40, 40), (120, 100))
    dialog = page.locator("dialog[open]")
    dialog.locator(".issue-submit").click()
    assert dialog.locator(".form-error").inner_text() == "Describe the issue."  # no empty issue
    dialog.locator("textarea.issue-message").fill("The car's wheel is cut off")
    dialog.locator(".issue-submit").click()
    page.wait_for_selector(".issue-row.opened")
    drawn = _issues(rest, job["id"])
    assert len(drawn) == 1 and drawn[0]["frame"] == 0 and not drawn[0]["resolved"]
    assert [round(v) for v in drawn[0]["position"]] == [40, 40, 120, 100]
    assert _comments(rest, drawn[0]["id"]) == ["The car's wheel is cut off"]
    assert _red_share(page, ws, (40, 40, 120, 100)) > before + 5  # the region is tinted on the canvas
    assert page.locator(".issue-thread .comment-message").all_inner_texts() == ["The car's wheel is cut off"]

    # A quick issue on the selected box of frame 1: at the box.
    ws.open(job["id"], frame=1)
    ws.click(230, 175)
    page.click(".quick-issue[data-message='Wrong label']")
    page.wait_for_function("() => document.querySelectorAll('.issue-row').length === 2")
    quick = _issues(rest, job["id"])[1]
    assert quick["frame"] == 1 and [round(v) for v in quick["position"]] == [200, 150, 260, 200]
    assert _comments(rest, quick["id"]) == ["Wrong label"]
    assert page.locator(".issues-count").inner_text() == "2 open"
    shot(page, "review-issues")

    # The arrows go from frame to frame with issues; a click in an issue's region opens its thread.
    page.click(".issue-previous")
    page.wait_for_function("() => document.querySelector('.frame-number').value === '0'")
    ws.wait_ready()
    ws.click(80, 70)
    page.wait_for_selector(f".issue-row.opened[data-issue-id='{drawn[0]['id']}']")
    assert page.locator(".issue-thread .sidebar-head strong").inner_text() == f"Issue #{drawn[0]['id']}"
    page.click(".issue-next")
    page.wait_for_function("() => document.querySelector('.frame-number').value === '1'")

    _move(page, "reject")
    job_now = rest.until(f"/api/jobs/{job['id']}", lambda j: j["stage"] == "annotation")
    assert (job_now["stage"], job_now["state"]) == ("annotation", "rejected")
    page.wait_for_function("() => document.querySelector('select.job-stage').value === 'annotation'")
    assert page.locator(".issue-tool").is_hidden()

    # The annotator: no issue tool, the open issues listed; answers the first one, asks for a review.
    _as(page, name, password)
    ws.open(job["id"], frame=0)
    assert page.locator(".issue-tool").is_hidden() and page.locator(".quick-issues").is_hidden()
    assert page.locator(".issue-row").count() == 2
    assert page.locator(".issue-row.on-frame").get_attribute("data-issue-id") == str(drawn[0]["id"])
    page.click(f".issue-row[data-issue-id='{drawn[0]['id']}'] .issue-open")
    page.wait_for_selector(".issue-thread .comment")
    page.fill(".issue-thread textarea.comment-text", "Redrawn with the wheel")
    page.click(".comment-send")
    page.wait_for_function("() => document.querySelectorAll('.issue-thread .comment').length === 2")
    answers = rest.get(f"/api/comments?issue_id={drawn[0]['id']}&page_size=100")["results"]
    assert sorted((c["message"], c["owner"]["username"]) for c in answers) == [
        ("Redrawn with the wheel", name), ("The car's wheel is cut off", live_server.admin[0])]
    shot(page, "review-annotator-answer")
    # ... fixes the box the quick issue is about (on frame 1) and saves.
    page.click(f".issue-row[data-issue-id='{quick['id']}'] .issue-open")
    page.wait_for_function("() => document.querySelector('.frame-number').value === '1'")
    ws.wait_ready()
    ws.drag((230, 175), (250, 185))
    ws.save()
    fixed = rest.get(f"/api/jobs/{job['id']}/annotations")["shapes"]
    assert len(fixed) == 1 and [round(v) for v in fixed[0]["points"]] == [220, 160, 280, 210]
    # The annotator reports the job done with its state; its stage is the task's managers' to move
    # (CVAT's rules): the stage select is disabled and the menu offers no stage moves.
    assert page.locator(".workspace-top select.job-stage").is_disabled()
    assert page.locator(".menu-items .job-move").evaluate_all("(buttons) => buttons.every((b) => b.hidden)")
    page.locator(".workspace-top select.job-state").select_option("completed")
    rest.until(f"/api/jobs/{job['id']}", lambda j: j["state"] == "completed")

    # The reviewer moves the job to review, reads the answer, resolves the issue (it leaves the
    # list) and accepts the job.
    _as(page, *live_server.admin)
    ws.open(job["id"], frame=0)
    assert page.locator(".workspace-top select.job-stage").is_enabled()
    _move(page, "request-review")
    job_now = rest.until(f"/api/jobs/{job['id']}", lambda j: j["stage"] == "validation")
    assert (job_now["stage"], job_now["state"]) == ("validation", "new")
    page.click(f".issue-row[data-issue-id='{drawn[0]['id']}'] .issue-open")
    page.wait_for_function("() => document.querySelectorAll('.issue-thread .comment').length === 2")
    assert page.locator(".issue-thread .comment-message").all_inner_texts() == [
        "The car's wheel is cut off", "Redrawn with the wheel"]
    page.click(".issue-resolve")
    assert rest.until(f"/api/issues/{drawn[0]['id']}", lambda i: i["resolved"])["resolved"] is True
    page.wait_for_function("() => document.querySelector('.issues-count').textContent === '1 open'")
    assert page.locator(f".issue-row[data-issue-id='{drawn[0]['id']}']").count() == 0
    page.check(".show-resolved")
    assert page.locator(f".issue-row[data-issue-id='{drawn[0]['id']}']").get_attribute("data-resolved") == "true"
    page.click(f".issue-row[data-issue-id='{drawn[0]['id']}'] .issue-open")
    page.click(".issue-reopen")
    assert rest.until(f"/api/issues/{drawn[0]['id']}", lambda i: not i["resolved"])["resolved"] is False
    page.click(".issue-resolve")
    assert rest.until(f"/api/issues/{drawn[0]['id']}", lambda i: i["resolved"])["resolved"] is True
    _move(page, "accept")
    job_now = rest.until(f"/api/jobs/{job['id']}", lambda j: j["stage"] == "acceptance")
    assert (job_now["stage"], job_now["state"]) == ("acceptance", "completed")
    assert page.locator(".job-move[data-action=renew]").count() == 1
    shot(page, "review-accepted")


def test_refused_issue_shows_the_server_message(page: Any, rest: Rest, annotation_task: dict[str, Any],
                                               live_server: LiveServer) -> None:
    """An answer the server refuses (the issue was deleted meanwhile): the UI says why, nothing is saved."""
    job = annotation_task["job"]
    rest.call("PATCH", f"/api/jobs/{job['id']}", {"stage": "validation"})
    issue = rest.call("POST", "/api/issues", {"job": job["id"], "frame": 2, "position": [1, 1, 30, 30],
                                              "message": "Too dark"})
    _as(page, *live_server.admin)
    Workspace(page).open(job["id"], frame=2)
    page.click(f".issue-row[data-issue-id='{issue['id']}'] .issue-open")
    page.wait_for_selector(".issue-thread .comment")
    # The issue disappears on the server meanwhile: the answer is refused with a readable message.
    rest.call("DELETE", f"/api/issues/{issue['id']}")
    page.fill(".issue-thread textarea.comment-text", "ok")
    page.click(".comment-send")
    error = page.locator(".toast-error").first
    error.wait_for()
    assert "issue" in error.inner_text().lower() and "Traceback" not in error.inner_text()
    assert rest.get(f"/api/comments?issue_id={issue['id']}")["count"] == 0
