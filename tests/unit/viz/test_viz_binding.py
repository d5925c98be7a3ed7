"""Values bound to their labels by layout (issue 14, second pass): the classes of misses the
development set showed, each on OCR line fixtures shaped like the real readings."""

from __future__ import annotations

from datetime import date

from desktop_app.core.types import Field, TextLine
from desktop_app.core.viz import VizField, cross_check, extract_viz_fields
from desktop_app.core.viz.dates import parse_printed_date
from desktop_app.core.viz.fragments import join_fragments
from desktop_app.core.viz.labels import IGNORED, parse_line
from desktop_app.core.viz.layout import infer_from_layout

TODAY = date(2025, 6, 1)


def test_a_years_digits_boxed_tighter_than_the_month_still_join_into_the_date() -> None:
    # The detector boxes "14" 12 px tall against 19 px for "25MAY/MAY"; the gap (15 px) is
    # more than 1.2 of the small height but not of the tall one.
    lines = [TextLine("25MAY/MAY", 0.99, (262, 673, 370, 692)), TextLine("14", 0.97, (385, 677, 405, 689))]
    assert [ln.text for ln in join_fragments(lines)] == ["25MAY/MAY 14"]


def test_a_year_boxed_half_as_tall_joins_too() -> None:
    lines = [TextLine("25MAY /MAY", 0.95, (456, 477, 576, 499)), TextLine("14", 1.0, (597, 480, 614, 492))]
    assert [ln.text for ln in join_fragments(lines)] == ["25MAY /MAY 14"]


def test_the_wider_gap_joins_only_pieces_that_make_a_date() -> None:
    lines = [TextLine("25MAY/MAY", 0.99, (262, 673, 370, 692)), TextLine("AB", 0.97, (385, 677, 405, 689))]
    assert len(join_fragments(lines)) == 2
    whole = [TextLine("25.05.2014", 0.99, (262, 673, 370, 692)), TextLine("14", 0.97, (385, 677, 405, 689))]
    assert len(join_fragments(whole)) == 2


def test_a_translation_in_another_script_before_the_slash_is_part_of_the_label() -> None:
    # Belarus: the Cyrillic half of "ОРГАН, ЯКІ ВЫДАЎ ПАШПАРТ/AUTHORITY" read as Latin junk
    # in capitals; the label's column starts where that line starts.
    segs = [s for s in parse_line("OPTAHAKIBHIIAYTIAIIIAPT/AUTHORITY") if s.field is not None]
    assert [(s.field, s.label_start) for s in segs] == [("authority", 0)]
    assert [s.field for s in parse_line("PAMAJ3HHCTBA/NATIONALITY")] == ["nationality"]
    lines = [
        TextLine("OPTAHAKIBHIIAYTIAIIIAPT/AUTHORITY", 0.81, (1349, 734, 1926, 780)),
        TextLine("HIATA BbUIAYbI/DATE OFISSUE", 0.85, (643, 741, 1061, 776)),
        TextLine("28042006", 1.0, (693, 778, 1051, 832)),
        TextLine("MINISTRY OF", 0.97, (1351, 782, 1672, 826)),
        TextLine("INTERNALAFFAIRS", 0.99, (1353, 845, 1825, 888)),
    ]
    found = extract_viz_fields(lines, page_size=(1986, 1398), today=TODAY)
    assert found["authority"].value == "MINISTRY OF INTERNALAFFAIRS"


def test_a_glued_field_number_and_a_translation_before_a_label_are_no_value() -> None:
    segs = parse_line("11Kasutajaallken/Holder's signature")
    assert [s.field for s in segs] == [IGNORED]


def test_a_value_before_a_slash_and_a_label_stays_a_value_when_it_is_a_date() -> None:
    segs = parse_line("12.08.1964/Place of birth")
    assert segs[0].field is None


def test_a_block_beside_the_label_but_off_its_row_loses_to_the_value_under_it() -> None:
    # Belgium: "Place of issue" with the town under it; right of the label, half a line
    # lower, the country's name heads a block of its own.
    lines = [
        TextLine("Ausstellungsort/Place of issue", 0.97, (55, 890, 349, 915)),
        TextLine("BELGIQUE", 0.97, (447, 902, 533, 925)),
        TextLine("BELGIE BELGIEN", 0.97, (424, 919, 555, 939)),
        TextLine("SANKT VITH", 0.97, (54, 922, 180, 948)),
        TextLine("BELGIUM", 0.97, (456, 942, 525, 958)),
    ]
    found = extract_viz_fields(lines, page_size=(954, 1383), today=TODAY)
    assert found["authority"].value == "SANKT VITH"


def test_a_value_on_its_labels_row_is_still_taken_from_the_right() -> None:
    lines = [
        TextLine("Place of issue", 0.97, (55, 890, 200, 915)),
        TextLine("SANKT VITH", 0.97, (260, 888, 400, 916)),
        TextLine("BELGIUM", 0.97, (54, 930, 150, 955)),
    ]
    found = extract_viz_fields(lines, page_size=(954, 1383), today=TODAY)
    assert found["authority"].value == "SANKT VITH"
    assert found["authority"].doubt is None


def _belgian_card() -> list[TextLine]:
    return [
        TextLine("Geburtsortund-datum/Place anddate of birth", 0.96, (288, 180, 728, 212)),
        TextLine("Rochefort 01.DEZ.1985", 0.99, (291, 212, 574, 241)),
        TextLine("Gultig von-bis/Valid from-until", 0.96, (27, 382, 337, 409)),
        TextLine("01.01.2004-01.01.2009", 0.99, (24, 413, 301, 441)),
    ]


def test_one_label_for_place_and_date_of_birth_gives_the_place_and_no_date_of_issue() -> None:
    found = extract_viz_fields(_belgian_card(), page_size=(954, 1383), today=TODAY)
    assert found["place_of_birth"].value == "ROCHEFORT"
    assert found.get("issue_date") is None or found["issue_date"].value != "1985-12-01"


def test_a_validity_range_gives_the_expiry_and_a_date_of_issue_in_doubt() -> None:
    found = extract_viz_fields(_belgian_card(), page_size=(954, 1383), today=TODAY)
    assert found["expiry_date"].value == "2009-01-01"
    assert found["issue_date"].value == "2004-01-01"
    assert found["issue_date"].doubt  # the start of validity is not surely the issue day
    assert found["expiry_date"].doubt is None


def test_a_month_in_a_language_the_table_lacks_beside_a_slash_is_left_out_of_the_date() -> None:
    # Irish passports print "MFO/SEP" (Meán Fómhair); the English half names the month.
    assert parse_printed_date("16 MFO/SEP 2013", kind="issue", today=TODAY) == "2013-09-16"
    # a word without the slash is no translation: the date stays unread
    assert parse_printed_date("16 XY SEP 2013", kind="issue", today=TODAY) is None


def test_an_authority_in_title_case_continues_on_the_centred_line_under_it() -> None:
    # United States: "United States" / "Department of State", centred in the column.
    lines = [
        TextLine("Authority/Autorite/Autoridad", 0.84, (427, 204, 541, 220)),
        TextLine("United States", 0.97, (446, 221, 531, 235)),
        TextLine("Department of State", 0.97, (424, 235, 549, 254)),
    ]
    found = extract_viz_fields(lines, page_size=(600, 393), today=TODAY)
    assert found["authority"].value == "UNITED STATES DEPARTMENT OF STATE"


def test_a_value_in_capitals_does_not_continue_into_a_mixed_case_line() -> None:
    lines = [
        TextLine("Authority/Autorite", 0.9, (400, 200, 540, 220)),
        TextLine("UNITED STATES", 0.97, (400, 221, 500, 235)),
        TextLine("Date of expiry", 0.97, (400, 236, 500, 250)),
    ]
    found = extract_viz_fields(lines, page_size=(600, 393), today=TODAY)
    assert found["authority"].value == "UNITED STATES"


def test_a_label_in_capitals_beside_the_date_of_issue_is_no_authority_by_position() -> None:
    mrz = {"birth_date": Field("1988-05-04", 0.99, "mrz"), "expiry_date": Field("2023-09-15", 0.99, "mrz")}
    lines = [
        TextLine("04 MAY 1988", 0.99, (516, 245, 728, 265)),
        TextLine("16 SEP 2013", 0.97, (237, 326, 423, 346)),
        TextLine("DATE OF EXPIRY/DATE D'EXPIRATION", 0.94, (515, 330, 752, 344)),
    ]
    found = infer_from_layout(lines, {}, mrz, today=TODAY)
    assert found["issue_date"].value == "2013-09-16"
    assert "authority" not in found


def test_a_short_label_read_in_capitals_with_its_colon_at_the_lines_start_is_a_label() -> None:
    # French card: "à: PARIS 1ER (75)" read "A:PARIS 1ER(75)".
    segs = parse_line("A:PARIS 1ER(75)")
    assert [(s.field, "A:PARIS 1ER(75)"[s.value_start : s.value_end]) for s in segs] == [
        ("place_of_birth", "PARIS 1ER(75)")
    ]
    # without the colon, or inside a line, a short word in capitals stays a value
    assert [s.field for s in parse_line("LE HAVRE")] == [None]
    assert all(s.field is None for s in parse_line("SAINT A: PARIS"))


def test_a_line_under_a_value_that_reads_like_another_script_replaces_it_only_in_capitals() -> None:
    # Estonia: "KMA" is made of letters Cyrillic shares; under it, a label in mixed case.
    lines = [
        TextLine("9.Vajanda/Authoriy/A", 0.73, (471, 248, 588, 262)),
        TextLine("KMA", 0.99, (479, 261, 521, 277)),
        TextLine("Kasutajaallken", 0.77, (465, 285, 560, 298)),
    ]
    found = extract_viz_fields(lines, page_size=(707, 492), today=TODAY)
    assert found["authority"].value == "KMA"
    assert found["authority"].doubt  # it may be Cyrillic read as Latin: in doubt


def test_an_authority_whose_digits_were_read_as_letters_is_in_doubt() -> None:
    lines = [
        TextLine("Izdevejiestade/Authority / Autorite", 0.95, (404, 211, 788, 244)),
        TextLine("PMLPRIGAS1.NODALA", 0.98, (411, 256, 861, 290)),
    ]
    found = extract_viz_fields(lines, page_size=(1350, 856), today=TODAY)
    assert found["authority"].value == "PMLPRIGASI.NODALA"
    assert found["authority"].doubt
    clean = [lines[0], TextLine("PMLP RIGAS NODALA", 0.98, (411, 256, 861, 290))]
    assert extract_viz_fields(clean, page_size=(1350, 856), today=TODAY)["authority"].doubt is None


def test_a_short_label_glued_after_punctuation_is_a_misread_suffix_not_a_label() -> None:
    # "Prénom(s)" read "Prenom(a)": no place of birth there.
    assert [s.field for s in parse_line("Prenom(a)")] == ["given_names"]
    # a translation after a slash still is one ("Il / On" read "11/0n")
    assert [s.field for s in parse_line("Le/On 25 FEB 2024")][-1] == "issue_date"


def test_french_card_given_names_separated_by_two_fillers_fill_the_field() -> None:
    mrz = {
        "surname": Field("DE LA TOUR", 0.99, "mrz"),
        "given_names": Field("JEROME FRANCO", 0.99, "mrz"),  # "JEROME<<FRANCO": 14 characters
    }
    seen = {"given_names": VizField("JEROME FRANCOIS GAEL", "JEROME,FRANCOIS,GAEL", 0.95, (0, 0, 9, 9))}
    assert cross_check(mrz, seen)["given_names"].status != "mismatch"


def test_a_surname_holding_a_comma_and_more_names_is_in_doubt_and_no_mismatch() -> None:
    # A visa's "Cognome, nome / Surname, name" misread "name.ame" (a surname label).
    lines = [
        TextLine("name.ame", 0.86, (510, 439, 574, 451)),
        TextLine("MOLLER,ASTRID", 0.97, (401, 450, 585, 475)),
        TextLine("Passport No", 0.88, (481, 388, 541, 403)),
        TextLine("XV30B88Z3", 1.0, (401, 405, 528, 424)),
    ]
    found = extract_viz_fields(lines, page_size=(1200, 800), today=TODAY)
    assert found["surname"].doubt
    mrz = {"surname": Field("MOELLER", 0.99, "mrz"), "given_names": Field("ASTRID", 0.99, "mrz")}
    assert cross_check(mrz, found)["surname"].status != "mismatch"
    single = [lines[0], TextLine("MOLLER ASTRID", 0.97, (401, 450, 585, 475)), *lines[2:]]
    assert extract_viz_fields(single, page_size=(1200, 800), today=TODAY)["surname"].doubt is None
