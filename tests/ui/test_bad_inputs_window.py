"""Every hostile file of the hardening catalogue, dropped into the window: each fails in
its queue row with the same plain message the command line gives, the engine child is not
restarted, and the next document reads normally."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from pytestqt.qtbot import QtBot

from desktop_app.ui.application import Services
from tests.hardening.hostile import bad_inputs, write


def test_bad_files_fail_plainly_and_the_next_document_reads(
    qtbot: QtBot, services: Services, make_doc: Callable[[str], str], tmp_path: Path
) -> None:
    folder = tmp_path / "pièces reçues"
    bad = bad_inputs()
    paths = [str(write(folder, b.name, b.data)) for b in bad]
    vanishing = write(folder, "deleted before reading.jpg", b"x")
    queue = services.controller.queue
    notices: list[str] = []  # crashes, restarts and time-outs are announced here
    services.engine.notice.connect(notices.append)
    assert services.window.add_paths([*paths, str(vanishing)]) == len(bad) + 1
    vanishing.unlink()  # deleted between queueing and reading
    good = make_doc("passport after the bad ones.png")
    services.window.add_paths([good])
    expected = {b.name: b.message for b in bad}
    expected[vanishing.name] = r"does not exist"

    def settled() -> bool:
        items = {it.label: it for it in queue.items()}
        return all(items.get(name) is not None and items[name].status == "failed" for name in expected) and (
            items.get(Path(good).name) is not None and items[Path(good).name].status == "ready"
        )

    qtbot.waitUntil(settled, timeout=60000)
    items = {it.label: it for it in queue.items()}
    for name, pattern in expected.items():
        message = items[name].message
        assert re.search(pattern, message, re.IGNORECASE), (name, message)
        assert "Traceback" not in message
    assert notices == []  # no crash, no restart, no time-out of the engine child
    # The document after them read normally (its row is "ready" with a full result).
    [result] = items[Path(good).name].results.values()
    assert result.status == "ok" and result.fields["surname"].value == "ERIKSSON"
