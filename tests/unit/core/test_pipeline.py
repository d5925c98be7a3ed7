"""Pipeline behaviour with a scripted OCR engine: stages, partial results, cancel, boxes,
expectations and engine failures. The real engine is exercised in tests/integration."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pytest

from desktop_app.core.ocr.base import DetectedText, Image, OcrError, RecognizedLine
from desktop_app.core.pipeline import Cancelled, CancelToken, DocumentReader, Progress, ReaderSettings
from tests.unit.core.test_mrz_locate import LINES, _page


class ScriptedEngine:
    """Answers every MRZ read with the given lines; finds no visual-zone text."""

    def __init__(self, lines: Sequence[str], *, fail: bool = False) -> None:
        self.lines = list(lines)
        self.fail = fail
        self.calls: list[tuple[int, str | None]] = []

    def recognize(self, crops: Sequence[Image], *, alphabet: str | None = None) -> list[RecognizedLine]:
        self.calls.append((len(crops), alphabet))
        if self.fail:
            raise OcrError("engine crashed")
        out = []
        for i, _ in enumerate(crops):
            text = self.lines[i] if i < len(self.lines) else ""
            n = max(1, len(text))
            out.append(RecognizedLine(text, 0.95, tuple([0.95] * len(text)),
                                      tuple(0.05 + 0.9 * (j + 0.5) / n for j in range(len(text)))))
        return out

    def detect(self, image: Image) -> list[DetectedText]:
        return []


def _reader(lines: Sequence[str] = LINES, **kw: object) -> tuple[DocumentReader, ScriptedEngine]:
    engine = ScriptedEngine(lines)
    return DocumentReader(ReaderSettings(**kw), engine=engine), engine  # type: ignore[arg-type]


def test_mrz_result_comes_first_then_the_full_result() -> None:
    page, _ = _page()
    reader, engine = _reader()
    events: list[Progress] = []
    [result] = reader.read(page, name="x", on_progress=events.append)
    assert [e.stage for e in events] == ["load", "mrz", "done"]
    partial = events[1].result
    assert partial is not None and partial.fields["surname"].value == "ERIKSSON"
    assert result.status == "ok" and result.format == "TD3"
    assert result.mrz is not None and result.mrz.valid
    assert engine.calls[0] == (2, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789<")
    assert set(result.timings_ms) >= {"load", "mrz", "viz", "total"}


def test_field_boxes_land_on_the_mrz_in_input_coordinates() -> None:
    page, (tx0, ty0, tx1, ty1) = _page()
    reader, _ = _reader(read_visual_zone=False)
    [result] = reader.read(page)
    for key in ("surname", "document_number", "birth_date"):
        box = result.fields[key].box
        assert box is not None
        x0, y0, x1, y1 = box
        assert tx0 - 10 <= x0 < x1 <= tx1 + 10
        assert ty0 - 10 <= y0 < y1 <= ty1 + 10
    # The document number is the first 9 characters of line 2, the birth date after it.
    dn, bd = result.fields["document_number"].box, result.fields["birth_date"].box
    assert dn is not None and bd is not None and dn[2] <= bd[0] + 5 and dn[1] > result.fields["surname"].box[1]  # type: ignore[index]


def test_cancel_between_stages() -> None:
    page, _ = _page()
    reader, _ = _reader()
    token = CancelToken()

    def cancel_after_mrz(p: Progress) -> None:
        if p.stage == "mrz":
            token.cancel()

    with pytest.raises(Cancelled):
        reader.read(page, on_progress=cancel_after_mrz, cancel=token)


def test_no_mrz_on_a_blank_page_is_not_an_error() -> None:
    reader, _ = _reader()
    [result] = reader.read(np.full((700, 1000, 3), 250, np.uint8))
    assert result.status == "no_mrz" and result.error is None
    assert result.accepted is False
    assert any(f.code == "no_mrz" for f in result.flags)


def test_unexpected_format_and_country_are_flagged() -> None:
    page, _ = _page()
    reader, _ = _reader(formats=frozenset({"TD1"}), countries=frozenset({"FRA"}), read_visual_zone=False)
    [result] = reader.read(page)
    codes = {f.code for f in result.flags}
    assert {"unexpected_format", "unexpected_country"} <= codes
    assert result.accepted is False


def test_engine_failure_gives_an_error_result() -> None:
    page, _ = _page()
    engine = ScriptedEngine(LINES, fail=True)
    reader = DocumentReader(ReaderSettings(), engine=engine)  # type: ignore[arg-type]
    [result] = reader.read(page, name="p.jpg")
    assert result.status == "error" and "engine crashed" in (result.error or "")


def test_bad_bytes_give_an_error_result_not_an_exception() -> None:
    reader, _ = _reader()
    [result] = reader.read(b"not an image", name="x.jpg")
    assert result.status == "error" and result.file == "x.jpg"
    assert result.to_json()["error"]


def test_a_fault_in_the_visual_zone_keeps_the_mrz_result(monkeypatch: pytest.MonkeyPatch) -> None:
    import desktop_app.core.pipeline as pipeline

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("bug in the label table")

    monkeypatch.setattr(pipeline, "extract_viz_fields", broken)
    page, _ = _page()
    reader, _ = _reader()
    [result] = reader.read(page)
    assert result.status == "ok" and result.fields["surname"].value == "ERIKSSON"
    assert any(f.code == "viz_failed" for f in result.flags)


class EvidenceEngine(ScriptedEngine):
    """Answers with the given lines, confidences and per-character alternatives (the
    recogniser's word on each character), as the decoder reports them."""

    def __init__(self, lines: Sequence[str], doubt: tuple[int, int, float, dict[str, float]] | None) -> None:
        super().__init__(lines)
        self.doubt = doubt

    def recognize(self, crops: Sequence[Image], *, alphabet: str | None = None) -> list[RecognizedLine]:
        out = []
        for i, line in enumerate(super().recognize(crops, alphabet=alphabet)):
            confs = [0.99] * len(line.text)
            alts: list[dict[str, float]] = [{} for _ in line.text]
            if self.doubt is not None and self.doubt[0] == i:
                _, col, p, others = self.doubt
                confs[col], alts[col] = p, others
            out.append(RecognizedLine(line.text, line.confidence, tuple(confs), line.char_centers, tuple(alts)))
        return out


def _evidence_reader(lines: Sequence[str], doubt: tuple[int, int, float, dict[str, float]] | None) -> DocumentReader:
    from datetime import date

    engine = EvidenceEngine(lines, doubt)
    return DocumentReader(ReaderSettings(today=date(2025, 6, 1)), engine=engine)  # type: ignore[arg-type]


def test_the_recognisers_alternatives_decide_a_same_value_look_alike() -> None:
    from desktop_app.core.mrz import MrzData, compose_mrz

    true = compose_mrz(MrzData("TD3", "P", "D", "Mustermann", "Erika", "C19389564", "D", "800101", "F", "300101", ""))
    misread = (true[0], true[1].replace("C19389564", "CL9389564"))  # same check value: every check holds
    page, _ = _page()

    [clear] = _evidence_reader(misread, (1, 1, 0.97, {"1": 0.02})).read(page)
    # The recogniser was sure of the L (48:1): nothing on the MRZ alone can refute it.
    assert clear.mrz is not None and clear.mrz.valid and clear.verified and clear.accepted

    [close] = _evidence_reader(misread, (1, 1, 0.70, {"1": 0.28})).read(page)
    f = close.fields["document_number"]
    assert close.mrz is not None and close.mrz.valid
    assert f.value == "CL9389564" and f.status == "unverified" and "could also be '1'" in (f.reason or "")
    assert not close.verified and not close.accepted
    obj = close.to_json()
    assert obj["verified"] is False and obj["accepted"] is False and obj["mrz"]["valid"] is True

    [right] = _evidence_reader(true, None).read(page)
    assert right.verified and right.accepted and right.to_json()["verified"] is True
    assert not any(fl.code == "needs_review" for fl in right.flags)


def _three_line_page(lines: Sequence[str]) -> np.ndarray:
    """A page printing ``lines`` as one band, 60 px apart from y = 800."""
    import cv2
    from PIL import Image as PilImage
    from PIL import ImageDraw, ImageFont

    from desktop_app.core.resources import fonts_dir

    img = PilImage.new("L", (1500, 1050), 236)
    d = ImageDraw.Draw(img)
    ocrb = ImageFont.truetype(str(fonts_dir() / "OCRB.otf"), 34)
    for i, line in enumerate(lines):
        d.text((70, 800 + 60 * i), line, font=ocrb, fill=10)
    return cv2.cvtColor(np.asarray(img), cv2.COLOR_GRAY2BGR)


@pytest.mark.parametrize("blank_at", [0, 2])
def test_a_blank_band_line_leaves_the_candidate_and_its_box(blank_at: int) -> None:
    """The band without the line: two lines, and a box that no longer covers the dropped one."""
    from desktop_app.core.imaging.mrz_locate import find_mrz
    from desktop_app.core.pipeline import _without_blank_line

    lines = list(LINES)
    lines.insert(blank_at, "I<I<I<I<I<I<I<I<I<I<I<I<I<I<I<I<I<I<I<I<I<I<")
    page = _three_line_page(lines)
    [cand, *_] = find_mrz(page)
    assert len(cand.lines) == 3
    read = [RecognizedLine(t, 0.95, (0.95,) * len(t), (0.5,) * len(t)) for t in lines]
    read[blank_at] = RecognizedLine("I<I", 0.5, (0.5,) * 3, (0.5,) * 3)
    kept, rec = _without_blank_line(cand, read, page.shape[1], page.shape[0])
    assert len(kept.lines) == 2 and [r.text for r in rec] == list(LINES)
    dropped_top = 800 + 60 * blank_at
    if blank_at == 0:
        assert kept.box[1] > dropped_top + 30 and cand.box[1] <= dropped_top + 10
    else:
        assert kept.box[3] < dropped_top + 10 and cand.box[3] > dropped_top + 30


@pytest.mark.parametrize("blank_at", [0, 2])
def test_a_band_line_read_as_nothing_beside_two_full_lines_is_dropped(blank_at: int) -> None:
    """A rule or border above or below a two-line MRZ, taken by the locator as a third line
    and read as a few characters: the two full lines are read as what they are (TD3), and
    each field's box lands on its own line, not on the dropped one."""
    lines = list(LINES)
    lines.insert(blank_at, "I<I<I<I<I<I<I<I<I<I<I<I<I<I<I<I<I<I<I<I<I<I<")
    page = _three_line_page(lines)
    read_as = list(lines)
    read_as[blank_at] = "I<I"
    reader, engine = _reader(read_as)
    [result] = reader.read(page)
    assert engine.calls[0][0] == 3, "the page must give the locator a three-line band"
    assert result.format == "TD3" and result.mrz is not None and result.mrz.valid
    surname, number = result.fields["surname"], result.fields["document_number"]
    assert surname.value == "ERIKSSON" and number.value == "L898902C3"
    first = 800 + 60 * (1 if blank_at == 0 else 0)  # top of the name line on the page
    for field, top in ((surname, first), (number, first + 60)):
        assert field.box is not None
        centre = (field.box[1] + field.box[3]) / 2
        assert top <= centre <= top + 45, (field.box, top)


def test_three_full_lines_are_not_cut_to_two() -> None:
    """A real TD1 (three lines of 30) keeps its three lines: only a near-empty line goes."""
    td1 = ("I<UTOD231458907<<<<<<<<<<<<<<<", "7408122F1204159UTO<<<<<<<<<<<6", "ERIKSSON<<ANNA<MARIA<<<<<<<<<<")
    reader, _ = _reader(td1)
    [result] = reader.read(_three_line_page(td1))
    assert result.format == "TD1" and result.mrz is not None and result.mrz.valid
    assert result.fields["surname"].value == "ERIKSSON"



class ScaleDependentEngine(ScriptedEngine):
    """Reads the MRZ right only at the locator's own stretch (the widest crops): a read at
    the primary stretch gets every check digit of line 2 wrong."""

    def __init__(self, lines: Sequence[str], wide_from: int) -> None:
        super().__init__(lines)
        self.wide_from = wide_from
        self.widths: list[int] = []

    def recognize(self, crops: Sequence[Image], *, alphabet: str | None = None) -> list[RecognizedLine]:
        out = super().recognize(crops, alphabet=alphabet)
        if alphabet is None or not crops:
            return out
        self.widths.append(int(crops[0].shape[1]))
        if crops[0].shape[1] >= self.wide_from:
            return out
        text = list(out[1].text)
        for i in (9, 19, 27, 43):  # every check digit of line 2 off by one: no repair mends that
            text[i] = str((int(text[i]) + 1) % 10)
        bad = "".join(text)
        return [out[0], RecognizedLine(bad, out[1].confidence, out[1].char_confidences, out[1].char_centers), *out[2:]]


def test_a_read_that_cannot_be_verified_is_read_again_at_the_locators_stretch() -> None:
    from desktop_app.core.imaging.mrz_locate import STRETCH, find_mrz, restretched
    from desktop_app.core.pipeline import PRIMARY_STRETCH

    page, _ = _page()
    [cand, *_] = find_mrz(page)
    full = cand.lines[0].image.shape[1]
    assert restretched(cand.lines[0].image, PRIMARY_STRETCH).shape[1] < full
    engine = ScaleDependentEngine(LINES, wide_from=full)
    [result] = DocumentReader(ReaderSettings(read_visual_zone=False), engine=engine).read(page)  # type: ignore[arg-type]
    assert engine.widths[:2] == [restretched(cand.lines[0].image, PRIMARY_STRETCH).shape[1], full]
    assert result.mrz is not None and result.mrz.valid
    assert list(result.mrz.lines) == list(LINES)
    assert STRETCH > PRIMARY_STRETCH


def test_a_verified_read_at_the_primary_stretch_is_read_once(monkeypatch: pytest.MonkeyPatch) -> None:
    from desktop_app.core.types import MrzReading

    monkeypatch.setattr(MrzReading, "verified", property(lambda self: self.valid))
    page, _ = _page()
    engine = ScaleDependentEngine(LINES, wide_from=1)  # every read right
    [result] = DocumentReader(ReaderSettings(read_visual_zone=False), engine=engine).read(page)  # type: ignore[arg-type]
    assert result.mrz is not None and result.mrz.valid
    assert len(engine.widths) == 1


def test_a_read_that_is_right_but_unverified_is_read_at_both_stretches() -> None:
    page, _ = _page()
    engine = ScaleDependentEngine(LINES, wide_from=1)  # right at both scales, not verified (no evidence)
    [result] = DocumentReader(ReaderSettings(read_visual_zone=False), engine=engine).read(page)  # type: ignore[arg-type]
    assert len(engine.widths) == 2 and engine.widths[0] < engine.widths[1]
    assert result.mrz is not None and list(result.mrz.lines) == list(LINES)


class DoubtAtOneScaleEngine(ScriptedEngine):
    """Lines with every check digit right and nothing in doubt, except: at the primary
    stretch (narrower crops) line 2's check digits are off and a name letter (no check
    digit covers it) is read at 0.5 with a rival at 0.4; at the locator's stretch that
    letter is read at 0.9."""

    NAME_AT = 7  # the first 'I' of ERIKSSON on line 1

    def __init__(self, lines: Sequence[str], wide_from: int, name_alternative: str = "E") -> None:
        super().__init__(lines)
        self.wide_from = wide_from
        self.name_alternative = name_alternative

    def recognize(self, crops: Sequence[Image], *, alphabet: str | None = None) -> list[RecognizedLine]:
        out = super().recognize(crops, alphabet=alphabet)
        if alphabet is None or not crops:
            return out
        wide = crops[0].shape[1] >= self.wide_from
        lines = []
        for i, rec in enumerate(out):
            text, confs = list(rec.text), [0.97] * len(rec.text)
            alts: list[dict[str, float]] = [{} for _ in rec.text]
            if i == 0:
                confs[self.NAME_AT] = 0.9 if wide else 0.5
                alts[self.NAME_AT] = {} if wide else {self.name_alternative: 0.4}
            if i == 1 and not wide:
                for j in (9, 19, 27, 43):
                    text[j] = str((int(text[j]) + 1) % 10)
            lines.append(RecognizedLine("".join(text), 0.95, tuple(confs), rec.char_centers, tuple(alts)))
        return lines


def _verifiable_lines() -> tuple[str, ...]:
    from desktop_app.core.mrz import MrzData, compose_mrz

    return compose_mrz(MrzData("TD3", "P", "UTO", "ERIKSSON", "ANNA MARIA", "234572349", "UTO", "740812", "F", "320415"))


def test_a_second_read_does_not_vouch_for_a_letter_the_first_read_doubted() -> None:
    from desktop_app.core.imaging.mrz_locate import find_mrz

    page, _ = _page()
    [cand, *_] = find_mrz(page)
    lines = _verifiable_lines()
    engine = DoubtAtOneScaleEngine(lines, wide_from=cand.lines[0].image.shape[1])
    [result] = DocumentReader(ReaderSettings(read_visual_zone=False), engine=engine).read(page)  # type: ignore[arg-type]
    assert result.mrz is not None and list(result.mrz.lines) == list(lines) and result.mrz.valid
    # The wide read alone would be verified (see the next test); the first read's doubt stays.
    assert result.fields["surname"].status == "low_confidence"
    assert not result.verified


def test_a_second_read_the_first_read_agrees_with_is_verified() -> None:
    from desktop_app.core.imaging.mrz_locate import find_mrz

    page, _ = _page()
    [cand, *_] = find_mrz(page)
    lines = _verifiable_lines()
    engine = DoubtAtOneScaleEngine(lines, wide_from=1)  # both reads see the letter at 0.9
    [result] = DocumentReader(ReaderSettings(read_visual_zone=False), engine=engine).read(page)  # type: ignore[arg-type]
    assert result.mrz is not None and list(result.mrz.lines) == list(lines)
    assert result.fields["surname"].status == "ok" and result.verified
    narrow = DoubtAtOneScaleEngine(lines, wide_from=cand.lines[0].image.shape[1] + 10**6)  # never wide
    [doubted] = DocumentReader(ReaderSettings(read_visual_zone=False), engine=narrow).read(page)  # type: ignore[arg-type]
    assert not doubted.verified
