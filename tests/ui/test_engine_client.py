"""The engine child process through its Qt client: stages, ids, cancel, crash, hang."""

from __future__ import annotations

import os
import signal
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from fake_reader import FACTORY, FAILING_FACTORY
from pytestqt.qtbot import QtBot

from desktop_app.core.types import DocumentResult, Field, Flag
from desktop_app.engine_process import WIRE, ReadFinished
from desktop_app.settings import Settings
from desktop_app.ui.engine_client import (
    MSG_CRASHED,
    MSG_GARBLED,
    EngineClient,
    EngineState,
    PageImage,
    StageUpdate,
)


class Recorder:
    """Every signal of a client, in order, as (name, request id, payload)."""

    def __init__(self, client: EngineClient) -> None:
        self.events: list[tuple[str, int, object]] = []
        client.page_loaded.connect(lambda rid, p: self.events.append(("page", rid, p)))
        client.progress.connect(lambda rid, u: self.events.append(("progress", rid, u)))
        client.finished.connect(lambda rid, r: self.events.append(("finished", rid, r)))
        client.failed.connect(lambda rid, m: self.events.append(("failed", rid, m)))
        client.cancelled.connect(lambda rid: self.events.append(("cancelled", rid, None)))
        client.notice.connect(lambda m: self.events.append(("notice", 0, m)))

    def of(self, rid: int) -> list[str]:
        return [e[0] for e in self.events if e[1] == rid]

    def ended(self, rid: int) -> bool:
        return any(e[0] in ("finished", "failed", "cancelled") for e in self.events if e[1] == rid)


@pytest.fixture
def make_client(qtbot: QtBot) -> Iterator[Callable[..., EngineClient]]:
    clients: list[EngineClient] = []

    def make(settings: Settings | None = None, factory: str = FACTORY, **kw: object) -> EngineClient:
        c = EngineClient(settings or Settings(engine_threads=1), factory_path=factory, **kw)  # type: ignore[arg-type]
        clients.append(c)
        c.start()
        return c

    yield make
    for c in clients:
        c.shutdown()


def wait_ready(qtbot: QtBot, client: EngineClient) -> None:
    qtbot.waitUntil(lambda: client.state == EngineState.READY, timeout=20000)


def test_document_result_crosses_the_process_boundary() -> None:
    """DocumentResult keeps its mappings read-only (MappingProxyType); the engine's JSON
    wire format carries them and the result is rebuilt read-only (no pickle)."""
    r = DocumentResult(
        status="ok",
        fields={"surname": Field("X", 0.9, "mrz")},
        flags=(Flag("a", "b"),),
        timings_ms={"mrz": 1.0},
    )
    back = WIRE.decode(WIRE.encode(ReadFinished(1, (r,)))).results[0]
    assert back == r and back.fields["surname"].value == "X"
    with pytest.raises(TypeError):
        back.fields["x"] = Field("Y", 1, "mrz")  # type: ignore[index]


def test_stages_arrive_in_order_with_the_mrz_first(
    qtbot: QtBot, make_client: Callable[..., EngineClient], make_doc: Callable[[str], str]
) -> None:
    client = make_client()
    rec = Recorder(client)
    states: list[str] = []
    client.state_changed.connect(states.append)
    rid = client.submit(make_doc("passport.png"))  # before the engine is ready: it waits
    with qtbot.waitSignal(client.finished, timeout=20000, check_params_cb=lambda r, _res: r == rid):
        pass
    assert rec.of(rid) == ["page", "progress", "progress", "progress", "finished"]
    page = next(e[2] for e in rec.events if e[0] == "page")
    assert isinstance(page, PageImage) and page.size == (1200, 850) and page.image.width() == 1200
    updates = [e[2] for e in rec.events if e[0] == "progress"]
    assert [u.stage for u in updates if isinstance(u, StageUpdate)] == ["load", "mrz", "done"]
    mrz = updates[1].result
    assert isinstance(mrz, DocumentResult)
    assert mrz.fields["surname"].value == "ERIKSSON" and "place_of_birth" not in mrz.fields
    assert updates[2].result.fields["place_of_birth"].value == "ZENITH"  # type: ignore[union-attr]
    assert states[0] == EngineState.STARTING and EngineState.READY in states


def test_a_bad_file_is_an_error_result_not_a_failure(
    qtbot: QtBot, make_client: Callable[..., EngineClient], tmp_path: object
) -> None:
    client = make_client()
    with qtbot.waitSignal(client.finished, timeout=20000) as blocker:
        client.submit("/nonexistent/scan.jpg")
    results = blocker.args[1]
    assert results[0].status == "error" and "does not exist" in results[0].error


def test_cancel_drops_queued_and_kills_an_uninterruptible_stage(
    qtbot: QtBot,
    make_client: Callable[..., EngineClient],
    make_doc: Callable[[str], str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("FAKE_READER_SLOW_S", "30")  # far longer than the test may take
    client = make_client(cancel_grace_s=0.3)
    rec = Recorder(client)
    wait_ready(qtbot, client)
    pid = client.child_pid
    slow = client.submit(make_doc("slow.png"))
    queued = client.submit(make_doc("queued.png"))
    after = client.submit(make_doc("after.png"))
    client.cancel(queued)  # still in the client's queue: dropped without reaching the child
    qtbot.waitUntil(
        lambda: (
            "progress" in rec.of(slow)
            and any(isinstance(e[2], StageUpdate) and e[2].stage == "mrz" for e in rec.events if e[1] == slow)
        ),
        timeout=10000,
    )
    with qtbot.waitSignal(client.cancelled, timeout=2000, check_params_cb=lambda r: r == slow):
        client.cancel(slow)  # the slow stage ignores the token: the child must be killed
    with qtbot.waitSignal(client.finished, timeout=20000, check_params_cb=lambda r, _res: r == after):
        pass
    assert client.child_pid != pid, "the engine child was not restarted"
    assert rec.of(queued) == ["cancelled"]
    assert rec.of(slow)[-1] == "cancelled" and "finished" not in rec.of(slow)


def test_cancel_between_stages_keeps_the_same_child(
    qtbot: QtBot,
    make_client: Callable[..., EngineClient],
    make_doc: Callable[[str], str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("FAKE_READER_SLOW_S", "0.6")
    client = make_client(cancel_grace_s=10)
    rec = Recorder(client)
    wait_ready(qtbot, client)
    pid = client.child_pid
    slow = client.submit(make_doc("slow.png"))
    qtbot.waitUntil(lambda: "progress" in rec.of(slow), timeout=10000)
    client.cancel(slow)
    nxt = client.submit(make_doc("next.png"))
    with qtbot.waitSignal(client.finished, timeout=20000, check_params_cb=lambda r, _res: r == nxt):
        pass
    assert client.child_pid == pid
    assert "finished" not in rec.of(slow)


def test_sigkill_mid_read_restarts_and_reports(
    qtbot: QtBot,
    make_client: Callable[..., EngineClient],
    make_doc: Callable[[str], str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("FAKE_READER_SLOW_S", "30")
    client = make_client()
    rec = Recorder(client)
    wait_ready(qtbot, client)
    pid = client.child_pid
    assert pid
    rid = client.submit(make_doc("slow.png"))
    qtbot.waitUntil(
        lambda: any(isinstance(e[2], StageUpdate) and e[2].stage == "mrz" for e in rec.events if e[1] == rid),
        timeout=10000,
    )
    with qtbot.waitSignal(client.failed, timeout=10000) as blocker:
        os.kill(pid, signal.SIGKILL)
    assert blocker.args == [rid, MSG_CRASHED]
    qtbot.waitUntil(lambda: ("notice", 0, MSG_CRASHED) in rec.events, timeout=5000)
    wait_ready(qtbot, client)
    assert client.child_pid != pid
    with qtbot.waitSignal(client.finished, timeout=20000):
        client.submit(make_doc("again.png"))


def test_crash_inside_the_reader_and_a_reader_bug(
    qtbot: QtBot, make_client: Callable[..., EngineClient], make_doc: Callable[[str], str]
) -> None:
    client = make_client()
    wait_ready(qtbot, client)
    with qtbot.waitSignal(client.failed, timeout=20000) as crashed:
        client.submit(make_doc("crash.png"))
    assert crashed.args[1] == MSG_CRASHED
    wait_ready(qtbot, client)
    pid = client.child_pid
    with qtbot.waitSignal(client.failed, timeout=20000) as bug:
        client.submit(make_doc("boom.png"))
    assert "internal error" in bug.args[1]
    assert client.child_pid == pid, "a Python exception must not cost an engine restart"


def test_a_hang_past_the_time_limit_is_stopped(
    qtbot: QtBot, make_client: Callable[..., EngineClient], make_doc: Callable[[str], str]
) -> None:
    # Settings() without validated(): a 1 s limit keeps the test short.
    client = make_client(Settings(engine_threads=1, engine_timeout_s=1.0))
    wait_ready(qtbot, client)
    pid = client.child_pid
    with qtbot.waitSignal(client.failed, timeout=15000) as blocker:
        client.submit(make_doc("hang.png"))
    assert "longer than 1 seconds" in blocker.args[1]
    wait_ready(qtbot, client)
    assert client.child_pid != pid


def test_an_engine_that_cannot_start_says_so(qtbot: QtBot, make_client: Callable[..., EngineClient]) -> None:
    client = make_client(factory=FAILING_FACTORY)
    with qtbot.waitSignal(client.notice, timeout=20000) as blocker:
        pass
    assert "could not be started" in blocker.args[0] and "no models here" in blocker.args[0]
    qtbot.waitUntil(lambda: client.state == EngineState.FAILED, timeout=5000)
    with qtbot.waitSignal(client.failed, timeout=5000):
        client.submit("/tmp/x.png")


def test_results_are_frozen_values(
    qtbot: QtBot, make_client: Callable[..., EngineClient], make_doc: Callable[[str], str]
) -> None:
    client = make_client()
    with qtbot.waitSignal(client.finished, timeout=20000) as blocker:
        client.submit(make_doc("p.png"))
    result = blocker.args[1][0]
    with pytest.raises(AttributeError):
        result.status = "error"
    assert replace(result, status="error").status == "error"


def test_an_operator_restart_reads_the_current_document_again(
    qtbot: QtBot,
    make_client: Callable[..., EngineClient],
    make_doc: Callable[[str], str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("FAKE_READER_SLOW_S", "0.5")
    client = make_client()
    rec = Recorder(client)
    wait_ready(qtbot, client)
    pid = client.child_pid
    rid = client.submit(make_doc("slow.png"))
    qtbot.waitUntil(lambda: "progress" in rec.of(rid), timeout=10000)
    with qtbot.waitSignal(client.finished, timeout=20000, check_params_cb=lambda r, _res: r == rid):
        client.restart()
    assert client.child_pid != pid
    assert "failed" not in rec.of(rid)


def test_a_pickle_from_the_child_is_refused_with_a_plain_notice(
    qtbot: QtBot, make_client: Callable[..., EngineClient], tmp_path: Path
) -> None:
    """Issue 17 finding 15: the window never unpickles what the engine child sends."""
    from tests.hardening.engine_fakes import HOSTILE_FACTORY

    marker = tmp_path / "unpickled-by-the-gui"
    client = make_client(Settings(engine_threads=1, watched_folder=str(marker)), factory=HOSTILE_FACTORY)
    notices: list[str] = []
    client.notice.connect(notices.append)
    qtbot.waitUntil(lambda: client.state == EngineState.FAILED, timeout=30000)
    assert MSG_GARBLED in notices and any("undecodable" in n for n in notices)
    assert not marker.exists()
