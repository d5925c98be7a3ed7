"""Storage benchmark: the cost of a save, and of a look-up by document number among N records.

    .venv/bin/python bench/storage_bench.py                 # 100,000 records, temporary SQLite file
    .venv/bin/python bench/storage_bench.py --n 10000
    .venv/bin/python bench/storage_bench.py --database "$TEST_DATABASE_URL"   # an EMPTY PostgreSQL db

The database is filled to N confirmed records first (each with 11 encrypted fields, one
correction and its audit entries, exactly what ``confirm_record`` writes, but many per
transaction to fill quickly), then it times single saves through the public API
(``confirm_record``: one transaction, fsync'd on SQLite) and look-ups through
``search_records(document_number=...)`` (blind index + decryption of the list columns).
Prints figures, not pass/fail.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from desktop_app.core.types import DocumentResult, Field
from desktop_app.storage import Store, StoreSettings, open_store
from desktop_app.storage import audit as audit_chain
from desktop_app.storage.paths import sqlite_file

SURNAMES = [
    "ERIKSSON",
    "MUELLER",
    "ROSSI",
    "DUBOIS",
    "NOWAK",
    "SILVA",
    "JANSEN",
    "POPESCU",
    "KOVACS",
    "NIELSEN",
]


def doc_number(i: int) -> str:
    return f"K{i:08d}"


def make_result(i: int) -> DocumentResult:
    surname = SURNAMES[i % len(SURNAMES)] + ("" if i % 7 else "SON")
    fields = {
        "document_code": Field("P", 0.99, "mrz"),
        "issuing_country": Field("UTO", 0.98, "mrz"),
        "surname": Field(surname, 0.91, "mrz+viz"),
        "given_names": Field("ANNA MARIA", 0.88, "mrz"),
        "document_number": Field(doc_number(i), 0.99, "mrz"),
        "nationality": Field("UTO", 0.99, "mrz"),
        "birth_date": Field(f"19{50 + i % 50:02d}-0{1 + i % 9}-1{i % 10}", 0.97, "mrz"),
        "sex": Field("F" if i % 2 else "M", 0.99, "mrz"),
        "expiry_date": Field("2031-04-15", 0.97, "mrz"),
        "personal_number": Field(f"ZE{i:07d}B", 0.95, "mrz"),
        "place_of_birth": Field("ZENITH CITY", 0.7, "viz"),
    }
    return DocumentResult(status="ok", file=f"/scans/{i}.jpg", format="TD3", document_code="P", fields=fields)


def bulk_confirm(store: Store, first: int, count: int) -> None:
    """Write ``count`` records as ``confirm_record`` would, in one transaction (fill only)."""
    now = datetime.now(UTC)
    with store._write() as (session, head):
        for i in range(first, first + count):
            result = make_result(i)
            fields = store._merge(result, {"given_names": "ANNA MARIA J"})
            rec = store._add_record(
                session,
                fields,
                confirmed_by="bench",
                workstation="bench-1",
                document_format=result.format,
                document_code=result.document_code,
                source_file=result.file,
                review_id=None,
                now=now,
            )
            corrected = store._add_corrections(
                session,
                rec,
                ((f.key, f.ocr_value, f.value) for f in fields if f.changed),
                operator="bench",
                stage="confirm",
                now=now,
            )
            for action, details in (
                ("record.create", {"fields": len(fields), "corrected_fields": corrected}),
                ("record.correct", {"stage": "confirm", "fields": corrected}),
            ):
                audit_chain.append(
                    session,
                    store._keys,
                    head,
                    actor="bench",
                    workstation="bench-1",
                    action=action,
                    entity="record",
                    entity_id=rec.id,
                    details=details,
                    now=now,
                )


def timed(fn: Callable[[], object], repeat: int) -> list[float]:
    out = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t0) * 1000.0)
    return out


def describe(name: str, ms: list[float]) -> str:
    ms = sorted(ms)
    p95 = ms[min(len(ms) - 1, int(len(ms) * 0.95))]
    return (
        f"{name:<44} median {statistics.median(ms):7.2f} ms   mean {statistics.fmean(ms):7.2f} ms   "
        f"p95 {p95:7.2f} ms   (n={len(ms)})"
    )


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=100_000, help="records in the database (default 100,000)")
    ap.add_argument("--database", default=None, help="an EMPTY database (default: a temporary SQLite file)")
    ap.add_argument("--saves", type=int, default=200, help="single saves to time (default 200)")
    ap.add_argument("--lookups", type=int, default=1000, help="look-ups to time (default 1000)")
    ap.add_argument("--batch", type=int, default=2000, help="records per fill transaction")
    args = ap.parse_args()

    tmp = None
    url = args.database
    if url is None:
        tmp = tempfile.TemporaryDirectory(prefix="storage-bench-")
        url = f"sqlite:///{tmp.name}/bench.sqlite3"
    store = open_store(url, key=os.urandom(32), settings=StoreSettings(busy_timeout_s=30))
    if store.counts()["confirmed"]:
        print("The database is not empty; give an empty one.", file=sys.stderr)
        return 2
    print(f"database: {store.database} ({store.dialect})")

    t0 = time.perf_counter()
    done = 0
    while done < args.n:
        k = min(args.batch, args.n - done)
        bulk_confirm(store, done, k)
        done += k
        if done % (args.batch * 10) == 0 or done == args.n:
            print(f"  filled {done:>7} records  ({time.perf_counter() - t0:6.1f} s)", flush=True)
    fill_s = time.perf_counter() - t0
    print(f"fill: {args.n} records in {fill_s:.1f} s ({args.n / max(fill_s, 1e-9):.0f} records/s, bulk)")

    nxt = iter(range(args.n, args.n + args.saves + 1))
    save_ms = timed(
        lambda: store.confirm_record(
            make_result(next(nxt)), {"given_names": "ANNA MARIA J"}, operator="bench", workstation="bench-1"
        ),
        args.saves,
    )

    rng = random.Random(7)
    targets = [doc_number(rng.randrange(args.n)) for _ in range(args.lookups)]
    it = iter(targets)

    def lookup() -> None:
        hits = store.search_records(document_number=next(it))
        assert len(hits) == 1

    lookup_ms = timed(lookup, args.lookups)
    miss_ms = timed(lambda: store.search_records(document_number="NOSUCH123"), min(args.lookups, 200))
    rec_ids = [rng.randrange(1, args.n) for _ in range(min(args.lookups, 200))]
    it_ids = iter(rec_ids)
    get_ms = timed(lambda: store.get_record(next(it_ids)), len(rec_ids))
    name_ms = timed(lambda: store.search_records(name="Eriksson", limit=50), 20)

    print()
    print(f"records in the database: {store.counts()['confirmed']}")
    print(describe("save (confirm_record, one transaction)", save_ms))
    print(describe("look-up by document number (1 hit)", lookup_ms))
    print(describe("look-up by document number (no hit)", miss_ms))
    print(describe("get_record (all fields and corrections)", get_ms))
    print(describe("search by surname (first 50 hits)", name_ms))
    t0 = time.perf_counter()
    v = store.verify_audit()
    print(f"audit verify: {v.checked} entries in {time.perf_counter() - t0:.1f} s, ok={v.ok}")
    path = sqlite_file(url)
    if path is not None and path.exists():
        print(f"file size: {path.stat().st_size / 1e6:.1f} MB")
    store.close()
    if tmp is not None:
        tmp.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
