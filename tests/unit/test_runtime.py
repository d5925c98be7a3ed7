"""One runtime configuration (desktop_app.runtime): folders, database URL and operator are
resolved in one place, in the order the README states, for the window and every command."""

from __future__ import annotations

from pathlib import Path

import pytest

from desktop_app import runtime, settings
from desktop_app.runtime import choose_database_url, choose_operator, load_runtime
from desktop_app.settings import Settings, save_settings
from desktop_app.storage import paths


def test_one_data_folder_for_settings_and_storage(tmp_path: Path) -> None:
    env = {"PASSPORT_DESK_HOME": str(tmp_path / "home")}
    assert runtime.data_dir(env) == paths.data_dir(env) == tmp_path / "home"
    env["PASSPORT_DESK_DATA_DIR"] = str(tmp_path / "data")  # the data folder override wins
    assert runtime.data_dir(env) == paths.data_dir(env) == tmp_path / "data"
    assert runtime.settings_path(env) == tmp_path / "data" / "settings.json"
    env["PASSPORT_DESK_CONFIG"] = str(tmp_path / "elsewhere.json")
    assert runtime.settings_path(env) == tmp_path / "elsewhere.json"
    assert settings.data_dir is runtime.data_dir and settings.config_path is runtime.settings_path


def test_database_url_precedence(tmp_path: Path) -> None:
    env = {"PASSPORT_DESK_DATA_DIR": str(tmp_path)}
    local = f"sqlite:///{tmp_path / 'passport-desk.sqlite3'}"
    assert choose_database_url(None, "", env) == local
    assert choose_database_url(None, "sqlite:///s.db", env) == "sqlite:///s.db"
    env["DATABASE_URL"] = "sqlite:///env.db"
    assert choose_database_url(None, "sqlite:///s.db", env) == "sqlite:///env.db"
    assert choose_database_url("flag.db", "sqlite:///s.db", env) == "flag.db"
    assert Settings(database_url="sqlite:///s.db").effective_database_url() == "sqlite:///s.db"


def test_operator_precedence(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(runtime, "login_name", lambda: "login")
    assert choose_operator(None, "", {}) == "login"
    assert choose_operator(None, "from.settings", {}) == "from.settings"
    env = {"PASSPORT_DESK_OPERATOR": "from.env"}
    assert choose_operator(None, "from.settings", env) == "from.env"
    assert choose_operator("from.flag", "from.settings", env) == "from.flag"


def test_settings_default_operator_is_the_login_name() -> None:
    assert Settings().operator_name == runtime.login_name()


def test_load_runtime_reads_the_settings_file(tmp_path: Path) -> None:
    file = tmp_path / "s.json"
    save_settings(Settings(database_url="sqlite:///x.db", operator_name="anna.k", workstation="desk-3"), file)
    rt = load_runtime({"PASSPORT_DESK_CONFIG": str(file), "PASSPORT_DESK_DATA_DIR": str(tmp_path)})
    assert rt.settings_file == file and rt.data_dir == tmp_path
    assert rt.database_url() == "sqlite:///x.db" and rt.database_url("--flag.db") == "--flag.db"
    assert rt.operator() == "anna.k" and rt.operator("clara.e") == "clara.e"
    assert rt.workstation == "desk-3"
