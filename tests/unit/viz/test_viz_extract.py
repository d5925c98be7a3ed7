"""Visual-zone extraction from OCR lines: layouts, a realistic page, and hostile input."""

from __future__ import annotations

import math
import random
import time
from datetime import date

import pytest

from desktop_app.core.types import TextLine
from desktop_app.core.viz import VizField, extract_viz_fields

TODAY = date(2025, 6, 1)
PPM = 12.0  # pixels per millimetre of the synthetic pages


def tl(text: str, x_mm: float, y_mm: float, cap_mm: float = 2.2, conf: float = 0.95) -> TextLine:
    """A line as the OCR would box it: left edge x, baseline y, capitals cap mm tall."""
    x0 = round(x_mm * PPM)
    y1 = round(y_mm * PPM)
    y0 = round(y1 - cap_mm * PPM * 1.35)
    width = round(len(text) * cap_mm * PPM * 0.72)
    return TextLine(text, conf, (x0, y0, x0 + width, y1 + round(cap_mm * PPM * 0.3)))


def extract(lines: list[TextLine], **kw: object) -> dict[str, VizField]:
    kw.setdefault("page_size", (1500, 1056))
    kw.setdefault("today", TODAY)
    return extract_viz_fields(lines, **kw)  # type: ignore[arg-type]


def values(found: dict[str, VizField]) -> dict[str, str]:
    return {k: v.value for k, v in found.items()}


# --- a realistic TD3 page ---------------------------------------------------------------

LABEL, VALUE, GAP = 1.15, 2.2, 3.3


def td3_page() -> tuple[list[TextLine], tuple[int, int, int, int]]:
    """A Swedish-style passport data page: header, photo column left, fields right,
    labels numbered and trilingual above their values, MRZ at the bottom."""
    x = 45.0
    lines = [
        tl("KONUNGARIKET SVERIGE / KINGDOM OF SWEDEN", 6, 7),
        tl("PASS / PASSPORT / PASSEPORT", 6, 11.2, 2.1),
        tl("1. Typ/Type/Type", x, 17, LABEL),
        tl("P", x, 17 + GAP, VALUE),
        tl("2. Kod/Code/Code", x + 14, 17, LABEL),
        tl("SWE", x + 14, 17 + GAP, VALUE),
        tl("3. Passnummer/Passport No./N° du passeport", x + 38, 17, LABEL),
        tl("AA1234567", x + 38, 17 + GAP, VALUE),
        tl("4. Efternamn/Surname/Nom", x, 24, LABEL),
        tl("ÅSTRÖM-ERIKSSON", x, 24 + GAP, VALUE),
        tl("5. Förnamn/Given names/Prénoms", x, 31, LABEL),
        tl("ANNA MARIA", x, 31 + GAP, VALUE),
        tl("6. Nationalitet/Nationality/Nationalité", x, 38, LABEL),
        tl("SVENSK/SWEDISH", x, 38 + GAP, VALUE),
        tl("7. Födelsedatum/Date of birth/Date de naissance", x, 45, LABEL),
        tl("12 AUG/AUG 74", x, 45 + GAP, VALUE),
        tl("8. Kön/Sex/Sexe", x + 46, 45, LABEL),
        tl("K/F", x + 46, 45 + GAP, VALUE),
        tl("9. Födelseort/Place of birth/Lieu de naissance", x, 52, LABEL),
        tl("STOCKHOLM", x, 52 + GAP, VALUE),
        tl("10. Utfärdandedatum/Date of issue/Date de délivrance", x, 59, LABEL),
        tl("03 MAR 2019", x, 59 + GAP, VALUE),
        tl("11. Myndighet/Authority/Autorité", x + 38, 59, LABEL),
        tl("POLISMYNDIGHETEN", x + 38, 59 + GAP, VALUE),
        tl("12. Giltig till/Date of expiry/Date d'expiration", x, 66, LABEL),
        tl("02 MAR 2029", x, 66 + GAP, VALUE),
        tl("13. Namnteckning/Holder's signature", x + 38, 66, LABEL),
        tl("P<SWEASTROEM<ERIKSSON<<ANNA<MARIA<<<<<<<<<<<", 6, 78, 2.4),
        tl("AA12345674SWE7408122F2903027<<<<<<<<<<<<<<02", 6, 82, 2.4),
    ]
    mrz_box = (0, round(75 * PPM), 1500, 1056)
    return lines, mrz_box


EXPECTED_TD3 = {
    "issuing_country": "SWE",
    "document_number": "AA1234567",
    "surname": "ÅSTRÖM-ERIKSSON",
    "given_names": "ANNA MARIA",
    "nationality": "SWE",
    "birth_date": "1974-08-12",
    "sex": "F",
    "place_of_birth": "STOCKHOLM",
    "issue_date": "2019-03-03",
    "authority": "POLISMYNDIGHETEN",
    "expiry_date": "2029-03-02",
}


def test_td3_page_every_field() -> None:
    lines, mrz_box = td3_page()
    found = extract(lines, mrz_box=mrz_box)
    assert values(found) == EXPECTED_TD3
    by_text = {ln.text: ln for ln in lines}
    assert found["surname"].raw == "ÅSTRÖM-ERIKSSON"
    assert found["surname"].box == by_text["ÅSTRÖM-ERIKSSON"].box
    assert found["birth_date"].raw == "12 AUG/AUG 74"
    assert found["nationality"].raw == "SVENSK/SWEDISH"
    for f in found.values():
        assert 0.0 < f.confidence <= 1.0


def test_td3_page_in_any_order_and_without_mrz_box() -> None:
    lines, _ = td3_page()
    shuffled = lines[:]
    random.Random(7).shuffle(shuffled)
    assert values(extract(shuffled)) == EXPECTED_TD3  # the MRZ lines are recognised as such


def test_td3_page_with_ocr_noise() -> None:
    lines, mrz_box = td3_page()
    noisy = {
        "4. Efternamn/Surname/Nom": "4. Efternamn/Sumame/Nom",
        "5. Förnamn/Given names/Prénoms": "5 Fornamn/Given narnes/Prenoms",
        "7. Födelsedatum/Date of birth/Date de naissance": "7. Fodelsedatum/Date ofbirth/Date de naisance",
        "12 AUG/AUG 74": "l2 AUG/AUG 74",
        "03 MAR 2019": "O3 MAR 2019",
        "6. Nationalitet/Nationality/Nationalité": "6. Nationalitet/Natlonality/Nationallte",
        "STOCKHOLM": "ST0CKHOLM",
    }
    lines = [TextLine(noisy.get(ln.text, ln.text), ln.confidence, ln.box) for ln in lines]
    assert values(extract(lines, mrz_box=mrz_box)) == EXPECTED_TD3


def test_lower_ocr_confidence_lowers_field_confidence() -> None:
    lines, mrz_box = td3_page()
    sure = extract(lines, mrz_box=mrz_box)["surname"].confidence
    lines = [
        TextLine(ln.text, 0.5 if ln.text == "ÅSTRÖM-ERIKSSON" else ln.confidence, ln.box) for ln in lines
    ]
    unsure = extract(lines, mrz_box=mrz_box)["surname"].confidence
    assert unsure < sure
    assert unsure == pytest.approx(sure * 0.5 / 0.95, rel=1e-6)


# --- layouts ------------------------------------------------------------------------------


def test_value_on_the_label_line() -> None:
    lines = [
        tl("Surname/Nom ERIKSSON", 10, 10),
        tl("Given names/Prénoms: ANNA", 10, 16),
        tl("Date of birth/Date de naissance 12.08.1974", 10, 22),
    ]
    found = extract(lines)
    assert values(found) == {"surname": "ERIKSSON", "given_names": "ANNA", "birth_date": "1974-08-12"}
    line = lines[0]
    box = found["surname"].box
    assert line.box[0] < box[0] < box[2] <= line.box[2]  # the value's part of the line
    assert found["surname"].raw == "ERIKSSON"


def test_value_right_of_the_label_in_its_own_box() -> None:
    lines = [
        tl("Apellidos", 10, 10, 1.5),
        tl("GARCÍA LÓPEZ", 40, 10),
        tl("Nombre", 10, 16, 1.5),
        tl("MARÍA JOSÉ", 40, 16),
        tl("Fecha de nacimiento", 10, 22, 1.5),
        tl("05 ENE 1980", 40, 22),
        tl("Sexo", 10, 28, 1.5),
        tl("F", 40, 28),
    ]
    assert values(extract(lines)) == {
        "surname": "GARCÍA LÓPEZ",
        "given_names": "MARÍA JOSÉ",
        "birth_date": "1980-01-05",
        "sex": "F",
    }


def test_value_below_the_label() -> None:
    lines = [
        tl("Cognome / Surname / Nom", 40, 20, LABEL),
        tl("ROSSI", 40, 23.3, VALUE),
        tl("Nome / Given names / Prénoms", 40, 27, LABEL),
        tl("MARIO", 40, 30.3, VALUE),
        tl("Luogo di nascita / Place of birth", 40, 34, LABEL),
        tl("ROMA (RM)", 40, 37.3, VALUE),
        tl("Data di rilascio / Date of issue", 40, 41, LABEL),
        tl("14/09/2017", 40, 44.3, VALUE),
        tl("Autorità / Authority", 80, 41, LABEL),
        tl("MINISTRO AFFARI ESTERI", 80, 44.3, VALUE),
    ]
    assert values(extract(lines)) == {
        "surname": "ROSSI",
        "given_names": "MARIO",
        "place_of_birth": "ROMA (RM)",
        "issue_date": "2017-09-14",
        "authority": "MINISTRO AFFARI ESTERI",
    }


def test_two_columns_read_as_one_line() -> None:
    # The OCR joined the labels of two columns, and their values, into single lines.
    lines = [
        TextLine("7. Date of birth / Date de naissance   8. Sex / Sexe", 0.9, (540, 520, 1240, 544)),
        TextLine("12 AUG 1974            M", 0.9, (540, 546, 1110, 588)),
        TextLine(
            "10. Date of issue / Date de délivrance   11. Authority / Autorité", 0.9, (540, 690, 1320, 712)
        ),
        TextLine("03 MAR 2019   HM PASSPORT OFFICE", 0.9, (540, 714, 1300, 756)),
    ]
    assert values(extract(lines)) == {
        "birth_date": "1974-08-12",
        "sex": "M",
        "issue_date": "2019-03-03",
        "authority": "HM PASSPORT OFFICE",
    }


def test_bilingual_label_split_over_two_lines() -> None:
    lines = [
        tl("Geburtsdatum/Date of birth/", 40, 20, LABEL),
        tl("Date de naissance", 40, 22, LABEL),
        tl("12.08.1974", 40, 25.3, VALUE),
    ]
    assert values(extract(lines)) == {"birth_date": "1974-08-12"}


def test_a_label_is_never_taken_for_a_value() -> None:
    # "Surname" has no value of its own: the line below it is the next field's label.
    lines = [
        tl("Surname / Nom", 40, 20, LABEL),
        tl("Given names / Prénoms", 40, 23.3, LABEL),
        tl("ANNA", 40, 26.6, VALUE),
        tl("Sex / Sexe", 80, 20, LABEL),
        tl("Nationality / Nationalité", 100, 20, LABEL),
    ]
    assert values(extract(lines)) == {"given_names": "ANNA"}


def test_values_of_the_wrong_form_are_not_taken() -> None:
    lines = [
        tl("Date of birth / Date de naissance", 40, 20, LABEL),
        tl("ERIKSSON", 40, 23.3, VALUE),  # not a date
        tl("Sex / Sexe", 90, 20, LABEL),
        tl("SWEDISH", 90, 23.3, VALUE),  # not a sex
        tl("Surname / Nom", 40, 27, LABEL),
        tl("12.08.1974", 40, 30.3, VALUE),  # not a name
    ]
    assert extract(lines) == {}


def test_far_away_text_is_not_a_value() -> None:
    lines = [tl("Surname / Nom", 40, 20, LABEL), tl("ERIKSSON", 40, 60, VALUE)]
    assert extract(lines) == {}


def test_text_in_or_just_below_the_mrz_band_is_not_read() -> None:
    lines = [
        tl("Surname / Nom", 40, 70, LABEL),
        tl("ERIKSSON", 40, 73.3, VALUE),
        tl("Given names / Prénoms", 40, 79, LABEL),
        tl("ANNA", 40, 82.3, VALUE),
    ]
    mrz_box = (0, round(72 * PPM), 1500, round(80 * PPM))
    assert values(extract(lines, mrz_box=mrz_box)) == {}
    assert values(extract(lines, mrz_box=(0, round(76 * PPM), 1500, 1056))) == {"surname": "ERIKSSON"}


def test_the_back_of_a_card_under_its_front_is_read() -> None:
    # front: fields and the MRZ band; back, below a gap: issue date and authority
    lines = [
        tl("Nom : DUPONT", 34, 22),
        tl("IDFRADUPONT<<<<<<<<<<<<<<<<<<<<646069", 5, 63, 2.4),
        tl("8806923102858JEAN<<PIERRE<<7408122M4", 5, 67, 2.4),
        tl("délivrée le : 17.12.2019", 5, 110),
        tl("par : PRÉFECTURE DE LA GIRONDE", 5, 116),
    ]
    mrz_box = (0, round(59 * PPM), 1500, round(68 * PPM))
    assert values(extract(lines, mrz_box=mrz_box, page_size=(1500, 1500))) == {
        "surname": "DUPONT",
        "issue_date": "2019-12-17",
        "authority": "PRÉFECTURE DE LA GIRONDE",
    }


def test_french_identity_card_inline_labels() -> None:
    lines = [
        tl("CARTE NATIONALE D'IDENTITÉ N° : 880692310285", 4.5, 11.5, 1.6),
        tl("Nationalité Française", 60, 15.5, 1.4),
        tl("Nom : DUPONT", 34, 22),
        tl("Prénom(s) : JEAN, PIERRE", 34, 28),
        tl("Sexe : M", 34, 34),
        tl("Né(e) le : 12.08.1974", 60, 34),
        tl("à : PARIS 15E (75)", 34, 40),
    ]
    assert values(extract(lines)) == {
        "document_number": "880692310285",
        "nationality": "FRA",
        "surname": "DUPONT",
        "given_names": "JEAN PIERRE",
        "sex": "M",
        "birth_date": "1974-08-12",
        "place_of_birth": "PARIS 15E (75)",
    }


def test_visa_sticker() -> None:
    x = 40.0
    lines = [
        tl("VISA", 3, 7.5, 4.0),
        tl("REPUBLIC OF UTOPIA", 28, 7, 1.7),
        tl("F67756520", 95, 7.5, 2.6),
        tl("Valid for / Valable pour", x, 13.5, 1.0),
        tl("ÉTATS SCHENGEN", x, 16.4, 2.0),
        tl("From / Du", x + 35, 13.5, 1.0),
        tl("21 FEB 2025", x + 35, 16.4, 2.0),
        tl("Until / Au", x + 58, 13.5, 1.0),
        tl("19 FEB 2030", x + 58, 16.4, 2.0),
        tl("Issued in / Délivré à", x, 26.1, 1.0),
        tl("PARIS", x, 29.0, 2.0),
        tl("On / Le", x + 45, 26.1, 1.0),
        tl("21 FEB 2025", x + 45, 29.0, 2.0),
        tl("Passport No. / No. du passeport", x, 32.4, 1.0),
        tl("875662561", x, 35.3, 2.0),
        tl("Surname, name / Nom, prénom", x, 38.7, 1.0),
        tl("WARD, CHARLOTTE OLIVIA", x, 41.6, 2.0),
    ]
    assert values(extract(lines)) == {
        "document_number": "F67756520",  # the visa's own number, not the passport's
        "expiry_date": "2030-02-19",
        "authority": "PARIS",
        "issue_date": "2025-02-21",
        "surname": "WARD",
        "given_names": "CHARLOTTE OLIVIA",
    }


def test_passport_number_label_outside_a_visa_is_the_document_number() -> None:
    lines = [tl("Passport No. / No. du passeport", 40, 20, LABEL), tl("875662561", 40, 23.3, VALUE)]
    assert values(extract(lines)) == {"document_number": "875662561"}


def test_two_digit_years_follow_the_field() -> None:
    lines = [
        tl("Date of birth", 10, 10, 1.5),
        tl("12 AUG 30", 40, 10),
        tl("Date of expiry", 10, 16, 1.5),
        tl("12 AUG 30", 40, 16),
    ]
    assert values(extract(lines)) == {"birth_date": "1930-08-12", "expiry_date": "2030-08-12"}


# --- hostile input ----------------------------------------------------------------------------


def test_empty_input() -> None:
    assert extract_viz_fields([], page_size=(1000, 700)) == {}
    assert extract_viz_fields([], page_size=(0, 0), mrz_box=None) == {}


def test_garbage_never_raises() -> None:
    rnd = random.Random(1)
    alphabet = "ABCÉÜß<>/.:-()[]0123456789 abcxyz\u0301\u200b\t\n\x00李Ж"
    lines = []
    for _ in range(300):
        n = rnd.randint(0, 60)
        text = "".join(rnd.choice(alphabet) for _ in range(n))
        x0, y0 = rnd.randint(-50, 1500), rnd.randint(-50, 1100)
        box = (x0, y0, x0 + rnd.randint(-20, 400), y0 + rnd.randint(-5, 60))
        lines.append(TextLine(text, rnd.random(), box))
    lines += [
        TextLine("Surname", math.nan, (0, 0, 10, 10)),
        TextLine("Date of birth", 2.0, (5, 5, 5, 5)),
        TextLine("Sex", -1.0, (10, 10, 0, 0)),
        TextLine("", 0.5, (0, 0, 1, 1)),
        TextLine("   ", 0.5, (0, 0, 1, 1)),
        TextLine("Surname/Nom " + "A" * 5000, 0.9, (0, 0, 100, 10)),
    ]
    found = extract_viz_fields(lines, page_size=(1500, 1056), mrz_box=(0, 900, 1500, 1056), today=TODAY)
    for f in found.values():
        assert 0.0 <= f.confidence <= 1.0
    extract_viz_fields(lines, page_size=(0, -5), mrz_box=(10, 10, 0, 0))


def test_malformed_lines_are_skipped() -> None:
    bad = [
        TextLine(None, 0.9, (0, 0, 10, 10)),  # type: ignore[arg-type]
        TextLine("Surname", "high", (0, 0, 10, 10)),  # type: ignore[arg-type]
        TextLine("ERIKSSON", 0.9, (0, 12, 10)),  # type: ignore[arg-type]
        TextLine("ERIKSSON", 0.9, (0, math.inf, 10, 20)),
    ]
    assert extract_viz_fields(bad, page_size=(100, 100)) == {}


def test_huge_line_count_is_fast() -> None:
    lines, mrz_box = td3_page()
    rnd = random.Random(3)
    words = ["Surname", "Nom", "ERIKSSON", "12 AUG 1974", "Date", "of", "birth", "Sex", "M", "PASSPORT"]
    filler = [
        TextLine(" ".join(rnd.choice(words) for _ in range(rnd.randint(1, 6))), 0.9,
                 (rnd.randint(0, 1400), y, rnd.randint(0, 1400) + 100, y + 20))
        for y in (rnd.randint(1200, 50_000) for _ in range(20_000))
    ]
    start = time.perf_counter()
    found = extract(lines + filler, mrz_box=mrz_box)
    elapsed = time.perf_counter() - start
    assert values(found) == EXPECTED_TD3  # the page is read; lines past the cap are ignored
    assert elapsed < 5.0
