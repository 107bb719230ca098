"""The workspace's player in Chromium, on a 250-frame video task of three jobs (100, 100 and 50
frames, chunks of 36): the frames cut out of the zip chunks are the frames the server serves one
by one, and playing draws every frame in order from chunks, without single-frame requests."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.conftest import LABELS, scene_images, scene_video, shot
from tests.e2e.helpers import Workspace
from tests.support.rest import Rest

FRAMES = 250


@pytest.fixture(scope="module")
def video_jobs(rest: Rest, tmp_path_factory: pytest.TempPathFactory) -> list[dict[str, Any]]:
    """The jobs (frames 0–99, 100–199, 200–249) of a task made from a 250-frame video."""
    tmp = tmp_path_factory.mktemp("player")
    video = scene_video(tmp / "street.mp4", scene_images(tmp / "frames", FRAMES))
    task = rest.create_task("e2e player", LABELS, [video], segment_size=100)
    assert task["size"] == FRAMES
    jobs = sorted(rest.jobs(task["id"]), key=lambda j: j["start_frame"])
    assert [(j["start_frame"], j["stop_frame"]) for j in jobs] == [(0, 99), (100, 199), (200, 249)]
    assert rest.get(f"/api/jobs/{jobs[1]['id']}/data/meta")["chunk_size"] == 36
    return jobs


def test_chunk_frames_are_the_frames_served_one_by_one(admin_page: Any, video_jobs: list[dict[str, Any]]) -> None:
    page = admin_page
    page.goto("/")
    checks = [(video_jobs[1], [100, 101, 135, 136, 171, 172, 199]), (video_jobs[2], [200, 235, 236, 249])]
    for job, frames in checks:
        result = page.evaluate("""async ({job, start, stop, frames}) => {
          const {ChunkSource} = await import('/static/ui/annotation/chunks.js');
          const data = async (query) => {
            const response = await fetch(`/api/jobs/${job}/data?${query}&quality=compressed`);
            if (!response.ok) throw new Error(`${query}: ${response.status}`);
            return new Uint8Array(await response.arrayBuffer());
          };
          const source = new ChunkSource(async (index) => new Blob([await data(`type=chunk&index=${index}`)]),
            {start, stop, chunkSize: 36});
          const out = [];
          for (const frame of frames) {
            const fromChunk = new Uint8Array(await (await source.frame(frame)).arrayBuffer());
            const single = await data(`type=frame&number=${frame}`);
            out.push([frame, fromChunk.length, fromChunk.length === single.length && fromChunk.every((b, i) => b === single[i])]);
          }
          return {out, fetched: source.fetched};
        }""", {"job": job["id"], "start": job["start_frame"], "stop": job["stop_frame"], "frames": frames})
        assert [(f, same) for f, _, same in result["out"]] == [(f, True) for f in frames]
        assert all(size > 1000 for _, size, _ in result["out"]), "real JPEG frames, not blanks"
        assert result["fetched"] == len({(f - job["start_frame"]) // 36 for f in frames})


def test_playing_draws_every_frame_from_chunks(admin_page: Any, video_jobs: list[dict[str, Any]]) -> None:
    page = admin_page
    job = video_jobs[1]
    requests: list[str] = []  # after Space
    everything: list[str] = []
    page.on("request", lambda r: (requests if playing else everything).append(r.url) if "/data?" in r.url else None)
    playing = False
    ws = Workspace(page).open(job["id"])
    page.wait_for_timeout(500)  # the idle prefetch is done
    page.evaluate("""() => {
      const number = document.querySelector(".frame-number");
      const log = window.__drawn = [];
      new MutationObserver(() => {
        const frame = Number(number.value);
        if (log[log.length - 1] !== frame) log.push(frame);
      }).observe(document.querySelector("canvas.annotation-canvas"), {attributes: true, attributeFilter: ["data-renders"]});
    }""")
    page.locator(".player-speed").select_option("50")
    playing = True
    page.keyboard.press(" ")
    page.wait_for_function("() => document.querySelector('.frame-number').value === '199'"
                           " && document.querySelector('.player-button[title^=Play]')", timeout=60_000)
    ws.wait_ready()
    shot(page, "player-played-to-the-end")
    drawn = page.evaluate("() => window.__drawn")
    assert [f for f in drawn if f != 100] == list(range(101, 200)), "every frame drawn once, in order"
    # The frame opened came on its own, then its chunk was fetched (not decoded) while idle; playing
    # fetched each of the other chunks once and no single frame.
    assert "type=frame&number=100&" in everything[0] and any("type=chunk&index=0&" in u for u in everything)
    chunks = sorted(int(u.split("index=")[1].split("&")[0]) for u in everything + requests if "type=chunk" in u)
    assert chunks == [0, 1, 2]
    assert [u for u in requests if "type=frame" in u] == []
    # Stepping back after playing: the frames come from the chunks kept, not from new requests.
    page.keyboard.press("d")
    page.wait_for_function("() => document.querySelector('.frame-number').value === '198'")
    ws.wait_ready()
    assert [u for u in requests if "type=frame" in u] == []
