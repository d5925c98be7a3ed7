"""The generator is as wide as reality: each variation really occurs, measured on the output.

Print (stroke weight, pitch, spacing, baseline, size, ink), the ground under the MRZ, the
capture (resolution, MRZ character height, JPEG quality, exposure), and the holders and
numbers. Every test here fails if its variation collapses to one value.
"""

from __future__ import annotations

import re
from dataclasses import replace
from functools import cache

import cv2
import numpy as np
import pytest

from desktop_app.core.mrz import compose_mrz
from tests.synth import FORMATS, SyntheticDocument, generate, generate_set, layouts, look, mrz_data
from tests.synth.generator import _rng
from tests.synth.identity import make_identity
from tests.synth.sheet import MRZ_PITCH_MM, mrz_layer

N = 24  # documents per condition in the spread tests


@cache
def docs(condition: str, n: int = N, seed: int = 5) -> list[SyntheticDocument]:
    return generate_set(condition, n, seed=seed)


def cap_heights(d: SyntheticDocument) -> list[float]:
    """The MRZ capitals' height in output pixels at both ends of every line (from the quads)."""
    out: list[float] = []
    for key, quad in d.quads.items():
        if key.startswith("mrz_line_"):
            q = np.array(quad)
            out += [float(np.hypot(*(q[3] - q[0]))), float(np.hypot(*(q[2] - q[1])))]
    return out


# --- print -----------------------------------------------------------------------------------

PPM = 12.0
PLAIN = look.plain().mrz


def _layer(text: str, **change: object) -> tuple[np.ndarray, list[tuple[float, float, float, float]]]:
    st = replace(PLAIN, **change)  # type: ignore[arg-type]
    layer = mrz_layer([text], PPM, 2.0, 8.0, st)
    return layer.alpha, layer.boxes


def _stems(alpha: np.ndarray) -> list[tuple[float, float, float, float]]:
    """(centre x, top, bottom, width at half height) of each separate glyph."""
    solid = (alpha > 0.5).astype(np.uint8)
    n, _, stats, cents = cv2.connectedComponentsWithStats(solid)
    out = []
    for i in range(1, n):
        x, y, w, h, area = stats[i]
        if area < 5:
            continue
        mid = y + h // 2
        out.append((float(cents[i][0]), float(y), float(y + h), float(alpha[mid, x : x + w].sum())))
    return sorted(out)


def test_stroke_weight_thins_and_thickens_the_strokes() -> None:
    widths = {}
    for weight in (0.7, 1.0, 1.6):
        alpha, _ = _layer("1111111111", weight=weight)
        widths[weight] = float(np.median([s[3] for s in _stems(alpha)]))
    nominal = 0.35 * PPM  # OCR-B's stroke: 0.35 mm
    assert widths[1.0] == pytest.approx(nominal, rel=0.2)
    assert widths[0.7] == pytest.approx(0.7 * nominal, rel=0.2)
    assert widths[1.6] == pytest.approx(1.6 * nominal, rel=0.2)
    assert widths[0.7] < widths[1.0] < widths[1.6]


def test_pitch_and_spacing_jitter_move_the_characters() -> None:
    pitches = {}
    for factor in (0.95, 1.04):
        alpha, _ = _layer("1111111111", pitch=factor)
        xs = [s[0] for s in _stems(alpha)]
        pitches[factor] = float(np.median(np.diff(xs)))
    assert pitches[0.95] == pytest.approx(0.95 * MRZ_PITCH_MM * PPM, rel=0.03)
    assert pitches[1.04] == pytest.approx(1.04 * MRZ_PITCH_MM * PPM, rel=0.03)
    even = np.diff([s[0] for s in _stems(_layer("1111111111")[0])])
    uneven = np.diff([s[0] for s in _stems(_layer("1111111111", spacing_jitter=0.035, seed=3)[0])])
    pitch = MRZ_PITCH_MM * PPM
    assert even.std() < 0.01 * pitch
    assert uneven.std() > 0.02 * pitch


def test_baseline_jitter_skew_scale_and_stretch_show_in_the_glyphs() -> None:
    def bottoms(**kw: object) -> np.ndarray:
        return np.array([s[2] for s in _stems(_layer("1111111111", **kw)[0])])

    assert np.ptp(bottoms()) <= 1
    assert np.ptp(bottoms(baseline_jitter=0.035, seed=4)) >= 2
    turned = np.array([s[2] for s in _stems(_layer("1" * 44, skew_deg=0.25)[0])])
    assert np.ptp(turned) >= 3  # 0.25 degree over a 44-character line
    _, tall = _layer("H", scale=1.08)
    _, short = _layer("H", scale=0.9)
    assert (tall[0][3] - tall[0][1]) / (short[0][3] - short[0][1]) == pytest.approx(1.2, rel=0.05)
    wide, _ = _layer("H", stretch=1.1)
    narrow, _ = _layer("H", stretch=0.9)
    width = [float((a > 0.5).any(axis=0).sum()) for a in (wide, narrow)]
    assert width[0] / width[1] == pytest.approx(1.1 / 0.9, rel=0.08)


def test_print_parameters_spread_over_documents() -> None:
    prints = [d.meta["mrz_print"] for c in ("clean", "phone") for d in docs(c)]
    weights = [p["weight"] for p in prints]
    assert min(weights) < 0.85 and max(weights) > 1.3
    assert min(p["pitch"] for p in prints) < 0.97 and max(p["pitch"] for p in prints) > 1.02
    assert min(p["scale"] for p in prints) < 0.94 and max(p["scale"] for p in prints) > 1.04
    assert min(p["stretch"] for p in prints) < 0.94 and max(p["stretch"] for p in prints) > 1.06
    lum = [0.299 * p["ink"][0] + 0.587 * p["ink"][1] + 0.114 * p["ink"][2] for p in prints]
    assert min(lum) < 35 and max(lum) > 75  # near-black to grey ink
    assert sum(p["spacing_jitter"] > 0.015 for p in prints) >= 5
    assert sum(p["baseline_jitter"] > 0.015 for p in prints) >= 5


def test_grounds_under_and_over_the_mrz_vary() -> None:
    prints = [d.meta["mrz_print"] for c in ("clean", "phone") for d in docs(c)]
    assert min(p["clear"] for p in prints) < 0.15 and max(p["clear"] for p in prints) > 0.45
    assert {p["pattern"] for p in prints} == {"none", "lines", "waves", "rosette"}
    assert sum(bool(p["band"]) for p in prints) >= 6
    assert sum(bool(p["watermark"]) for p in prints) >= 4
    assert sum(p["laminate"] > 0 for p in prints) >= 4
    assert sum(bool(p["stamp"]) for p in prints) >= 2


def _mrz_contrast(d: SyntheticDocument) -> float:
    gray = cv2.cvtColor(d.image, cv2.COLOR_BGR2GRAY).astype(np.float32)
    x0, y0, x1, y1 = d.boxes["mrz"]
    region = gray[y0:y1, x0:x1]
    return float(np.percentile(region, 90) - np.percentile(region, 3))


@pytest.mark.parametrize("condition", ["clean", "scanner"])
def test_clean_and_scanner_mrz_keep_a_legible_contrast(condition: str) -> None:
    contrasts = [_mrz_contrast(d) for d in docs(condition)]
    assert min(contrasts) > 80  # ink against its ground, grey levels
    assert max(contrasts) - min(contrasts) > 30  # but not all alike


def test_the_mrz_ground_is_not_always_white() -> None:
    grounds = []
    for d in docs("clean"):
        gray = cv2.cvtColor(d.image, cv2.COLOR_BGR2GRAY)
        x0, y0, x1, y1 = d.boxes["mrz"]
        grounds.append(float(np.percentile(gray[y0:y1, x0:x1], 90)))
    assert min(grounds) < 215 and max(grounds) > 240


# --- capture --------------------------------------------------------------------------------


def test_phone_and_hard_mrz_characters_reach_small_sizes() -> None:
    phone = [h for d in docs("phone") for h in cap_heights(d)]
    hard = [h for d in docs("hard") for h in cap_heights(d)]
    assert min(phone) < 10 and max(phone) > 20
    assert min(hard) < 8 and max(hard) < 16
    assert min(hard) > 4.5  # never below what a person can still read
    # about half of the hard set has capitals under 10 px
    assert 0.3 < np.mean([min(cap_heights(d)) < 10 for d in docs("hard")]) < 0.95


def test_scanner_resolutions_include_low_dpi() -> None:
    dpis = [d.meta["capture"]["dpi"] for d in docs("scanner")]
    assert min(dpis) <= 151 and max(dpis) >= 295
    assert len({round(x, -1) for x in dpis}) >= 3
    assert any(d.meta["capture"]["grey"] for d in docs("scanner"))


@pytest.mark.parametrize(
    ("condition", "low", "high"), [("scanner", 70, 85), ("phone", 60, 85), ("hard", 40, 55)]
)
def test_jpeg_quality_spreads_to_low(condition: str, low: int, high: int) -> None:
    q = [d.meta["capture"]["jpeg_quality"] for d in docs(condition)]
    assert min(q) < low and max(q) > high
    for d in docs(condition)[:4]:  # and the file really is a JPEG at about that quality
        assert d.encoded is not None and d.encoded[:2] == b"\xff\xd8"


def test_lower_jpeg_quality_makes_smaller_files() -> None:
    ds = sorted(docs("phone"), key=lambda d: d.meta["capture"]["jpeg_quality"])
    lo, hi = ds[0], ds[-1]
    assert lo.encoded is not None and hi.encoded is not None
    per_px = [len(d.encoded or b"") / d.image.size for d in (lo, hi)]
    assert per_px[0] < per_px[1]


def test_exposure_and_messenger_reencoding_vary() -> None:
    caps = [d.meta["capture"] for c in ("phone", "hard") for d in docs(c) if d.meta["capture"]["mode"] == "photo"]
    gains = [c["exposure_gain"] for c in caps]
    assert min(gains) < 0.86 and max(gains) > 1.14
    assert any(c["messenger_shrink"] < 1.0 for c in caps) and any(c["messenger_shrink"] == 1.0 for c in caps)
    blur = [c["blur_sigma"] / c["mrz_pitch_px"] for c in caps]
    assert min(blur) < 0.05 and max(blur) > 0.09


def test_hard_has_bad_photos_and_small_copies() -> None:
    modes = [d.meta["capture"]["mode"] for d in docs("hard")]
    assert 0.15 < modes.count("copy") / len(modes) < 0.6
    copies = [d for d in docs("hard") if d.meta["capture"]["mode"] == "copy"]
    assert all(max(d.image.shape[:2]) < 800 for d in copies)


def test_measured_ink_height_matches_the_line_boxes() -> None:
    """The boxes follow the print's size: the ink rows of a flat MRZ line fill its box."""
    for d in docs("clean"):
        gray = cv2.cvtColor(d.image, cv2.COLOR_BGR2GRAY).astype(np.float32)
        x0, y0, x1, y1 = d.boxes["mrz_line_2"]
        pad = round(0.3 * (y1 - y0))  # less than the gap to the line above
        region = gray[y0 - pad : y1 + pad, x0:x1]
        ground, ink = np.percentile(region, 90), np.percentile(region, 2)
        rows = np.nonzero(((region < ground - 0.6 * (ground - ink)).mean(axis=1)) > 0.05)[0]
        ink_h = rows[-1] - rows[0] + 1
        assert ink_h == pytest.approx(y1 - y0, abs=0.15 * (y1 - y0) + 2), (d.seed, ink_h, y1 - y0)


# --- holders and numbers --------------------------------------------------------------------


@cache
def identities(n: int = 600) -> list[tuple[str, tuple[str, ...], str]]:
    out = []
    for seed in range(n):
        fmt = FORMATS[seed % len(FORMATS)]
        ident = make_identity(np.random.default_rng([seed, 77]), fmt)
        out.append((fmt, compose_mrz(mrz_data(ident)), ident.document_number))
    return out


def _name_field(fmt: str, lines: tuple[str, ...]) -> str:
    if fmt == "FRID":
        return lines[0][5:30] + "<<" + lines[1][13:27]
    return lines[2] if fmt == "TD1" else lines[0][5:]


def test_names_stress_the_reader() -> None:
    fields = [_name_field(f, lines) for f, lines, _ in identities()]
    parts = [[p for p in re.split("<+", x) if p] for x in fields]
    assert sum(len(p) >= 4 for p in parts) >= 20  # many name parts
    assert sum(any(len(w) <= 2 for w in p) for p in parts) >= 20  # LI, XU, LE, EK ...
    tails = [re.search(r"<+$", x) for x in fields]
    assert sum(t is not None and len(t.group()) >= 25 for t in tails) >= 30  # long filler runs
    # letters a reader takes for a filler, at the end of a name part (before a filler)
    filler_like = sum(len(re.findall(r"[KCXEL]<", x)) for x in fields)
    assert filler_like >= 0.3 * len(fields)


def test_document_numbers_mix_look_alike_letters_and_digits() -> None:
    numbers = [n for _, _, n in identities()]
    mixed = [n for n in numbers if re.search(r"\d[OISBZG]|[OISBZG]\d", n)]
    assert len(mixed) > 0.1 * len(numbers)
    assert any("O" in n and "0" in n for n in numbers)
    assert any(re.search(r"[0-9][O][0-9]|[0-9]I[0-9]", n) for n in numbers)


# --- truth and determinism ------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_truth_is_the_identity_whatever_the_rendering(fmt: str) -> None:
    seed = 11
    d = generate(fmt, seed, "hard")
    ident = make_identity(_rng(seed, fmt, "identity"), fmt)
    assert d.truth["mrz_lines"] == list(compose_mrz(mrz_data(ident)))
    for c in ("clean", "scanner", "phone"):  # the visual-zone fields depend on the sides shown
        other = generate(fmt, seed, c).truth
        assert other["mrz_lines"] == d.truth["mrz_lines"]
        assert {k: other[k] for k in ("document_number", "birth_date", "sex", "nationality")} == {
            k: d.truth[k] for k in ("document_number", "birth_date", "sex", "nationality")
        }
    # the same document with the nominal print: the same printed values, boxes for the same fields
    mrz = tuple(d.truth["mrz_lines"])
    sides = d.meta["sides"]
    plain = layouts.render(ident, mrz, 8.0, _rng(seed, fmt, "layout"), sides, look.plain())
    varied = layouts.render(
        ident, mrz, 8.0, _rng(seed, fmt, "layout"), sides, look.pick_look(_rng(seed, fmt, "print"), ident.issuer.name)
    )
    assert plain.printed == varied.printed and set(plain.boxes) == set(varied.boxes)
    assert plain.image.tobytes() != varied.image.tobytes()


@pytest.mark.parametrize("condition", ["clean", "scanner", "phone", "hard"])
def test_same_seed_same_bytes_for_every_format(condition: str) -> None:
    first = [generate(f, 21, condition) for f in FORMATS]
    generate("TD3", 99, condition)  # warm caches in between: nothing global leaks into a render
    again = [generate(f, 21, condition) for f in reversed(FORMATS)][::-1]
    for a, b in zip(first, again, strict=True):
        assert a.file_bytes() == b.file_bytes()
        assert a.image.tobytes() == b.image.tobytes()
        assert a.truth_json() == b.truth_json()
    assert first[0].file_bytes() != generate("TD3", 22, condition).file_bytes()


def test_nominal_print_is_the_same_document_in_plain_ocr_b() -> None:
    varied = generate("TD3", 7, "clean")
    nominal = generate("TD3", 7, "clean", nominal_print=True)
    assert nominal.truth == varied.truth
    assert nominal.meta["mrz_print"]["weight"] == 1.0 and nominal.meta["mrz_print"]["pattern"] == "none"
    assert nominal.image.tobytes() != varied.image.tobytes()
    assert nominal.image.tobytes() == generate("TD3", 7, "clean", nominal_print=True).image.tobytes()
