"""Flat renderings of each document format, laid out in ICAO millimetres.

Each ``render_*`` function draws one document (one or two sides) at ``ppm`` pixels per
millimetre and returns a :class:`Flat`: the RGB image, the pixel box of each field it
printed, a mask of where the document is (cards have rounded corners; two sides leave a
gap), which truth fields can be read in its visual zone, and the printed strings.

Sizes (ICAO 9303 parts 4-7): TD3 page 125 x 88 mm, TD1 85.6 x 54 mm, TD2 and the French
card 105 x 74 mm, MRV-A 80 x 120 mm, MRV-B 74 x 105 mm (both laid on a 125 x 88 mm
passport page). The MRZ is OCR-B at 2.54 mm per character and 4.23 mm per line, centred
across the width, its last line about 6 mm above the bottom edge.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
import numpy.typing as npt

from tests.synth import art
from tests.synth.art import RGB
from tests.synth.art import Image as Array
from tests.synth.i18n import format_date, label, title
from tests.synth.identity import Identity
from tests.synth.look import Look, MrzGround
from tests.synth.look import plain as plain_look
from tests.synth.sheet import MRZ_PITCH_MM, FloatBox, Sheet

TD3_SIZE = (125.0, 88.0)
TD1_SIZE = (85.6, 54.0)
TD2_SIZE = (105.0, 74.0)
MRVA_SIZE = (120.0, 80.0)
MRVB_SIZE = (105.0, 74.0)
CARD_RADIUS_MM = 3.18
GAP_MM = 8.0


@dataclass
class Flat:
    image: Array
    """RGB, uint8."""
    mask: npt.NDArray[np.uint8]
    """255 where the document is, 0 elsewhere (rounded corners, the gap between sides)."""
    boxes: dict[str, FloatBox]
    visible: frozenset[str]
    """Truth keys printed in the visual zone of this image."""
    printed: dict[str, str]
    """Truth key -> the string as printed in the visual zone."""
    sides: str
    """"page", "back", "front", "both", "booklet"."""


@dataclass(frozen=True)
class Style:
    tint: tuple[RGB, RGB]
    ink: RGB
    """Colour of labels and artwork."""
    value_ink: RGB
    value_font: str
    label_font: str
    numbered: bool


def pick_style(rng: np.random.Generator) -> Style:
    tint = art.PAPER_TINTS[int(rng.integers(len(art.PAPER_TINTS)))]
    ink = art.INKS[int(rng.integers(len(art.INKS)))]
    value_ink = ((20, 20, 28), (18, 24, 52), (30, 30, 30))[int(rng.integers(3))]
    value_font = ("sans", "bold", "cond", "sans")[int(rng.integers(4))]
    label_font = ("sans", "cond")[int(rng.integers(2))]
    return Style(tint, ink, value_ink, value_font, label_font, bool(rng.random() < 0.35))


def _background(
    sheet: Sheet,
    rng: np.random.Generator,
    st: Style,
    *,
    clear_from: float | None,
    ground: MrzGround | None = None,
) -> None:
    # How many random numbers the print takes depends on the resolution: a child generator
    # keeps the rest of the document (face, style, numbers) the same at every resolution.
    rng = rng.spawn(1)[0]
    img = art.paper(rng, sheet.width, sheet.height, st.tint)
    faint = art.mix(st.tint[0], st.ink, 0.22)
    art.guilloche_waves(img, rng, faint, spacing=sheet.px(rng.uniform(0.9, 1.6)))
    for _ in range(int(rng.integers(1, 4))):
        cx = rng.uniform(0.15, 0.85) * sheet.width
        cy = rng.uniform(0.2, 0.7) * sheet.height
        r = sheet.px(rng.uniform(10, 24))
        art.guilloche_rosette(img, rng, (cx, cy), r, art.mix(st.tint[1], st.ink, 0.3))
    art.microprint_band(img, round(sheet.px(1.5)), art.mix(st.tint[0], st.ink, 0.5), sheet.px(0.5))
    if clear_from is not None:
        # The clear area of the MRZ: ICAO asks for a background that does not interfere
        # with reading, so security print is often faint there; on many documents it is not.
        clear = ground.clear if ground is not None else 0.65
        y0 = round(sheet.px(clear_from))
        ramp = max(1, round(sheet.px(2.5)))
        ya = max(0, y0 - ramp)
        t = np.clip((np.arange(ya, sheet.height, dtype=np.float32) - ya) / ramp, 0, 1) * clear
        band = img[ya:].astype(np.float32)
        img[ya:] = np.clip(band * (1 - t[:, None, None]) + 255 * t[:, None, None], 0, 255).astype(np.uint8)
        if ground is not None:
            _under_mrz(sheet, img, ground, clear_from, st)
    sheet.img = img


def _under_mrz(sheet: Sheet, img: Array, g: MrzGround, top_mm: float, st: Style) -> None:
    """What the document prints under its MRZ: a band, fine security print, watermark text."""
    rng = np.random.default_rng([g.seed, 1])
    y0 = round(sheet.px(top_mm + rng.uniform(-1.5, 1.0)))
    y1 = round(sheet.px(sheet.h_mm - rng.uniform(0.0, 2.5)))
    if g.band is not None:
        art.tint_band(img, y0, y1, g.band, g.band_to, sheet.px(0.6))
    art.fine_pattern(img, rng, g.pattern, y0, sheet.height, g.pattern_ink, g.pattern_alpha, sheet.ppm)
    if g.watermark:
        colour = art.mix(st.tint[0], st.ink, 0.8)
        art.watermark(img, rng, g.watermark, y0, sheet.height, colour, g.watermark_alpha, sheet.ppm)
    art.paper_grain(img, rng, g.grain, g.fibres, sheet.ppm)


def _overprint(sheet: Sheet, g: MrzGround) -> None:
    """What covers the printed page, MRZ included: a holographic laminate, a stamp."""
    rng = np.random.default_rng([g.seed, 2])
    if g.laminate > 0:
        art.iridescent(sheet.img, rng, g.laminate)
    if g.stamp:
        art.stamp(sheet.img, rng, g.stamp, g.stamp_ink, g.stamp_alpha, sheet.ppm)


def _rounded_mask(h: int, w: int, r: float) -> npt.NDArray[np.uint8]:
    m = np.zeros((h, w), np.uint8)
    ri = max(1, round(r))
    cv2.rectangle(m, (ri, 0), (w - 1 - ri, h - 1), 255, -1)
    cv2.rectangle(m, (0, ri), (w - 1, h - 1 - ri), 255, -1)
    for cx, cy in ((ri, ri), (w - 1 - ri, ri), (ri, h - 1 - ri), (w - 1 - ri, h - 1 - ri)):
        cv2.circle(m, (cx, cy), ri, (255,), -1, cv2.LINE_AA)
    return m


MmBox = tuple[float, float, float, float]
"""(x, y, width, height) in millimetres."""


def _photo(sheet: Sheet, rng: np.random.Generator, box: MmBox, *, gray: bool) -> Array:
    x, y, w, h = box
    x0, y0, x1, y1 = sheet.rect_px(x, y, x + w, y + h)
    face = art.portrait(rng, x1 - x0, y1 - y0, gray=gray)
    if gray:
        # laser-engraved photos sit on the card's security print
        under = sheet.img[y0:y1, x0:x1].astype(np.float32)
        sheet.img[y0:y1, x0:x1] = np.clip(under * face.astype(np.float32) / 255.0, 0, 255).astype(np.uint8)
    else:
        sheet.img[y0:y1, x0:x1] = face
    sheet.boxes["photo"] = (float(x0), float(y0), float(x1), float(y1))
    return face


def _ghost(sheet: Sheet, face: Array, box: MmBox, ink: RGB) -> None:
    x, y, w, h = box
    x0, y0, x1, y1 = sheet.rect_px(x, y, x + w, y + h)
    patch, alpha = art.ghost(face, x1 - x0, y1 - y0, ink)
    art.blend(sheet.img, patch, alpha, x0, y0)


class _Fields:
    """Label-above-value fields of one sheet, in one style and set of label languages."""

    def __init__(
        self, sheet: Sheet, st: Style, ident: Identity, *, label_cap: float, value_cap: float, gap: float
    ):
        self.s = sheet
        self.st = st
        self.ident = ident
        self.label_cap = label_cap
        self.value_cap = value_cap
        self.gap = gap
        self.number = 0
        self.printed: dict[str, str] = {}

    def label(self, x: float, y: float, key: str, max_w: float) -> None:
        langs = self.ident.label_languages
        text = label(key, langs)
        if (
            len(langs) > 2
            and self.s.width_mm(text, font=self.st.label_font, cap=self.label_cap) > max_w * 1.2
        ):
            text = label(key, langs[:2])  # three languages would not fit: drop the last
        if self.st.numbered:
            self.number += 1
            text = f"{self.number}. {text}"
        self.s.text(x, y, text, font=self.st.label_font, cap=self.label_cap, fill=self.st.ink, max_w=max_w)

    def field(
        self, x: float, y: float, label_key: str, value: str, *, max_w: float, key: str | None = None
    ) -> None:
        """Label with its baseline at y, the value ``gap`` mm below it."""
        self.label(x, y, label_key, max_w)
        self.s.text(
            x,
            y + self.gap,
            value,
            font=self.st.value_font,
            cap=self.value_cap,
            fill=self.st.value_ink,
            max_w=max_w,
            key=key,
        )
        if key is not None:
            self.printed[key] = value


def _date(ident: Identity, d: object) -> str:
    import datetime as dt

    assert isinstance(d, dt.date)
    return format_date(d, ident.date_style, ident.language)


def _nationality_text(ident: Identity, rng: np.random.Generator) -> str:
    return ident.nationality.code if rng.random() < 0.25 else ident.nationality.nationality


def _mrz_x0(w_mm: float, n: int) -> float:
    return (w_mm - n * MRZ_PITCH_MM) / 2.0


def _header(
    sheet: Sheet, st: Style, ident: Identity, kind: str, *, x: float, y: float, max_w: float, cap: float
) -> None:
    sheet.text(x, y, ident.issuer.name, font="bold", cap=cap, fill=st.ink, max_w=max_w)
    sheet.text(
        x,
        y + cap * 1.9,
        title(kind, ident.label_languages),
        font="serif",
        cap=cap * 0.95,
        fill=st.ink,
        max_w=max_w,
    )


# --- TD3 ---------------------------------------------------------------------------------


def _td3_page(
    ident: Identity, mrz: tuple[str, ...], ppm: float, rng: np.random.Generator, st: Style, look: Look
) -> tuple[Sheet, dict[str, str]]:
    w, h = TD3_SIZE
    s = Sheet(w, h, ppm)
    mrz_last = h - 6.0
    _background(s, rng, st, clear_from=mrz_last - 4.23 - 4.2, ground=look.ground)
    art.emblem(s.img, rng, s.px(115.0), s.px(9.0), s.px(5.0), color=art.mix(st.tint[1], st.ink, 0.7))
    face = _photo(s, rng, (6.0, 16.0, 35.0, 45.0), gray=rng.random() < 0.3)
    _ghost(s, face, (101.0, 42.0, 16.0, 20.0), st.ink)
    s.begin_text()
    _header(s, st, ident, "passport", x=6.0, y=7.0, max_w=100.0, cap=2.2)
    f = _Fields(s, st, ident, label_cap=1.15, value_cap=2.2, gap=3.3)
    x = 45.0
    f.field(x, 17.0, "type", ident.document_code, max_w=13, key="document_code")
    f.field(x + 14, 17.0, "code", ident.issuer.code, max_w=22, key="issuing_country")
    f.field(x + 38, 17.0, "passport_no", ident.document_number, max_w=36, key="document_number")
    f.field(x, 24.0, "surname", ident.surname, max_w=74, key="surname")
    f.field(x, 31.0, "given_names", ident.given_names, max_w=74, key="given_names")
    f.field(x, 38.0, "nationality", _nationality_text(ident, rng), max_w=44, key="nationality")
    if ident.personal_number:
        f.field(x + 46, 38.0, "personal_number", ident.personal_number, max_w=30, key="personal_number")
    f.field(x, 45.0, "birth_date", _date(ident, ident.birth_date), max_w=44, key="birth_date")
    f.field(x + 46, 45.0, "sex", ident.sex, max_w=20, key="sex")
    f.field(x, 52.0, "place_of_birth", ident.place_of_birth, max_w=74, key="place_of_birth")
    f.field(x, 59.0, "issue_date", _date(ident, ident.issue_date), max_w=36, key="issue_date")
    f.field(x + 38, 59.0, "authority", ident.authority, max_w=38, key="authority")
    f.field(x, 66.0, "expiry_date", _date(ident, ident.expiry_date), max_w=36, key="expiry_date")
    f.label(x + 38, 66.0, "signature", 38)
    s.mrz(mrz, x0=_mrz_x0(w, len(mrz[0])), last_centre=mrz_last, style=look.mrz)
    s.end_text()
    _overprint(s, look.ground)
    art.signature(s.img, rng, (s.px(x + 40), s.px(66.3), s.px(30), s.px(5.5)), (30, 40, 90))
    art.hologram(s.img, rng, s.px(38.0), s.px(56.0), s.px(7.0))
    return s, f.printed


def _booklet_top(ppm: float, rng: np.random.Generator, st: Style, ident: Identity) -> Sheet:
    """The facing page of an open booklet (above the data page): print, no data."""
    w, h = TD3_SIZE
    s = Sheet(w, h, ppm)
    _background(s, rng, st, clear_from=None)
    art.emblem(s.img, rng, s.px(w / 2), s.px(h * 0.45), s.px(14.0), color=art.mix(st.tint[0], st.ink, 0.35))
    s.begin_text()
    s.text(8.0, 12.0, title("passport", ident.label_languages), font="serif", cap=2.0, fill=st.ink, max_w=100)
    s.text(8.0, h - 10.0, ident.issuer.name, font="sans", cap=1.6, fill=st.ink, max_w=100)
    s.end_text()
    # the spine shadow at the fold
    ramp = np.linspace(0.82, 1.0, max(2, round(s.px(6.0))), dtype=np.float32)
    n = len(ramp)
    s.img[-n:] = np.clip(s.img[-n:].astype(np.float32) * ramp[::-1, None, None], 0, 255).astype(np.uint8)
    return s


def _stack(
    sheets: list[Sheet], radius_mm: float, gap_mm: float, fill: int = 255
) -> tuple[Array, npt.NDArray[np.uint8], list[tuple[int, int]]]:
    """Sheets one above the other, ``gap_mm`` apart; returns image, mask and the offsets."""
    ppm = sheets[0].ppm
    gap = round(gap_mm * ppm)
    width = max(s.width for s in sheets)
    height = sum(s.height for s in sheets) + gap * (len(sheets) - 1)
    img = np.full((height, width, 3), fill, np.uint8)
    mask = np.zeros((height, width), np.uint8)
    offsets: list[tuple[int, int]] = []
    y = 0
    for s in sheets:
        x = (width - s.width) // 2
        m = (
            _rounded_mask(s.height, s.width, radius_mm * ppm)
            if radius_mm > 0
            else np.full((s.height, s.width), 255, np.uint8)
        )
        np.copyto(img[y : y + s.height, x : x + s.width], s.img, where=(m > 0)[..., None])
        mask[y : y + s.height, x : x + s.width] = m
        offsets.append((x, y))
        y += s.height + gap
    return img, mask, offsets


def _shift(boxes: dict[str, FloatBox], dx: float, dy: float, prefix: str = "") -> dict[str, FloatBox]:
    return {prefix + k: (b[0] + dx, b[1] + dy, b[2] + dx, b[3] + dy) for k, b in boxes.items()}


def render_td3(
    ident: Identity,
    mrz: tuple[str, ...],
    ppm: float,
    rng: np.random.Generator,
    *,
    booklet: bool = False,
    look: Look | None = None,
) -> Flat:
    look = look or plain_look()
    st = pick_style(rng)
    page, printed = _td3_page(ident, mrz, ppm, rng, st, look)
    page.boxes["page"] = (0.0, 0.0, float(page.width), float(page.height))
    if not booklet:
        mask = _rounded_mask(page.height, page.width, 2.0 * ppm)
        img = page.img.copy()
        np.copyto(img, np.uint8(255), where=(mask == 0)[..., None])
        return Flat(img, mask, dict(page.boxes), frozenset(printed), printed, "page")
    top = _booklet_top(ppm, rng, st, ident)
    img, mask, offs = _stack([top, page], 2.0, 0.0)
    return Flat(img, mask, _shift(page.boxes, *offs[1]), frozenset(printed), printed, "booklet")


# --- TD1 ---------------------------------------------------------------------------------


def _td1_front(
    ident: Identity, ppm: float, rng: np.random.Generator, st: Style
) -> tuple[Sheet, dict[str, str]]:
    w, h = TD1_SIZE
    s = Sheet(w, h, ppm)
    _background(s, rng, st, clear_from=None)
    art.emblem(s.img, rng, s.px(7.0), s.px(6.0), s.px(3.4), color=st.ink)
    face = _photo(s, rng, (3.5, 12.0, 22.0, 28.5), gray=rng.random() < 0.7)
    art.chip(s.img, s.px(5.0), s.px(42.5), s.px(10.0), s.px(8.0))
    _ghost(s, face, (70.0, 41.0, 10.0, 12.0), st.ink)
    s.begin_text()
    kind = "id" if ident.document_code in ("ID", "I") else "permit"
    _header(s, st, ident, kind, x=13.0, y=5.0, max_w=70.0, cap=1.6)
    f = _Fields(s, st, ident, label_cap=0.95, value_cap=1.75, gap=2.6)
    x = 28.0
    f.field(x, 13.5, "surname", ident.surname, max_w=54, key="surname")
    f.field(x, 19.3, "given_names", ident.given_names, max_w=54, key="given_names")
    f.field(x, 25.1, "birth_date", _date(ident, ident.birth_date), max_w=25, key="birth_date")
    f.field(x + 27, 25.1, "sex", ident.sex, max_w=8, key="sex")
    f.field(x + 36, 25.1, "nationality", _nationality_text(ident, rng), max_w=19, key="nationality")
    f.field(x, 30.9, "place_of_birth", ident.place_of_birth, max_w=54, key="place_of_birth")
    no_key = "card_no" if kind == "id" else "document_no"
    f.field(x, 36.7, no_key, ident.document_number, max_w=25, key="document_number")
    f.field(x + 27, 36.7, "expiry_date", _date(ident, ident.expiry_date), max_w=27, key="expiry_date")
    f.label(x, 42.7, "signature", 36)
    s.end_text()
    art.signature(s.img, rng, (s.px(x + 1), s.px(43.5), s.px(30), s.px(6.5)), (30, 40, 90))
    art.hologram(s.img, rng, s.px(23.0), s.px(38.0), s.px(5.0))
    return s, f.printed


def _td1_back(
    ident: Identity, mrz: tuple[str, ...], ppm: float, rng: np.random.Generator, st: Style, look: Look
) -> tuple[Sheet, dict[str, str]]:
    w, h = TD1_SIZE
    s = Sheet(w, h, ppm)
    mrz_last = h - 5.2
    _background(s, rng, st, clear_from=mrz_last - 2 * 4.23 - 3.8, ground=look.ground)
    art.emblem(s.img, rng, s.px(74.0), s.px(20.0), s.px(6.0), color=art.mix(st.tint[0], st.ink, 0.4))
    s.begin_text()
    f = _Fields(s, st, ident, label_cap=0.95, value_cap=1.75, gap=2.6)
    f.field(4.0, 5.0, "issue_date", _date(ident, ident.issue_date), max_w=26, key="issue_date")
    f.field(33.0, 5.0, "authority", ident.authority, max_w=48, key="authority")
    f.label(4.0, 11.5, "address", 40)
    s.text(
        4.0, 14.1, ident.extras.get("address", ""), font=st.value_font, cap=1.6, fill=st.value_ink, max_w=50
    )
    s.text(4.0, 16.7, ident.extras.get("city", ""), font=st.value_font, cap=1.6, fill=st.value_ink, max_w=50)
    f.field(4.0, 22.5, "height", ident.extras.get("height", ""), max_w=26)
    s.mrz(mrz, x0=_mrz_x0(w, len(mrz[0])), last_centre=mrz_last, style=look.mrz)
    s.end_text()
    _overprint(s, look.ground)
    return s, f.printed


def render_td1(
    ident: Identity,
    mrz: tuple[str, ...],
    ppm: float,
    rng: np.random.Generator,
    *,
    both_sides: bool = False,
    look: Look | None = None,
) -> Flat:
    look = look or plain_look()
    st = pick_style(rng)
    front, printed_front = _td1_front(ident, ppm, rng, st)
    back, printed_back = _td1_back(ident, mrz, ppm, rng, st, look)
    back.boxes["page"] = (0.0, 0.0, float(back.width), float(back.height))
    if not both_sides:
        img, mask, _ = _stack([back], CARD_RADIUS_MM, 0.0)
        return Flat(img, mask, dict(back.boxes), frozenset(printed_back), printed_back, "back")
    front.boxes["front"] = (0.0, 0.0, float(front.width), float(front.height))
    img, mask, offs = _stack([front, back], CARD_RADIUS_MM, GAP_MM)
    boxes = _shift(front.boxes, *offs[0])
    photo = boxes.pop("photo")
    boxes.update(_shift(back.boxes, *offs[1]))
    boxes["photo"] = photo
    printed = {**printed_front, **printed_back}
    return Flat(img, mask, boxes, frozenset(printed), printed, "both")


# --- TD2 ---------------------------------------------------------------------------------


def render_td2(
    ident: Identity, mrz: tuple[str, ...], ppm: float, rng: np.random.Generator, *, look: Look | None = None
) -> Flat:
    look = look or plain_look()
    st = pick_style(rng)
    w, h = TD2_SIZE
    s = Sheet(w, h, ppm)
    mrz_last = h - 5.5
    _background(s, rng, st, clear_from=mrz_last - 4.23 - 4.0, ground=look.ground)
    art.emblem(s.img, rng, s.px(96.0), s.px(7.5), s.px(4.2), color=st.ink)
    face = _photo(s, rng, (4.0, 14.0, 26.0, 33.0), gray=rng.random() < 0.4)
    _ghost(s, face, (88.0, 44.0, 11.0, 13.0), st.ink)
    s.begin_text()
    kind = "id" if ident.document_code in ("ID", "I") else "permit"
    _header(s, st, ident, kind, x=4.0, y=5.5, max_w=84.0, cap=1.9)
    f = _Fields(s, st, ident, label_cap=1.05, value_cap=2.0, gap=3.0)
    x = 34.0
    f.field(x, 15.0, "surname", ident.surname, max_w=67, key="surname")
    f.field(x, 21.6, "given_names", ident.given_names, max_w=67, key="given_names")
    f.field(x, 28.2, "nationality", _nationality_text(ident, rng), max_w=32, key="nationality")
    f.field(x + 34, 28.2, "sex", ident.sex, max_w=12, key="sex")
    f.field(x, 34.8, "birth_date", _date(ident, ident.birth_date), max_w=32, key="birth_date")
    f.field(x + 34, 34.8, "place_of_birth", ident.place_of_birth, max_w=33, key="place_of_birth")
    f.field(x, 41.4, "document_no", ident.document_number, max_w=32, key="document_number")
    f.field(x + 34, 41.4, "expiry_date", _date(ident, ident.expiry_date), max_w=20, key="expiry_date")
    f.field(x, 48.0, "issue_date", _date(ident, ident.issue_date), max_w=32, key="issue_date")
    f.field(x + 34, 48.0, "authority", ident.authority, max_w=20, key="authority")
    f.label(4.0, 50.5, "signature", 26)
    s.mrz(mrz, x0=_mrz_x0(w, len(mrz[0])), last_centre=mrz_last, style=look.mrz)
    s.end_text()
    _overprint(s, look.ground)
    art.signature(s.img, rng, (s.px(5.0), s.px(51.0), s.px(24.0), s.px(5.5)), (30, 40, 90))
    art.hologram(s.img, rng, s.px(28.0), s.px(44.0), s.px(6.0))
    s.boxes["page"] = (0.0, 0.0, float(s.width), float(s.height))
    img, mask, _ = _stack([s], CARD_RADIUS_MM, 0.0)
    return Flat(img, mask, dict(s.boxes), frozenset(f.printed), f.printed, "page")


# --- French identity card (1995-2021) --------------------------------------------------------

_FR_BLUE: RGB = (30, 50, 120)


def _inline(
    s: Sheet,
    x: float,
    y: float,
    lab: str,
    value: str,
    *,
    key: str | None,
    max_w: float,
    printed: dict[str, str],
) -> float:
    """ "Label : VALUE" on one line, as the old French card prints it; returns where it ends (mm)."""
    lb = s.text(x, y, lab, font="sans", cap=1.2, fill=_FR_BLUE)
    vx = lb[2] / s.ppm + 1.2
    vb = s.text(
        vx, y, value, font="bold", cap=2.0, fill=(25, 25, 30), max_w=max(5.0, max_w - (vx - x)), key=key
    )
    if key is not None:
        printed[key] = value
    return vb[2] / s.ppm


def _frid_front(
    ident: Identity, mrz: tuple[str, ...], ppm: float, rng: np.random.Generator, look: Look
) -> tuple[Sheet, dict[str, str]]:
    w, h = TD2_SIZE
    s = Sheet(w, h, ppm)
    st = Style(((236, 232, 244), (246, 232, 236)), (120, 110, 170), (25, 25, 30), "bold", "sans", False)
    mrz_last = h - 5.5
    _background(s, rng, st, clear_from=mrz_last - 4.23 - 4.0, ground=look.ground)
    # Marianne stands in as a large faint profile; here an ellipse and "RF" do.
    art.profile(s.img, s.px(80.0), s.px(38.0), s.px(20.0), art.mix(st.tint[0], st.ink, 0.18))
    _photo(s, rng, (4.5, 16.0, 26.0, 33.0), gray=False)
    printed: dict[str, str] = {}
    s.begin_text()
    s.text(4.5, 6.0, "RÉPUBLIQUE FRANÇAISE", font="bold", cap=2.0, fill=_FR_BLUE)
    s.text(88.0, 7.0, "RF", font="serif", cap=4.0, fill=art.mix(st.tint[0], _FR_BLUE, 0.35))
    lb = s.text(4.5, 11.5, "CARTE NATIONALE D'IDENTITÉ N° :", font="sans", cap=1.3, fill=_FR_BLUE)
    s.text(
        lb[2] / ppm + 1.5,
        11.5,
        ident.document_number,
        font="bold",
        cap=2.0,
        fill=(25, 25, 30),
        key="document_number",
    )
    printed["document_number"] = ident.document_number
    s.text(60.0, 15.5, "Nationalité Française", font="sans", cap=1.4, fill=_FR_BLUE, key="nationality")
    printed["nationality"] = "Française"
    x = 34.0
    _inline(s, x, 22.0, "Nom :", ident.surname, key="surname", max_w=67, printed=printed)
    _inline(
        s,
        x,
        28.0,
        "Prénom(s) :",
        ident.given_names.replace(" ", ", "),
        key="given_names",
        max_w=67,
        printed=printed,
    )
    end = _inline(s, x, 34.0, "Sexe :", ident.sex, key="sex", max_w=20, printed=printed)
    _inline(
        s,
        max(end + 4.0, x + 14.0),
        34.0,
        "Né(e) le :",
        _date(ident, ident.birth_date),
        key="birth_date",
        max_w=45,
        printed=printed,
    )
    _inline(s, x, 40.0, "à :", ident.place_of_birth, key="place_of_birth", max_w=67, printed=printed)
    _inline(s, x, 46.0, "Taille :", ident.extras.get("height", ""), key=None, max_w=30, printed=printed)
    s.text(x + 28, 46.0, "Signature du titulaire :", font="sans", cap=1.1, fill=_FR_BLUE)
    s.mrz(mrz, x0=_mrz_x0(w, len(mrz[0])), last_centre=mrz_last, style=look.mrz)
    s.end_text()
    _overprint(s, look.ground)
    art.signature(s.img, rng, (s.px(x + 30), s.px(47.0), s.px(32.0), s.px(7.0)), (30, 40, 90))
    return s, printed


def _frid_back(ident: Identity, ppm: float, rng: np.random.Generator) -> tuple[Sheet, dict[str, str]]:
    w, h = TD2_SIZE
    s = Sheet(w, h, ppm)
    st = Style(((244, 236, 232), (232, 240, 246)), (130, 110, 150), (25, 25, 30), "bold", "sans", False)
    _background(s, rng, st, clear_from=None)
    # the prefecture's round stamp
    cx, cy, r = s.px(82.0), s.px(52.0), s.px(11.0)
    stamp = (70, 80, 160)
    cv2.circle(s.img, (round(cx), round(cy)), round(r), stamp, max(1, round(ppm * 0.4)), cv2.LINE_AA)
    cv2.circle(s.img, (round(cx), round(cy)), round(r * 0.7), stamp, max(1, round(ppm * 0.25)), cv2.LINE_AA)
    printed: dict[str, str] = {}
    s.begin_text()
    s.text(6.0, 9.0, "Adresse :", font="sans", cap=1.3, fill=_FR_BLUE)
    s.text(8.0, 14.0, ident.extras.get("address", ""), font="bold", cap=2.0, fill=(25, 25, 30), max_w=90)
    s.text(8.0, 19.0, ident.extras.get("city", ""), font="bold", cap=2.0, fill=(25, 25, 30), max_w=90)
    _inline(
        s,
        6.0,
        30.0,
        "Carte valable jusqu'au :",
        _date(ident, ident.expiry_date),
        key="expiry_date",
        max_w=90,
        printed=printed,
    )
    _inline(
        s,
        6.0,
        37.0,
        "délivrée le :",
        _date(ident, ident.issue_date),
        key="issue_date",
        max_w=90,
        printed=printed,
    )
    _inline(s, 6.0, 44.0, "par :", ident.authority, key="authority", max_w=62, printed=printed)
    s.text(6.0, 52.0, "Signature de l'autorité :", font="sans", cap=1.1, fill=_FR_BLUE)
    s.text(cx / ppm - 7.0, cy / ppm + 0.8, "PRÉFECTURE", font="sans", cap=1.0, fill=stamp)
    s.end_text()
    art.signature(s.img, rng, (s.px(10.0), s.px(54.0), s.px(40.0), s.px(8.0)), (30, 40, 90))
    return s, printed


def render_frid(
    ident: Identity,
    mrz: tuple[str, ...],
    ppm: float,
    rng: np.random.Generator,
    *,
    both_sides: bool = False,
    look: Look | None = None,
) -> Flat:
    look = look or plain_look()
    front, printed = _frid_front(ident, mrz, ppm, rng, look)
    front.boxes["page"] = (0.0, 0.0, float(front.width), float(front.height))
    if not both_sides:
        img, mask, _ = _stack([front], CARD_RADIUS_MM, 0.0)
        return Flat(img, mask, dict(front.boxes), frozenset(printed), printed, "front")
    back, printed_back = _frid_back(ident, ppm, rng)
    back.boxes["back"] = (0.0, 0.0, float(back.width), float(back.height))
    img, mask, offs = _stack([front, back], CARD_RADIUS_MM, GAP_MM)
    boxes = _shift(front.boxes, *offs[0])
    boxes.update(_shift(back.boxes, *offs[1]))
    printed.update(printed_back)
    return Flat(img, mask, boxes, frozenset(printed), printed, "both")


# --- visas ------------------------------------------------------------------------------------


def _visa_sticker(
    ident: Identity,
    mrz: tuple[str, ...],
    ppm: float,
    rng: np.random.Generator,
    size: tuple[float, float],
    look: Look,
) -> tuple[Sheet, dict[str, str]]:
    w, h = size
    big = w > 110
    s = Sheet(w, h, ppm)
    st = pick_style(rng)
    mrz_last = h - 5.5
    _background(s, rng, st, clear_from=mrz_last - 4.23 - 4.0, ground=look.ground)
    # coloured band under the title
    y0, y1 = round(s.px(1.5)), round(s.px(9.5))
    band = s.img[y0:y1].astype(np.float32)
    s.img[y0:y1] = np.clip(
        band * 0.7 + np.array(art.mix(st.tint[1], st.ink, 0.35), np.float32) * 0.3, 0, 255
    ).astype(np.uint8)
    pw, ph = (28.0, 36.0) if big else (24.0, 31.0)
    _photo(s, rng, (3.0, 12.0, pw, ph), gray=False)
    art.hologram(s.img, rng, s.px(3.0 + pw), s.px(12.0 + ph * 0.8), s.px(8.0))
    s.begin_text()
    tb = s.text(3.0, 7.5, title("visa", (ident.language,)), font="serif", cap=4.0, fill=st.ink)
    nx = tb[2] / ppm + 3.0
    s.text(nx, 7.0, ident.issuer.name, font="bold", cap=1.7, fill=st.ink, max_w=w - 30.0 - nx)
    red: RGB = (180, 30, 40)
    s.text(
        w - 27.0, 7.5, ident.document_number, font="bold", cap=2.6, fill=red, max_w=25, key="document_number"
    )
    f = _Fields(s, st, ident, label_cap=1.0, value_cap=2.0, gap=2.9)
    printed = f.printed
    printed["document_number"] = ident.document_number
    x = 3.0 + pw + 3.0
    avail = w - x - 3.0
    step = 6.9 if big else 6.3
    y = 13.5
    valid_from = ident.issue_date
    col2, col3 = x + avail * 0.46, x + avail * 0.74
    f.field(x, y, "visa_valid_for", ident.extras.get("visa_valid_for", ""), max_w=avail * 0.44)
    f.label(col2, y, "visa_from", avail * 0.26)
    s.text(
        col2,
        y + f.gap,
        _date(ident, valid_from),
        font=st.value_font,
        cap=f.value_cap,
        fill=st.value_ink,
        max_w=avail * 0.26,
    )
    f.field(col3, y, "visa_until", _date(ident, ident.expiry_date), max_w=avail * 0.26, key="expiry_date")
    y += step
    f.field(x, y, "visa_type", ident.extras.get("visa_type", ""), max_w=avail * 0.3)
    f.field(x + avail * 0.32, y, "visa_entries", ident.extras.get("visa_entries", ""), max_w=avail * 0.32)
    f.field(x + avail * 0.66, y, "visa_duration", ident.extras.get("visa_duration", ""), max_w=avail * 0.34)
    y += step
    f.field(x, y, "visa_issued_in", ident.authority, max_w=avail * 0.56, key="authority")
    f.field(
        x + avail * 0.6, y, "visa_on", _date(ident, ident.issue_date), max_w=avail * 0.4, key="issue_date"
    )
    y += step
    f.field(x, y, "passport_no", ident.extras.get("passport_number", ""), max_w=avail * 0.5)
    y += step
    f.label(x, y, "visa_name", avail)
    sb = s.text(
        x,
        y + f.gap,
        ident.surname,
        font=st.value_font,
        cap=f.value_cap,
        fill=st.value_ink,
        max_w=avail * 0.6,
        key="surname",
    )
    cb = s.text(sb[2] / ppm + 0.1, y + f.gap, ",", font=st.value_font, cap=f.value_cap, fill=st.value_ink)
    gx = cb[2] / ppm + 1.2
    s.text(
        gx,
        y + f.gap,
        ident.given_names,
        font=st.value_font,
        cap=f.value_cap,
        fill=st.value_ink,
        max_w=max(5.0, x + avail - gx),
        key="given_names",
    )
    printed["surname"] = ident.surname
    printed["given_names"] = ident.given_names
    y += step
    f.field(x, y, "visa_remarks", ident.extras.get("visa_remarks", ""), max_w=avail)
    s.mrz(mrz, x0=_mrz_x0(w, len(mrz[0])), last_centre=mrz_last, style=look.mrz)
    s.end_text()
    _overprint(s, look.ground)
    return s, printed


def render_visa(
    ident: Identity,
    mrz: tuple[str, ...],
    ppm: float,
    rng: np.random.Generator,
    *,
    booklet: bool = False,
    look: Look | None = None,
) -> Flat:
    look = look or plain_look()
    size = MRVA_SIZE if ident.format == "MRVA" else MRVB_SIZE
    sticker, printed = _visa_sticker(ident, mrz, ppm, rng, size, look)
    pw, ph = TD3_SIZE
    page = Sheet(pw, ph, ppm)
    pst = pick_style(rng)
    _background(page, rng, pst, clear_from=None)
    page.begin_text()
    top = 4.0 if ident.format == "MRVA" else 6.0  # MRV-A leaves only a thin strip above it
    cap = 1.5 if ident.format == "MRVA" else 2.0
    page.text(pw - 10.0, top, str(int(rng.integers(3, 33))), font="sans", cap=cap, fill=pst.ink)
    page.text(6.0, top, "VISAS", font="serif", cap=cap, fill=art.mix(pst.tint[0], pst.ink, 0.5))
    page.end_text()
    # MRV-A nearly fills the page; MRV-B sits with its MRZ where a passport's would be.
    sx = (pw - size[0]) / 2.0 + rng.uniform(-1.0, 1.0)
    sy = ph - size[1] - (2.5 if ident.format == "MRVA" else 5.0) + rng.uniform(-0.8, 0.8)
    x0, y0 = round(sx * ppm), round(sy * ppm)
    m = _rounded_mask(sticker.height, sticker.width, 1.0 * ppm)
    shadow = cv2.GaussianBlur(m.astype(np.float32) / 255.0, (0, 0), max(0.6, ppm * 0.25))
    region = page.img[y0 : y0 + sticker.height, x0 : x0 + sticker.width].astype(np.float32)
    region *= (1.0 - 0.12 * shadow)[..., None]
    np.copyto(region, sticker.img.astype(np.float32), where=(m > 0)[..., None])
    page.img[y0 : y0 + sticker.height, x0 : x0 + sticker.width] = np.clip(region, 0, 255).astype(np.uint8)
    boxes = _shift(sticker.boxes, x0, y0)
    boxes["sticker"] = (float(x0), float(y0), float(x0 + sticker.width), float(y0 + sticker.height))
    page.boxes = boxes
    page.boxes["page"] = (0.0, 0.0, float(page.width), float(page.height))
    if not booklet:
        mask = _rounded_mask(page.height, page.width, 2.0 * ppm)
        img = page.img.copy()
        np.copyto(img, np.uint8(255), where=(mask == 0)[..., None])
        return Flat(img, mask, dict(page.boxes), frozenset(printed), printed, "page")
    facing = _booklet_top(ppm, rng, pst, ident)
    img, mask, offs = _stack([facing, page], 2.0, 0.0)
    return Flat(img, mask, _shift(page.boxes, *offs[1]), frozenset(printed), printed, "booklet")


def physical_size_mm(fmt: str, sides: str) -> tuple[float, float]:
    """Width and height in mm of what :func:`render` draws for ``fmt`` and ``sides``."""
    if fmt in ("TD3", "MRVA", "MRVB"):
        w, h = TD3_SIZE
        return (w, 2 * h) if sides == "booklet" else (w, h)
    w, h = TD1_SIZE if fmt == "TD1" else TD2_SIZE
    return (w, 2 * h + GAP_MM) if sides == "both" else (w, h)


def render(
    ident: Identity,
    mrz: tuple[str, ...],
    ppm: float,
    rng: np.random.Generator,
    sides: str,
    look: Look | None = None,
) -> Flat:
    """Render ``ident`` with ``sides`` ("page", "booklet", "back", "front" or "both").

    ``look`` is how the MRZ is printed and what lies under and over it (default: the
    nominal print on the ICAO clear area).
    """
    fmt = ident.format
    if fmt == "TD3":
        return render_td3(ident, mrz, ppm, rng, booklet=sides == "booklet", look=look)
    if fmt == "TD1":
        return render_td1(ident, mrz, ppm, rng, both_sides=sides == "both", look=look)
    if fmt == "TD2":
        return render_td2(ident, mrz, ppm, rng, look=look)
    if fmt == "FRID":
        return render_frid(ident, mrz, ppm, rng, both_sides=sides == "both", look=look)
    return render_visa(ident, mrz, ppm, rng, booklet=sides == "booklet", look=look)
