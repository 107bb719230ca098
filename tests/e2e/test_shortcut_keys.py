"""Customizable shortcuts: a user changes an action's key in the F1 dialog, the new key works,
the old one no longer does, and the choice is kept for that user in the browser."""

from __future__ import annotations

from typing import Any

from tests.e2e.helpers import Workspace


def test_keymap_rules(page: Any) -> None:
    page.goto("/login")
    result = page.evaluate("""async () => {
        const k = await import('/static/ui/annotation/shortcuts.js');
        const ev = (key, extra = {}) => new KeyboardEvent("keydown", {key, ...extra});
        const map = new k.Keymap();
        const before = [map.actionOf(ev("f")), map.actionOf(ev("j"))];
        map.bind("next", "J");
        const after = [map.actionOf(ev("f")), map.actionOf(ev("ArrowRight")), map.actionOf(ev("j"))];
        map.bind("previous", "J");  // taken from "next"
        const moved = [map.actionOf(ev("j")), map.keysOf("next"), map.keysOf("previous")];
        const bad = new k.Keymap({nosuch: ["X"], next: "F", lock: [""], hide: ["U"]});
        let refused = null;
        try { map.bind("nosuch", "X"); } catch (e) { refused = e.message; }
        map.reset();
        return {before, after, moved, badOverrides: bad.overrides, refused, reset: map.actionOf(ev("f"))};
    }""")
    assert result["before"] == ["next", None]
    assert result["after"] == [None, "nextSearch", "next"], "the arrow keeps its own action"
    assert result["moved"] == ["previous", [], ["J"]]
    assert result["badOverrides"] == {"hide": ["U"]}, "unknown actions and malformed keys are ignored"
    assert result["refused"] == "no such action: nosuch"
    assert result["reset"] == "next"


def test_change_a_key_in_the_dialog_and_keep_it(admin_page: Any, annotation_task: dict[str, Any]) -> None:
    page = admin_page
    ws = Workspace(page).open(annotation_task["job"]["id"])
    page.keyboard.press("F1")
    dialog = page.locator("dialog[open].shortcuts-dialog")
    dialog.locator("button.change-key[data-action='next']").click()
    page.keyboard.press("j")
    assert dialog.locator("tr[data-action='next'] td.keys").inner_text() == "J"
    dialog.locator("button.change-key[data-action='lock']").click()
    page.keyboard.press("Escape")  # Escape leaves the key as it was, and the dialog open
    assert dialog.is_visible() and dialog.locator("tr[data-action='lock'] td.keys").inner_text() == "L"
    dialog.locator("button[aria-label='Close']").click()
    page.keyboard.press("j")
    page.wait_for_function("() => document.querySelector('.frame-number').value === '1'")
    page.keyboard.press("f")
    ws.next_frame()
    assert ws.frame_number() == 1, "F no longer goes to the next frame"
    # Kept for this user: a new page load has the same keys.
    ws.open(annotation_task["job"]["id"], frame=1)
    page.keyboard.press("j")
    page.wait_for_function("() => document.querySelector('.frame-number').value === '2'")
    page.keyboard.press("F1")
    dialog.locator(".reset-keys").click()
    assert dialog.locator("tr[data-action='next'] td.keys kbd").all_inner_texts() == ["F"]
    dialog.locator("button[aria-label='Close']").click()
    page.keyboard.press("f")
    page.wait_for_function("() => document.querySelector('.frame-number').value === '3'")
