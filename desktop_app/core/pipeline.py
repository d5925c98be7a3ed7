"""The reading pipeline: an image in, trusted fields out, MRZ first.

Stages, each timed, with a cancellation check between them:
  load     decode the input (every page of a TIFF or PDF)
  locate   find the MRZ band with OpenCV alone (milliseconds)
  mrz      recognise only the MRZ lines, restricted to the MRZ alphabet, parse and repair;
           the partial result goes to the progress callback at once (the GUI shows it)
  viz      turn the page upright, detect and read the visual zone, extract labelled
           fields and cross-check them against the MRZ
The recogniser reads only what is needed: 2-3 MRZ lines first (about 0.1 s), the page later.
"""

from __future__ import annotations

import logging
import math
import os
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Literal

import cv2
import numpy as np

from desktop_app.core.blas import limit_blas_threads
from desktop_app.core.desk.verdicts import needs_review_flag
from desktop_app.core.imaging import geometry as geo
from desktop_app.core.imaging.load import (
    ImageLoadError,
    Page,
    load_pages,
    load_pages_from_bytes,
    page_from_array,
)
from desktop_app.core.imaging.mrz_locate import (
    STRETCH,
    LineCrop,
    MrzCandidate,
    find_mrz,
    line_at_pitch,
    restretched,
)
from desktop_app.core.imaging.portrait import find_portrait
from desktop_app.core.imaging.quality import assess
from desktop_app.core.mrz import read_mrz
from desktop_app.core.mrz.ctc_decode import DecodedMrz, Opinion, decode_lines
from desktop_app.core.ocr.base import (
    MRZ_ALPHABET,
    DetectedText,
    Image,
    LineRecognizer,
    OcrEngine,
    OcrError,
    RecognizedLine,
    StepProbabilities,
)
from desktop_app.core.ocr.glyphs import GlyphClassifier, default_classifier
from desktop_app.core.types import Box, DocumentResult, Field, Flag, MrzReading, Portrait, TextLine
from desktop_app.core.viz import cross_check, extract_viz_fields
from desktop_app.core.viz.dates import prints_month_first
from desktop_app.core.viz.fragments import join_fragments
from desktop_app.core.viz.layout import infer_from_layout

log = logging.getLogger(__name__)

Stage = Literal["load", "locate", "mrz", "viz", "done"]
InputSource = str | Path | bytes | np.ndarray
SECOND_PX_PER_CHAR = 24
"""Character pitch (px, in the recogniser's 48 px frame, unstretched) at which PP-OCRv6
small reads MRZ lines best: 112/130 development-set lines exact against 104/130 at the
locator's own crop (bench/mrz_readers.py, 2026-12-02)."""
PRIMARY_STRETCH = 1.2
"""Width stretch of the MRZ line crops PP-OCRv4 reads (the locator cuts them at
:data:`~desktop_app.core.imaging.mrz_locate.STRETCH`, which the glyph classifier is trained
on). At the same cap height, 1.2 against the locator's 1.4 (bench/mrz_readers.py
``--stretches 1.4,1.2 --widths 40``, 2026-12-03): development set 106/130 lines exact both,
character errors 1.52% against 2.27%, ``<`` read as a letter 20 times against 46, documents
right after repairs 48/60 against 45/60; generated phone 28/65 against 27/65 lines; and the
lines are 14% narrower, so faster to read."""
CONFIDENT_READ = 0.85
"""Mean character confidence above which the first orientation tried is taken as right."""


@dataclass(frozen=True)
class ReaderSettings:
    """What the caller expects and allows. All optional."""

    read_visual_zone: bool = True
    formats: frozenset[str] | None = None
    """Expected MRZ formats ("TD1", "TD3", ...); others are flagged. None accepts all."""
    countries: frozenset[str] | None = None
    """Expected issuing states (ICAO codes); others are flagged. None accepts all."""
    threads: int = field(default_factory=lambda: max(1, os.cpu_count() or 1))
    expiry_warning_days: int = 90
    low_confidence: float = 0.6
    today: date | None = None
    """Fixed 'today' for reproducible runs; None means the real date."""
    second_recogniser: bool = True
    """Read the MRZ lines with PP-OCRv6 small (ONNX) as well, and multiply its per-character
    probabilities into PP-OCRv4's (off only to measure what it brings)."""
    glyph_second_opinion: bool = True
    """Fuse the OCR-B glyph classifier's reading of each MRZ character into the line
    recogniser's (off only to measure what it brings)."""
    blas_threads: int | None = 1
    """Threads numpy's own BLAS may use in this process once a reader is built (the
    models have their own pools; see :mod:`desktop_app.core.blas`); None leaves it."""


@dataclass(frozen=True)
class Progress:
    stage: Stage
    page: int | None
    result: DocumentResult | None = None
    """Partial result after "mrz", final result after "done"."""


class Cancelled(Exception):
    """The caller cancelled the read."""


class CancelToken:
    """Cooperative cancellation, checked between stages."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def cancel(self) -> None:
        self._event.set()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()

    def check(self) -> None:
        if self._event.is_set():
            raise Cancelled()


ProgressCallback = Callable[[Progress], None]


@dataclass(frozen=True)
class _MrzAttempt:
    candidate: MrzCandidate
    reading: MrzReading
    recognized: tuple[RecognizedLine, ...]
    raw_confidence: float
    """Mean confidence of the recogniser's own (unconstrained) reading of these crops: how
    legible the lines are at all, whatever decoding is then put on them. A format-bound
    decoding of an upside-down crop is still confident-looking garbage, so orientation and
    candidates are compared on this, never on the constrained confidences."""

    @property
    def confidence(self) -> float:
        return self.raw_confidence

    @property
    def checks_score(self) -> float:
        r = self.reading
        checks = sum(1 for s in r.checks.values() if s == "valid") - 2 * sum(1 for s in r.checks.values() if s == "invalid")
        return (10.0 if r.format else 0.0) + 2.0 * checks + (5.0 if r.valid else 0.0)

    @property
    def score(self) -> float:
        return self.checks_score + self.raw_confidence

    @property
    def rank(self) -> tuple[bool, float, int, float]:
        """Two readings of the same lines compared: verified first, then the check digits,
        then fewer fields in doubt (an unknown state code, a document code no document has,
        a name read at low confidence), then legibility."""
        doubtful = sum(1 for f in self.reading.fields.values() if f.status != "ok")
        return (self.reading.verified, self.checks_score, -doubtful, self.raw_confidence)


def _line_boxes(attempt: _MrzAttempt, width: int, height: int) -> dict[str, Box]:
    """Boxes, in input pixels, of every MRZ field, from its character span."""
    boxes: dict[str, Box] = {}
    lines = attempt.reading.lines
    for key, span in attempt.reading.spans.items():
        if span.line >= len(attempt.candidate.lines) or span.line >= len(attempt.recognized):
            continue
        crop: LineCrop = attempt.candidate.lines[span.line]
        rec = attempt.recognized[span.line]
        ch, cw = crop.image.shape[:2]
        n = len(lines[span.line]) if span.line < len(lines) else 0
        if n < 2 or len(rec.char_centers) < 2:
            continue
        # The MRZ is monospaced: place character i linearly between the first and last
        # character the recogniser saw (the repaired line may have more fillers than it read).
        first, last = rec.char_centers[0] * cw, rec.char_centers[-1] * cw
        pitch = (last - first) / (n - 1)
        xa = first + pitch * (span.start - 0.5)
        xb = first + pitch * (span.end - 0.5)
        pts = geo.apply(crop.to_input, [(xa, 0.22 * ch), (xb, 0.22 * ch), (xa, 0.78 * ch), (xb, 0.78 * ch)])
        boxes[key] = geo.bounding_box(pts, width, height)
    return boxes


def _upright(image: Image, quarter_turns: int, angle_deg: float) -> tuple[Image, geo.Affine]:
    """The page turned upright and deskewed, and the affine map input -> upright."""
    h, w = image.shape[:2]
    turned = np.ascontiguousarray(np.rot90(image, quarter_turns))
    m_turn = geo.rotation90(quarter_turns, w, h)
    if abs(angle_deg) < 0.3:
        return turned, m_turn
    th, tw = turned.shape[:2]
    rot = cv2.getRotationMatrix2D((tw / 2, th / 2), -angle_deg, 1.0)
    # Grow the canvas so no corner is cut off.
    cos, sin = abs(rot[0, 0]), abs(rot[0, 1])
    nw, nh = int(th * sin + tw * cos), int(th * cos + tw * sin)
    rot[0, 2] += nw / 2 - tw / 2
    rot[1, 2] += nh / 2 - th / 2
    out = cv2.warpAffine(turned, rot, (nw, nh), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    return out, geo.compose(rot, m_turn)


def _crop_quad(image: Image, quad: Sequence[tuple[float, float]]) -> Image:
    pts = np.asarray(quad, dtype=np.float32)
    # order: top-left, top-right, bottom-right, bottom-left
    s = pts.sum(axis=1)
    d = np.diff(pts, axis=1).ravel()
    ordered = np.array([pts[np.argmin(s)], pts[np.argmin(d)], pts[np.argmax(s)], pts[np.argmax(d)]], dtype=np.float32)
    w = int(max(np.linalg.norm(ordered[0] - ordered[1]), np.linalg.norm(ordered[3] - ordered[2])))
    h = int(max(np.linalg.norm(ordered[0] - ordered[3]), np.linalg.norm(ordered[1] - ordered[2])))
    w, h = max(w, 4), max(h, 4)
    dst = np.array([[0, 0], [w - 1, 0], [w - 1, h - 1], [0, h - 1]], dtype=np.float32)
    m = cv2.getPerspectiveTransform(ordered, dst)
    return cv2.warpPerspective(image, m, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)


def _box_of(quad: Sequence[tuple[float, float]]) -> Box:
    xs = [p[0] for p in quad]
    ys = [p[1] for p in quad]
    return (int(min(xs)), int(min(ys)), math.ceil(max(xs)), math.ceil(max(ys)))


def _map_box(box: Box, m: geo.Affine, width: int, height: int) -> Box:
    x0, y0, x1, y1 = box
    return geo.bounding_box(geo.apply(m, [(x0, y0), (x1, y0), (x0, y1), (x1, y1)]), width, height)


def _overlap(a: Box, b: Box) -> float:
    """Fraction of ``a`` covered by ``b``."""
    ix = max(0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0, min(a[3], b[3]) - max(a[1], b[1]))
    area = max(1, (a[2] - a[0]) * (a[3] - a[1]))
    return ix * iy / area


class DocumentReader:
    """Reads identity documents. One reader owns one OCR engine; not thread-safe.

    >>> reader = DocumentReader()                       # doctest: +SKIP
    >>> [result] = reader.read("passport.jpg")          # doctest: +SKIP
    >>> result.fields["surname"].value                  # doctest: +SKIP
    'ERIKSSON'
    """

    def __init__(
        self,
        settings: ReaderSettings | None = None,
        *,
        engine: OcrEngine | None = None,
        engine_factory: Callable[[ReaderSettings], OcrEngine] | None = None,
        glyphs: GlyphClassifier | None = None,
    ) -> None:
        self.settings = settings or ReaderSettings()
        if self.settings.blas_threads is not None:
            limit_blas_threads(self.settings.blas_threads)
        self._glyphs = glyphs
        self._second: LineRecognizer | None = None
        self._second_failed = False
        self._engine = engine
        self._engine_factory = engine_factory

    @property
    def engine(self) -> OcrEngine:
        if self._engine is None:
            factory = self._engine_factory or _default_engine
            self._engine = factory(self.settings)
        return self._engine

    @property
    def second_recogniser(self) -> LineRecognizer | None:
        """PP-OCRv6 small for MRZ lines, built on first use; None when switched off or when
        it cannot start (the reader then goes on with PP-OCRv4 alone, and says so once in
        the log)."""
        if self._second is None and self.settings.second_recogniser and not self._second_failed:
            try:
                from desktop_app.core.ocr.onnx_rec import OnnxLineRecognizer

                self._second = OnnxLineRecognizer()
            except OcrError as exc:
                self._second_failed = True
                log.warning("second MRZ recogniser unavailable: %s", exc)
        return self._second

    def warm_up(self) -> None:
        """Build the engine and run it once so the first document isn't slow."""
        blank = np.full((48, 320, 3), 255, dtype=np.uint8)
        cv2.putText(blank, "P<UTO", (5, 35), cv2.FONT_HERSHEY_SIMPLEX, 1.0, (0, 0, 0), 2)
        self.engine.recognize([blank], alphabet=MRZ_ALPHABET)
        if self.second_recogniser is not None:
            self.second_recogniser.recognize([blank], alphabet=MRZ_ALPHABET)
        if self.settings.read_visual_zone:
            self.engine.detect(np.full((200, 300, 3), 255, dtype=np.uint8))

    # -- public entry points -----------------------------------------------------------
    def read(
        self,
        source: InputSource,
        *,
        name: str | None = None,
        on_progress: ProgressCallback | None = None,
        cancel: CancelToken | None = None,
    ) -> list[DocumentResult]:
        """Read one input (path, bytes or array): one result per page. Never raises for a
        bad input (the result has status "error"); raises :class:`Cancelled` if cancelled."""
        label = name if name is not None else (str(source) if isinstance(source, (str, Path)) else None)
        t0 = time.perf_counter()
        try:
            if isinstance(source, np.ndarray):
                pages = [page_from_array(source)]
            elif isinstance(source, bytes):
                pages = load_pages_from_bytes(source)
            else:
                pages = load_pages(source)
        except ImageLoadError as exc:
            return [DocumentResult(status="error", file=label, error=str(exc),
                                   timings_ms={"load": (time.perf_counter() - t0) * 1000, "total": (time.perf_counter() - t0) * 1000})]
        except MemoryError:
            return [DocumentResult(status="error", file=label, error="The image is too large to open in the available memory.")]
        load_ms = (time.perf_counter() - t0) * 1000
        if on_progress:
            on_progress(Progress("load", None))
        results = []
        for page in pages:
            if cancel:
                cancel.check()
            results.append(self._read_page(page, label, load_ms, on_progress, cancel))
        return results

    def read_many(self, sources: Iterable[InputSource]) -> list[DocumentResult]:
        out: list[DocumentResult] = []
        for s in sources:
            out.extend(self.read(s))
        return out

    # -- stages --------------------------------------------------------------------------
    def _read_mrz(self, image: Image) -> tuple[_MrzAttempt | None, list[MrzCandidate]]:
        candidates = find_mrz(image)
        best: _MrzAttempt | None = None
        for cand in candidates:
            for turned in (cand, cand.flipped()):
                attempt = self._attempt(turned, PRIMARY_STRETCH, image)
                if attempt.reading.format is not None and not attempt.reading.verified:
                    # A read that cannot be verified is read again at the locator's own
                    # stretch: each scale misreads some lines the other reads (dev set:
                    # a line 1, which no check digit covers, read as garbage at one scale
                    # only, more legibly than the right text at the other).
                    # The better reading is chosen as read; what it may claim is then
                    # held to what the first read saw.
                    other = self._attempt(turned, STRETCH, image)
                    if other.rank > attempt.rank:
                        attempt = self._vouched(other, attempt)
                if best is None or attempt.score > best.score:
                    best = attempt
                reading = attempt.reading
                if reading.format is not None and (reading.valid or attempt.confidence >= CONFIDENT_READ):
                    # An MRZ read upside down gives garbage at low confidence; a confident
                    # read with a known format needs no second orientation.
                    return best, candidates
            if best is not None and best.reading.format is not None:
                return best, candidates
        return best, candidates

    def _vouched(self, second: _MrzAttempt, first: _MrzAttempt) -> _MrzAttempt:
        """``second``, a read of the same lines at another scale, with every character's
        confidence lowered to what ``first`` gave that character (0 where ``first`` saw
        other lines or no such character).

        Reading again may choose a better reading; it must not make a doubt disappear by
        asking until one read is sure. A name, which no check digit covers, read ``UNETED``
        with ``E`` at 0.53 at one scale and at 0.68 at the other, had been kept as verified
        (the development set at half size). Characters a valid check digit proves stay
        proven (:mod:`desktop_app.core.mrz.interpret` does not ask their confidence)."""
        same_band = len(second.recognized) == len(first.recognized)
        lines: list[RecognizedLine] = []
        for i, rec in enumerate(second.recognized):
            seen = first.recognized[i] if same_band and len(first.recognized[i].text) == len(rec.text) else None
            confs = []
            for j, (ch, p) in enumerate(zip(rec.text, rec.char_confidences, strict=False)):
                if seen is None:
                    q = 0.0
                elif seen.text[j] == ch:
                    q = seen.char_confidences[j] if j < len(seen.char_confidences) else 0.0
                else:
                    q = seen.char_alternatives[j].get(ch, 0.0) if j < len(seen.char_alternatives) else 0.0
                confs.append(min(p, q))
            lines.append(replace(rec, char_confidences=tuple(confs)))
        if all(a.char_confidences == b.char_confidences for a, b in zip(lines, second.recognized, strict=True)):
            return second
        return replace(second, reading=self._reading(lines), recognized=tuple(lines))

    def _attempt(self, turned: MrzCandidate, stretch: float, image: Image) -> _MrzAttempt:
        """The best reading of one orientation of a band, its lines read at ``stretch``."""
        read = self.engine.recognize([restretched(ln.image, stretch) for ln in turned.lines], alphabet=MRZ_ALPHABET)
        return self._best_reading(*_without_blank_line(turned, read, image.shape[1], image.shape[0]))

    def _reading(self, lines: Sequence[RecognizedLine]) -> MrzReading:
        return read_mrz(
            [r.text for r in lines],
            confidences=[r.char_confidences for r in lines],
            alternatives=[r.char_alternatives for r in lines],
            today=self.settings.today,
            expiry_warning_days=self.settings.expiry_warning_days,
            low_confidence=self.settings.low_confidence,
        )

    def _glyph_opinion(self, variant: MrzCandidate) -> Opinion | None:
        classifier = self._glyphs if self._glyphs is not None else default_classifier()
        if classifier is None or not self.settings.glyph_second_opinion:
            return None
        crops = [ln.image for ln in variant.lines]

        def opinion(line: int, centers: tuple[float, ...]) -> list[dict[str, float]] | None:
            if line >= len(crops):
                return None
            return classifier.read_line(crops[line], centers)

        return opinion

    def _second_steps(self, variant: MrzCandidate, rec: Sequence[RecognizedLine]) -> list[StepProbabilities | None] | None:
        """The second recogniser's per-step probabilities for the same lines, read at the
        scale it reads best (24 px per character, unstretched; see bench/mrz_readers.py)."""
        reader = self.second_recogniser
        if reader is None:
            return None
        n = 30 if len(rec) == 3 else (44 if max(len(r.text) for r in rec) >= 40 else 36)
        crops = [line_at_pitch(ln.image, n, SECOND_PX_PER_CHAR) for ln in variant.lines]
        try:
            return [r.steps for r in reader.recognize(crops, alphabet=MRZ_ALPHABET)]
        except OcrError as exc:
            log.warning("second MRZ recogniser failed on this document: %s", exc)
            return None

    def _best_reading(self, variant: MrzCandidate, rec: Sequence[RecognizedLine]) -> _MrzAttempt:
        """The best of the greedy text and its format-bound decodings (one per layout the
        lines could be): the check digits and the engine's penalties decide."""
        raw_conf = float(np.mean([r.confidence for r in rec])) if rec else 0.0
        greedy = _MrzAttempt(variant, self._reading(rec), tuple(rec), raw_conf)
        steps = [r.steps for r in rec]
        # Constraints make any text look like an MRZ: decode under the layout only lines the
        # recogniser itself already read as one.
        if greedy.reading.format is None or any(st is None for st in steps):
            return greedy
        best = greedy
        opinion = self._glyph_opinion(variant)
        second = self._second_steps(variant, rec)
        for decoded in decode_lines([st for st in steps if st is not None], [r.text for r in rec], opinion, second):
            lines = _decoded_lines(decoded, rec)
            attempt = _MrzAttempt(variant, self._reading(lines), lines, raw_conf)
            if attempt.checks_score > best.checks_score or (best is greedy and attempt.checks_score == greedy.checks_score):
                best = attempt
        return best

    def _read_page(
        self,
        page: Page,
        label: str | None,
        load_ms: float,
        on_progress: ProgressCallback | None,
        cancel: CancelToken | None,
    ) -> DocumentResult:
        image = page.image
        h, w = image.shape[:2]
        timings: dict[str, float] = {"load": load_ms}
        t_start = time.perf_counter() - load_ms / 1000
        try:
            t = time.perf_counter()
            attempt, _cands = self._read_mrz(image)
            timings["mrz"] = (time.perf_counter() - t) * 1000
        except OcrError as exc:
            return DocumentResult(status="error", file=label, page=page.number, error=str(exc),
                                  image_size=(w, h), timings_ms=timings)
        found = attempt is not None and attempt.reading.format is not None
        reading = attempt.reading if (attempt is not None and found) else None
        fields: dict[str, Field] = {}
        flags: list[Flag] = [] if found else [Flag("no_mrz", "No machine readable zone was found.")]
        text: list[TextLine] = []
        if attempt is not None and reading is not None:
            boxes = _line_boxes(attempt, w, h)
            fields = {k: replace(f, box=boxes.get(k)) for k, f in reading.fields.items()}
            flags.extend(reading.flags)
            for ln_text, rec, crop in zip(reading.lines, attempt.recognized, attempt.candidate.lines, strict=False):
                text.append(TextLine(ln_text, rec.confidence, geo.bounding_box(crop.corners(), w, h)))
        base = DocumentResult(
            status="ok" if found else "no_mrz",
            file=label,
            page=page.number,
            format=reading.format if reading else None,
            document_code=reading.document_code if reading else None,
            mrz=reading,
            fields=fields,
            flags=tuple(flags),
            timings_ms={**timings, "total": (time.perf_counter() - t_start) * 1000},
            text=tuple(text),
            image_size=(w, h),
        )
        if on_progress:
            on_progress(Progress("mrz", page.number, base))
        if cancel:
            cancel.check()

        viz_lines: list[TextLine] = []
        portrait: Portrait | None = None
        if self.settings.read_visual_zone:
            t = time.perf_counter()
            try:
                fields, viz_lines, portrait = self._read_viz(image, attempt if found else None, fields, timings)
            except OcrError as exc:
                flags.append(Flag("viz_failed", f"The visual zone could not be read: {exc}"))
            except Exception:
                # A fault in the visual-zone stage must not cost the operator the MRZ result.
                log.exception("visual-zone stage failed")
                flags.append(Flag("viz_failed", "The visual zone could not be read (internal error, logged)."))
            timings["viz"] = (time.perf_counter() - t) * 1000

        cand = attempt.candidate if (attempt is not None and found) else None
        flags.extend(
            assess(
                image,
                mrz_box=cand.box if cand else None,
                mrz_crops=[ln.image for ln in cand.lines] if cand else [],
                char_height=cand.char_height if cand else None,
                near_edge=bool(cand and cand.near_edge),
                mrz_width_fraction=((cand.box[2] - cand.box[0]) / w if cand and cand.quarter_turns % 2 == 0
                                    else (cand.box[3] - cand.box[1]) / h if cand else None),
            )
        )
        flags.extend(self._expectation_flags(reading))
        # verified and accepted are the result's own (core.trust): the MRZ reading's verdict,
        # then the fields as merged with the visual zone and every flag of the page.
        review = needs_review_flag(reading, replace(base, fields=fields, flags=tuple(flags)))
        if review is not None:
            flags.append(review)
        all_text = text + sorted(viz_lines, key=lambda tl: (tl.box[1], tl.box[0]))
        timings["total"] = (time.perf_counter() - t_start) * 1000
        result = replace(base, fields=fields, flags=tuple(flags), timings_ms=timings, text=tuple(all_text),
                         portrait=portrait)
        if on_progress:
            on_progress(Progress("done", page.number, result))
        return result

    def _expectation_flags(self, reading: MrzReading | None) -> list[Flag]:
        out: list[Flag] = []
        if reading is None:
            return out
        s = self.settings
        if s.formats is not None and reading.format not in s.formats:
            out.append(Flag("unexpected_format", f"A {reading.format} document was not expected here."))
        issuing = reading.fields.get("issuing_country")
        if s.countries is not None and issuing is not None and issuing.value not in s.countries:
            out.append(Flag("unexpected_country", f"Documents issued by {issuing.value} were not expected here."))
        return out

    def _read_viz(
        self, image: Image, attempt: _MrzAttempt | None, mrz_fields: Mapping[str, Field], timings: dict[str, float]
    ) -> tuple[dict[str, Field], list[TextLine], Portrait | None]:
        h, w = image.shape[:2]
        turns = attempt.candidate.quarter_turns if attempt else 0
        angle = attempt.candidate.angle_deg if attempt else 0.0
        upright, m = _upright(image, turns, angle)
        uh, uw = upright.shape[:2]
        inv = geo.invert(m)
        mrz_box_up = _map_box(attempt.candidate.box, m, uw, uh) if attempt else None
        fmt = attempt.reading.format if attempt else None
        t = time.perf_counter()
        found_photo = find_portrait(upright, mrz_box=mrz_box_up, fmt=fmt)
        portrait = None if found_photo is None else replace(found_photo, box=_map_box(found_photo.box, inv, w, h))
        timings["portrait"] = (time.perf_counter() - t) * 1000
        # Passports and visas print the visual zone right above the MRZ, on a page about
        # 0.7 MRZ-widths tall: detecting on that page alone keeps small label text large
        # enough for the detector (which works at most 960 px on the long side). Cards may
        # show their front anywhere in the image, so they are searched whole.
        ox, oy = 0, 0
        region = upright
        if mrz_box_up is not None and fmt in ("TD3", "MRVA", "MRVB"):
            bx0, by0, bx1, by1 = mrz_box_up
            bw = bx1 - bx0
            ox, oy = max(0, int(bx0 - 0.08 * bw)), max(0, int(by0 - 0.78 * bw))
            ex, ey = min(uw, int(bx1 + 0.08 * bw)), min(uh, int(by1 + 0.05 * bw))
            if (ex - ox) * (ey - oy) < 0.8 * uw * uh:
                region = upright[oy:ey, ox:ex]
            else:
                ox, oy = 0, 0
        detected = self.engine.detect(np.ascontiguousarray(region))
        keep = []
        for found in detected:
            d = DetectedText(tuple((x + ox, y + oy) for x, y in found.quad), found.score)  # type: ignore[arg-type]
            b = _box_of(d.quad)
            if mrz_box_up is not None and _overlap(b, mrz_box_up) > 0.5:
                continue
            if (b[2] - b[0]) < 6 or (b[3] - b[1]) < 6:
                continue
            keep.append((d, b))
        crops = [_crop_quad(upright, d.quad) for d, _ in keep]
        recs = self.engine.recognize(crops) if crops else []
        lines_up = join_fragments(
            [TextLine(r.text, r.confidence, b) for r, (_, b) in zip(recs, keep, strict=False) if r.text.strip()]
        )
        issuing = mrz_fields.get("issuing_country")
        month_first = prints_month_first(issuing.value if issuing is not None else None)
        viz = extract_viz_fields(lines_up, page_size=(uw, uh), mrz_box=mrz_box_up, today=self.settings.today,
                                 month_first=month_first)
        if fmt in ("TD3", "MRVA", "MRVB"):
            viz = infer_from_layout(lines_up, viz, mrz_fields, today=self.settings.today, month_first=month_first)
        viz_in = {k: replace(v, box=_map_box(v.box, inv, w, h)) for k, v in viz.items()}
        merged = cross_check(mrz_fields, viz_in, low_confidence=self.settings.low_confidence)
        lines_in = [TextLine(t.text, t.confidence, _map_box(t.box, inv, w, h)) for t in lines_up]
        return merged, lines_in, portrait


BLANK_LINE_CHARS = 8
"""A band line read as fewer characters than this, beside two full MRZ lines, is not MRZ."""


def _without_blank_line(
    variant: MrzCandidate, rec: Sequence[RecognizedLine], width: int, height: int
) -> tuple[MrzCandidate, Sequence[RecognizedLine]]:
    """A three-line band whose first or last line reads as (nearly) nothing while the other
    two read as full lines of one length: the locator took a rule or a border below or
    above a two-line MRZ as its third line. The band without it, and its box recomputed.
    Measured: a clean generated visa whose lines were then decoded as TD1."""
    if len(rec) != 3:
        return variant, rec
    lengths = [len(r.text) for r in rec]
    for drop in (2, 0):
        keep = [i for i in range(3) if i != drop]
        if lengths[drop] < BLANK_LINE_CHARS and all(lengths[i] >= 30 for i in keep) and lengths[keep[0]] == lengths[keep[1]]:
            lines = tuple(variant.lines[i] for i in keep)
            pts = np.concatenate([ln.corners() for ln in lines])
            return replace(variant, lines=lines, box=geo.bounding_box(pts, width, height)), [rec[i] for i in keep]
    return variant, rec


def _decoded_lines(decoded: DecodedMrz, rec: Sequence[RecognizedLine]) -> tuple[RecognizedLine, ...]:
    """Format-bound decodings in the recogniser's own shape (for boxes and confidences)."""
    return tuple(
        RecognizedLine(d.text, float(np.mean(d.confidences)), d.confidences, d.centers, d.alternatives, r.steps)
        for d, r in zip(decoded.lines, rec, strict=True)
    )


def _default_engine(settings: ReaderSettings) -> OcrEngine:
    from desktop_app.core.ocr.paddle_engine import PaddleEngineConfig, PaddleOcrEngine

    return PaddleOcrEngine(PaddleEngineConfig(threads=settings.threads))


def read_documents(
    sources: InputSource | Sequence[InputSource],
    settings: ReaderSettings | None = None,
    *,
    engine: OcrEngine | None = None,
) -> list[DocumentResult]:
    """Read one or many inputs (paths, bytes or arrays) and return every page's result.

    This is the library entry point for integrators; the command line and the GUI use the
    same :class:`DocumentReader`.
    """
    reader = DocumentReader(settings, engine=engine)
    items: Sequence[InputSource] = [sources] if isinstance(sources, (str, Path, bytes, np.ndarray)) else sources
    return reader.read_many(items)
