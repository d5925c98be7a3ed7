"""Properties and strategies for fuzzing the text engines (MRZ and visual zone).

Shared by ``tests/hardening/test_fuzz_text.py`` (deterministic, a few hundred examples
each, in CI) and ``bench/fuzz_text.py`` (random seeds, as many examples as asked).
Each ``check_*`` function raises AssertionError when a property fails and never catches
an exception of the code under test: an exception is a finding.
"""

from __future__ import annotations

import datetime
import json
import math
import re
from collections.abc import Sequence
from typing import Any

from hypothesis import strategies as st

from desktop_app.core.mrz import read_mrz
from desktop_app.core.types import FIELD_KEYS, DocumentResult, Field, MrzReading, TextLine
from desktop_app.core.viz import VizField, cross_check, extract_viz_fields, parse_printed_date, transliterate
from desktop_app.core.viz.labels import LABELS

# -- strategies ---------------------------------------------------------------------------------

SPECIMENS: tuple[tuple[str, ...], ...] = (
    ("P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<", "L898902C36UTO7408122F1204159ZE184226B<<<<<10"),
    ("I<UTOD231458907<<<<<<<<<<<<<<<", "7408122F1204159UTO<<<<<<<<<<<6", "ERIKSSON<<ANNA<MARIA<<<<<<<<<<"),
    ("I<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<", "D231458907UTO7408122F1204159<<<<<<<6"),
    ("V<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<", "L8988901C4XXX4009078F96121096ZE184226B<<<<<<"),
    ("V<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<", "L8988901C4XXX4009078F9612109<<<<<<<<"),
    ("IDFRADURAND<<<<<<<<<<<<<<<<<<<515024", "1902515034273ELODIE<<<<<<<<9508026F9"),
)
MRZ_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789<"
LOOKALIKES = "«‹≤€£ÄÖÜÉÈ|!l1IiOo0QDSs5Zz2Bb8Gg6Kk «<‹ -_.,:;'\"\t/\\"
ODD = "\x00\x7f\u200b\u200e\u202e\ufeff\ufffd\U0001f600\u0301\ud800\udcff"
"""NUL, DEL, zero-width, bidi override, BOM, replacement, emoji, combining accent, lone surrogates."""

any_char = st.one_of(st.characters(), st.sampled_from(MRZ_CHARS + LOOKALIKES + ODD))
any_text = st.text(any_char, max_size=120)
mrz_ish_line = st.text(st.sampled_from(MRZ_CHARS + LOOKALIKES), max_size=50)
realistic_today = st.dates(datetime.date(1970, 1, 1), datetime.date(2090, 12, 31))
any_today = st.dates()
any_float = st.floats(allow_nan=True, allow_infinity=True)
unit_float = st.floats(0.0, 1.0)


@st.composite
def mutated_specimen(draw: st.DrawFn) -> list[str]:
    """A real MRZ with a few edits (replace, insert, delete, split, join, swap lines)."""
    lines = list(draw(st.sampled_from(SPECIMENS)))
    for _ in range(draw(st.integers(0, 6))):
        op = draw(st.sampled_from(["replace", "insert", "delete", "split", "join", "swap", "drop", "pad"]))
        i = draw(st.integers(0, max(0, len(lines) - 1)))
        line = lines[i] if lines else ""
        j = draw(st.integers(0, len(line)))
        ch = draw(st.one_of(st.sampled_from(MRZ_CHARS + LOOKALIKES), any_char))
        if not lines:
            lines = [ch]
        elif op == "replace" and j < len(line):
            lines[i] = line[:j] + ch + line[j + 1 :]
        elif op == "insert":
            lines[i] = line[:j] + ch + line[j:]
        elif op == "delete" and j < len(line):
            lines[i] = line[:j] + line[j + 1 :]
        elif op == "split":
            lines[i : i + 1] = [line[:j], line[j:]]
        elif op == "join" and i + 1 < len(lines):
            lines[i : i + 2] = [lines[i] + draw(st.sampled_from(["", " ", "  "])) + lines[i + 1]]
        elif op == "swap" and i + 1 < len(lines):
            lines[i], lines[i + 1] = lines[i + 1], lines[i]
        elif op == "drop":
            del lines[i]
        elif op == "pad":
            lines[i] = draw(st.sampled_from(["", " ", "<", "K"])) * draw(st.integers(0, 8)) + line
    return lines


mrz_lines = st.one_of(
    st.lists(any_text, max_size=5),
    st.lists(mrz_ish_line, min_size=1, max_size=4),
    mutated_specimen(),
)
confidences = st.one_of(
    st.none(),
    st.lists(st.lists(unit_float, max_size=50), max_size=5),
    st.lists(st.lists(any_float, max_size=50), max_size=5),
)


def _label_texts() -> list[str]:
    return sorted({label.lstrip("~") for labels in LABELS.values() for label in labels})


label_text = st.sampled_from(_label_texts())
value_text = st.one_of(
    any_text,
    st.sampled_from(["ERIKSSON", "ANNA MARIA", "12 AUG 1974", "12.08.1974", "L898902C3", "F", "UTOPIA",
                     "Utopian", "15 APR 2034", "<<<", "M/M", "X", "74", "NIMES"]),
)
line_text = st.one_of(
    any_text,
    st.builds(lambda a, sep, b: f"{a}{sep}{b}", label_text, st.sampled_from(["", " ", "/", ": ", " / "]), value_text),
    st.builds(lambda a, b: f"{a}/{b}", label_text, label_text),
)
coordinate = st.one_of(st.integers(-5000, 20000), st.floats(allow_nan=True, allow_infinity=True))
box = st.one_of(
    st.tuples(st.integers(0, 1500), st.integers(0, 1000), st.integers(0, 1500), st.integers(0, 1000)),
    st.tuples(coordinate, coordinate, coordinate, coordinate),
)


@st.composite
def text_line(draw: st.DrawFn) -> TextLine:
    if draw(st.booleans()):  # a plausible layout: boxes on a grid, ordered corners
        x0, y0 = draw(st.integers(0, 1400)), draw(st.integers(0, 950))
        b: Any = (x0, y0, x0 + draw(st.integers(1, 600)), y0 + draw(st.integers(1, 60)))
    else:
        b = draw(box)
    return TextLine(draw(line_text), draw(st.one_of(unit_float, any_float)), b)


page_size = st.one_of(st.tuples(st.integers(1, 5000), st.integers(1, 5000)),
                      st.tuples(st.integers(-10, 10), st.integers(-10, 10)))

# -- properties ---------------------------------------------------------------------------------

_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
_MRZ_SPELLING = re.compile(r"^[A-Z]+( [A-Z]+)*$")


def _finite_conf(c: object) -> bool:
    if c is None:
        return True
    return all(isinstance(x, float) and math.isfinite(x) and 0 <= x <= 1 for row in c for x in row)  # type: ignore[attr-defined]


def check_read_mrz(lines: Sequence[str], conf: Any, today: datetime.date, warn_days: int,
                   low: float, realistic: bool) -> None:
    reading = read_mrz(lines, confidences=conf, today=today, expiry_warning_days=warn_days, low_confidence=low)
    assert isinstance(reading, MrzReading)
    codes = [f.code for f in reading.flags]
    if realistic:
        # read_mrz turns any internal exception into this flag; it must never be needed.
        assert "engine_error" not in codes, reading.flags
    if reading.accepted:
        assert reading.verified  # accepted implies verified, by construction
    if reading.verified:
        assert reading.valid and reading.format is not None
    for key, fld in reading.fields.items():
        assert key in FIELD_KEYS and isinstance(fld.value, str)
    if realistic and _finite_conf(conf) and math.isfinite(low):
        for fld in reading.fields.values():
            assert 0.0 <= fld.confidence <= 1.0, (fld, conf)
        result = DocumentResult(status="ok" if reading.format else "no_mrz", format=reading.format,
                                mrz=reading if reading.format else None, fields=dict(reading.fields),
                                flags=reading.flags)
        obj = result.to_json()
        json.dumps(obj, allow_nan=False)  # the CLI's JSON stays strict JSON
        assert (obj["verified"], obj["accepted"]) == (reading.verified, reading.accepted)


def check_parse_printed_date(text: str, kind: str, today: datetime.date) -> None:
    iso = parse_printed_date(text, kind=kind, today=today)  # type: ignore[arg-type]
    if iso is None:
        return
    assert _DATE.match(iso), iso
    parts = [int(p) for p in iso.split("-")]
    if len(parts) == 3:
        datetime.date(*parts)
    if len(parts) >= 2:
        assert 1 <= parts[1] <= 12


def check_transliterate(name: str) -> None:
    out = transliterate(name)
    assert isinstance(out, tuple)
    assert len(set(out)) == len(out), out
    for spelling in out:
        assert _MRZ_SPELLING.match(spelling), (name, spelling)


def check_extract_viz(lines: list[TextLine], size: tuple[int, int], mrz_box: Any, today: datetime.date) -> None:
    found = extract_viz_fields(lines, page_size=size, mrz_box=mrz_box, today=today)
    assert isinstance(found, dict)
    for key, fld in found.items():
        assert key in FIELD_KEYS, key
        assert isinstance(fld, VizField) and isinstance(fld.value, str)
        assert all(isinstance(v, int) for v in fld.box), fld.box


def check_cross_check(viz_values: dict[str, str], conf: float, low: float) -> None:
    mrz = read_mrz(list(SPECIMENS[0]), today=datetime.date(2010, 1, 1))
    viz = {k: VizField(v, v, conf, (0, 0, 10, 10)) for k, v in viz_values.items()}
    merged = cross_check(mrz.fields, viz, low_confidence=low)
    for key, fld in merged.items():
        assert isinstance(fld, Field) and isinstance(fld.value, str), key
        if math.isfinite(conf) and math.isfinite(low):
            assert 0.0 <= fld.confidence <= 1.0, fld


viz_values = st.dictionaries(st.sampled_from(FIELD_KEYS), st.one_of(value_text, any_text), max_size=len(FIELD_KEYS))
