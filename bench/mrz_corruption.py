"""Corruption bench for the MRZ engine: corrupted MRZs in, outcome counts out.

    python bench/mrz_corruption.py [--n 10000] [--seed 1] [--show 5] [--confident]

Each sample is a random, valid MRZ of a random format (TD1, TD2, TD3, MRV-A, MRV-B, French
ID; long document numbers and ``D<<`` included) whose clean reading, as a perfect recogniser
gives it (every character at confidence 1), is accepted. It is then corrupted the way OCR
corrupts MRZs and read with ``read_mrz``:

* ``lookalike``: 1-2 characters replaced by a look-alike of the other class (``0``->``O``,
  ``8``->``B``, ``O``->``0``, ``<``->``K``/``X``/``1``/``«`` ...);
* ``unicode``: characters replaced by Cyrillic/Greek/full-width/lower-case twins;
* ``drop`` / ``double``: a filler dropped from or doubled in a run (line length changes);
* ``mixed``: a look-alike substitution plus a dropped or doubled filler;
* ``confident_ocr``: 1-2 *arbitrary* substitutions (same class too: ``E``->``F``, ``3``->``8``)
  with the OCR confidence of the changed characters low, as an OCR engine reports them;
* ``same_value``: one character of the document number (or its long continuation) or of
  the optional data / personal number, data or the first filler after it, swapped for a
  look-alike of the same 7-3-1 value (``1``/``L``, ``8``/``S``, ``6``/``G``, any two of
  ``0 < K U``), or a ``0``/``<`` swapped where a check digit may be ``<`` (a long number's
  marker): no check digit can see it (``C19389564`` read ``CL9389564``). A third as
  plain text, a third with confidences, a third with confidences and per-character
  alternatives. Untouched characters are read at 0.97-1.0; the swapped one at 0.80-0.93
  or 0.30-0.75 (half each), and with alternatives the true character holds 75-95% of the
  rest: a recogniser that misreads a look-alike doubts it, here at odds of at most about
  18:1. What this models is an assumption: a misread the recogniser is surer of than the
  engine's 20:1 (``same_value.RATIO``) passes by design, as a confidently misread name
  would; no rule on the MRZ alone can see it, and the bench does not generate it.

Substitutions without confidences are restricted to those an MRZ can reveal at all: the
character is illegal where it stands, or a check digit covering it changes, or it stands
alone inside a filler run. A legal character swapped for another legal one in a field no
check digit covers (``E``->``F`` in a name), or a swap no 7-3-1 check digit can see
(``<``/``K``, ``6``/``G``), is invisible in the text itself; only OCR confidence (or the
visual zone) can reveal it, which is what ``confident_ocr`` exercises.

The kinds other than ``confident_ocr`` and ``same_value`` are read as plain text, which
carries no recogniser evidence: a character with a same-value look-alike is then never
verified, so few of them are accepted. ``--confident`` reads them instead as a recogniser
sure of every character it read (0.99, misreads included), which keeps the repairs under
test with acceptance possible.

Outcomes: *right* means the format and every MRZ field value equal the clean reading's;
*accepted* and *verified* are the reading's. ``wrong_verified`` (a wrong value with
``verified=True``) and ``wrong_accepted`` (``accepted=True``, which implies verified) must
both be 0.
"""

from __future__ import annotations

import argparse
import datetime
import random
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from desktop_app.core.mrz import MrzData, compose_mrz, read_mrz
from desktop_app.core.mrz.checksum import char_value
from desktop_app.core.mrz.countries import COUNTRIES, SPECIMEN_CODES
from desktop_app.core.mrz.layouts import LAYOUTS, Layout, kind_map
from desktop_app.core.mrz.lookalikes import LEGAL, TO_DIGIT, TO_LETTER
from desktop_app.core.types import DocumentFormat, MrzReading

TODAY = datetime.date(2025, 6, 1)
FORMATS: tuple[DocumentFormat, ...] = ("TD1", "TD2", "TD3", "MRVA", "MRVB", "FRID")
CODES = [c for c in COUNTRIES if c not in SPECIMEN_CODES]
SYLLABLES = tuple(
    [
        "AN",
        "BER",
        "CH",
        "DA",
        "EL",
        "FRA",
        "GO",
        "HA",
        "IN",
        "JO",
        "KA",
        "LU",
        "MA",
        "NO",
        "OS",
        "PE",
        "QUI",
        "RA",
        "SO",
        "TE",
        "UL",
        "VI",
        "WA",
        "XE",
        "YO",
        "ZU",
    ]
)
FILLER_OCR = "KXSCEL1«く"
UNICODE_TWINS = {
    "A": "АΑＡa", "B": "ВΒＢb", "C": "СＣc", "E": "ЕΕＥe", "H": "НΗＨh", "K": "КΚＫk", "M": "МΜＭm",
    "O": "ОΟＯo", "P": "РΡＰp", "T": "ТΤＴt", "X": "ХΧＸx", "Y": "УΥＹy", "<": "＜‹〈",
    "0": "０", "1": "１", "2": "２", "5": "５", "8": "８",
}  # fmt: skip
_WEIGHTS = (7, 3, 1)
SAME_VALUE_GROUPS = ("0<KU", "1L", "6G", "8S")
"""Look-alikes OCR confuses that weigh the same in 7-3-1 check digits (the issue's list)."""


def _name(rng: random.Random, parts: int) -> str:
    return " ".join("".join(rng.choice(SYLLABLES) for _ in range(rng.randint(1, 3))) for _ in range(parts))


def _date(rng: random.Random, lo: datetime.date, hi: datetime.date) -> str:
    d = lo + datetime.timedelta(days=rng.randint(0, (hi - lo).days))
    return d.strftime("%y%m%d")


def random_data(rng: random.Random) -> MrzData:
    fmt = rng.choice(FORMATS)
    country = rng.choice(CODES + ["D"] * 10)
    birth = _date(rng, datetime.date(1940, 1, 1), datetime.date(2006, 1, 1))
    expiry = _date(rng, TODAY + datetime.timedelta(days=120), TODAY + datetime.timedelta(days=3600))
    sex = rng.choice("MFX")
    alnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
    if fmt == "FRID":
        issued = f"{rng.randint(0, 99):02d}{rng.randint(1, 12):02d}"
        number = f"{issued}{rng.randint(1, 95):03d}{rng.randint(0, 99999):05d}"
        return MrzData(
            "FRID", "ID", "FRA", _name(rng, 1), _name(rng, rng.randint(1, 2)), number, "FRA", birth, sex, "",
            f"{rng.randint(1, 95):03d}{rng.randint(0, 999):03d}",
        )  # fmt: skip
    length = rng.choice([9] * 6 + [7, 8] + ([10, 12, 13] if fmt in ("TD1", "TD2", "TD3") else []))
    number = "".join(rng.choice(alnum) for _ in range(length))
    opt = "" if rng.random() < 0.5 else "".join(rng.choice(alnum) for _ in range(rng.randint(1, 6)))
    opt2 = ""
    if fmt == "TD1" and rng.random() < 0.3:
        opt2 = "".join(rng.choice(alnum) for _ in range(rng.randint(1, 8)))
    code = {"TD3": "P", "MRVA": "V", "MRVB": "V"}.get(fmt, "I")
    code += rng.choice(["", "", rng.choice("DSOT")]) if code == "P" else rng.choice(["", "", "D", "R"])
    nat = country if rng.random() < 0.8 else rng.choice(CODES)
    surname = _name(rng, rng.randint(1, 2))
    given = _name(rng, rng.randint(0, 2))
    return MrzData(fmt, code, country, surname, given, number, nat, birth, sex, expiry, opt, opt2)


def _covering(layout: Layout, line: int, col: int) -> list[tuple[list[tuple[int, int]], int]]:
    """(data positions, weight index) of every check digit that covers (line, col) or is at it."""
    out = []
    for c in layout.checks:
        data = [(s.line, i) for s in c.covers for i in range(s.start, s.end)]
        if (line, col) in data:
            out.append((data, data.index((line, col))))
        if (c.digit.line, c.digit.start) == (line, col):
            out.append(([], -1))
    return out


def _as_read(ch: str) -> str:
    return {"«": "<", "く": "<"}.get(ch, ch)


def visible(
    layout: Layout, clean: tuple[str, ...], bad: list[list[str]], changed: set[tuple[int, int]]
) -> bool:
    """Could MRZ logic notice *each* of these substitutions, taken together?

    A change is visible when the new character is illegal where it stands, when it sits alone
    in a filler run, or when some check digit covering it changes, counting the other
    legal changes under the same check digit (two changes can cancel exactly).
    """
    kinds = kind_map(layout)
    legal: set[tuple[int, int]] = set()
    for li, ci in changed:
        new = _as_read(bad[li][ci])
        if new == clean[li][ci] or new not in LEGAL[kinds[li][ci]]:
            continue
        text = clean[li]
        lone = (ci == 0 or text[ci - 1] == "<") and (ci + 1 == len(text) or text[ci + 1] == "<")
        if text[ci] == "<" and lone:
            continue
        legal.add((li, ci))
    seen: set[tuple[int, int]] = set()
    for c in layout.checks:
        data = [(s.line, i) for s in c.covers for i in range(s.start, s.end)]
        digit = (c.digit.line, c.digit.start)
        mine = [p for p in legal if p in data or p == digit]
        if not mine:
            continue
        if digit in legal:
            seen.update(mine)
            continue
        deltas = {}
        for idx, (li, ci) in enumerate(data):
            if (li, ci) in legal:
                new_value = char_value(_as_read(bad[li][ci]))
                deltas[(li, ci)] = (new_value - char_value(clean[li][ci])) * _WEIGHTS[idx % 3]
        if sum(deltas.values()) % 10:  # the changes under this check digit do not cancel
            seen.update(p for p, dv in deltas.items() if dv % 10)  # and these move it at all
    return legal <= seen


def _lookalike(rng: random.Random, old: str) -> str | None:
    if old == "<":
        return rng.choice(FILLER_OCR)
    options = []
    if old in TO_LETTER:
        options.append(TO_LETTER[old])
    options += [k for k, v in TO_DIGIT.items() if v == old]
    if old in TO_DIGIT:
        options.append(TO_DIGIT[old])
    return rng.choice(options) if options else None


def _substitute(rng, layout, lines, k, *, confident: bool):
    """Replace ``k`` characters; without confidences, only visibly (see module docstring)."""
    for _ in range(50):
        rows = [list(x) for x in lines]
        changed: set[tuple[int, int]] = set()
        for _ in range(200):
            if len(changed) == k:
                break
            li = rng.randrange(len(rows))
            ci = rng.randrange(len(rows[li]))
            old = lines[li][ci]
            if (li, ci) in changed:
                continue
            if confident:
                new = rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789<")
            else:
                maybe = _lookalike(rng, old)
                if maybe is None:
                    continue
                new = maybe
            if new == old:
                continue
            rows[li][ci] = new
            changed.add((li, ci))
        if confident or visible(layout, lines, rows, changed):
            return ["".join(r) for r in rows], changed
    return list(lines), set()


def _unicode(rng, lines):
    rows = [list(x) for x in lines]
    for _ in range(rng.randint(1, 6)):
        li = rng.randrange(len(rows))
        ci = rng.randrange(len(rows[li]))
        twins = UNICODE_TWINS.get(lines[li][ci])
        if twins:
            rows[li][ci] = rng.choice(twins)
    return ["".join(r) for r in rows]


def _filler_edit(rng, lines, op: str):
    rows = list(lines)
    li = rng.randrange(len(rows))
    spots = [i for i, c in enumerate(rows[li]) if c == "<"]
    if not spots:
        return rows
    i = rng.choice(spots)
    rows[li] = rows[li][:i] + rows[li][i + 1 :] if op == "drop" else rows[li][:i] + "<" + rows[li][i:]
    return rows


def _same_value_spots(layout: Layout, lines: tuple[str, ...]) -> list[tuple[int, int, str]]:
    """(line, column, look-alike) for every character of a check-covered document number,
    optional data or personal number (data, or the first filler after it) that has a
    same-value look-alike, and for a ``0`` or ``<`` where a check digit may be ``<``."""
    covered = {(s.line, i) for c in layout.checks for s in c.covers for i in range(s.start, s.end)}
    out = []
    for f in layout.fields:
        if f.kind == "check_opt":  # a check digit that may be '<' (a long number's marker)
            ch = lines[f.slot.line][f.slot.start]
            if ch in "0<":
                out.append((f.slot.line, f.slot.start, "<" if ch == "0" else "0"))
            continue
        if f.key not in ("document_number", "optional_data", "personal_number"):
            continue
        s = f.slot
        row = lines[s.line]
        for i in range(s.start, s.end):
            ch = row[i]
            if (s.line, i) not in covered or (ch == "<" and i > s.start and row[i - 1] == "<"):
                continue  # deep in a filler run nothing can stand for data
            group = next((g for g in SAME_VALUE_GROUPS if ch in g), None)
            if group is None:
                continue
            out += [(s.line, i, twin) for twin in group if twin != ch]
    return out


def _same_value(rng: random.Random, layout: Layout, lines: tuple[str, ...]):
    """(corrupted lines, confidences or None, alternatives or None), see the module docstring."""
    spots = _same_value_spots(layout, lines)
    if not spots:
        return list(lines), None, None
    li, ci, twin = rng.choice(spots)
    true = lines[li][ci]
    rows = list(lines)
    rows[li] = rows[li][:ci] + twin + rows[li][ci + 1 :]
    evidence = rng.choice(["plain", "confidences", "alternatives"])
    if evidence == "plain":
        return rows, None, None
    confs = [[rng.uniform(0.97, 1.0) for _ in row] for row in rows]
    p_read = rng.uniform(0.80, 0.93) if rng.random() < 0.5 else rng.uniform(0.30, 0.75)
    confs[li][ci] = p_read
    if evidence == "confidences":
        return rows, confs, None
    alts: list[list[dict[str, float]]] = [[{} for _ in row] for row in rows]
    p_true = (1.0 - p_read) * rng.uniform(0.75, 0.95)
    if p_true > 0.01:
        alts[li][ci] = {true: p_true}
    return rows, confs, alts


def corrupt(rng: random.Random, layout: Layout, lines: tuple[str, ...]):
    """(kind, corrupted lines, confidences or None, alternatives or None)."""
    kinds = ["lookalike", "lookalike", "unicode", "drop", "double", "mixed", "confident_ocr", "same_value"]
    kind = rng.choice(kinds)
    if kind == "lookalike":
        out, _ = _substitute(rng, layout, lines, rng.choice([1, 1, 2]), confident=False)
        return kind, out, None, None
    if kind == "unicode":
        return kind, _unicode(rng, lines), None, None
    if kind in ("drop", "double"):
        return kind, _filler_edit(rng, lines, kind), None, None
    if kind == "mixed":
        out, _ = _substitute(rng, layout, lines, 1, confident=False)
        return kind, _filler_edit(rng, tuple(out), rng.choice(["drop", "double"])), None, None
    if kind == "same_value":
        return (kind, *_same_value(rng, layout, lines))
    out, changed = _substitute(rng, layout, lines, rng.choice([1, 2]), confident=True)
    confs = [
        [rng.uniform(0.05, 0.55) if (li, ci) in changed else rng.uniform(0.7, 1.0) for ci in range(len(row))]
        for li, row in enumerate(out)
    ]
    return kind, out, confs, None


ORDER = ("right_accepted", "right_flagged", "wrong_flagged", "wrong_accepted")
VERIFIED = ("right_verified", "wrong_verified")


def _values(r: MrzReading) -> dict[str, str]:
    return {k: f.value for k, f in r.fields.items()}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=10000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--show", type=int, default=3, help="print this many wrong-but-verified cases")
    ap.add_argument("--confident", action="store_true",
                    help="read the plain-text kinds with confidence 0.99 for every character")
    args = ap.parse_args(argv)
    rng = random.Random(args.seed)
    outcome: Counter[str] = Counter()
    per_kind: dict[str, Counter[str]] = {}
    per_format: dict[str, Counter[str]] = {}
    times: list[float] = []
    cpu: list[float] = []  # CPU time: robust when other processes share the machine
    skipped = shown = 0
    while sum(outcome[k] for k in ORDER) < args.n:
        data = random_data(rng)
        lines = compose_mrz(data)
        clean = read_mrz(lines, confidences=[[1.0] * len(x) for x in lines], today=TODAY)
        if not clean.accepted:
            skipped += 1  # truncated names, minors ...: not a clean baseline
            continue
        layout = LAYOUTS[data.format]
        kind, bad, confs, alts = corrupt(rng, layout, lines)
        if args.confident and kind not in ("same_value", "confident_ocr"):
            confs = [[0.99] * len(x) for x in bad]
        t0, c0 = time.perf_counter(), time.process_time()
        r = read_mrz(bad, confidences=confs, alternatives=alts, today=TODAY)
        times.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
        right = r.format == clean.format and _values(r) == _values(clean)
        key = ("right_" if right else "wrong_") + ("accepted" if r.accepted else "flagged")
        verified = ("right_" if right else "wrong_") + "verified"
        for c in (outcome, per_kind.setdefault(kind, Counter()), per_format.setdefault(data.format, Counter())):
            c[key] += 1
            c[verified] += r.verified
        if not right and r.verified and shown < args.show:
            shown += 1
            print(f"WRONG BUT {'ACCEPTED' if r.accepted else 'VERIFIED'} ({kind}):")
            for a, b in zip(lines, bad, strict=False):
                print(f"  {a}\n  {b}")
            for k, v in _values(r).items():
                if clean.fields.get(k) is None or clean.fields[k].value != v:
                    print(f"  {k}: read {v!r}, true {clean.fields[k].value if k in clean.fields else None!r}")
    n = sum(outcome[k] for k in ORDER)
    evidence = "plain kinds at confidence 0.99" if args.confident else "plain kinds as plain text"
    print(f"MRZ corruption bench: n={n} seed={args.seed}, {evidence} (clean baselines not accepted, skipped: {skipped})")
    for k in (*ORDER, *VERIFIED):
        print(f"  {k:15} {outcome[k]:6d}  {100.0 * outcome[k] / n:6.2f} %")
    print("  by corruption:")
    for kind, c in sorted(per_kind.items()):
        total = sum(c[k] for k in ORDER)
        print(f"    {kind:14} n={total:5d}  " + "  ".join(f"{k}={c[k]}" for k in (*ORDER, *VERIFIED)))
    print("  by format:")
    for fmt, c in sorted(per_format.items()):
        total = sum(c[k] for k in ORDER)
        print(f"    {fmt:14} n={total:5d}  " + "  ".join(f"{k}={c[k]}" for k in (*ORDER, *VERIFIED)))
    for label, series in (("wall", times), ("cpu", cpu)):
        ms = sorted(t * 1000 for t in series)
        print(
            f"  {label:4} time: {n / sum(series):6.0f} readings/s; ms per reading mean {statistics.fmean(ms):.2f}"
            f" p50 {ms[len(ms) // 2]:.2f} p95 {ms[int(len(ms) * 0.95)]:.2f} max {ms[-1]:.1f}"
        )
    return 1 if outcome["wrong_accepted"] or outcome["wrong_verified"] else 0


if __name__ == "__main__":
    raise SystemExit(main())
