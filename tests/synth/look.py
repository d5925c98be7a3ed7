"""How one document's machine readable zone is printed, and what lies under and over it.

Real MRZs are not the font file drawn in black on white. Issuers print OCR-B with inkjet,
laser engraving or offset at their own weight and spacing; the zone sits on guilloche,
tinted bands, rainbow-printed or iridescent ink, watermark text and paper fibres, and a
laminate or stamp may cross it. :func:`pick_look` draws all of that for one document from
its own random stream (``generate`` seeds it from the seed and the format only), so the
same passport looks the same under every capture condition.

What varies, per document (ranges as drawn):

=================  ==================================================================
stroke weight      0.7-1.6 x OCR-B's 0.35 mm stroke (thin inkjet to bold engraving);
                   about 1 document in 6 below 0.85, 1 in 5 above 1.3
character pitch    0.95-1.04 x 2.54 mm; each character then off its place by a
                   Gaussian 0-0.035 pitch (clipped at 2.5 sd); later lines shifted by
                   up to 0.25 pitch against the first
line pitch         0.95-1.06 x 4.23 mm
glyph size         cap height 0.9-1.08 x nominal; width 0.9-1.1 x the height
                   (compressed to stretched)
baseline           per-character jitter 0-0.035 cap height (sd); the block turned by up
                   to 0.25 degree and shifted up to 1.0 mm across, 0.5 mm up or down
ink                near black, blue-black, brown-black or grey (luminance 15-115);
                   density 0.82-1.0 with a 0-25 % slow fade along the lines
under the MRZ      the ICAO clear area (security print whitened 45-70 %), a faint one
                   (15-45 %) or none (0-15 %); a tinted or gradient band (pale 195-230
                   or mid-tone 160-195 luminance, with the ink kept dark enough for at
                   least 110 levels of contrast); extra fine lines, waves or a rosette
                   under the characters, sometimes in the ink's own hue; faint
                   watermark text; paper grain and fibres
over the MRZ       an iridescent laminate (rainbow tint, 6-22 %), a "SPECIMEN"-type
                   stamp (the MRZ stays readable under it)
=================  ==================================================================
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tests.synth.art import RGB

STAMP_WORDS = ("SPECIMEN", "MUSTER", "MUESTRA", "SPÉCIMEN", "CAMPIONE", "ESPÉCIME", "VZOR", "MODEL")


@dataclass(frozen=True)
class MrzPrint:
    """How the MRZ characters are printed."""

    weight: float
    """Stroke width relative to OCR-B's nominal stroke (0.35 mm at 2.54 mm pitch)."""
    pitch: float
    """Character pitch relative to 2.54 mm."""
    line_pitch: float
    """Line pitch relative to 4.23 mm."""
    scale: float
    """Cap height relative to the nominal OCR-B at 2.54 mm pitch."""
    stretch: float
    """Glyph width relative to the font's (at the same height)."""
    spacing_jitter: float
    """Standard deviation of each character's horizontal offset, in pitches."""
    baseline_jitter: float
    """Standard deviation of each character's vertical offset, in cap heights."""
    line_shift: float
    """Horizontal offset of each line after the first, in pitches (alternating sign)."""
    skew_deg: float
    shift_mm: tuple[float, float]
    ink: RGB
    density: float
    """Peak ink coverage, 0-1."""
    fade: float
    """Depth of a slow density fade along the lines, 0-1."""
    seed: int
    """Seeds the per-character offsets (drawn when the lines are known)."""


@dataclass(frozen=True)
class MrzGround:
    """What is printed under and over the MRZ."""

    clear: float
    """How much the page's security print is whitened in the MRZ area (0 none, 0.7 most)."""
    band: RGB | None
    """A tinted band behind the MRZ (multiplied onto the paper), or None."""
    band_to: RGB | None
    """The band's colour at the other end (a gradient), or None for a plain band."""
    pattern: str
    """"none", "lines", "waves" or "rosette": extra security print under the characters."""
    pattern_ink: RGB
    pattern_alpha: float
    watermark: str
    """Faint text printed under the MRZ area ("" for none)."""
    watermark_alpha: float
    grain: float
    """Paper grain amplitude in grey levels."""
    fibres: int
    """Coloured fibres per 100 cm^2."""
    laminate: float
    """Strength of an iridescent laminate over the page (0 none)."""
    stamp: str
    """A specimen-type stamp word crossing the page ("" for none)."""
    stamp_ink: RGB
    stamp_alpha: float
    seed: int


@dataclass(frozen=True)
class Look:
    mrz: MrzPrint
    ground: MrzGround


def _lum(c: RGB) -> float:
    return 0.299 * c[0] + 0.587 * c[1] + 0.114 * c[2]


_INK_HUES: tuple[tuple[float, float, float], ...] = (
    (1, 1, 1),  # neutral
    (0.92, 0.95, 1.12),  # blue-black
    (1.1, 1.0, 0.9),  # brown-black
    (1, 1, 1.04),
)
_BANDS: tuple[RGB, ...] = (
    (250, 222, 190),  # pale orange
    (205, 222, 245),  # pale blue
    (212, 238, 212),  # pale green
    (232, 214, 240),  # lilac
    (226, 226, 226),  # grey
    (246, 232, 200),  # beige
    (245, 210, 220),  # pink
)


def pick_print(rng: np.random.Generator) -> MrzPrint:
    r = rng.random()
    if r < 0.17:
        weight = rng.uniform(0.7, 0.85)
    elif r < 0.8:
        weight = rng.uniform(0.85, 1.3)
    else:
        weight = rng.uniform(1.3, 1.6)
    pitch = rng.uniform(0.95, 1.04)
    line_pitch = rng.uniform(0.95, 1.06)
    scale = rng.uniform(0.9, 1.08)
    stretch = rng.uniform(0.9, 1.1)
    spacing_jitter = rng.uniform(0.0, 0.035) if rng.random() < 0.6 else rng.uniform(0.0, 0.012)
    baseline_jitter = rng.uniform(0.0, 0.035) if rng.random() < 0.5 else rng.uniform(0.0, 0.01)
    line_shift = rng.uniform(-0.25, 0.25) if rng.random() < 0.4 else 0.0
    skew = rng.uniform(-0.25, 0.25) if rng.random() < 0.4 else 0.0
    shift = (rng.uniform(-1.0, 1.0), rng.uniform(-0.5, 0.5))
    hue = _INK_HUES[int(rng.integers(len(_INK_HUES)))]
    r = rng.random()
    lum = rng.uniform(15, 40) if r < 0.6 else (rng.uniform(40, 80) if r < 0.85 else rng.uniform(80, 115))
    ink = tuple(int(np.clip(lum * h, 0, 255)) for h in hue)
    density = rng.uniform(0.82, 1.0)
    fade = rng.uniform(0.0, 0.25) if rng.random() < 0.4 else 0.0
    return MrzPrint(
        weight=float(weight),
        pitch=float(pitch),
        line_pitch=float(line_pitch),
        scale=float(scale),
        stretch=float(stretch),
        spacing_jitter=float(spacing_jitter),
        baseline_jitter=float(baseline_jitter),
        line_shift=float(line_shift),
        skew_deg=float(skew),
        shift_mm=(float(shift[0]), float(shift[1])),
        ink=(ink[0], ink[1], ink[2]),
        density=float(density),
        fade=float(fade),
        seed=int(rng.integers(2**31)),
    )


def pick_ground(rng: np.random.Generator, ink: RGB, issuer_name: str) -> tuple[MrzGround, RGB]:
    """The ground under the MRZ, and the ink adjusted so it keeps enough contrast."""
    r = rng.random()
    clear = rng.uniform(0.45, 0.7) if r < 0.4 else (rng.uniform(0.15, 0.45) if r < 0.75 else rng.uniform(0.0, 0.15))
    band: RGB | None = None
    band_to: RGB | None = None
    r = rng.random()
    if r < 0.35:
        base = _BANDS[int(rng.integers(len(_BANDS)))]
        # pale (luminance 195-230) or, 1 in 4, mid-tone (160-195)
        target = rng.uniform(160, 195) if rng.random() < 0.25 else rng.uniform(195, 230)
        k = target / max(_lum(base), 1.0)
        band = _scaled(base, k)
        if rng.random() < 0.45:
            other = _BANDS[int(rng.integers(len(_BANDS)))]
            band_to = _scaled(other, target / max(_lum(other), 1.0))
    pattern = ("none", "lines", "waves", "rosette")[int(rng.choice(4, p=[0.35, 0.2, 0.3, 0.15]))]
    similar = rng.random() < 0.2
    if similar:  # security print in the ink's own hue, but light
        pattern_ink = ink
        pattern_alpha = rng.uniform(0.12, 0.25)
    else:
        pattern_ink = _BANDS[int(rng.integers(len(_BANDS)))]
        pattern_ink = _scaled(pattern_ink, rng.uniform(0.45, 0.75))
        pattern_alpha = rng.uniform(0.25, 0.6)
    watermark = ""
    if rng.random() < 0.3:
        watermark = issuer_name.rsplit(" ", maxsplit=1)[-1] if rng.random() < 0.6 else issuer_name
    watermark_alpha = rng.uniform(0.06, 0.16)
    grain = rng.uniform(1.0, 6.0)
    fibres = int(rng.integers(0, 40)) if rng.random() < 0.4 else 0
    laminate = rng.uniform(0.06, 0.22) if rng.random() < 0.3 else 0.0
    stamp = ""
    if rng.random() < 0.2:
        stamp = STAMP_WORDS[int(rng.integers(len(STAMP_WORDS)))]
    stamp_ink: RGB = ((200, 40, 50), (150, 150, 150), (190, 60, 70))[int(rng.integers(3))]
    stamp_alpha = rng.uniform(0.18, 0.4)
    # Enough contrast: the darkest ground the band or the laminate makes, minus the ink
    # (multiplied onto it) keeps at least 110 grey levels.
    floor = _lum(band) if band is not None else 240.0
    if band_to is not None:
        floor = min(floor, _lum(band_to))
    floor *= 1.0 - 0.5 * laminate
    ink_lum = _lum(ink)
    printed = floor * ink_lum / 255.0
    if floor - printed < 110:
        k = max(0.0, (floor - 110) * 255.0 / max(floor, 1.0)) / max(ink_lum, 1.0)
        ink = _scaled(ink, k)
        printed = floor * _lum(ink) / 255.0
    # Security print under the characters stays under 45 % of the ink's contrast.
    line_contrast = pattern_alpha * max(1.0, floor - _lum(pattern_ink))
    pattern_alpha = min(pattern_alpha, pattern_alpha * 0.45 * (floor - printed) / line_contrast)
    return (
        MrzGround(
            clear=float(clear),
            band=band,
            band_to=band_to,
            pattern=pattern,
            pattern_ink=pattern_ink,
            pattern_alpha=float(pattern_alpha),
            watermark=watermark,
            watermark_alpha=float(watermark_alpha),
            grain=float(grain),
            fibres=fibres,
            laminate=float(laminate),
            stamp=stamp,
            stamp_ink=stamp_ink,
            stamp_alpha=float(stamp_alpha),
            seed=int(rng.integers(2**31)),
        ),
        ink,
    )


def _scaled(c: RGB, k: float) -> RGB:
    a = np.clip(np.asarray(c, np.float64) * k, 0, 255)
    return int(a[0]), int(a[1]), int(a[2])


def pick_look(rng: np.random.Generator, issuer_name: str) -> Look:
    """The MRZ print and ground of one document."""
    mrz = pick_print(rng)
    ground, ink = pick_ground(rng, mrz.ink, issuer_name)
    if ink != mrz.ink:
        mrz = MrzPrint(**{**mrz.__dict__, "ink": ink})
    return Look(mrz, ground)


def plain() -> Look:
    """The nominal print: OCR-B as the font draws it, near-black, on the ICAO clear area."""
    return Look(
        MrzPrint(1.0, 1.0, 1.0, 1.0, 1.0, 0.0, 0.0, 0.0, 0.0, (0.0, 0.0), (22, 22, 28), 1.0, 0.0, 0),
        MrzGround(0.65, None, None, "none", (0, 0, 0), 0.0, "", 0.0, 0.0, 0, 0.0, "", (0, 0, 0), 0.0, 0),
    )


def describe(lk: Look) -> dict[str, float | str | list[float] | list[int]]:
    """The look as plain JSON values (for the truth file's ``meta``)."""
    m, g = lk.mrz, lk.ground
    out: dict[str, float | str | list[float] | list[int]] = {
        "weight": round(m.weight, 3),
        "pitch": round(m.pitch, 4),
        "line_pitch": round(m.line_pitch, 4),
        "scale": round(m.scale, 3),
        "stretch": round(m.stretch, 3),
        "spacing_jitter": round(m.spacing_jitter, 4),
        "baseline_jitter": round(m.baseline_jitter, 4),
        "skew_deg": round(m.skew_deg, 3),
        "ink": list(m.ink),
        "density": round(m.density, 3),
        "fade": round(m.fade, 3),
        "clear": round(g.clear, 3),
        "band": list(g.band) if g.band is not None else [],
        "pattern": g.pattern,
        "watermark": g.watermark,
        "laminate": round(g.laminate, 3),
        "stamp": g.stamp,
    }
    return out
