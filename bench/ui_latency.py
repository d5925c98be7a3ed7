"""GUI responsiveness while the real engine reads: prints figures, asserts nothing.

    python bench/ui_latency.py                 # 10 generated documents, 5 ms probe timer
    python bench/ui_latency.py --n 20 --tick-ms 5 --threads 2

It builds the real window (the same wiring as the application: engine child process,
storage thread, controller), then reads ``--n`` generated documents through it the way an
operator does: each document is shown as it is read, and the window moves on to the next
as soon as one is finished. A QTimer on the GUI thread fires every ``--tick-ms``; the
longest gap between two ticks, minus the period, is the longest time the window could not
react to anything (target: <= 50 ms), shown for two phases: "start-up" (from the visible
window to engine ready; the operator can already work) and "reading". Also printed: time
from start to a visible window, and from start to "engine ready".

"Start" is taken after the documents were generated (in a separate process) and before
any Qt or application module is imported. Without a display it runs offscreen.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def generate_documents(folder: Path, n: int, seed: int) -> list[str]:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "desktop_app.synth",
            str(folder),
            "--n",
            str(n),
            "--seed",
            str(seed),
            "--quiet",
        ],
        check=True,
        cwd=ROOT,
    )
    return sorted(str(p) for p in folder.iterdir() if p.suffix in (".png", ".jpg"))


class StallProbe:
    """Records the gaps between ticks of a GUI-thread timer, per phase."""

    def __init__(self, period_ms: int) -> None:
        from PySide6.QtCore import Qt, QTimer

        self.period_s = period_ms / 1000
        self.phase = "start-up"
        self.gaps: dict[str, list[float]] = {}
        self._last = time.perf_counter()
        self.timer = QTimer()
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.setInterval(period_ms)
        self.timer.timeout.connect(self._tick)

    def start(self) -> None:
        self._last = time.perf_counter()
        self.timer.start()

    def set_phase(self, phase: str) -> None:
        self._tick()
        self.phase = phase

    def _tick(self) -> None:
        now = time.perf_counter()
        self.gaps.setdefault(self.phase, []).append(now - self._last)
        self._last = now

    def report(self, phase: str) -> str:
        gaps = self.gaps.get(phase, [])
        if not gaps:
            return f"{phase:>9}: no ticks"
        stalls = [max(0.0, g - self.period_s) * 1000 for g in gaps]
        p99 = statistics.quantiles(stalls, n=100)[98] if len(stalls) >= 100 else max(stalls)
        over = sum(1 for s in stalls if s > 50)
        return (
            f"{phase:>9}: longest stall {max(stalls):6.1f} ms   p99 {p99:5.1f} ms   "
            f"ticks {len(gaps):6d}   stalls > 50 ms: {over}"
        )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=10, help="documents to read (default 10)")
    ap.add_argument("--tick-ms", type=int, default=5, help="probe timer period (default 5 ms)")
    ap.add_argument("--threads", type=int, default=0, help="engine threads (default: the number of cores)")
    ap.add_argument("--seed", type=int, default=3)
    ap.add_argument("--timeout", type=float, default=600.0, help="give up after this many seconds")
    args = ap.parse_args(argv)

    if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    work = Path(tempfile.mkdtemp(prefix="ui-latency-"))
    docs = generate_documents(work / "docs", args.n, args.seed)
    os.environ["PASSPORT_DESK_HOME"] = str(work / "home")  # never touch the user's settings

    t0 = time.perf_counter()
    from dataclasses import replace

    from PySide6.QtCore import QTimer

    from desktop_app.settings import Settings
    from desktop_app.storage import StoreSettings, open_store
    from desktop_app.ui.application import AppConfig, Services, create_application

    app = create_application(["ui-latency"])
    probe = StallProbe(args.tick_ms)
    settings = Settings(operator_name="bench", database_url=f"sqlite:///{work / 'bench.sqlite3'}")
    if args.threads:
        settings = replace(settings, engine_threads=args.threads)
    key = os.urandom(32)
    config = AppConfig(
        settings=settings.validated(),
        open_store=lambda: open_store(settings.database_url, key=key, settings=StoreSettings()),
    )
    svc = Services(config)
    window = svc.window
    window.ask = lambda title, text: True
    marks: dict[str, float] = {}
    window.show()

    def visible() -> None:
        # The first turn of the event loop after show(): the window is on screen. The probe
        # starts here: building the window is start-up time, not a stall the operator sees.
        marks.setdefault("visible", time.perf_counter())
        probe.start()

    QTimer.singleShot(0, visible)

    c = svc.controller
    state = {"submitted": False, "done_at": 0.0, "first_at": 0.0}

    def on_engine(st: str) -> None:
        if st == "ready" and "ready" not in marks:
            marks["ready"] = time.perf_counter()
            probe.set_phase("reading")
            state["first_at"] = time.perf_counter()
            window.add_paths(docs)
            state["submitted"] = True

    c.engine_state.connect(on_engine)
    on_engine(svc.engine.state)

    def on_item_changed(*_a: object) -> None:
        # The operator moves on as soon as the document on screen is read.
        cur = c.current
        if (
            cur is not None
            and cur.status in ("ready", "failed")
            and any(it.status in ("waiting", "reading") for it in c.queue.items())
        ):
            QTimer.singleShot(0, c.next_document)

    c.queue.dataChanged.connect(on_item_changed)

    def finished() -> bool:
        items = c.queue.items()
        return (
            bool(state["submitted"])
            and len(items) == len(docs)
            and all(it.status in ("ready", "failed", "cancelled") for it in items)
        )

    # The real event loop, as in the application; a slow check ends it when all are read.
    check = QTimer()
    check.timeout.connect(lambda: app.quit() if finished() else None)
    check.start(50)
    QTimer.singleShot(int(args.timeout * 1000), app.quit)
    app.exec()
    state["done_at"] = time.perf_counter()
    probe.set_phase("after")
    probe.timer.stop()

    items = c.queue.items()
    ok = sum(1 for it in items if it.status == "ready")
    failed = [it.label for it in items if it.status != "ready"]
    reading_s = state["done_at"] - state["first_at"] if state["first_at"] else float("nan")
    print(
        f"platform        : {os.environ.get('QT_QPA_PLATFORM', 'native display')}, "
        f"{os.cpu_count()} cores, engine threads {svc.settings.engine_threads}"
    )
    print(
        f"documents       : {len(docs)} generated, {ok} read, {len(failed)} not read {failed if failed else ''}"
    )
    print(f"start -> window : {1000 * (marks.get('visible', float('nan')) - t0):7.0f} ms")
    print(
        f"start -> ready  : {1000 * (marks.get('ready', float('nan')) - t0):7.0f} ms   (engine warm-up in its process)"
    )
    print(
        f"reading         : {reading_s:7.1f} s for {len(docs)} documents ({reading_s / max(1, len(docs)):.2f} s each)"
    )
    for phase in ("start-up", "reading"):
        print(probe.report(phase))
    window._close_confirmed = True
    window.close()
    svc.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
