"""The public face of the generator: :func:`generate`, :func:`generate_set`, the result type.

Randomness is split by purpose, each stream seeded from ``(seed, format, purpose)``: the
person, the document's look and how its MRZ is printed (:mod:`look`) depend only on the
seed and the format, the capture on the condition too. So ``generate("TD3", 7, "clean")`` and ``generate("TD3", 7, "phone")`` show
the same passport, once flat and once photographed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

import cv2
import numpy as np
import numpy.typing as npt

from desktop_app.core.mrz import MrzData, compose_mrz
from tests.synth import degrade, layouts, look, scene
from tests.synth.identity import FORMATS, Identity, make_identity

CONDITIONS: Final = degrade.CONDITIONS
GENERATOR_VERSION: Final = 2
"""Bumped whenever the same (format, seed, condition) would render differently."""

_PURPOSE: Final = {"identity": 1, "layout": 2, "plan": 3, "capture": 4, "print": 5}
_CONDITION_ID: Final = {c: i + 1 for i, c in enumerate(CONDITIONS)}

Box = tuple[int, int, int, int]
Quad = tuple[tuple[float, float], tuple[float, float], tuple[float, float], tuple[float, float]]


@dataclass(frozen=True)
class SyntheticDocument:
    """One rendered document and everything known about it.

    ``truth`` holds the contract's field values for what a perfect reader of this image
    returns: names as printed in the visual zone when it is in the image (national
    characters kept), as in the MRZ otherwise; dates ISO ``YYYY-MM-DD``; a visual-zone-only
    field that is not in the image (the back of a card that was not rendered, a visa's
    place of birth) is ``""``. Plus ``format`` and ``mrz_lines``.
    """

    image: npt.NDArray[np.uint8]
    """BGR, uint8 (OpenCV's order)."""
    truth: dict[str, Any]
    condition: str
    seed: int
    boxes: dict[str, Box]
    """Axis-aligned pixel boxes ``(x0, y0, x1, y1)`` of each MRZ line (``mrz_line_1`` ..),
    the whole MRZ (``mrz``), the printed values of the visual zone (by truth key),
    ``photo``, and ``page`` (the page, card side or sticker's page that carries the MRZ)."""
    quads: dict[str, Quad] = field(default_factory=dict)
    """The same boxes as the four transformed corners (top-left, top-right, bottom-right,
    bottom-left of the printed box), before clipping to the image."""
    occluded: tuple[str, ...] = ()
    """Keys of ``boxes`` that something (a finger, a pen, a note) covers by more than 25%."""
    meta: dict[str, Any] = field(default_factory=dict)
    """How it was made: sides shown, resolution, capture parameters, printed strings."""
    encoded: bytes | None = None
    """The JPEG file the condition produced (``image`` is its decoding); None if lossless."""

    @property
    def format(self) -> str:
        return str(self.truth["format"])

    @property
    def file_extension(self) -> str:
        return ".jpg" if self.encoded is not None else ".png"

    def file_bytes(self) -> bytes:
        """The image file: the condition's JPEG as made, or a PNG for lossless ones."""
        if self.encoded is not None:
            return self.encoded
        ok, buf = cv2.imencode(".png", self.image, [cv2.IMWRITE_PNG_COMPRESSION, 3])
        if not ok:
            raise RuntimeError("PNG encoding failed")
        return bytes(buf.tobytes())

    def truth_json(self) -> dict[str, Any]:
        """The truth file's content: the truth fields, and ``meta`` with boxes and the rest."""
        h, w = self.image.shape[:2]
        meta = {
            "generator": f"tests.synth {GENERATOR_VERSION}",
            "condition": self.condition,
            "seed": self.seed,
            "image_size": [w, h],
            "boxes": {k: list(v) for k, v in self.boxes.items()},
            "quads": {k: [[round(x, 1), round(y, 1)] for x, y in q] for k, q in self.quads.items()},
            "occluded": list(self.occluded),
            **self.meta,
        }
        return {**self.truth, "meta": meta}

    def save(self, folder: str | Path, name: str) -> tuple[Path, Path]:
        """Write ``name.jpg`` (or ``.png``) and ``name.json`` into ``folder``."""
        out = Path(folder)
        out.mkdir(parents=True, exist_ok=True)
        image_path = out / f"{name}{self.file_extension}"
        json_path = out / f"{name}.json"
        image_path.write_bytes(self.file_bytes())
        json_path.write_text(
            json.dumps(self.truth_json(), ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
        )
        return image_path, json_path


def _rng(seed: int, fmt: str, purpose: str, condition: str | None = None) -> np.random.Generator:
    if seed < 0:
        raise ValueError("seed must be >= 0")
    words = [seed & 0xFFFFFFFF, (seed >> 32) & 0xFFFFFFFF, FORMATS.index(fmt) + 1, _PURPOSE[purpose]]
    if condition is not None:
        words.append(_CONDITION_ID[condition])
    return np.random.default_rng(np.random.SeedSequence(words))


def _yymmdd(d: Any) -> str:
    return f"{d.year % 100:02d}{d.month:02d}{d.day:02d}"


def mrz_data(ident: Identity) -> MrzData:
    """The composer's input for ``ident`` (names already transliterated)."""
    fmt = ident.format
    optional = ident.personal_number if fmt == "TD3" else ident.optional_data
    optional_2 = ident.personal_number if fmt == "TD1" else ""
    return MrzData(
        format=fmt,  # type: ignore[arg-type]
        document_code=ident.document_code,
        issuing_country=ident.issuer.code,
        surname=ident.surname_mrz,
        given_names=ident.given_names_mrz,
        document_number=ident.document_number,
        nationality=ident.nationality.code,
        birth_date=_yymmdd(ident.birth_date),
        sex=ident.sex,
        expiry_date=_yymmdd(ident.expiry_date),
        optional_data=optional,
        optional_data_2=optional_2,
    )


def mrz_names(fmt: str, lines: tuple[str, ...]) -> tuple[str, str]:
    """Surname and given names as the MRZ spells them (fillers as spaces, truncation kept)."""

    def words(text: str) -> str:
        return " ".join(p for p in text.split("<") if p)

    if fmt == "FRID":
        return words(lines[0][5:30]), words(lines[1][13:27])
    field_ = lines[2] if fmt == "TD1" else lines[0][5:]
    surname, _, given = field_.partition("<<")
    return words(surname), words(given)


def _truth(ident: Identity, mrz: tuple[str, ...], flat: layouts.Flat) -> dict[str, Any]:
    fmt = ident.format
    visible = flat.visible
    mrz_surname, mrz_given = mrz_names(fmt, mrz)

    def viz(key: str, value: str) -> str:
        return value if key in visible else ""

    expiry = ident.expiry_date.isoformat()
    if fmt == "FRID" and "expiry_date" not in visible:
        expiry = ""  # the old French card's MRZ has no expiry date; it is on the back
    return {
        "format": fmt,
        "document_code": ident.document_code,
        "issuing_country": ident.issuer.code,
        "surname": ident.surname if "surname" in visible else mrz_surname,
        "given_names": ident.given_names if "given_names" in visible else mrz_given,
        "document_number": ident.document_number,
        "nationality": ident.nationality.code,
        "birth_date": ident.birth_date.isoformat(),
        "sex": ident.sex,
        "expiry_date": expiry,
        "personal_number": ident.personal_number,
        "optional_data": ident.optional_data,
        "place_of_birth": viz("place_of_birth", ident.place_of_birth),
        "issue_date": viz("issue_date", ident.issue_date.isoformat()),
        "authority": viz("authority", ident.authority),
        "mrz_lines": list(mrz),
    }


def _boxes(
    flat: layouts.Flat, hom: npt.NDArray[np.float64], size: tuple[int, int]
) -> tuple[dict[str, Box], dict[str, Quad]]:
    w, h = size
    boxes: dict[str, Box] = {}
    quads: dict[str, Quad] = {}
    for key, (x0, y0, x1, y1) in flat.boxes.items():
        pts = scene.transform(np.array([[x0, y0], [x1, y0], [x1, y1], [x0, y1]], np.float64), hom)
        quads[key] = tuple((float(px), float(py)) for px, py in pts)  # type: ignore[assignment]
        bx0 = int(np.clip(np.floor(pts[:, 0].min()), 0, w))
        by0 = int(np.clip(np.floor(pts[:, 1].min()), 0, h))
        bx1 = int(np.clip(np.ceil(pts[:, 0].max()), 0, w))
        by1 = int(np.clip(np.ceil(pts[:, 1].max()), 0, h))
        boxes[key] = (bx0, by0, bx1, by1)
    return boxes, quads


def generate(
    format: str,
    seed: int,
    condition: str = "clean",
    *,
    language: str | None = None,
    nominal_print: bool = False,
) -> SyntheticDocument:
    """Render one fictional document of ``format`` under ``condition``, fixed by ``seed``.

    ``format`` is one of TD3, TD1, TD2, MRVA, MRVB, FRID; ``condition`` one of
    :data:`CONDITIONS`; ``language`` (en, fr, de, es, it, pt, nl) forces the label language
    and picks an issuing state that speaks it where there is one. ``nominal_print`` draws
    the MRZ as the font draws it, near-black on the ICAO clear area, instead of the
    document's own print (:mod:`look`): for tests of something other than reading it.
    The person, numbers, truth and capture are the same either way.
    """
    if format not in FORMATS:
        raise ValueError(f"unknown format {format!r}; expected one of {FORMATS}")
    if condition not in CONDITIONS:
        raise ValueError(f"unknown condition {condition!r}; expected one of {CONDITIONS}")
    ident = make_identity(_rng(seed, format, "identity"), format, language)
    mrz = compose_mrz(mrz_data(ident))
    plan = degrade.plan(condition, format, _rng(seed, format, "plan", condition))
    printed = look.pick_look(_rng(seed, format, "print"), ident.issuer.name)
    if nominal_print:
        printed = look.plain()
    flat = layouts.render(ident, mrz, plan.ppm, _rng(seed, format, "layout"), plan.sides, printed)
    cap = degrade.capture(flat, plan, _rng(seed, format, "capture", condition))
    h, w = cap.image.shape[:2]
    boxes, quads = _boxes(flat, cap.homography, (w, h))
    mrz_surname, mrz_given = mrz_names(format, mrz)
    meta: dict[str, Any] = {
        "sides": flat.sides,
        "language": ident.language,
        "label_languages": list(ident.label_languages),
        "date_style": ident.date_style,
        "flat_px_per_mm": round(plan.ppm, 3),
        "capture": cap.params,
        "printed": dict(flat.printed),
        "mrz_names": {"surname": mrz_surname, "given_names": mrz_given},
        "homography": [[round(float(v), 6) for v in row] for row in cap.homography],
        "mrz_print": look.describe(printed),
    }
    return SyntheticDocument(
        image=cap.image,
        truth=_truth(ident, mrz, flat),
        condition=condition,
        seed=seed,
        boxes=boxes,
        quads=quads,
        occluded=tuple(cap.occluded),
        meta=meta,
        encoded=cap.encoded,
    )


def set_seed(seed: int, index: int) -> int:
    """The seed of document ``index`` of ``generate_set(..., seed=seed)``."""
    return seed * 1_000_000 + index


def generate_set(
    condition: str, n: int, seed: int = 0, *, language: str | None = None
) -> list[SyntheticDocument]:
    """``n`` documents cycling through every format (TD3, TD1, TD2, MRVA, MRVB, FRID, TD3 ...).

    Document ``i`` is ``generate(FORMATS[i % 6], set_seed(seed, i), condition)``.
    """
    return [
        generate(FORMATS[i % len(FORMATS)], set_seed(seed, i), condition, language=language) for i in range(n)
    ]
