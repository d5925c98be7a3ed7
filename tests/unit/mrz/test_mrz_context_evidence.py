"""A context doubt ("this may be a misread filler") is answered only by the recogniser's
evidence and a check digit that holds over the position."""

from __future__ import annotations

import datetime

from desktop_app.core.mrz import MrzData, compose_mrz, read_mrz

TODAY = datetime.date(2025, 6, 1)


def _lines() -> tuple[str, ...]:
    # A personal number with data after a run of fillers: the reader doubts the '8'.
    return tuple(compose_mrz(MrzData("TD3", "P", "UTO", "ERIKSSON", "ANNA", "L898902C3", "UTO", "740812", "F",
                                     "300415", "ZE<<84226B")))


def _read(lines: tuple[str, ...], alternatives: list[list[dict[str, float]]] | None) -> object:
    confs = [[0.99] * len(x) for x in lines]
    return read_mrz(list(lines), confidences=confs, alternatives=alternatives, today=TODAY)


def test_without_evidence_data_after_fillers_stays_in_doubt() -> None:
    lines = _lines()
    assert "ZE<<84226B" in lines[1]
    reading = _read(lines, None)
    assert reading.fields["personal_number"].status == "unverified"  # type: ignore[attr-defined]
    assert not reading.verified  # type: ignore[attr-defined]


def test_a_recogniser_sure_it_is_no_filler_answers_the_doubt() -> None:
    lines = _lines()
    reading = _read(lines, [[{} for _ in x] for x in lines])
    assert reading.fields["personal_number"].status == "ok"  # type: ignore[attr-defined]
    assert reading.valid and reading.verified  # type: ignore[attr-defined]


def test_a_recogniser_that_saw_a_filler_there_keeps_the_doubt() -> None:
    lines = _lines()
    alts: list[list[dict[str, float]]] = [[{} for _ in x] for x in lines]
    alts[1][32] = {"<": 0.2}
    assert lines[1][32] == "8"
    reading = _read(lines, alts)
    assert reading.fields["personal_number"].status == "unverified"  # type: ignore[attr-defined]


def _visa() -> tuple[str, ...]:
    # An MRV-B visa whose optional data (no check digit covers it) starts after fillers.
    return tuple(compose_mrz(MrzData("MRVB", "V", "UTO", "TEST", "KLEE", "1003001119", "TUN", "000101", "M",
                                     "230204", "<1030202")))


def test_data_no_check_digit_covers_is_answered_when_its_line_is_aligned() -> None:
    lines = _visa()
    assert lines[1].endswith("<1030202")
    assert _read(lines, None).fields["optional_data"].status == "unverified"  # type: ignore[attr-defined]
    reading = _read(lines, [[{} for _ in x] for x in lines])
    assert reading.fields["optional_data"].status == "ok"  # type: ignore[attr-defined]
    assert reading.verified  # type: ignore[attr-defined]


def test_data_no_check_digit_covers_stays_in_doubt_on_a_misaligned_line() -> None:
    lines = _visa()
    broken = lines[1][:19] + ("0" if lines[1][19] != "0" else "1") + lines[1][20:]  # the birth date's check digit
    reading = _read((lines[0], broken), [[{} for _ in x] for x in lines])
    assert reading.fields["optional_data"].status == "unverified"  # type: ignore[attr-defined]
    assert not reading.verified  # type: ignore[attr-defined]
