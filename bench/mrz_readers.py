"""MRZ line recognisers side by side: PP-OCRv4 (Paddle) and PP-OCRv6 small (ONNX).

    python -m bench.mrz_readers                                  # devset + generated phone set
    python -m bench.mrz_readers --synth phone --n 30 --seed 1 --no-devset
    python -m bench.mrz_readers --widths native,16,24 --stretches 1.4 --readers v6

For every image (the real specimens of /work/shared/devset, read from there, never
copied, and/or a generated set) the project's loader (EXIF applied) and MRZ locator give
line crops; each candidate band is read as given and turned over
(``MrzCandidate.flipped``), and the orientation is chosen from each reader's own reading,
as ``DocumentReader._read_mrz`` chooses it. The chosen lines are compared, in order,
with the truth lines.

Scales. The locator's crops hold the cap height at 40 px in a crop 1.3 cap heights tall
(37 px once the recogniser resizes it to 48 px) and stretch the width 1.4x. A *scale* is
(stretch, px per character): the crop is resampled in the recogniser's 48 px frame so
that the character pitch is that many px and width/height of the glyphs is
``stretch`` x their printed proportion, then padded (or trimmed) back to 48 px with the
crop's background. ``native`` keeps the 37 px cap height; ``locator`` is the crop as
the locator gives it. The pitch of a crop is worked out from its width, the locator's
margins and the truth line length (the same for every line of one MRZ).

Printed per reader and scale: lines read exactly, character error rate (edit distance
over truth length, unread lines counting in full), `<` read as a letter/digit and the
reverse, `<` dropped or added, documents with every line exact, median recognition
time per line (each recognise call's time over its lines), then every line miss.
Figures only; nothing is asserted.
"""

from __future__ import annotations

import argparse
import itertools
import json
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import cv2
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from desktop_app.core.imaging.load import load_pages
from desktop_app.core.imaging.mrz_locate import (
    CROP_HEIGHT_FACTOR,
    STRETCH,
    TARGET_CHAR_HEIGHT,
    MrzCandidate,
    find_mrz,
)
from desktop_app.core.mrz import read_mrz
from desktop_app.core.ocr.base import MRZ_ALPHABET, Image, RecognizedLine

DEVSET = Path("/work/shared/devset")
CONFIDENT_READ = 0.85  # as in pipeline.py
REC_H = 48

Reader = Callable[[Sequence[Image]], list[RecognizedLine]]


# -- scales ----------------------------------------------------------------------------
@dataclass(frozen=True)
class Scale:
    stretch: float | None
    """None: the locator's crop, unchanged."""
    px_per_char: float | None
    """None: keep the native cap height (37 px of 48)."""

    @property
    def label(self) -> str:
        if self.stretch is None:
            return "locator"
        w = "native" if self.px_per_char is None else f"{self.px_per_char:g}"
        return f"s{self.stretch:g}/{w}"


def _geometry(crop: Image, n_chars: int) -> tuple[float, float]:
    """(pitch, cap) of a locator crop in the recogniser's 48 px frame."""
    h, w = crop.shape[:2]
    k = REC_H / h
    cap = TARGET_CHAR_HEIGHT * k
    # The crop runs from one cap height before the first character's centre to one after
    # the last's, stretched STRETCH times.
    pitch = (w * k - 2 * TARGET_CHAR_HEIGHT * STRETCH * k) / max(1, n_chars - 1)
    return pitch, cap


def rescale(crop: Image, n_chars: int, scale: Scale) -> tuple[Image, float, float]:
    """(crop for the recogniser, its pitch px, its cap px). Glyphs taller than the 48 px
    frame (a crop whose characters are unusually narrow, at the widest scales) are cut."""
    pitch0, cap0 = _geometry(crop, n_chars)
    if scale.stretch is None:
        return crop, pitch0, cap0
    h, w = crop.shape[:2]
    natural = pitch0 / (cap0 * STRETCH)  # printed pitch / cap height
    if scale.px_per_char is None:
        cap = cap0
        pitch = cap * natural * scale.stretch
    else:
        pitch = scale.px_per_char
        cap = pitch / (natural * scale.stretch)
    fy = cap / cap0
    new_h = max(4, round(REC_H * fy))
    new_w = max(8, round(w * (REC_H / h) * (pitch / pitch0)))
    interp = cv2.INTER_AREA if new_h < h else cv2.INTER_CUBIC
    img = cv2.resize(crop, (new_w, new_h), interpolation=interp)
    if new_h < REC_H:
        bg = int(np.median(np.concatenate([crop[:2].ravel(), crop[-2:].ravel()])))
        top = (REC_H - new_h) // 2
        img = cv2.copyMakeBorder(img, top, REC_H - new_h - top, 0, 0, cv2.BORDER_CONSTANT, value=bg)
    elif new_h > REC_H:
        top = (new_h - REC_H) // 2
        img = img[top: top + REC_H]
    return np.ascontiguousarray(img), pitch, cap


# -- scoring ---------------------------------------------------------------------------
def align(read: str, truth: str) -> tuple[int, list[tuple[str, str]]]:
    """Edit distance and the edit operations as (truth char or '', read char or '')."""
    n, m = len(truth), len(read)
    d = np.zeros((n + 1, m + 1), dtype=np.int32)
    d[:, 0] = np.arange(n + 1)
    d[0, :] = np.arange(m + 1)
    for i in range(1, n + 1):
        for j in range(1, m + 1):
            d[i, j] = min(d[i - 1, j] + 1, d[i, j - 1] + 1, d[i - 1, j - 1] + (truth[i - 1] != read[j - 1]))
    ops: list[tuple[str, str]] = []
    i, j = n, m
    while i > 0 or j > 0:
        if i > 0 and j > 0 and d[i, j] == d[i - 1, j - 1] + (truth[i - 1] != read[j - 1]):
            if truth[i - 1] != read[j - 1]:
                ops.append((truth[i - 1], read[j - 1]))
            i, j = i - 1, j - 1
        elif i > 0 and d[i, j] == d[i - 1, j] + 1:
            ops.append((truth[i - 1], ""))
            i -= 1
        else:
            ops.append(("", read[j - 1]))
            j -= 1
    return int(d[n, m]), ops[::-1]


def match_lines(reads: Sequence[str], truth: Sequence[str]) -> list[str]:
    """One read per truth line, in order: the order-preserving pairing with the fewest
    edits when the counts differ ('' for a truth line no crop was found for)."""
    if len(reads) == len(truth):
        return list(reads)
    best: tuple[int, list[str]] | None = None
    if len(reads) < len(truth):
        for pos in itertools.combinations(range(len(truth)), len(reads)):
            out = [""] * len(truth)
            for r, p in zip(reads, pos, strict=True):
                out[p] = r
            cost = sum(align(o, t)[0] for o, t in zip(out, truth, strict=True))
            if best is None or cost < best[0]:
                best = (cost, out)
    else:
        for pos in itertools.combinations(range(len(reads)), len(truth)):
            out = [reads[p] for p in pos]
            cost = sum(align(o, t)[0] for o, t in zip(out, truth, strict=True))
            if best is None or cost < best[0]:
                best = (cost, out)
    assert best is not None
    return best[1]


@dataclass
class DocRead:
    """One document read by one reader at one scale."""

    reads: list[str]
    """Raw recogniser text of the chosen orientation ([] when no MRZ was found)."""
    repaired: list[str]
    """The lines after the project's MRZ normalisation and repairs (read_mrz)."""
    valid: bool
    accepted: bool
    score: float = 0.0
    """The attempt's score, as the pipeline scores attempts."""
    calls_ms: list[tuple[float, int]] = field(default_factory=list)
    """(time, lines) of every recognise call made for the document."""
    geometry: list[tuple[float, float]] = field(default_factory=list)
    """(pitch, cap) of the chosen crops."""
    crops: list[Image] = field(default_factory=list)


@dataclass
class Tally:
    lines: int = 0
    exact: int = 0
    repaired_exact: int = 0
    chars: int = 0
    edits: int = 0
    filler_as_char: int = 0
    char_as_filler: int = 0
    filler_dropped: int = 0
    filler_added: int = 0
    docs: int = 0
    docs_exact: int = 0
    docs_repaired_exact: int = 0
    valid: int = 0
    valid_wrong: int = 0
    accepted: int = 0
    accepted_wrong: int = 0
    ms_per_line: list[float] = field(default_factory=list)
    ms_per_doc: list[float] = field(default_factory=list)
    pitch: list[float] = field(default_factory=list)
    cap: list[float] = field(default_factory=list)
    misses: list[str] = field(default_factory=list)
    repaired_misses: list[str] = field(default_factory=list)

    def add(self, name: str, doc: DocRead, truth: Sequence[str]) -> None:
        self.docs += 1
        all_ok = True
        for k, (r, t) in enumerate(zip(match_lines(doc.reads, truth), truth, strict=True)):
            self.lines += 1
            self.chars += len(t)
            dist, ops = align(r, t)
            self.edits += dist
            if dist == 0:
                self.exact += 1
                continue
            all_ok = False
            for a, b in ops:
                if a == "<" and b and b != "<":
                    self.filler_as_char += 1
                elif b == "<" and a and a != "<":
                    self.char_as_filler += 1
                elif a == "<" and not b:
                    self.filler_dropped += 1
                elif b == "<" and not a:
                    self.filler_added += 1
            self.misses.append(f"{name} L{k + 1} d={dist}\n      read  {r}\n      truth {t}")
        self.docs_exact += all_ok
        rep = match_lines(doc.repaired, truth)
        rep_ok = list(rep) == list(truth)
        self.repaired_exact += sum(1 for r, t in zip(rep, truth, strict=True) if r == t)
        self.docs_repaired_exact += rep_ok
        if not rep_ok:
            wrong = [f"L{k + 1} {r or '(none)'} for {t}" for k, (r, t) in enumerate(zip(rep, truth, strict=True)) if r != t]
            self.repaired_misses.append(f"{name}{' (accepted!)' if doc.accepted else ''}: " + "; ".join(wrong))
        self.valid += doc.valid
        self.valid_wrong += doc.valid and not rep_ok
        self.accepted += doc.accepted
        self.accepted_wrong += doc.accepted and not rep_ok
        self.ms_per_line.extend(ms / max(1, n) for ms, n in doc.calls_ms)
        self.ms_per_doc.append(sum(ms for ms, _ in doc.calls_ms))
        for pitch, cap in doc.geometry:
            self.pitch.append(pitch)
            self.cap.append(cap)


# -- reading ---------------------------------------------------------------------------
def _score(reading: Any, recognized: Sequence[RecognizedLine]) -> tuple[float, float]:
    """(score, confidence) of an attempt, as pipeline._MrzAttempt scores it."""
    checks = sum(1 for s in reading.checks.values() if s == "valid") - 2 * sum(
        1 for s in reading.checks.values() if s == "invalid")
    conf = float(np.mean([ln.confidence for ln in recognized])) if recognized else 0.0
    return (10.0 if reading.format else 0.0) + 2.0 * checks + conf + (5.0 if reading.valid else 0.0), conf


def read_document(reader: Reader, candidates: Sequence[MrzCandidate], n_chars: int, scale: Scale) -> DocRead:
    """The lines read in the orientation chosen as ``DocumentReader._read_mrz`` chooses it."""
    calls: list[tuple[float, int]] = []
    best: tuple[float, Any, list[str], list[tuple[Image, float, float]]] | None = None

    def done() -> DocRead:
        if best is None:
            return DocRead([], [], False, False, -1.0, calls)
        score, reading, reads, made = best
        return DocRead(reads, list(reading.lines), bool(reading.valid), bool(reading.accepted), score, calls,
                       [(m[1], m[2]) for m in made], [m[0] for m in made])

    for cand in candidates:
        for variant in (cand, cand.flipped()):
            made = [rescale(ln.image, n_chars, scale) for ln in variant.lines]
            crops = [m[0] for m in made]
            t = time.perf_counter()
            rec = reader(crops)
            calls.append(((time.perf_counter() - t) * 1000, len(crops)))
            reading = read_mrz([r.text for r in rec], confidences=[r.char_confidences for r in rec])
            score, conf = _score(reading, rec)
            if best is None or score > best[0]:
                best = (score, reading, [r.text for r in rec], made)
            if reading.format is not None and (reading.valid or conf >= CONFIDENT_READ):
                return done()
        if best is not None and best[1].format is not None:
            return done()
    return done()


def _devset(limit: int | None, only: str | None) -> list[tuple[str, Image, list[str]]]:
    manifest = json.loads((DEVSET / "manifest.json").read_text(encoding="utf-8"))
    items = []
    for entry in manifest:
        if only and only not in entry["file"]:
            continue
        pages = load_pages(DEVSET / entry["file"])
        items.append((Path(entry["file"]).name, pages[0].image, list(entry["mrz_lines"])))
        if limit and len(items) >= limit:
            break
    return items


def _synth(condition: str, n: int, seed: int) -> list[tuple[str, Image, list[str]]]:
    from tests.synth import generate_set

    return [(f"{condition}-{i:03d}-{doc.truth['format']}", doc.image, list(doc.truth["mrz_lines"]))
            for i, doc in enumerate(generate_set(condition, n, seed))]


def _readers(names: Sequence[str]) -> dict[str, Reader]:
    out: dict[str, Reader] = {}
    for name in names:
        if name == "v4":
            from desktop_app.core.ocr.paddle_engine import PaddleOcrEngine

            v4 = PaddleOcrEngine()
            out["v4"] = lambda crops, e=v4: e.recognize(crops, alphabet=MRZ_ALPHABET)
        elif name == "v6":
            from desktop_app.core.ocr.onnx_rec import OnnxLineRecognizer

            v6 = OnnxLineRecognizer()
            out["v6"] = lambda crops, e=v6: e.recognize(crops, alphabet=MRZ_ALPHABET)
        else:
            raise SystemExit(f"unknown reader {name!r} (v4, v6)")
    warm = np.full((52, 1200), 230, dtype=np.uint8)
    cv2.putText(warm, "P<UTOERIKSSON<<ANNA", (20, 40), cv2.FONT_HERSHEY_SIMPLEX, 1.2, 20, 2)
    for r in out.values():
        r([warm, warm])
    return out


HEADER = (f"{'reader':8} {'scale':27} {'px/chr':>6} {'cap':>5} {'exact lines':>12} {'CER':>6} {'<>X':>4} {'X><':>4} "
          f"{'<drop':>5} {'<add':>4} {'docs ex':>7} {'repaired':>8} {'valid':>5} {'v&wrong':>7} {'acc':>4} "
          f"{'a&wrong':>7} {'ms/line':>7} {'ms/doc':>6}")


def _med(xs: Sequence[float]) -> float:
    return statistics.median(xs) if xs else float("nan")


def _row(label: str, scale: str, t: Tally) -> str:
    med = _med
    return (f"{label:8} {scale:27} {med(t.pitch):6.1f} {med(t.cap):5.1f} {t.exact:4d}/{t.lines:<3d} {t.exact / max(1, t.lines):4.0%}"
            f" {t.edits / max(1, t.chars):6.2%} {t.filler_as_char:4d} {t.char_as_filler:4d} {t.filler_dropped:5d}"
            f" {t.filler_added:4d} {t.docs_exact:3d}/{t.docs:<3d} {t.docs_repaired_exact:4d}/{t.docs:<3d} {t.valid:5d}"
            f" {t.valid_wrong:7d} {t.accepted:4d} {t.accepted_wrong:7d} {med(t.ms_per_line):7.1f} {med(t.ms_per_doc):6.0f}")


def timing(located: Sequence[tuple[str, Sequence[MrzCandidate], list[str]]], readers: dict[str, Reader],
           scales: Sequence[Scale], rounds: int) -> dict[tuple[str, str], float]:
    """Median ms per line: for each document (its best candidate, as the locator turned it),
    every scale and every reader in turn on the same crops, the fastest of ``rounds``
    calls. Interleaving both ways keeps a load change on the shared machine from favouring
    one reader or one scale."""
    per: dict[tuple[str, str], list[float]] = {(r, sc.label): [] for r in readers for sc in scales}
    for _name, cands, truth in located:
        if not cands:
            continue
        for sc in scales:
            crops = [rescale(ln.image, len(truth[0]), sc)[0] for ln in cands[0].lines]
            for rname, reader in readers.items():
                best = float("inf")
                for _ in range(rounds):
                    t = time.perf_counter()
                    reader(crops)
                    best = min(best, (time.perf_counter() - t) * 1000)
                per[(rname, sc.label)].append(best / len(crops))
    return {k: _med(v) for k, v in per.items()}


def run(title: str, items: Sequence[tuple[str, Image, list[str]]], readers: dict[str, Reader],
        scales: Sequence[Scale], misses: str, combos: Sequence[str], timing_docs: int, rounds: int,
        timing_scales: Sequence[str] = (), timing_only: bool = False) -> None:
    located = [(name, find_mrz(img), truth) for name, img, truth in items]
    if timing_only:
        timed = [sc for sc in scales if not timing_scales or sc.label in timing_scales]
        times = timing(located[:timing_docs], readers, timed, rounds)
        print(f"\n## {title}: time per line (ms, median; fastest of {rounds} per document), first {timing_docs}"
              " documents, documents x scales x readers interleaved")
        for sc in timed:
            print(f"  {sc.label:12} " + "  ".join(f"{r} {times[(r, sc.label)]:6.1f}" for r in readers))
        return
    results: dict[tuple[str, str], list[DocRead]] = {}
    for rname, reader in readers.items():
        for scale in scales:
            results[(rname, scale.label)] = [read_document(reader, cands, len(truth[0]), scale)
                                             for _name, cands, truth in located]
            ok = sum(1 for d, (_, _, t) in zip(results[(rname, scale.label)], located, strict=True)
                     if match_lines(d.reads, t) == t)
            print(f"  .. {title}: {rname} {scale.label}: {ok}/{len(located)} documents exact", file=sys.stderr, flush=True)
    tallies: dict[tuple[str, str], Tally] = {}
    for key, docs in results.items():
        tally = Tally()
        for doc, (name, _c, truth) in zip(docs, located, strict=True):
            tally.add(name, doc, truth)
        tallies[key] = tally
    # Combinations. FIRST>SECOND[:when]: the first reader's reading unless `when` (invalid:
    # a check digit fails or no format; unaccepted: the reading is not accepted as it
    # stands), then the second's. FIRST+SECOND: both always, the higher-scored reading.
    for spec in combos:
        both_always = "+" in spec
        body, _, when = spec.partition(":")
        first, second = body.split("+" if both_always else ">")
        (r1, s1), (r2, s2) = first.split("@"), second.split("@")
        if (r1, s1) not in results or (r2, s2) not in results:
            continue
        tally = Tally()
        used = 0
        for d1, d2, (name, _c, truth) in zip(results[(r1, s1)], results[(r2, s2)], located, strict=True):
            if both_always:
                pick = d2 if d2.score > d1.score else d1
                used += pick is d2
                calls = d1.calls_ms + d2.calls_ms
            else:
                fail = (not d1.valid) if when in ("", "invalid") else (not d1.accepted)
                pick = d2 if fail else d1
                used += fail
                calls = d1.calls_ms + (d2.calls_ms if fail else [])
            tally.add(name, replace(pick, calls_ms=calls), truth)
        tally.ms_per_line = []  # a per-line time means little for two readers; see ms/doc
        tallies[(body.replace(f"@{s1}", "").replace(f"@{s2}", ""), f"{s1}{'+' if both_always else '>'}{s2}"
                 + (f":{when}" if when else ""))] = tally
        print(f"  .. {title}: {spec}: second reader's reading used on {used}/{len(located)} documents",
              file=sys.stderr)
    n_lines = sum(len(t) for _, _, t in items)
    print(f"\n## {title}: {len(items)} documents, {n_lines} MRZ lines; MRZ not found on "
          f"{sum(1 for _, c, _ in located if not c)}")
    print(HEADER)
    for (rname, label), t in tallies.items():
        print(_row(rname, label, t))
    if timing_docs:
        timed = [sc for sc in scales if not timing_scales or sc.label in timing_scales]
        print(f"\n# time per line (ms, median; fastest of {rounds} per document), first {timing_docs} documents,"
              " documents x scales x readers interleaved")
        times = timing(located[:timing_docs], readers, timed, rounds)
        for sc in timed:
            print(f"  {sc.label:12} " + "  ".join(f"{r} {times[(r, sc.label)]:6.1f}" for r in readers))
    if misses == "none":
        return
    for (rname, label), t in tallies.items():
        if misses == "locator" and label != "locator":
            continue
        if t.misses:
            print(f"\n### misses: {title}, {rname}, {label} ({len(t.misses)})")
            for m in t.misses:
                print("  " + m)
        if t.repaired_misses:
            print(f"\n### wrong after repairs: {title}, {rname}, {label} ({len(t.repaired_misses)} documents)")
            for m in t.repaired_misses:
                print("  " + m)


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--readers", default="v4,v6")
    ap.add_argument("--no-devset", action="store_true")
    ap.add_argument("--only", help="devset files whose name contains this")
    ap.add_argument("--limit", type=int, help="first N devset images")
    ap.add_argument("--synth", default="phone", help="generated condition(s), comma-separated; '' for none")
    ap.add_argument("--n", type=int, default=30)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--stretches", default="1.4,1.0")
    ap.add_argument("--widths", default="native,12,16,24,32", help="px per character; 'native' keeps the cap height")
    ap.add_argument("--combos", default=("v4@locator>v6@locator:invalid,v4@locator>v6@locator:unaccepted,"
                                         "v4@locator>v6@s1/24:invalid,v4@locator>v6@s1/24:unaccepted,"
                                         "v4@locator+v6@s1/24,v6@s1/24>v4@locator:invalid"),
                    help="comma-separated FIRST@SCALE>SECOND@SCALE[:invalid|unaccepted] (the second reader when the"
                         " first's reading fails so) or FIRST@SCALE+SECOND@SCALE (both, the higher-scored reading)")
    ap.add_argument("--timing-docs", type=int, default=20, help="documents for the interleaved timing (0: none)")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--timing-scales", default="locator,s1.4/24,s1.4/32,s1/native,s1/24,s1/32",
                    help="scales timed in the interleaved pass ('' for all)")
    ap.add_argument("--timing-only", action="store_true", help="only the interleaved timing")
    ap.add_argument("--misses", choices=("all", "locator", "none"), default="all")
    args = ap.parse_args(argv)

    scales = [Scale(None, None)]
    for s in args.stretches.split(","):
        for w in args.widths.split(","):
            scales.append(Scale(float(s), None if w == "native" else float(w)))
    readers = _readers([r for r in args.readers.split(",") if r])
    combos = [f for f in args.combos.split(",") if f]
    print(f"# MRZ line recognisers: {', '.join(readers)}; scales: {', '.join(s.label for s in scales)}")
    print(f"# locator crops: cap {TARGET_CHAR_HEIGHT} px in {CROP_HEIGHT_FACTOR} cap heights, stretch {STRETCH}")
    print("# columns: px/chr and cap in the recogniser's 48 px frame (median); exact lines raw; CER raw;"
          " <>X '<' read as a letter/digit, X>< the reverse, <drop/<add '<' lost/extra; docs ex: every line"
          " raw-exact; repaired: every line exact after read_mrz's repairs; valid: all check digits valid;"
          " v&wrong: valid but some repaired line wrong; acc/a&wrong: accepted, accepted but wrong;"
          " ms/line and ms/doc from the pass itself (all recognise calls of a document, orientations included)")
    if not args.no_devset:
        run(f"devset ({DEVSET})", _devset(args.limit, args.only), readers, scales, args.misses, combos,
            args.timing_docs, args.rounds, [t for t in args.timing_scales.split(",") if t], args.timing_only)
    for cond in [c for c in args.synth.split(",") if c]:
        run(f"generated {cond} (n={args.n}, seed={args.seed})", _synth(cond, args.n, args.seed), readers, scales,
            args.misses, combos, args.timing_docs, args.rounds, [t for t in args.timing_scales.split(",") if t], args.timing_only)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
