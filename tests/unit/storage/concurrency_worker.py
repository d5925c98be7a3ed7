"""One window of the two-process test: an operator or a reviewer working on one database.

Run as ``python concurrency_worker.py ROLE URL COUNT GO_FILE``; prints a JSON summary. The
key comes from env PASSPORT_DESK_KEY. Each touches ROLE.ready beside GO_FILE once its
database is open, then waits for GO_FILE, so that the two really overlap.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from storage_helpers import make_result

from desktop_app.storage import DatabaseLockedError, ReviewStateError, StoreSettings, open_store


def main() -> int:
    role, url, count, go_file = sys.argv[1], sys.argv[2], int(sys.argv[3]), Path(sys.argv[4])
    store = open_store(url, settings=StoreSettings(busy_timeout_s=20.0))
    go_file.with_name(f"{role}.ready").touch()
    deadline = time.monotonic() + 30
    while not go_file.exists() and time.monotonic() < deadline:
        time.sleep(0.01)
    done = {"role": role, "confirmed": 0, "flagged": 0, "approved": 0, "rejected": 0, "locked": 0}
    t0 = time.perf_counter()
    if role == "operator":
        for i in range(count):
            if i == count // 2:
                # Half way, make sure the reviewer is really at work before going on, so the
                # two windows' saves interleave however the machine schedules them.
                wait_until = time.monotonic() + 30
                while time.monotonic() < wait_until:
                    c = store.counts()
                    if c["approved"] + c["rejected"]:
                        break
                    time.sleep(0.01)
            store.confirm_record(
                make_result(number=f"OP{i:07d}"),
                {"surname": f"OPERATOR{i}"},
                operator="anna",
                workstation="desk-1",
            )
            done["confirmed"] += 1
            store.flag_for_review(
                make_result(number=f"RV{i:07d}"), {}, ["check"], operator="anna", workstation="desk-1"
            )
            done["flagged"] += 1
            time.sleep(0.005)  # a person between two saves, however quick
    else:
        handled: set[int] = set()
        end = time.monotonic() + 60
        while len(handled) < count and time.monotonic() < end:
            pending = store.list_reviews("pending")
            if not pending:
                store.confirm_record(
                    make_result(number="RW0000000"), {}, operator="boris", workstation="back-1"
                )
                done["confirmed"] += 1
                continue
            for item in pending:
                try:
                    if item.id % 3 == 0:
                        store.reject_review(item.id, reviewer="boris", comment="no")
                        done["rejected"] += 1
                    else:
                        store.approve_review(item.id, {"sex": "X"}, reviewer="boris", workstation="back-1")
                        done["approved"] += 1
                except ReviewStateError:
                    pass
                except DatabaseLockedError:
                    done["locked"] += 1
                    continue
                handled.add(item.id)
    done["seconds"] = round(time.perf_counter() - t0, 3)
    store.close()
    print(json.dumps(done))
    return 0


if __name__ == "__main__":
    sys.exit(main())
