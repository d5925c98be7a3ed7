"""Child process for the power-cut test: save, and stop dead at a chosen point for SIGKILL.

    python -m tests.hardening.powercut_worker DB_URL MODE [N]

MODE ``count``        save once, print how many SQL statements the save's transaction ran
MODE ``statement``    save; before statement N of the transaction print ``READY`` and wait
MODE ``commit``       save; just before the COMMIT print ``READY`` and wait
MODE ``committed``    save; right after the COMMIT (before the call returns) print ``READY`` and wait
MODE ``loop``         save batches forever, printing ``SAVED <ids>`` after each

The page cache is kept tiny, so SQLite writes uncommitted pages into the WAL before the
commit (the case where recovery has real work to do). The key comes from env.
"""

from __future__ import annotations

import sys
import time
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session

from desktop_app.cli.reading import mrz_result_from_text
from desktop_app.core.types import DocumentResult
from desktop_app.storage import StoreSettings, open_store

SPECIMEN = "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<10\n"
FINAL_VALUES = {"given_names": "ANNA MARIA LOUISE", "personal_number": "ZE184226C"}
"""Two corrections: the save writes correction rows and two audit entries too."""
OP = {"operator": "power-cut", "workstation": "desk-9"}


def specimen() -> DocumentResult:
    return mrz_result_from_text(SPECIMEN)


def _say(text: str) -> None:
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def _stop_here() -> None:
    _say("READY")
    time.sleep(120)  # the parent kills us long before this ends
    sys.exit(3)


def main(argv: list[str]) -> int:
    url, mode = argv[0], argv[1]
    n = int(argv[2]) if len(argv) > 2 else 0
    store = open_store(url, settings=StoreSettings(busy_timeout_s=5.0))

    @event.listens_for(store.engine, "connect")
    def _small_cache(dbapi_conn: Any, _rec: Any) -> None:
        dbapi_conn.execute("PRAGMA cache_size = 4")  # pages: spill to the WAL before commit

    store.engine.dispose()
    seen = {"statements": 0, "in_tx": False}

    @event.listens_for(store.engine, "before_cursor_execute")
    def _count(_conn: Any, _cur: Any, statement: str, *_a: Any) -> None:
        if statement.startswith("BEGIN IMMEDIATE"):
            seen["in_tx"] = True
            return
        if seen["in_tx"]:
            seen["statements"] += 1
            if mode == "statement" and seen["statements"] == n:
                _stop_here()

    @event.listens_for(store.engine, "commit")
    def _before_commit(_conn: Any) -> None:
        if mode == "commit" and seen["in_tx"]:
            _stop_here()

    @event.listens_for(Session, "after_commit")
    def _after_commit(_session: Session) -> None:
        if mode == "committed" and seen["in_tx"]:
            _stop_here()

    if mode == "loop":
        while True:
            ids = store.flag_batch_for_review([(specimen(), FINAL_VALUES, ["power cut loop"], None)] * 3, **OP)
            rid = store.confirm_record(specimen(), FINAL_VALUES, **OP)
            _say("SAVED " + " ".join(map(str, [*ids, rid])))
    rid = store.confirm_record(specimen(), FINAL_VALUES, **OP)
    if mode == "count":
        _say(f"STATEMENTS {seen['statements']} RECORD {rid}")
        return 0
    _say(f"FINISHED {rid}")  # the kill point was never reached
    return 4


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
