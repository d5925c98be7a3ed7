"""The MRZ locator finds the band in any quarter turn, small skew included, and maps
its crops back onto the input image."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from desktop_app.core.imaging import geometry as geo
from desktop_app.core.imaging.mrz_locate import find_mrz, without_thin_lines
from desktop_app.core.resources import fonts_dir

LINES = ("P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<", "L898902C36UTO7408122F1204159ZE184226B<<<<<10")


def _page() -> tuple[np.ndarray, tuple[int, int, int, int]]:
    """A light page with a few labels and a two-line OCR-B MRZ near the bottom."""
    img = Image.new("L", (1500, 1050), 236)
    d = ImageDraw.Draw(img)
    ocrb = ImageFont.truetype(str(fonts_dir() / "OCRB.otf"), 34)
    label = ImageFont.truetype(str(fonts_dir() / "OCRB.otf"), 22)
    for i, t in enumerate(["PASSPORT", "Surname / Nom", "ERIKSSON", "Given names", "ANNA MARIA"]):
        d.text((520, 120 + 70 * i), t, font=label, fill=30)
    d.rectangle((80, 120, 420, 560), outline=60, width=4)
    d.text((70, 860), LINES[0], font=ocrb, fill=10)
    d.text((70, 920), LINES[1], font=ocrb, fill=10)
    arr = np.asarray(img)
    ys, xs = np.where(arr[820:1000] < 128)
    box = (int(xs.min()), int(ys.min()) + 820, int(xs.max()), int(ys.max()) + 820)
    return cv2.cvtColor(arr, cv2.COLOR_GRAY2BGR), box


@pytest.mark.parametrize("turns", [0, 1, 2, 3])
@pytest.mark.parametrize("skew", [0.0, 3.5])
def test_finds_band_in_every_orientation(turns: int, skew: float) -> None:
    page, _ = _page()
    img = np.ascontiguousarray(np.rot90(page, turns))
    if skew:
        h, w = img.shape[:2]
        m = cv2.getRotationMatrix2D((w / 2, h / 2), skew, 1.0)
        img = cv2.warpAffine(img, m, (w, h), borderValue=(236, 236, 236))
    cands = find_mrz(img)
    assert cands, "no MRZ found"
    best = cands[0]
    assert len(best.lines) == 2
    # np.rot90(img, k) shows it upright: undoing our turn takes (4 - turns) quarter turns.
    assert best.quarter_turns == (4 - turns) % 4
    assert abs(abs(best.angle_deg) - skew) < 1.0
    for ln in best.lines:
        h, w = ln.image.shape[:2]
        assert 45 <= h <= 70 and w > 15 * h  # a long, straightened line (1.3 cap heights of 40 px)
        # The crop is upright: text is darker in the middle rows than in the margins.
        rows = ln.image.mean(axis=1)
        assert rows[h // 2] < rows[2] and rows[h // 2] < rows[-3]


def test_crop_maps_back_onto_the_input_band() -> None:
    page, truth = _page()
    [best, *_] = find_mrz(page)
    x0, y0, x1, y1 = best.box
    tx0, ty0, tx1, ty1 = truth
    assert x0 <= tx0 + 5 and y0 <= ty0 + 5 and x1 >= tx1 - 5 and y1 >= ty1 - 5
    assert (x1 - x0) < 1.3 * (tx1 - tx0)
    first = best.lines[0]
    h = first.image.shape[0]
    mid_left = geo.apply(first.to_input, [(0, h / 2)])[0]
    assert abs(mid_left[1] - (ty0 + 20)) < 25


def test_flipped_reverses_lines_and_turns() -> None:
    page, _ = _page()
    [best, *_] = find_mrz(page)
    flipped = best.flipped()
    assert flipped.quarter_turns == (best.quarter_turns + 2) % 4
    assert np.array_equal(flipped.lines[0].image, best.lines[1].image[::-1, ::-1])
    # Same pixel of the input whichever way the crop is read.
    h, w = best.lines[0].image.shape[:2]
    a = geo.apply(best.lines[0].to_input, [(10, 10)])[0]
    b = geo.apply(flipped.lines[1].to_input, [(w - 1 - 10, h - 1 - 10)])[0]
    assert np.allclose(a, b, atol=1e-6)


def test_blank_and_noise_images_have_no_mrz() -> None:
    assert find_mrz(np.full((600, 800, 3), 255, np.uint8)) == []
    rng = np.random.default_rng(1)
    assert find_mrz(rng.integers(0, 255, (600, 800, 3), dtype=np.uint8)) == []


def test_band_touching_the_edge_is_reported() -> None:
    page, (_x0, _y0, _x1, y1) = _page()
    cut = page[: y1 + 4]  # bottom line's descenders at the border
    [best, *_] = find_mrz(cut)
    assert best.near_edge


def _guilloche_page() -> tuple[np.ndarray, tuple[int, int, int, int]]:
    """The page with fine wavy security lines printed across and around its MRZ, as many
    documents print them: the lines join every character of the band into one blob."""
    page, box = _page()
    xs = np.arange(page.shape[1])
    for i in range(60):
        ys = (830 + 3 * i + 14 * np.sin(xs / 23.0 + 0.7 * i)).astype(np.int32)
        cv2.polylines(page, [np.stack([xs, ys], 1).reshape(-1, 1, 2).astype(np.int32)], False, (40, 40, 40), 1)
    return page, box


def test_finds_band_printed_over_guilloche_lines() -> None:
    page, truth = _guilloche_page()
    cands = find_mrz(page)
    assert cands, "no MRZ found under the guilloche"
    best = cands[0]
    assert len(best.lines) == 2
    x0, y0, x1, y1 = best.box
    assert x0 <= truth[0] + 10 and x1 >= truth[2] - 10
    assert y0 <= truth[1] + 10 and y1 >= truth[3] - 10 and y1 - y0 < 3 * (truth[3] - truth[1])


def test_without_thin_lines_keeps_character_strokes() -> None:
    plain, truth = _page()
    page, _ = _guilloche_page()
    x0, y0, x1, y1 = truth
    band = slice(y0, y1), slice(x0, x1)
    gap = slice(y1 + 25, y1 + 40), slice(x0, x1)  # guilloche only, below the last line
    gray = cv2.cvtColor(page, cv2.COLOR_BGR2GRAY)
    cleaned = without_thin_lines(gray)
    strokes = cv2.cvtColor(plain, cv2.COLOR_BGR2GRAY)[band] < 128
    assert (gray[gap] < 128).mean() > 0.2  # the pattern is there
    assert (cleaned[gap] < 128).mean() < 0.01  # and gone
    assert (cleaned[band][strokes] < 128).mean() > 0.95  # the characters stay


def test_restretched_changes_only_the_width_and_keeps_centres_as_fractions() -> None:
    from desktop_app.core.imaging.mrz_locate import STRETCH, restretched

    crop = np.full((52, 1400), 230, np.uint8)
    crop[:, 415:425] = 20  # a stroke centred at 30% of the width
    out = restretched(crop, 1.2)
    assert out.shape == (52, round(1400 * 1.2 / STRETCH))
    dark = np.flatnonzero(out[26] < 128)
    assert abs((dark.mean() + 0.5) / out.shape[1] - 0.3) < 0.005
    assert restretched(crop, STRETCH) is crop


def _links_one_blob_at_a_time(comps: np.ndarray) -> np.ndarray:
    """The linking rule written the plain way, blob by blob (the oracle for ``_links``)."""
    x0, y0, w, h, _cx, cy = (comps[:, i] for i in range(6))
    n = len(comps)
    right, bottom = x0 + w, y0 + h
    nxt = np.full(n, -1)
    claimed = np.zeros(n, dtype=bool)
    for i in range(n):
        best, best_d = -1, np.inf
        for j in range(i + 1, n):
            if not (right[i] - 0.4 * h[i] <= x0[j] <= right[i] + 1.6 * h[i]) or claimed[j]:
                continue
            bigger = max(h[i], h[j])
            dcy = abs(cy[j] - cy[i])
            aligned = abs(bottom[j] - bottom[i]) <= 0.45 * bigger or dcy <= 0.35 * bigger
            if aligned and 0.3 <= h[j] / h[i] <= 3.3:
                d = (x0[j] - right[i]) + 2.0 * dcy
                if d < best_d:
                    best, best_d = j, d
        if best >= 0:
            nxt[i] = best
            claimed[best] = True
    return nxt


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_links_match_the_blob_by_blob_rule(seed: int) -> None:
    from desktop_app.core.imaging import mrz_locate

    rng = np.random.default_rng(seed)
    n = 600
    # Rows of character-like blobs with jitter, plus scattered noise blobs.
    xs = np.concatenate([np.arange(0, 1200, 22.0) + rng.normal(0, 3, 55) for _ in range(8)] + [rng.uniform(0, 1200, n - 440)])
    ys = np.concatenate([np.full(55, 40.0 * r) + rng.normal(0, 2, 55) for r in range(8)] + [rng.uniform(0, 320, n - 440)])
    hs = np.concatenate([rng.uniform(14, 20, 440), rng.uniform(5, 40, n - 440)])
    ws = hs * rng.uniform(0.3, 0.9, n)
    comps = np.stack([xs, ys, ws, hs, xs + ws / 2, ys + hs / 2], axis=1)
    comps = comps[np.argsort(comps[:, 0], kind="stable")]
    got = mrz_locate._links(comps[:, 0], comps[:, 1], comps[:, 2], comps[:, 3], comps[:, 5])
    assert (got == _links_one_blob_at_a_time(comps)).all()
    assert (got >= 0).sum() > 300  # the rows were linked


def test_links_in_slices_match_one_pass(monkeypatch: pytest.MonkeyPatch) -> None:
    from desktop_app.core.imaging import mrz_locate

    rng = np.random.default_rng(5)
    n = 400
    xs = np.sort(rng.uniform(0, 800, n))
    ys, hs = rng.uniform(0, 200, n), rng.uniform(8, 24, n)
    args = (xs, ys, hs * 0.6, hs, ys + hs / 2)
    whole = mrz_locate._links(*args)
    monkeypatch.setattr(mrz_locate, "MAX_LINK_PAIRS", 3)
    assert (mrz_locate._links(*args) == whole).all()
