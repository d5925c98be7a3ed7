"""Soak: many generated documents through the real engine, watching memory and file handles.

    .venv/bin/python bench/soak.py                      # N = 1,000 through each path
    .venv/bin/python bench/soak.py --n 100 --batch 25
    .venv/bin/python bench/soak.py --n 300 --no-viz --only engine

Two paths, each with the real PaddleOCR engine and the same synthetic documents
(``tests.synth``: every format, clean / scanner / phone conditions, by seed):

``cli``     ``scan --json --save`` in batches of ``--batch`` files, one process per batch
            (as a scanner integration runs it), all saving into one SQLite database.
            Per batch: wall time, the process's peak RSS (sampled) and open file
            handles; then the database size and its row counts.
``engine``  the engine child process of the GUI (:mod:`desktop_app.engine_process`),
            spawned once and fed N read requests one after another, the way the window
            does; if that module is missing, a DocumentReader in a spawned child. The
            child's RSS and open file handles are sampled after every document: at the
            start (engine ready), after warm-up (``--warmup`` documents), the peak and
            the end; growth after warm-up over 10 % is marked.

It prints figures; it does not assert (``tests/hardening`` holds the assertions).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import cv2  # noqa: E402
import psutil  # noqa: E402

from tests.synth import CONDITIONS, FORMATS, generate  # noqa: E402

GROWTH_LIMIT = 0.10
KEY = "3c1f5a7e9b2d4f6a8c0e1d3f5a7c9e2b4d6f8a0c1e3a5c7e9b2d4f6a8c0e1d2f"


@dataclass(frozen=True)
class Doc:
    index: int
    path: Path
    mrz_lines: tuple[str, ...]


def documents(n: int, folder: Path, start: int = 0) -> Iterator[Doc]:
    """Document ``start`` .. ``start + n - 1``: every format, three conditions, by seed."""
    conditions = [c for c in CONDITIONS if c != "hard"] or list(CONDITIONS)
    for i in range(start, start + n):
        fmt = FORMATS[i % len(FORMATS)]
        doc = generate(fmt, seed=10_000 + i, condition=conditions[(i // len(FORMATS)) % len(conditions)])
        path = folder / f"soak {i:05d} {fmt}.jpg"
        cv2.imwrite(str(path), doc.image, [cv2.IMWRITE_JPEG_QUALITY, 92])
        yield Doc(i, path, tuple(doc.truth["mrz_lines"]))


def _mb(n: float) -> float:
    return n / 2**20


def _fds(proc: psutil.Process) -> int:
    try:
        return proc.num_fds()
    except (psutil.Error, AttributeError):
        return -1


# -- the command line, in batches --------------------------------------------------------------


@dataclass
class BatchFigures:
    docs: int
    seconds: float
    peak_rss_mb: float
    fds_peak: int
    exit_code: int
    ok: int
    exact: int
    saved: int


def _sample(proc: subprocess.Popen[bytes], out: dict[str, float]) -> None:
    try:
        p = psutil.Process(proc.pid)
        while proc.poll() is None:
            # The CLI runs the engine in its own process: this is the whole of it.
            rss = p.memory_info().rss
            out["rss"] = max(out.get("rss", 0.0), rss)
            out["fds"] = max(out.get("fds", 0.0), _fds(p))
            time.sleep(0.1)
    except psutil.Error:
        pass


def soak_cli(n: int, batch: int, work: Path, viz: bool) -> None:
    db = work / "soak.sqlite3"
    env = dict(os.environ, PASSPORT_DESK_KEY=KEY, PASSPORT_DESK_NO_KEYRING="1",
               PASSPORT_DESK_DATA_DIR=str(work / "data"), PASSPORT_DESK_CONFIG_DIR=str(work / "config"),
               PYTHONDONTWRITEBYTECODE="1")
    figures: list[BatchFigures] = []
    t_all = time.perf_counter()
    for start in range(0, n, batch):
        folder = work / f"batch-{start:05d}"
        folder.mkdir()
        docs = list(documents(min(batch, n - start), folder, start))
        cmd = [sys.executable, "-m", "desktop_app", "scan", "--json", "--save", "--database", str(db),
               *([] if viz else ["--no-viz"]), *[str(d.path) for d in docs]]
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        sampled: dict[str, float] = {}
        sampler = threading.Thread(target=_sample, args=(proc, sampled), daemon=True)
        sampler.start()
        stdout, stderr = proc.communicate()
        sampler.join(5)
        seconds = time.perf_counter() - t0
        try:
            objs = json.loads(stdout)
        except ValueError:
            objs = []
            print(f"  batch {start}: no JSON (exit {proc.returncode}): {stderr.decode(errors='replace')[-500:]}")
        by_file = {o["file"]: o for o in objs}
        exact = sum(1 for d in docs if (by_file.get(str(d.path)) or {}).get("mrz")
                    and tuple(by_file[str(d.path)]["mrz"]["lines"]) == d.mrz_lines)
        figures.append(BatchFigures(len(docs), seconds, _mb(sampled.get("rss", 0)), int(sampled.get("fds", -1)),
                                    proc.returncode, sum(o["status"] == "ok" for o in objs), exact,
                                    sum(isinstance(o.get("saved_id"), int) for o in objs)))
        for d in docs:
            d.path.unlink()
        folder.rmdir()
        f = figures[-1]
        print(f"  cli batch {start // batch + 1:3}: {f.docs} docs in {f.seconds:6.1f} s, peak RSS {f.peak_rss_mb:6.0f} MB, "
              f"fds {f.fds_peak:3}, exit {f.exit_code}, ok {f.ok}, MRZ exact {f.exact}, saved {f.saved}", flush=True)
    total = time.perf_counter() - t_all
    docs_done = sum(f.docs for f in figures)
    con = sqlite3.connect(db)
    try:
        rows = {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                for t in ("reviews", "review_fields", "audit_log") if _has_table(con, t)}
        integrity = con.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        con.close()
    size = sum(p.stat().st_size for p in db.parent.glob(db.name + "*"))
    print(f"cli: {docs_done} documents in {total:.0f} s = {docs_done / total:.2f} docs/s (engine start included, "
          f"{len(figures)} processes)")
    print(f"cli: peak RSS per batch first {figures[0].peak_rss_mb:.0f} MB, last {figures[-1].peak_rss_mb:.0f} MB, "
          f"max {max(f.peak_rss_mb for f in figures):.0f} MB; open fds per batch first {figures[0].fds_peak}, "
          f"last {figures[-1].fds_peak}")
    print(f"cli: status ok {sum(f.ok for f in figures)}/{docs_done}, MRZ exact {sum(f.exact for f in figures)}/{docs_done}, "
          f"saved {sum(f.saved for f in figures)}; database {size / 2**20:.1f} MB, rows {rows}, integrity {integrity}")


def _has_table(con: sqlite3.Connection, name: str) -> bool:
    return con.execute("SELECT 1 FROM sqlite_master WHERE type='table' AND name=?", (name,)).fetchone() is not None


# -- the engine process ----------------------------------------------------------------------------


@dataclass
class Samples:
    rss_mb: list[float] = field(default_factory=list)
    fds: list[int] = field(default_factory=list)


def _reader_child(requests: Any, events: Any, viz: bool) -> None:  # pragma: no cover - fallback only
    from desktop_app.core.pipeline import DocumentReader, ReaderSettings

    reader = DocumentReader(ReaderSettings(read_visual_zone=viz))
    reader.warm_up()
    events.send(("ready", os.getpid()))
    while True:
        msg = requests.recv()
        if msg is None:
            return
        rid, path = msg
        events.send(("done", rid, [r.to_json() for r in reader.read(path)]))


def soak_engine(n: int, work: Path, viz: bool, warmup: int) -> None:
    ctx = multiprocessing.get_context("spawn")
    req_recv, req_send = ctx.Pipe(duplex=False)
    evt_recv, evt_send = ctx.Pipe(duplex=False)
    t_spawn = time.perf_counter()
    child: Any
    try:
        from desktop_app import engine_process as ep
        from desktop_app.engine_spawn import spawn_engine
        from desktop_app.settings import Settings

        # The GUI's own spawn: clean environment, JSON frames (engine_wire), no core dumps.
        child = spawn_engine(Settings(read_visual_zone=viz), ep.DEFAULT_READER_FACTORY)
        req_recv.close()
        evt_send.close()

        def send(msg: Any) -> None:
            child.send(msg)

        def recv() -> Any:
            return child.receive()

        how = "desktop_app.engine_spawn.spawn_engine (the GUI's engine process)"
    except ImportError:
        ep = None  # type: ignore[assignment]
        child = ctx.Process(target=_reader_child, args=(req_recv, evt_send, viz), name="soak-engine", daemon=True)
        child.start()
        req_recv.close()
        evt_send.close()
        send, recv = req_send.send, evt_recv.recv
        how = "DocumentReader in a spawned child (desktop_app.engine_process is missing)"
    me = psutil.Process()
    proc = psutil.Process(child.pid)
    hello = recv()
    ready_s = time.perf_counter() - t_spawn
    if ep is not None and not isinstance(hello, ep.EngineReady):
        print(f"engine: did not start: {hello}")
        child.kill()
        return
    print(f"engine: {how}; ready in {ready_s:.1f} s")
    samples = Samples()
    parent_fds = [_fds(me)]

    def sample() -> None:
        samples.rss_mb.append(_mb(proc.memory_info().rss))
        samples.fds.append(_fds(proc))

    sample()
    folder = work / "engine-docs"
    folder.mkdir()
    exact = ok = failed = 0
    read_s = 0.0  # request sent -> result back, without generating the documents
    t0 = time.perf_counter()
    t_after_warmup = t0
    for doc in documents(n, folder):
        rid = doc.index + 1
        t_req = time.perf_counter()
        if ep is not None:
            send(ep.ReadRequest(rid, str(doc.path)))
            while True:
                msg = recv()
                if isinstance(msg, ep.ReadFinished | ep.ReadFailed | ep.ReadCancelled) and msg.request_id == rid:
                    break
            results = [r.to_json() for r in msg.results] if isinstance(msg, ep.ReadFinished) else []
            failed += not isinstance(msg, ep.ReadFinished)
        else:
            send((rid, str(doc.path)))
            msg = recv()
            results = msg[2]
        read_s += time.perf_counter() - t_req
        ok += any(r["status"] == "ok" for r in results)
        exact += any(r.get("mrz") and tuple(r["mrz"]["lines"]) == doc.mrz_lines for r in results)
        doc.path.unlink()
        sample()
        if doc.index + 1 == warmup:
            t_after_warmup = time.perf_counter()
        if (doc.index + 1) % max(1, n // 10) == 0:
            print(f"  engine {doc.index + 1:5}/{n}: RSS {samples.rss_mb[-1]:6.0f} MB, fds {samples.fds[-1]:3}, "
                  f"{(doc.index + 1) / (time.perf_counter() - t0):.2f} docs/s", flush=True)
    t_end = time.perf_counter()
    total = t_end - t0
    parent_fds.append(_fds(me))
    if ep is not None:
        send(ep.ShutdownRequest())
    else:
        send(None)
    child.join(30)
    if child.is_alive():
        child.kill()
    w = min(warmup, len(samples.rss_mb) - 1)
    base_rss, base_fds = samples.rss_mb[w], samples.fds[w]
    end_rss, end_fds = samples.rss_mb[-1], samples.fds[-1]
    rss_growth = (end_rss - base_rss) / base_rss if base_rss else 0.0
    fd_growth = (end_fds - base_fds) / base_fds if base_fds > 0 else 0.0
    after = n - warmup
    print(f"engine: {n} documents in {total:.0f} s = {n / total:.2f} docs/s"
          + (f" ({after / (t_end - t_after_warmup):.2f} docs/s after warm-up)" if after > 0 else "")
          + f"; reading alone {n / read_s:.2f} docs/s ({read_s / n:.2f} s/doc; the rest is generating them)")
    print(f"engine: child RSS start {samples.rss_mb[0]:.0f} MB, after {warmup} docs {base_rss:.0f} MB, "
          f"peak {max(samples.rss_mb):.0f} MB, end {end_rss:.0f} MB; growth after warm-up {rss_growth * 100:+.1f} %"
          + ("  <-- over 10 %" if rss_growth > GROWTH_LIMIT else ""))
    print(f"engine: child open fds start {samples.fds[0]}, after warm-up {base_fds}, end {end_fds}; "
          f"growth {fd_growth * 100:+.1f} %" + ("  <-- over 10 %" if fd_growth > GROWTH_LIMIT else "")
          + f"; parent fds start {parent_fds[0]}, end {parent_fds[1]}")
    print(f"engine: status ok {ok}/{n}, MRZ exact {exact}/{n}, internal failures {failed}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=1000, help="documents through each path (default 1000)")
    ap.add_argument("--batch", type=int, default=25, help="files per scan command (default 25)")
    ap.add_argument("--warmup", type=int, default=20, help="documents before the engine baseline (default 20)")
    ap.add_argument("--no-viz", action="store_true", help="read the MRZ only (faster)")
    ap.add_argument("--only", choices=("cli", "engine"), default=None)
    args = ap.parse_args(argv)
    viz = not args.no_viz
    print(f"soak: N = {args.n} per path, batch {args.batch}, visual zone {'on' if viz else 'off'}, "
          f"{os.cpu_count()} cores, {psutil.virtual_memory().total / 2**30:.0f} GB")
    with tempfile.TemporaryDirectory(prefix="passport-desk-soak-") as tmp:
        work = Path(tmp)
        if args.only in (None, "cli"):
            soak_cli(args.n, args.batch, work, viz)
        if args.only in (None, "engine"):
            soak_engine(args.n, work, viz, min(args.warmup, max(0, args.n - 1)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
