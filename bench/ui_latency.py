"""GUI responsiveness while the real engine reads: prints figures, asserts nothing.

    python bench/ui_latency.py                 # 10 generated documents, 5 ms probe timer
    python bench/ui_latency.py --n 20 --tick-ms 5 --threads 2

It builds the real window (the same wiring as the application: engine child process,
storage thread, controller), then reads ``--n`` generated documents through it the way an
operator does (``--large`` of them scaled up to a 4000 px page): each document is shown as
it is read, and the window moves on to the next as soon as one is finished. Then
``--single`` documents are opened one at a time on an idle engine (the first of them
large), and the time from the file arriving to its MRZ fields on screen is printed.

A QTimer on the GUI thread fires every ``--tick-ms``; the gap between two ticks, minus the
period, is a time the window could not react to anything (aim <= 16 ms, none over 50 ms),
shown per phase: "start-up" (visible window to engine ready; the operator can already
work), "reading" (the batch) and "single". A watchdog thread samples the GUI thread's
Python stack every 2 ms while a tick is overdue, and the three longest stalls are printed
with what the GUI thread was doing then (and which other Python thread was busy: a thread
holding the GIL stalls the GUI thread too). Also printed: start to imports done, to window
built, to a visible window, to "engine ready".

"Start" is taken after the documents were generated (in a separate process) and before
any Qt or application module is imported. Without a display it runs offscreen.
"""

from __future__ import annotations

import argparse
import collections
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import types
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar, Final

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def generate_documents(folder: Path, n: int, seed: int) -> list[str]:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "tests.synth",
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


@dataclass
class Stall:
    """One late tick: how long the GUI thread could not react, and what it was doing."""

    ms: float
    phase: str
    at_s: float
    """Seconds after start (for lining it up with the marks)."""
    samples: list[str]
    """What the watchdog saw the GUI thread doing, one summary per sample."""
    other: list[str]
    """Other busy Python threads' innermost frames at the same samples (GIL contention)."""


_IDLE: Final = frozenset(
    {"wait", "get", "select", "poll", "_poll", "sleep", "_recv", "recv_bytes", "_recv_bytes", "accept"}
)
"""Innermost functions of a thread that is only waiting (not a GIL competitor)."""


def _frame_summary(frame: types.FrameType | None, depth: int = 4) -> str:
    """The innermost project frames of a stack ("file:line function <- ..."), else the
    innermost frame whatever it is."""
    ours: list[str] = []
    innermost = ""
    f = frame
    while f is not None and len(ours) < depth:
        code = f.f_code
        path = Path(code.co_filename)
        where = f"{path.name}:{f.f_lineno} {code.co_name}"
        if not innermost:
            innermost = where
        try:
            rel = path.resolve().relative_to(ROOT)
        except ValueError:
            rel = None
        if (
            rel is not None
            and rel.parts[0] in ("desktop_app", "bench")
            and code.co_name not in ("main", "notify", "<module>")
        ):
            ours.append(where)
        f = f.f_back
    if not ours:
        return f"[{innermost or 'no Python frame'}]"
    text = " <- ".join(ours)
    return text if innermost == ours[0] else f"[{innermost}] {text}"


def _describe_event(receiver: object, event: object) -> str:
    try:
        return _describe(receiver, event)
    except Exception:  # PySide now and then hands notify an object it cannot name
        return "?"


def _describe(receiver: object, event: object) -> str:
    kind = getattr(getattr(event, "type", lambda: None)(), "name", "?")
    name = type(receiver).__name__
    obj = getattr(receiver, "objectName", lambda: "")()
    # The first named ancestor says which widget a viewport or a label belongs to.
    owner, parent = "", getattr(receiver, "parent", lambda: None)()
    while parent is not None and not owner:
        owner = parent.objectName()
        parent = parent.parent()
    return f"{kind} -> {name}{'(' + obj + ')' if obj else ''}{' in ' + owner if owner else ''}"


def timed_application_class() -> Any:
    """A QApplication whose ``notify`` keeps the stack of events being delivered, so the
    watchdog can say which event the GUI thread was inside when no Python frame of ours
    is (painting, layout, native handlers)."""
    from PySide6.QtCore import QEvent, QObject
    from PySide6.QtWidgets import QApplication

    class TimedApplication(QApplication):
        events: ClassVar[list[str]] = []
        slow: ClassVar[list[tuple[float, str, int]]] = []
        undeliverable = 0
        """(ms, event, nesting depth) of every event that took more than 16 ms to deliver."""

        def notify(self, receiver: QObject, event: QEvent) -> bool:
            self.events.append(_describe_event(receiver, event))
            t = time.perf_counter()
            try:
                return bool(super().notify(receiver, event))
            except TypeError:
                # PySide now and then hands an override a receiver it cannot convert back;
                # such an event is not delivered (rare; counted, not shown).
                self.undeliverable += 1
                return False
            finally:
                ms = (time.perf_counter() - t) * 1000
                if ms > 16:
                    self.slow.append((ms, self.events[-1], len(self.events)))
                self.events.pop()

    return TimedApplication


class StallProbe:
    """Records the gaps between ticks of a GUI-thread timer, per phase, and what the GUI
    thread was doing during the long ones.

    A watchdog thread wakes every ``sample_ms``; when the GUI thread's last tick is more
    than ``late_ms`` overdue it takes the GUI thread's Python stack
    (``sys._current_frames()``). The samples are handed to the stall when the late tick
    finally comes. A stall with no sample means the GUI thread held the GIL in native code
    the whole time (the watchdog could not run), or was inside the Qt event loop itself
    (painting, layout, native event handling: the stack shows ``exec``).
    """

    def __init__(self, period_ms: int, t0: float, *, sample_ms: float = 2.0, late_ms: float = 8.0) -> None:
        from PySide6.QtCore import Qt, QTimer

        self.period_s = period_ms / 1000
        self.late_s = late_ms / 1000
        self.sample_s = sample_ms / 1000
        self.t0 = t0
        self.phase = "start-up"
        self.gaps: dict[str, list[float]] = {}
        self.stalls: list[Stall] = []
        self._last = time.perf_counter()
        self._gui = threading.get_ident()
        self._lock = threading.Lock()
        self._samples: list[tuple[str, str]] = []
        self._running = False
        self._watchdog: threading.Thread | None = None
        self.events: list[str] = []
        """The events being delivered now (a TimedApplication's stack), outermost first."""
        self.timer = QTimer()
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.setInterval(period_ms)
        self.timer.timeout.connect(self._tick)

    def start(self) -> None:
        self._last = time.perf_counter()
        self.timer.start()
        self._running = True
        self._watchdog = threading.Thread(target=self._watch, name="stall-watchdog", daemon=True)
        self._watchdog.start()

    def stop(self) -> None:
        self.timer.stop()
        self._running = False
        if self._watchdog is not None:
            self._watchdog.join(1)

    def set_phase(self, phase: str) -> None:
        self._tick()
        self.phase = phase

    def _watch(self) -> None:
        while self._running:
            time.sleep(self.sample_s)
            if time.perf_counter() - self._last <= self.period_s + self.late_s:
                continue
            frames = sys._current_frames()
            gui = _frame_summary(frames.get(self._gui))
            events = self.events
            if events and gui.startswith("[") and "main" in gui.split("]")[0]:
                # Inside the event loop with no Python frame of ours: which event it was.
                gui = f"[Qt event loop, delivering {events[-1]}]"
            elif events:
                inner = f" ... {events[-1]}" if len(events) > 1 else ""
                gui = f"{gui}   (event {events[0]}{inner})"
            others = []
            for ident, f in frames.items():
                if ident in (self._gui, threading.get_ident()) or f.f_code.co_name in _IDLE:
                    continue
                others.append(_frame_summary(f, depth=1))
            other = " | ".join(sorted(others))
            with self._lock:
                self._samples.append((gui, other))

    def _tick(self) -> None:
        now = time.perf_counter()
        gap = now - self._last
        self._last = now
        with self._lock:
            samples, self._samples = self._samples, []
        self.gaps.setdefault(self.phase, []).append(gap)
        if gap - self.period_s > self.late_s:
            self.stalls.append(
                Stall(
                    (gap - self.period_s) * 1000,
                    self.phase,
                    now - self.t0 - gap,
                    [g for g, _ in samples],
                    [o for _, o in samples if o],
                )
            )

    def report(self, phase: str) -> str:
        gaps = self.gaps.get(phase, [])
        if not gaps:
            return f"{phase:>9}: no ticks"
        stalls = [max(0.0, g - self.period_s) * 1000 for g in gaps]
        p99 = statistics.quantiles(stalls, n=100)[98] if len(stalls) >= 100 else max(stalls)
        over = sum(1 for s in stalls if s > 50)
        over16 = sum(1 for s in stalls if s > 16)
        return (
            f"{phase:>9}: longest stall {max(stalls):6.1f} ms   p99 {p99:5.1f} ms   "
            f"ticks {len(gaps):6d}   stalls > 16 ms: {over16:3d}   > 50 ms: {over}"
        )

    def longest(self, n: int = 3) -> list[Stall]:
        return sorted(self.stalls, key=lambda s: -s.ms)[:n]


def describe(stall: Stall) -> list[str]:
    """The three commonest things the GUI thread was seen doing during one stall."""
    head = f"{stall.ms:6.1f} ms  {stall.phase:<9} at {stall.at_s:6.2f} s, {len(stall.samples)} samples"
    lines = [head]
    if not stall.samples:
        lines.append("          (no sample: native code holding the GIL, or shorter than a sample)")
    for what, k in collections.Counter(stall.samples).most_common(3):
        lines.append(f"          {k:3d}x {what}")
    for what, k in collections.Counter(stall.other).most_common(1):
        lines.append(f"          other threads meanwhile: {k}x {what}")
    return lines


def enlarge(paths: list[str], side: int) -> list[str]:
    """Copies of ``paths`` scaled up to ``side`` px on the long side (a 600 dpi scan or a
    phone photo): the large-page path of the window (conversion, scaling, portrait)."""
    import cv2

    out = []
    for p in paths:
        img = cv2.imread(p)
        h, w = img.shape[:2]
        f = side / max(h, w)
        big = cv2.resize(img, (round(w * f), round(h * f)), interpolation=cv2.INTER_CUBIC)
        q = str(Path(p).with_name(Path(p).stem + f"_{side}px.jpg"))
        cv2.imwrite(q, big, [cv2.IMWRITE_JPEG_QUALITY, 90])
        out.append(q)
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=10, help="documents to read in a batch (default 10)")
    ap.add_argument(
        "--single",
        type=int,
        default=4,
        help="then documents opened one at a time on an idle engine, for image -> MRZ on screen (default 4)",
    )
    ap.add_argument(
        "--large",
        type=int,
        default=2,
        help="of the batch, this many scaled up to --large-side px (default 2)",
    )
    ap.add_argument("--large-side", type=int, default=4000)
    ap.add_argument("--tick-ms", type=int, default=5, help="probe timer period (default 5 ms)")
    ap.add_argument("--threads", type=int, default=0, help="engine threads (default: the number of cores)")
    ap.add_argument("--seed", type=int, default=3)
    ap.add_argument("--timeout", type=float, default=600.0, help="give up after this many seconds")
    args = ap.parse_args(argv)

    if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    work = Path(tempfile.mkdtemp(prefix="ui-latency-"))
    generated = generate_documents(work / "docs", args.n + args.single, args.seed)
    docs, singles = generated[: args.n], generated[args.n :]
    large = min(args.large, len(docs))
    if large:
        # Every (n / large)-th document of the batch becomes a large page.
        step = max(1, len(docs) // large)
        picks = list(range(0, len(docs), step))[:large]
        for i, big in zip(picks, enlarge([docs[i] for i in picks], args.large_side), strict=True):
            docs[i] = big
    if singles:
        singles[0:1] = enlarge(singles[0:1], args.large_side)
    os.environ["PASSPORT_DESK_HOME"] = str(work / "home")  # never touch the user's settings

    t0 = time.perf_counter()
    from dataclasses import replace

    from PySide6.QtCore import QTimer

    from desktop_app.settings import Settings
    from desktop_app.ui.application import AppConfig, Services, create_application

    marks: dict[str, float] = {"imports": time.perf_counter()}
    timed = timed_application_class()
    os.environ.pop("QT_QPA_PLATFORM_PLUGIN_PATH", None)
    qapp = timed(["ui-latency"])  # create_application() below takes this instance and styles it
    app = create_application(["ui-latency"])
    assert app is qapp
    probe = StallProbe(args.tick_ms, t0)
    probe.events = timed.events
    settings = Settings(operator_name="bench", database_url=f"sqlite:///{work / 'bench.sqlite3'}")
    if args.threads:
        settings = replace(settings, engine_threads=args.threads)
    key = os.urandom(32)

    def open_store_now() -> object:
        # On the storage thread, as in the application (SQLAlchemy is imported there).
        from desktop_app.storage import StoreSettings, open_store

        return open_store(settings.database_url, key=key, settings=StoreSettings())

    config = AppConfig(settings=settings.validated(), open_store=open_store_now, started_at=t0)  # type: ignore[arg-type]
    svc = Services(config)
    marks["built"] = time.perf_counter()
    window = svc.window
    window.ask = lambda title, text: True
    window.show()

    def visible() -> None:
        # The first turn of the event loop after show(): the window is on screen. The probe
        # starts here: building the window is start-up time, not a stall the operator sees.
        marks.setdefault("visible", time.perf_counter())
        probe.start()

    QTimer.singleShot(0, visible)

    c = svc.controller
    state: dict[str, object] = {"submitted": False, "done_at": 0.0, "first_at": 0.0}
    to_mrz: list[tuple[str, float]] = []
    reader_ms: list[float] = []
    waiting_single: dict[str, object] = {}

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

    def batch_done() -> bool:
        items = c.queue.items()
        return (
            bool(state["submitted"])
            and len(items) >= len(docs)
            and all(it.status in ("ready", "failed", "cancelled") for it in items)
        )

    def open_single() -> None:
        # One document at a time on an idle engine: image arrives -> MRZ fields on screen.
        path = singles[len(to_mrz)]
        for it in c.queue.items():  # an empty queue: the new document goes on screen at once
            c.remove(it.item_id)
        waiting_single.update(path=path, at=time.perf_counter(), shown=False)
        window.add_paths([path])

    def on_form(form: object) -> None:
        if not waiting_single or waiting_single.get("shown") or form is None:
            return
        cur = c.current
        if cur is None or cur.source != waiting_single["path"] or not getattr(form, "mrz_read", False):
            return
        waiting_single["shown"] = True
        # The reader's own share: its stage timings in the partial (MRZ) result.
        timings = dict(getattr(getattr(form, "result", None), "timings_ms", None) or {})
        reader_ms.append(sum(v for k, v in timings.items() if k in ("load", "mrz")))

        def painted() -> None:
            # The next turn of the event loop: the fields panel has been laid out and painted.
            name = Path(str(waiting_single["path"])).name
            to_mrz.append((name, time.perf_counter() - float(waiting_single["at"])))  # type: ignore[arg-type]

        QTimer.singleShot(0, painted)

    c.form_changed.connect(on_form)

    def check() -> None:
        if state["phase"] == "batch":
            if batch_done():
                state["done_at"] = time.perf_counter()
                state["batch"] = [(it.label, it.status) for it in c.queue.items()]
                probe.set_phase("single")
                state["phase"] = "single"
                if not singles:
                    app.quit()
                    return
                open_single()
        elif state["phase"] == "single" and waiting_single:
            cur = c.current
            if cur is not None and cur.source == waiting_single["path"] and cur.status in ("ready", "failed"):
                if not waiting_single["shown"]:
                    to_mrz.append((Path(str(cur.source)).name + " (no MRZ)", float("nan")))
                waiting_single.clear()
                if len(to_mrz) >= len(singles):
                    app.quit()
                else:
                    QTimer.singleShot(300, open_single)  # the engine idles a moment

    state["phase"] = "batch"
    # The real event loop, as in the application; a slow check moves through the phases.
    checker = QTimer()
    checker.timeout.connect(check)
    checker.start(50)
    QTimer.singleShot(int(args.timeout * 1000), app.quit)
    app.exec()
    end = time.perf_counter()
    probe.set_phase("after")
    probe.stop()

    batch: list[tuple[str, str]] = state.get("batch") or [(it.label, it.status) for it in c.queue.items()]  # type: ignore[assignment]
    ok = sum(1 for _, st in batch if st == "ready")
    failed = [label for label, st in batch if st != "ready"]
    first_at, done_at = float(state["first_at"]), float(state["done_at"] or end)  # type: ignore[arg-type]
    reading_s = done_at - first_at if first_at else float("nan")
    print(
        f"platform        : {os.environ.get('QT_QPA_PLATFORM', 'native display')}, "
        f"{os.cpu_count()} cores, engine threads {svc.settings.engine_threads}, "
        f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}"
    )
    print(
        f"documents       : {len(docs)} in the batch ({large} at {args.large_side} px), "
        f"{len(singles)} one at a time; batch: {ok} read, {len(failed)} not read {failed if failed else ''}"
    )
    print(
        f"start -> imports: {1000 * (marks['imports'] - t0):7.0f} ms   (PySide6 and the application modules)"
    )
    print(f"start -> built  : {1000 * (marks['built'] - t0):7.0f} ms   (engine started, window built)")
    print(f"start -> window : {1000 * (marks.get('visible', float('nan')) - t0):7.0f} ms")
    print(
        f"start -> ready  : {1000 * (marks.get('ready', float('nan')) - t0):7.0f} ms   (engine warm-up in its process)"
    )
    print(
        f"reading         : {reading_s:7.1f} s for {len(docs)} documents ({reading_s / max(1, len(docs)):.2f} s each)"
    )
    if to_mrz:
        vals = [v for _, v in to_mrz if v == v]
        med = statistics.median(vals) * 1000 if vals else float("nan")
        print(
            f"image -> MRZ on screen: median {med:5.0f} ms   "
            + "   ".join(f"{name} {1000 * v:.0f} ms" for name, v in to_mrz)
        )
        if reader_ms:
            print(
                f"   of which the reader (load + MRZ stage, in the engine): median "
                f"{statistics.median(reader_ms):5.0f} ms   " + "  ".join(f"{v:.0f}" for v in reader_ms)
            )
    for phase in ("start-up", "reading", "single"):
        print(probe.report(phase))
    print("three longest stalls, with what the GUI thread was doing (watchdog samples):")
    for stall in probe.longest(3):
        for line in describe(stall):
            print("  " + line)
    slow = sorted(timed.slow, reverse=True)[:5]
    if slow:
        print("slowest events delivered on the GUI thread (nesting depth):")
        for ms, what, depth in slow:
            print(f"  {ms:6.1f} ms  [{depth}] {what}")
    window._close_confirmed = True
    window.close()
    svc.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
