"""Printed labels: every language, bilingual forms, OCR noise, and values that are not labels."""

from __future__ import annotations

import pytest

from desktop_app.core.viz._text import edit_distance
from desktop_app.core.viz.labels import (
    FULL_NAME,
    HOLDER_PASSPORT,
    IGNORED,
    LABELS,
    compact_label,
    max_edits_for,
    parse_line,
)


def split(text: str) -> list[tuple[str | None, str]]:
    """(field, value text) of every segment of a line."""
    return [(s.field, text[s.value_start : s.value_end].strip()) for s in parse_line(text)]


def field_of(text: str) -> str | None:
    segments = parse_line(text)
    assert segments, text
    return segments[0].field


@pytest.mark.parametrize(
    ("text", "field"),
    [
        # English / French / Spanish / German / Italian / Portuguese / Dutch, alone
        ("Surname", "surname"),
        ("Nom", "surname"),
        ("Apellidos", "surname"),
        ("Cognome", "surname"),
        ("Apelido", "surname"),
        ("Naam", "surname"),
        ("Given names", "given_names"),
        ("Prénoms", "given_names"),
        ("Nombre", "given_names"),
        ("Vornamen", "given_names"),
        ("Nome", "given_names"),
        ("Nome próprio", "given_names"),
        ("Voornamen", "given_names"),
        ("Date of birth", "birth_date"),
        ("Fecha de nacimiento", "birth_date"),
        ("Geburtsdatum", "birth_date"),
        ("Data di nascita", "birth_date"),
        ("Data de nascimento", "birth_date"),
        ("Geboortedatum", "birth_date"),
        ("Place of birth", "place_of_birth"),
        ("Lugar de nacimiento", "place_of_birth"),
        ("Geburtsort", "place_of_birth"),
        ("Luogo di nascita", "place_of_birth"),
        ("Local de nascimento", "place_of_birth"),
        ("Geboorteplaats", "place_of_birth"),
        ("Date of issue", "issue_date"),
        ("Fecha de expedición", "issue_date"),
        ("Datum", "issue_date"),
        ("Data di rilascio", "issue_date"),
        ("Data de emissão", "issue_date"),
        ("Datum van afgifte", "issue_date"),
        ("Authority", "authority"),
        ("Autoridad", "authority"),
        ("Behörde", "authority"),
        ("Autorità", "authority"),
        ("Autoridade", "authority"),
        ("Afgegeven door", "authority"),
        ("Instantie", "authority"),
        ("Date of expiry", "expiry_date"),
        ("Gültig bis", "expiry_date"),
        ("Fecha de caducidad", "expiry_date"),
        ("Data di scadenza", "expiry_date"),
        ("Válido até", "expiry_date"),
        ("Geldig tot", "expiry_date"),
        ("Nationality", "nationality"),
        ("Staatsangehörigkeit", "nationality"),
        ("Nacionalidad", "nationality"),
        ("Cittadinanza", "nationality"),
        ("Nationaliteit", "nationality"),
        ("Sex", "sex"),
        ("Geschlecht", "sex"),
        ("Sesso", "sex"),
        ("Geslacht", "sex"),
        ("Document No.", "document_number"),
        ("Code", "issuing_country"),
        # bilingual and trilingual forms
        ("Surname / Nom / Apellidos", "surname"),
        ("Nom/Surname", "surname"),
        ("Name/Surname/Nom", "surname"),
        ("Vornamen/Given names/Prénoms", "given_names"),
        ("Geburtsdatum/Date of birth/Date de naissance", "birth_date"),
        ("Geburtsort/Place of birth/Lieu de naissance", "place_of_birth"),
        ("Datum/Date of issue/Date de délivrance", "issue_date"),
        ("Behörde/Authority/Autorité", "authority"),
        ("Gültig bis/Date of expiry/Date d'expiration", "expiry_date"),
        ("Staatsangehörigkeit/Nationality/Nationalité", "nationality"),
        ("Geschlecht/Sex/Sexe", "sex"),
        ("Pass-Nr./Passport No./Passeport N°", HOLDER_PASSPORT),
        ("Surname, name / Nom, prénom", FULL_NAME),
        ("Type/Type/Typ", IGNORED),
    ],
)
def test_labels_in_every_language(text: str, field: str) -> None:
    segments = parse_line(text)
    assert [s.field for s in segments] == [field]
    assert text[segments[0].value_start :].strip() == ""


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ("Sumame/Nom", "surname"),  # rn read as m
        ("SURNAME/NOM", "surname"),  # all capitals
        ("Dat of brth/Date de naisance", "birth_date"),  # dropped letters
        ("DATEOFBIRTH", "birth_date"),  # merged words
        ("Date ofbirth / Date de nais sance", "birth_date"),  # merged and split
        ("Given narnes/Prenorns", "given_names"),
        ("Staatsangehorigkeit/Natlonality", "nationality"),  # accents lost, l for i
        ("Geburtsdaturn", "birth_date"),
        ("N0M", "surname"),  # zero for O
        ("Date d´expiration", "expiry_date"),
        ("Plaoe of birth / Lieu de naissanoe", "place_of_birth"),
    ],
)
def test_ocr_noisy_labels(text: str, field: str) -> None:
    assert field_of(text) == field


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1. Surname/Nom", [("surname", "")]),
        ("(1) Surname / Nom", [("surname", "")]),
        ("4a. Date of issue", [("issue_date", "")]),
        ("Surname/Nom (1)", [("surname", "")]),
        ("12. Giltig till/Date of expiry/Date d'expiration", [("expiry_date", "")]),
    ],
)
def test_index_numbers_belong_to_the_label(text: str, expected: list[tuple[str | None, str]]) -> None:
    assert split(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Surname/Nom ERIKSSON", [("surname", "ERIKSSON")]),
        ("Surname/Nom: ERIKSSON", [("surname", "ERIKSSON")]),
        ("NomERIKSSON", [("surname", "ERIKSSON")]),
        ("SURNAMEERIKSSON", [("surname", "ERIKSSON")]),
        ("Date of birth12 AUG 1974", [("birth_date", "12 AUG 1974")]),
        ("1. Surname/Nom/Apellxdos ERIKSSON", [("surname", "ERIKSSON")]),  # unreadable translation
        ("2. Kod/Code/Code SWE", [("issuing_country", "SWE")]),  # unknown translation before
        (
            "Sex/Sexe M Nationality/Nationalité SWEDISH",
            [("sex", "M"), ("nationality", "SWEDISH")],
        ),
        (
            "Date of birth/Date de naissance   Sex/Sexe",
            [("birth_date", ""), ("sex", "")],
        ),
        ("Geschlecht M", [("sex", "M")]),  # the value is not swallowed by a fuzzy label
        ("Nationalité Française", [("nationality", "Française")]),
        ("Né(e) le : 12.08.1974", [("birth_date", "12.08.1974")]),
        ("à : PARIS", [("place_of_birth", "PARIS")]),
    ],
)
def test_label_and_value_on_one_line(text: str, expected: list[tuple[str | None, str]]) -> None:
    assert split(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "ERIKSSON",
        "12 AUG 1974",
        "ESSEX",  # holds "SEX"
        "NOMURA",  # starts with "NOM"
        "NIMES",  # one letter from "NOMES"
        "LE HAVRE",  # "Le" is a visa label only in lower case
        "DE LA CRUZ",
        "HM PASSPORT OFFICE",  # "PASSPORT" inside a value
        "PASSPORT OFFICE ZENITH",
        "ANNA MARIA",
        "SVENSK/SWEDISH",
        "M",
        "AA1234567",
        "POLISMYNDIGHETEN",
    ],
)
def test_values_are_not_labels(text: str) -> None:
    assert [s.field for s in parse_line(text)] == [None]


def test_value_before_a_label_is_free_text() -> None:
    assert split("ERIKSSON Given names/Prénoms") == [(None, "ERIKSSON"), ("given_names", "")]


def test_no_label_of_one_field_is_within_reach_of_another_fields_exact_label() -> None:
    """Only the pairs listed here are one fuzzy step apart; the exact one always wins."""
    items = []
    for field, labels in LABELS.items():
        for label in labels:
            weak = label.startswith("~")
            c = compact_label(label.lstrip("~"))
            grams = {c[i : i + 2] for i in range(len(c) - 1)}
            items.append((field, c, 0 if weak else max_edits_for(len(c)), grams))
    near = set()
    for f1, c1, k1, g1 in items:
        for f2, c2, _, g2 in items:
            if k1 == 0 or f1 == f2 or c1 == c2 or abs(len(c1) - len(c2)) > k1:
                continue
            if len(g1 & g2) < len(g1) - 2 * k1:
                continue  # each edit breaks at most two bigrams: too far apart
            if edit_distance(c1, c2) <= k1:
                near.add(frozenset((f1, f2)))
    allowed = {
        frozenset(("birth_date", "place_of_birth")),  # Finnish syntymäaika / syntymäpaikka
        frozenset(("issue_date", "authority")),  # "issued on" / "issued in"
        frozenset(("issue_date", "expiry_date")),  # "fecha de expedición" / "de expiración"
        frozenset((HOLDER_PASSPORT, IGNORED)),  # "Passport No." / "Passport"
        frozenset(("document_number", IGNORED)),  # "Identity card No." / "Identity card"
    }
    assert near <= allowed
    # and a label printed exactly is read as its own field
    for field, labels in LABELS.items():
        for label in labels:
            if not label.startswith("~"):
                assert field_of(label) == field, label


def test_empty_and_punctuation_only() -> None:
    assert parse_line("") == ()
    assert parse_line("   ") == ()
    assert [s.field for s in parse_line(" , ")] == [None]
