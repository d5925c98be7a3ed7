"""The synthetic document generator: determinism, every format and condition, exact truth."""

from __future__ import annotations

import datetime as dt
import json
import re
from functools import cache
from pathlib import Path

import numpy as np
import pytest

from desktop_app.core.mrz import compose_mrz
from desktop_app.core.mrz.checksum import check_digit, is_valid
from desktop_app.core.mrz.translit import mrz_spelling as transliterate
from desktop_app.core.types import FIELD_KEYS
from tests.synth import (
    CONDITIONS,
    FORMATS,
    SyntheticDocument,
    generate,
    generate_set,
    mrz_data,
    set_seed,
)
from tests.synth.__main__ import main as cli_main
from tests.synth.generator import mrz_names
from tests.synth.identity import make_identity

SHAPE = {"TD3": (2, 44), "TD1": (3, 30), "TD2": (2, 36), "MRVA": (2, 44), "MRVB": (2, 36), "FRID": (2, 36)}
ISO = re.compile(r"^\d{4}-\d{2}-\d{2}$")
MRZ_CHARS = re.compile(r"^[A-Z0-9<]+$")


@cache
def doc(fmt: str, seed: int, condition: str) -> SyntheticDocument:
    return generate(fmt, seed, condition)


ALL = [(f, c) for c in CONDITIONS for f in FORMATS]


def check_digits(fmt: str, lines: list[str]) -> list[tuple[str, str]]:
    """(data, digit) pairs of every check digit of ``fmt`` (ICAO 9303 parts 4-7, French card)."""
    if fmt == "TD1":
        l1, l2, _ = lines
        pairs = [(l1[5:14], l1[14]), (l2[0:6], l2[6]), (l2[8:14], l2[14])]
        pairs.append((l1[5:30] + l2[0:7] + l2[8:15] + l2[18:29], l2[29]))
        return pairs
    if fmt == "FRID":
        l1, l2 = lines
        return [(l2[0:12], l2[12]), (l2[27:33], l2[33]), (l1 + l2[0:35], l2[35])]
    l2 = lines[1]
    pairs = [(l2[0:9], l2[9]), (l2[13:19], l2[19]), (l2[21:27], l2[27])]
    if fmt == "TD3":
        if l2[28:42].strip("<"):
            pairs.append((l2[28:42], l2[42]))
        pairs.append((l2[0:10] + l2[13:20] + l2[21:43], l2[43]))
    elif fmt == "TD2":
        pairs.append((l2[0:10] + l2[13:20] + l2[21:35], l2[35]))
    return pairs


@pytest.mark.parametrize(("fmt", "condition"), ALL)
def test_every_format_renders_under_every_condition(fmt: str, condition: str) -> None:
    d = doc(fmt, 3, condition)
    assert d.image.dtype == np.uint8 and d.image.ndim == 3 and d.image.shape[2] == 3
    h, w = d.image.shape[:2]
    long_side = max(h, w)
    if condition == "clean":
        assert 1400 <= long_side <= 1900
        assert d.encoded is None
    else:
        assert d.encoded is not None and d.encoded[:2] == b"\xff\xd8"  # JPEG
    if condition == "phone":
        assert 880 <= long_side <= 1820
        assert 8.4 <= d.meta["capture"]["mrz_pitch_px"] <= 26.1
    if condition == "hard":
        assert long_side <= 1420
        assert 6.4 <= d.meta["capture"]["mrz_pitch_px"] <= 13.1  # small, still legible to a person
    assert d.format == fmt and d.condition == condition and d.seed == 3
    assert set(d.truth) == {*FIELD_KEYS, "format", "mrz_lines"}


@pytest.mark.parametrize(("fmt", "condition"), ALL)
def test_truth_mrz_lines_have_valid_check_digits(fmt: str, condition: str) -> None:
    lines = doc(fmt, 3, condition).truth["mrz_lines"]
    n, length = SHAPE[fmt]
    assert len(lines) == n and all(len(line) == length and MRZ_CHARS.match(line) for line in lines)
    for data, digit in check_digits(fmt, lines):
        assert is_valid(data, digit), (fmt, lines, data, digit)


@pytest.mark.parametrize("fmt", FORMATS)
def test_check_digits_over_many_identities(fmt: str) -> None:
    for seed in range(150):  # what generate() composes, without the rendering
        ident = make_identity(np.random.default_rng(seed), fmt)
        lines = list(compose_mrz(mrz_data(ident)))
        for data, digit in check_digits(fmt, lines):
            assert check_digit(data) == digit, (fmt, seed, lines)


def _yymmdd(iso: str) -> str:
    return iso[2:4] + iso[5:7] + iso[8:10]


@pytest.mark.parametrize(("fmt", "condition"), ALL)
def test_truth_dates_are_iso_and_agree_with_the_mrz(fmt: str, condition: str) -> None:
    t = doc(fmt, 3, condition).truth
    for key in ("birth_date", "expiry_date", "issue_date"):
        if t[key]:
            assert ISO.match(t[key]), (key, t[key])
            dt.date.fromisoformat(t[key])
    lines = t["mrz_lines"]
    if fmt == "FRID":
        assert lines[1][27:33] == _yymmdd(t["birth_date"])
    elif fmt == "TD1":
        assert lines[1][0:6] == _yymmdd(t["birth_date"])
        assert lines[1][8:14] == _yymmdd(t["expiry_date"])
    else:
        assert lines[1][13:19] == _yymmdd(t["birth_date"])
        assert lines[1][21:27] == _yymmdd(t["expiry_date"])
    if t["issue_date"] and t["expiry_date"]:
        assert t["birth_date"] < t["issue_date"] < t["expiry_date"]


@pytest.mark.parametrize(("fmt", "condition"), ALL)
def test_boxes_are_inside_the_image_and_the_mrz_is_whole(fmt: str, condition: str) -> None:
    d = doc(fmt, 3, condition)
    h, w = d.image.shape[:2]
    n = SHAPE[fmt][0]
    assert {f"mrz_line_{i + 1}" for i in range(n)} | {"mrz", "page"} <= set(d.boxes)
    assert ("photo" in d.boxes) == (d.meta["sides"] != "back")  # a TD1 back has no portrait
    for key, (x0, y0, x1, y1) in d.boxes.items():
        assert 0 <= x0 < x1 <= w and 0 <= y0 < y1 <= h, (key, d.boxes[key], (w, h))
    for i in range(n):  # the MRZ never leaves the frame: its corners are inside before clipping
        quad = np.array(d.quads[f"mrz_line_{i + 1}"])
        assert quad.min() >= 0 and (quad[:, 0] <= w).all() and (quad[:, 1] <= h).all()
    assert not any(k.startswith("mrz") for k in d.occluded)


@pytest.mark.parametrize("seed", range(8))
def test_mrz_line_boxes_hold_the_ink_of_the_lines(seed: int) -> None:
    d = doc("TD3", seed, "clean")
    gray = d.image.mean(axis=2)
    x0, _, x1, _ = d.boxes["mrz"]
    ground = float(np.percentile(gray[d.boxes["mrz"][1] : d.boxes["mrz"][3], x0:x1], 90))
    for i in (1, 2):
        bx0, by0, bx1, by1 = d.boxes[f"mrz_line_{i}"]
        inside = gray[by0:by1, bx0:bx1]
        assert (inside < ground - 70).mean() > 0.08  # OCR-B strokes, whatever the ink and ground
    y_gap = (d.boxes["mrz_line_1"][3] + d.boxes["mrz_line_2"][1]) // 2
    assert (gray[y_gap, x0:x1] < ground - 70).mean() < 0.05  # nothing between the lines


@pytest.mark.parametrize("seed", range(6))
def test_mrz_has_the_icao_proportions(seed: int) -> None:
    d = doc("TD3", seed, "clean")
    page = d.boxes["page"]
    ppm = (page[2] - page[0]) / 125.0
    x0, _, x1, y1 = d.boxes["mrz_line_2"]
    # 10 characters per inch, give or take the few per cent printers differ by
    assert 44 * 2.54 * 0.93 < (x1 - x0) / ppm < 44 * 2.54 * 1.05
    pitch = (d.boxes["mrz_line_2"][3] - d.boxes["mrz_line_1"][3]) / ppm
    assert 4.23 * 0.93 < pitch < 4.23 * 1.08  # about 6 lines per inch
    assert (page[3] - y1) / ppm == pytest.approx(4.7, abs=2.0)  # at the bottom of the page


@pytest.mark.parametrize("condition", CONDITIONS)
def test_same_seed_same_bytes(condition: str) -> None:
    a = doc("MRVB", 3, condition)
    b = generate("MRVB", 3, condition)
    assert a.image.tobytes() == b.image.tobytes()
    assert a.encoded == b.encoded
    assert a.truth == b.truth and a.boxes == b.boxes and a.meta == b.meta
    assert generate("MRVB", 4, "hard").truth != doc("MRVB", 3, "hard").truth


def test_the_same_seed_is_the_same_document_under_every_condition() -> None:
    truths = [doc("TD3", 3, c).truth for c in CONDITIONS]
    assert all(t == truths[0] for t in truths[1:])


def test_generate_set_cycles_formats_and_is_reproducible() -> None:
    docs = generate_set("hard", 7, seed=2)
    assert [d.format for d in docs] == [*FORMATS, FORMATS[0]]
    assert [d.seed for d in docs] == [set_seed(2, i) for i in range(7)]
    again = generate(docs[4].format, docs[4].seed, "hard")
    assert again.image.tobytes() == docs[4].image.tobytes()


def test_names_keep_national_characters_in_the_viz_and_are_transliterated_in_the_mrz() -> None:
    for seed in (1, 2, 3):
        d = generate("TD3", seed, "hard", language="de")
        t = d.truth
        assert d.meta["printed"]["surname"] == t["surname"]
        assert (transliterate(t["surname"]), transliterate(t["given_names"])) == mrz_names(
            "TD3", tuple(t["mrz_lines"])
        )
    seen_national = 0
    for seed in range(200):
        fmt = FORMATS[seed % len(FORMATS)]
        ident = make_identity(np.random.default_rng(seed), fmt)
        surname, given = mrz_names(fmt, compose_mrz(mrz_data(ident)))
        seen_national += any(ord(c) > 127 for c in ident.surname + ident.given_names)
        if fmt == "FRID":  # given names there: only 14 characters
            expect = (transliterate(ident.surname), transliterate(ident.given_names))
            assert surname == expect[0] and expect[1].startswith(given), (ident, surname, given)
            continue
        full = f"{transliterate(ident.surname)}  {transliterate(ident.given_names)}"
        assert f"{surname}  {given}" == full[: len(surname) + 2 + len(given)], (ident, surname, given)
    assert seen_national >= 40


def test_name_only_in_the_mrz_when_the_viz_is_not_shown() -> None:
    for seed in range(30):
        d = generate("TD1", seed, "hard")
        if d.meta["sides"] == "back":
            surname, given = mrz_names("TD1", tuple(d.truth["mrz_lines"]))
            assert (d.truth["surname"], d.truth["given_names"]) == (surname, given)
            assert d.truth["place_of_birth"] == ""  # printed on the front only
            assert d.truth["issue_date"] != ""  # printed on the back
            return
    pytest.fail("no back-only TD1 in 30 seeds")


def test_visas_and_french_cards_fill_only_what_they_show() -> None:
    v = generate("MRVA", 1, "clean").truth
    assert v["document_code"] == "V" and v["place_of_birth"] == "" and v["issue_date"]
    assert v["issuing_country"] != v["nationality"]
    for seed in range(5):  # seeds 1 and 4 show both sides
        d = generate("FRID", seed, "hard")
        t = d.truth
        assert t["issuing_country"] == "FRA" and t["nationality"] == "FRA"
        assert (t["expiry_date"] != "") == (d.meta["sides"] == "both")


def test_language_selects_the_labels() -> None:
    d = generate("TD3", 4, "clean", language="de")
    assert d.meta["label_languages"][0] == "de"
    d = generate("TD2", 4, "clean", language="pt")
    assert d.meta["label_languages"][0] == "pt"


def test_bad_arguments_are_refused() -> None:
    with pytest.raises(ValueError):
        generate("TD4", 1)
    with pytest.raises(ValueError):
        generate("TD3", 1, "fax")
    with pytest.raises(ValueError):
        generate("TD3", -1)
    with pytest.raises(ValueError):
        generate("TD3", 1, language="xx")


def test_cli_writes_images_and_truth(tmp_path: Path) -> None:
    assert cli_main([str(tmp_path), "--n", "2", "--condition", "hard", "--seed", "1", "--quiet"]) == 0
    images = sorted(tmp_path.glob("*.jpg"))
    assert [p.name for p in images] == ["0000_td3_hard.jpg", "0001_td1_hard.jpg"]
    truth = json.loads(images[1].with_suffix(".json").read_text(encoding="utf-8"))
    assert truth["format"] == "TD1" and set(FIELD_KEYS) <= set(truth)
    assert truth["meta"]["condition"] == "hard" and truth["meta"]["seed"] == set_seed(1, 1)
    assert images[1].read_bytes() == generate("TD1", set_seed(1, 1), "hard").encoded
    assert cli_main([str(tmp_path / "c"), "--n", "1", "--condition", "clean", "--quiet"]) == 0
    assert (tmp_path / "c" / "0000_td3_clean.png").is_file()
