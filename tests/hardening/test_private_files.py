"""Issue 17, finding 7: a first start under umask 022 leaves the data folder 0700 and
settings.json 0600, written through a unique temporary file."""

from __future__ import annotations

import logging
import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from desktop_app.app import setup_logging
from desktop_app.settings import Settings, config_path, data_dir, save_settings

pytestmark = pytest.mark.skipif(os.name != "posix", reason="POSIX file modes")


@pytest.fixture
def fresh_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    home = tmp_path / "fresh" / "passport-desk"
    monkeypatch.setenv("PASSPORT_DESK_HOME", str(home))
    monkeypatch.delenv("PASSPORT_DESK_CONFIG", raising=False)
    monkeypatch.delenv("PASSPORT_DESK_DATA_DIR", raising=False)  # it wins over PASSPORT_DESK_HOME
    old = os.umask(0o022)
    root = logging.getLogger()
    handlers = list(root.handlers)
    try:
        yield home
    finally:
        os.umask(old)
        for h in root.handlers[:]:
            if h not in handlers:
                root.removeHandler(h)
                h.close()


def test_first_start_makes_the_data_folder_and_settings_private(fresh_home: Path) -> None:
    assert not fresh_home.exists()
    log_file = setup_logging()  # what the GUI does first: it creates logs/ inside the data folder
    assert log_file is not None and log_file.parent.parent == data_dir() == fresh_home
    assert stat.S_IMODE(fresh_home.stat().st_mode) == 0o700
    assert stat.S_IMODE(log_file.parent.stat().st_mode) == 0o700
    path = save_settings(Settings(database_url="postgresql://desk@db.branch/passports"))
    assert path == config_path()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert [p.name for p in path.parent.iterdir() if p.name.endswith(".tmp")] == []
    save_settings(Settings(retention_days=30))  # again, over the first: still 0600
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_settings_never_follow_a_planted_temp_file(fresh_home: Path, tmp_path: Path) -> None:
    """The old fixed `settings.json.tmp` name let another user plant a link there."""
    fresh_home.mkdir(parents=True, mode=0o700)
    target = tmp_path / "victim.txt"
    target.write_text("untouched")
    (fresh_home / "settings.json.tmp").symlink_to(target)
    save_settings(Settings())
    assert target.read_text() == "untouched"
