"""Issue 17 finding 15: the OCR child holds no secret, speaks no pickle, dumps no core.

The child parses hostile documents. A decoder exploit there must find neither the
database key nor the database URL in its environment or settings, must not be able to
run code in the GUI (which holds the key) through its messages, and a crash must not
write memory to a core file.
"""

from __future__ import annotations

import json
import resource
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from desktop_app.engine_process import EngineFailed
from desktop_app.engine_spawn import EngineProcess, child_environment, spawn_engine
from desktop_app.engine_wire import WireError
from desktop_app.settings import Settings
from tests.hardening.engine_fakes import HOSTILE_FACTORY, PROBE_FACTORY

SECRET_URL = "postgresql://desk:s3cret-pw@db.example/passports"


@pytest.fixture
def spawned() -> Iterator[list[EngineProcess]]:
    procs: list[EngineProcess] = []
    yield procs
    for p in procs:
        p.kill()
        p.join(5)
        p.requests.close()
        p.events.close()
        p.close()


def _probe(spawned: list[EngineProcess], monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    monkeypatch.setenv("PASSPORT_DESK_KEY", "k" * 44)
    monkeypatch.setenv("DATABASE_URL", SECRET_URL)
    monkeypatch.setenv("PGPASSWORD", "s3cret-pw")
    monkeypatch.setenv("SOME_API_TOKEN", "t0ken")
    monkeypatch.setenv("QT_QPA_PLATFORM", "offscreen")
    monkeypatch.setenv("OMP_NUM_THREADS", "1")
    settings = Settings(
        database_url=SECRET_URL, audit_signing_key="/secret/signing.key", read_visual_zone=False
    )
    proc = spawn_engine(settings, PROBE_FACTORY)
    spawned.append(proc)
    assert proc.events.poll(60), "the probe child did not answer"
    msg = proc.receive()
    assert isinstance(msg, EngineFailed)
    return json.loads(msg.message.split("PROBE", 1)[1])  # type: ignore[no-any-return]


def test_the_engine_child_gets_no_key_no_database_url_and_no_other_secret(
    spawned: list[EngineProcess], monkeypatch: pytest.MonkeyPatch
) -> None:
    probe = _probe(spawned, monkeypatch)
    env = probe["env"]
    for name in ("PASSPORT_DESK_KEY", "DATABASE_URL", "PGPASSWORD", "SOME_API_TOKEN", "QT_QPA_PLATFORM"):
        assert name not in env, name
    assert not any("s3cret" in v or "t0ken" in v for v in env.values())
    assert env.get("OMP_NUM_THREADS") == "1" and "PATH" in env  # what it needs still passes
    assert probe["database_url"] == "" and probe["audit_signing_key"] == ""


def test_core_dumps_are_off_in_the_child_and_the_gui(
    spawned: list[EngineProcess], monkeypatch: pytest.MonkeyPatch
) -> None:
    probe = _probe(spawned, monkeypatch)
    assert probe["core"] == [0, 0]
    assert resource.getrlimit(resource.RLIMIT_CORE)[0] == 0  # the spawning (GUI) process too


def test_the_allow_list_drops_secret_names_even_when_a_prefix_matches() -> None:
    env = {
        "LC_ALL": "C",
        "FLAGS_api_key": "x",
        "PATH": "/bin",
        "HOME": "/h",
        "DATABASE_URL": "u",
        "LANG": "C",
    }
    assert child_environment(env) == {"LC_ALL": "C", "PATH": "/bin", "HOME": "/h", "LANG": "C"}


def test_a_pickle_from_the_child_is_a_clear_error_not_code_execution(
    spawned: list[EngineProcess], tmp_path: Path
) -> None:
    marker = tmp_path / "unpickled-by-the-gui"
    proc = spawn_engine(Settings(watched_folder=str(marker), read_visual_zone=False), HOSTILE_FACTORY)
    spawned.append(proc)
    assert proc.events.poll(60), "the hostile child did not send"
    with pytest.raises(WireError, match="engine message"):
        proc.receive()
    assert not marker.exists()
