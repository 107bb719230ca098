"""Unit checks of the review and quality modules of the UI (pure functions), in Chromium."""

from __future__ import annotations

from typing import Any


def test_parse_frames_reads_lists_and_ranges_and_names_what_it_cannot_read(js: Any) -> None:
    result = js({"q": "views/task-quality.js"}, """
        const fails = (text) => { try { q.parseFrames(text); return null; } catch (e) { return e.message; } };
        return {
          list: q.parseFrames("6, 0  10-12,6"), empty: q.parseFrames(" "),
          word: fails("0, six"), backwards: fails("5-3"), negative: fails("-1"), fraction: fails("1.5"),
          huge: fails("0-200000"),
          percent: [q.percent(1 / 3), q.percent(0), q.percent(null), q.percent(1)],
        };
    """)
    assert result["list"] == [0, 6, 10, 11, 12] and result["empty"] == []
    assert "six" in result["word"] and "5-3" in result["backwards"]
    assert "-1" in result["negative"] and "1.5" in result["fraction"] and "too long" in result["huge"]
    assert result["percent"] == ["33.3%", "0.0%", "—", "100.0%"]


def test_issue_outlines_and_job_moves(js: Any) -> None:
    result = js({"r": "views/workspace-review.js"}, """
        return {
          box: r.issueOutline([1, 2, 5, 8]), polygon: r.issueOutline([0, 0, 4, 0, 2, 3]),
          moves: Object.fromEntries(Object.entries(r.JOB_MOVES).map(([stage, moves]) =>
            [stage, moves.map((m) => [m.text, m.patch.stage, m.patch.state])])),
          quick: r.QUICK_ISSUES,
        };
    """)
    assert result["box"] == [1, 2, 5, 2, 5, 8, 1, 8]
    assert result["polygon"] == [0, 0, 4, 0, 2, 3]
    assert result["moves"] == {
        "annotation": [["Request a review", "validation", "new"], ["Finish the job", "acceptance", "completed"]],
        "validation": [["Accept", "acceptance", "completed"], ["Reject", "annotation", "rejected"]],
        "acceptance": [["Renew the job", "annotation", "new"]],
    }
    assert result["quick"] == ["Wrong label", "Add attribute", "Wrong position", "Missing object"]


def test_quality_by_annotator_adds_up_the_counts(js: Any) -> None:
    rows = js({"q": "views/task-quality.js"}, """
        const report = (name, valid, total, ds, gt, conflicts) => ({assignee: name ? {username: name} : null,
          summary: {valid_count: valid, total_count: total, ds_count: ds, gt_count: gt, conflict_count: conflicts}});
        return q.byAnnotator([report("zoe", 1, 4, 2, 3, 3), report(null, 0, 0, 0, 0, 0), report("ann", 2, 2, 2, 2, 0),
                              report("zoe", 3, 4, 4, 3, 1)]);
    """)
    assert rows == [
        {"annotator": "ann", "jobs": 1, "accuracy": 1, "precision": 1, "recall": 1, "conflicts": 0},
        {"annotator": "zoe", "jobs": 2, "accuracy": 0.5, "precision": 4 / 6, "recall": 4 / 6, "conflicts": 4},
        {"annotator": "", "jobs": 1, "accuracy": None, "precision": None, "recall": None, "conflicts": 0},
    ]
