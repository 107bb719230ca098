"""Projects and tasks pages: create a task by uploading images, lists with search and paging,
the task page (jobs, stages, assignees, labels editor) and projects."""

from __future__ import annotations

import re
import uuid
from pathlib import Path
from typing import Any

import orjson

from tests.e2e.conftest import shot, sign_in
from tests.support.images import make_images
from tests.support.live import LiveServer
from tests.support.rest import Rest


def _add_attribute(card: Any, name: str, input_type: str, values: list[str] | None = None, *, mutable: bool = False) -> None:
    card.locator("text=+ Attribute").click()
    row = card.locator(".attribute-row").last
    row.locator(".attr-name").fill(name)
    row.locator(".attr-type").select_option(input_type)
    if input_type in ("select", "radio"):
        row.locator(".attr-values-input").fill(", ".join(values or []))
    elif input_type == "number":
        for field, value in zip(("Minimum", "Maximum", "Step"), values or [], strict=True):
            row.locator(f'input[aria-label="{field}"]').fill(value)
    elif input_type == "checkbox" and values == ["true"]:
        row.locator(".attr-default").select_option("true")
    elif input_type == "text" and values:
        row.locator(".attr-default").fill(values[0])
    if mutable:
        row.locator("input[type=checkbox]").check()


def test_create_task_by_uploading_images(admin_page: Any, rest: Rest, tmp_path: Path) -> None:
    page = admin_page
    name = f"upload {uuid.uuid4().hex[:6]}"
    images = make_images(tmp_path / "pictures", 5, size=(160, 120))
    page.goto("/tasks")
    page.click("text=+ Create task")
    page.wait_for_url(re.compile(r".*/tasks/create"))
    page.fill("input[name=name]", name)
    page.fill("input[name=subset]", "train")
    # A label with an attribute of every input type.
    page.click("text=+ Label")
    car = page.locator(".label-card").last
    car.locator(".label-name").fill("car")
    _add_attribute(car, "colour", "select", ["red", "blue"])
    _add_attribute(car, "make", "radio", ["fiat", "ford"])
    _add_attribute(car, "parked", "checkbox", ["true"], mutable=True)
    _add_attribute(car, "doors", "number", ["2", "5", "1"])
    _add_attribute(car, "plate", "text", ["none"])
    # A skeleton with three points and an extra edge.
    page.click("text=+ Skeleton")
    person = page.locator(".label-card").last
    person.locator(".label-name").fill("person")
    person.locator("text=+ Point").click()
    points = person.locator(".skeleton-points input")
    for i, point in enumerate(["head", "hip", "foot"]):
        points.nth(i).fill(point)
    person.locator('select[aria-label="Edge from"]').select_option("1")
    person.locator('select[aria-label="Edge to"]').select_option("2")
    person.locator("text=+ Edge").click()
    # Drag the third point of the layout somewhere else.
    circle = person.locator(".skeleton-canvas circle").nth(2)
    box = circle.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.down()
    page.mouse.move(box["x"] + 30, box["y"] + 40, steps=3)
    page.mouse.up()
    # Files go in through the hidden file input (what a click on the drop zone opens) ...
    page.set_input_files(".file-input", [str(p) for p in images[:4]])
    # ... and one more through a real drop event.
    page.evaluate("""async (bytes) => {
        const data = new DataTransfer();
        data.items.add(new File([new Uint8Array(bytes)], "img_004.png", {type: "image/png"}));
        document.querySelector(".drop-zone").dispatchEvent(new DragEvent("drop", {dataTransfer: data, bubbles: true}));
    }""", list(images[4].read_bytes()))
    assert "5 files" in page.locator(".file-summary").inner_text()
    page.click("text=Advanced options")
    page.fill("input[name=image_quality]", "80")
    page.fill("input[name=segment_size]", "2")
    page.locator("select[name=sorting_method]").select_option("natural")
    shot(page, "page-create-task")
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r".*/tasks/\d+$"), timeout=60_000)
    task_id = int(page.url.rsplit("/", 1)[1])
    page.wait_for_selector(".jobs-table")
    shot(page, "page-task")
    frames = [r.inner_text() for r in page.locator(".jobs-table td.frames").all()]
    assert frames == ["0–1", "2–3", "4–4"]

    task = rest.get(f"/api/tasks/{task_id}")
    assert (task["name"], task["size"], task["image_quality"], task["segment_size"], task["subset"]) == (
        name, 5, 80, 2, "train")
    meta = rest.get(f"/api/tasks/{task_id}/data/meta")
    assert [f["name"] for f in meta["frames"]] == [p.name for p in images]
    labels = {label["name"]: label for label in rest.labels(task_id=task_id)}
    attrs = {a["name"]: a for a in labels["car"]["attributes"]}
    assert {n: a["input_type"] for n, a in attrs.items()} == {
        "colour": "select", "make": "radio", "parked": "checkbox", "doors": "number", "plate": "text"}
    assert attrs["colour"]["values"] == ["red", "blue"] and attrs["doors"]["values"] == ["2", "5", "1"]
    assert attrs["parked"]["default_value"] == "true" and attrs["parked"]["mutable"] is True
    assert attrs["plate"]["default_value"] == "none"
    person_label = labels["person"]
    assert person_label["type"] == "skeleton"
    assert [s["name"] for s in person_label["sublabels"]] == ["head", "hip", "foot"]
    assert person_label["svg"].count("<line") == 2 and 'data-label-name="foot"' in person_label["svg"]


def test_create_task_errors_are_clear(admin_page: Any, rest: Rest, tmp_path: Path) -> None:
    page = admin_page
    task_posts: list[str] = []
    page.on("request", lambda r: task_posts.append(r.url)
            if r.method == "POST" and r.url.split("?")[0].endswith("/api/tasks") else None)
    page.goto("/tasks/create")
    page.fill("input[name=name]", "no labels")
    page.click("button[type=submit]")
    assert "at least one label" in page.locator(".form-error[role=alert]").inner_text()
    page.click("text=+ Label")
    page.locator(".label-card .label-name").fill("thing")
    page.click("button[type=submit]")
    assert "Add the images" in page.locator(".form-error[role=alert]").inner_text()
    # The browser checks the files first: no task is created for files that cannot work.
    (tmp_path / "notes.txt").write_text("a note")
    (tmp_path / "empty.png").write_bytes(b"")
    (tmp_path / "a.mp4").write_bytes(b"not really a video")
    (tmp_path / "b.png").write_bytes(b"not really a picture")
    for chosen, message in ([["notes.txt"], "“notes.txt” is neither an image, a video nor an archive"],
                            [["empty.png"], "“empty.png” is empty"],
                            [["a.mp4", "b.png"], "either one video or images"]):
        page.set_input_files(".file-input", [str(tmp_path / name) for name in chosen])
        page.click("button[type=submit]")
        assert message in page.locator(".form-error[role=alert]").inner_text()
    assert task_posts == []
    # A file the server cannot read: the task is created, the server refuses the data, the page says
    # why and deletes the empty task again; a retry leaves nothing behind either.
    bad = tmp_path / "notes.png"
    bad.write_bytes(b"this is not a picture")
    name = f"bad data {uuid.uuid4().hex[:6]}"
    page.fill("input[name=name]", name)
    page.set_input_files(".file-input", [str(bad)])
    for _attempt in range(2):
        page.click("button[type=submit]")
        page.wait_for_function(
            "() => document.querySelector('.form-error[role=alert]').textContent.includes('Nothing was created')",
            timeout=30_000)
        assert "notes.png" in page.locator(".form-error[role=alert]").inner_text()
        assert "/tasks/create" in page.url
        assert rest.get(f"/api/tasks?search={name.replace(' ', '+')}")["results"] == []
    assert len(task_posts) == 2


def test_tasks_list_search_and_paging(admin_page: Any, rest: Rest) -> None:
    page = admin_page
    tag = uuid.uuid4().hex[:6]
    for i in range(12):
        rest.call("POST", "/api/tasks", {"name": f"paging {tag} {i:02d}", "labels": [{"name": "x"}]})
    page.goto("/tasks")
    page.fill("input.search", f"paging {tag}")
    page.wait_for_function("() => document.querySelector('.pager')?.textContent.includes('12 in all')")
    assert page.locator(".resource-list tbody tr").count() == 10
    shot(page, "page-tasks")
    page.click("button[aria-label='Page 2']")
    page.wait_for_function("() => document.querySelectorAll('.resource-list tbody tr').length === 2")
    names = [a.inner_text() for a in page.locator(".resource-list tbody tr a.strong").all()]
    assert sorted(names) == [f"paging {tag} 00", f"paging {tag} 01"]  # newest first: the oldest are last
    assert "page=2" in page.url and "search=" in page.url
    page.fill("input.search", f"paging {tag} 07")
    page.wait_for_function("() => document.querySelectorAll('.resource-list tbody tr').length === 1")
    page.click(f"text=paging {tag} 07")
    page.wait_for_url(re.compile(r".*/tasks/\d+$"))
    assert page.locator("h1.inline-edit").inner_text() == f"paging {tag} 07"


def test_task_page_jobs_labels_and_name(admin_page: Any, rest: Rest, annotation_task: dict[str, Any]) -> None:
    page = admin_page
    task_id = annotation_task["id"]
    job_id = annotation_task["job"]["id"]
    patches: list[dict[str, Any]] = []
    page.on("request", lambda r: patches.append(orjson.loads(r.post_data))
            if r.method == "PATCH" and r.url.endswith(f"/api/tasks/{task_id}") else None)
    page.goto(f"/tasks/{task_id}")
    page.wait_for_selector(".jobs-table")
    assert page.locator(".jobs-table td.frames").inner_text() == "0–4"
    page.locator(f"select[aria-label='Job {job_id} stage']").select_option("validation")
    page.locator(f"select[aria-label='Job {job_id} assignee']").select_option(label="admin")
    job = rest.until(f"/api/jobs/{job_id}", lambda j: j["stage"] == "validation" and j["assignee"] is not None)
    assert job["stage"] == "validation" and job["assignee"]["username"] == "admin"
    # Rename the task in place.
    page.click("h1.inline-edit")
    page.fill("input.inline-edit-input", "renamed task")
    page.keyboard.press("Enter")
    page.wait_for_function("() => document.querySelector('h1.inline-edit').textContent === 'renamed task'")
    # Change one label: only it is sent.
    save = page.locator("text=Save labels")
    assert save.is_disabled()
    road = page.locator('.label-card[data-label-name="road"]')
    _add_attribute(road, "lanes", "number", ["1", "6", "1"])
    road.locator(".label-name").fill("street")
    assert save.is_enabled()
    shot(page, "page-task-labels")
    save.click()
    page.wait_for_selector("text=The labels were saved.")
    labels = {label["name"]: label for label in rest.labels(task_id=task_id)}
    assert "street" in labels and "road" not in labels
    assert [a["name"] for a in labels["street"]["attributes"]] == ["lanes"]
    assert rest.get(f"/api/tasks/{task_id}")["name"] == "renamed task"
    label_patch = next(p for p in patches if "labels" in p)
    assert [entry["name"] for entry in label_patch["labels"]] == ["street"]
    assert label_patch["labels"][0]["id"] == annotation_task["labels"]["road"]["id"]
    assert page.locator("text=Save labels").is_disabled()


def test_projects_page_and_task_in_project(admin_page: Any, rest: Rest, tmp_path: Path) -> None:
    page = admin_page
    name = f"project {uuid.uuid4().hex[:6]}"
    page.goto("/projects")
    page.click("text=+ Create project")
    dialog = page.locator("dialog.project-create")
    dialog.locator("input[name=name]").fill(name)
    dialog.locator("text=+ Label").click()
    dialog.locator(".label-name").fill("tree")
    shot(page, "page-create-project")
    dialog.locator("text=Create project").click()
    page.wait_for_url(re.compile(r".*/projects/\d+$"))
    project_id = int(page.url.rsplit("/", 1)[1])
    page.wait_for_selector(".labels-section")
    assert page.locator('.label-card[data-label-name="tree"]').count() == 1
    page.click("text=+ Create task")
    page.wait_for_url(re.compile(rf".*/tasks/create\?project={project_id}"))
    page.wait_for_function(f"() => document.querySelector('select[name=project]').value === '{project_id}'")
    assert page.locator(".labels-box").is_hidden()
    page.fill("input[name=name]", f"{name} task")
    page.set_input_files(".file-input", [str(p) for p in make_images(tmp_path / "p", 2)])
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r".*/tasks/\d+$"), timeout=60_000)
    page.wait_for_selector(".labels-section")
    assert "labels of project" in page.locator(".labels-section").inner_text()
    page.click(f".page-header >> text={name}")
    page.wait_for_url(re.compile(rf".*/projects/{project_id}$"))
    page.wait_for_selector(f"text={name} task")
    shot(page, "page-project")
    page.goto("/projects")
    page.fill("input.search", name)
    page.wait_for_selector(f"tr[data-project-id='{project_id}']")
    shot(page, "page-projects")
    project = rest.get(f"/api/projects/{project_id}")
    assert project["tasks"]["count"] == 1
    page.goto("/jobs")
    page.wait_for_selector("tbody tr")
    shot(page, "page-jobs")


def test_dataset_dialogs_follow_the_server_formats(admin_page: Any, rest: Rest, annotation_task: dict[str, Any]) -> None:
    """The export and import dialogs list what ``/api/server/annotation/formats`` offers.

    The export, import and backup flows themselves are tested once the server's dataset endpoints
    exist (they are built on the formats branch): see test_dataset_flows.py.
    """
    page = admin_page
    formats = rest.get("/api/server/annotation/formats")
    page.goto(f"/tasks/{annotation_task['id']}")
    page.click("text=Export dataset")
    dialog = page.locator("dialog.export-dialog")
    dialog.wait_for()
    exporters = [f["name"] for f in formats["exporters"] if f["enabled"] and f["dimension"].upper() == "2D"]
    if exporters:
        options = [o.get_attribute("value") for o in dialog.locator("select.format-select option").all()]
        assert options == exporters
    else:
        assert "no export formats" in dialog.inner_text()
    shot(page, "dialog-export")
    page.keyboard.press("Escape")
    page.click("text=Upload annotations")
    dialog = page.locator("dialog.import-dialog")
    dialog.wait_for()
    importers = [f["name"] for f in formats["importers"] if f["enabled"]]
    if importers:
        assert dialog.locator("select.format-select option").count() == len(importers)
    else:
        assert "no import formats" in dialog.inner_text()
    page.keyboard.press("Escape")


def test_labels_as_raw_json(admin_page: Any, rest: Rest, tmp_path: Path) -> None:
    """Labels pasted as JSON (say, copied from another task) become the task's labels."""
    page = admin_page
    page.goto("/tasks/create")
    page.fill("input[name=name]", f"raw labels {uuid.uuid4().hex[:6]}")
    page.click("text=Raw JSON")
    page.fill("textarea.raw-labels", "not json")
    page.click("text=Apply JSON")
    assert page.locator(".raw-box .form-error").inner_text()
    spec = [{"name": "cat", "color": "#aa5500", "type": "rectangle",
             "attributes": [{"name": "age", "input_type": "number", "mutable": False, "values": ["0", "20", "1"]}]},
            {"name": "dog"}]
    page.fill("textarea.raw-labels", orjson.dumps(spec).decode())
    page.click("text=Apply JSON")
    assert [c.get_attribute("data-label-name") for c in page.locator(".label-card").all()] == ["cat", "dog"]
    page.set_input_files(".file-input", [str(p) for p in make_images(tmp_path / "raw", 1)])
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r".*/tasks/\d+$"), timeout=60_000)
    labels = {label["name"]: label for label in rest.labels(task_id=int(page.url.rsplit("/", 1)[1]))}
    assert labels["cat"]["type"] == "rectangle" and labels["cat"]["color"] == "#aa5500"
    assert labels["cat"]["attributes"][0]["values"] == ["0", "20", "1"] and labels["dog"]["type"] == "any"


def test_assignee_pickers_offer_the_current_assignee(page: Any, rest: Rest, live_server: LiveServer) -> None:
    """In the personal workspace a user lists only themself, yet the task's and the project's
    assignee pickers show the assignee the administrator chose (from the object itself)."""
    tag = uuid.uuid4().hex[:6]
    password = "Pick-someone-1"
    owner_name, other_name = f"owner-{tag}", f"other-{tag}"
    owner = Rest.register(live_server, owner_name, password)
    other_id = Rest.register(live_server, other_name, password).get("/api/users/self")["id"]
    owner_id = owner.get("/api/users/self")["id"]
    assert [u["username"] for u in owner.get("/api/users")["results"]] == [owner_name]
    task = owner.call("POST", "/api/tasks", {"name": f"picked {tag}", "labels": [{"name": "car"}]})
    project = owner.call("POST", "/api/projects", {"name": f"picked {tag}", "labels": [{"name": "car"}]})
    rest.call("PATCH", f"/api/tasks/{task['id']}", {"assignee_id": other_id})
    rest.call("PATCH", f"/api/projects/{project['id']}", {"assignee_id": other_id})
    sign_in(page, owner_name, password)
    for path, label in ((f"/projects/{project['id']}", "Project assignee"), (f"/tasks/{task['id']}", "Task assignee")):
        page.goto(path)
        picker = page.locator(f"select[aria-label='{label}']")
        picker.wait_for()
        assert [o.inner_text() for o in picker.locator("option").all()] == ["— nobody —", other_name, owner_name]
        assert picker.input_value() == str(other_id)
    # The owner takes the task over; the other user, no longer its assignee, is no longer offered.
    picker.select_option(label=owner_name)
    assert rest.until(f"/api/tasks/{task['id']}", lambda t: (t["assignee"] or {}).get("id") == owner_id)
    page.reload()
    picker = page.locator("select[aria-label='Task assignee']")
    picker.wait_for()
    assert [o.inner_text() for o in picker.locator("option").all()] == ["— nobody —", owner_name]
    assert picker.input_value() == str(owner_id)
