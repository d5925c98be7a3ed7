"""Printed labels and date forms of the visual zone, in the languages the generator speaks.

Real documents print each label in the issuing state's language followed by English and
often French ("Name / Surname / Nom"); dates appear in many forms ("12 AUG 1974",
"12 AOUT/AUG 74", "12.08.1974", "12/08/1974"). This module holds those strings.
"""

from __future__ import annotations

import datetime as dt
from typing import Final

LANGUAGES: Final = ("en", "fr", "de", "es", "it", "pt", "nl")

LABEL_KEYS: Final = (
    "type",
    "code",
    "passport_no",
    "document_no",
    "card_no",
    "surname",
    "given_names",
    "nationality",
    "birth_date",
    "sex",
    "place_of_birth",
    "issue_date",
    "authority",
    "expiry_date",
    "personal_number",
    "signature",
    "height",
    "address",
    "visa_valid_for",
    "visa_from",
    "visa_until",
    "visa_type",
    "visa_entries",
    "visa_duration",
    "visa_issued_in",
    "visa_on",
    "visa_remarks",
    "visa_name",
)

LABELS: Final[dict[str, dict[str, str]]] = {
    "en": {
        "type": "Type",
        "code": "Code",
        "passport_no": "Passport No.",
        "document_no": "Document No.",
        "card_no": "Card No.",
        "surname": "Surname",
        "given_names": "Given names",
        "nationality": "Nationality",
        "birth_date": "Date of birth",
        "sex": "Sex",
        "place_of_birth": "Place of birth",
        "issue_date": "Date of issue",
        "authority": "Authority",
        "expiry_date": "Date of expiry",
        "personal_number": "Personal No.",
        "signature": "Holder's signature",
        "height": "Height",
        "address": "Address",
        "visa_valid_for": "Valid for",
        "visa_from": "From",
        "visa_until": "Until",
        "visa_type": "Type of visa",
        "visa_entries": "Number of entries",
        "visa_duration": "Duration of stay",
        "visa_issued_in": "Issued in",
        "visa_on": "On",
        "visa_remarks": "Remarks",
        "visa_name": "Surname, name",
    },
    "fr": {
        "type": "Type",
        "code": "Code du pays",
        "passport_no": "No. du passeport",
        "document_no": "No. du document",
        "card_no": "No. de la carte",
        "surname": "Nom",
        "given_names": "Prénoms",
        "nationality": "Nationalité",
        "birth_date": "Date de naissance",
        "sex": "Sexe",
        "place_of_birth": "Lieu de naissance",
        "issue_date": "Date de délivrance",
        "authority": "Autorité",
        "expiry_date": "Date d'expiration",
        "personal_number": "No. personnel",
        "signature": "Signature du titulaire",
        "height": "Taille",
        "address": "Adresse",
        "visa_valid_for": "Valable pour",
        "visa_from": "Du",
        "visa_until": "Au",
        "visa_type": "Type de visa",
        "visa_entries": "Nombre d'entrées",
        "visa_duration": "Durée du séjour",
        "visa_issued_in": "Délivré à",
        "visa_on": "Le",
        "visa_remarks": "Remarques",
        "visa_name": "Nom, prénom",
    },
    "de": {
        "type": "Typ",
        "code": "Kode",
        "passport_no": "Pass-Nr.",
        "document_no": "Dokumentennummer",
        "card_no": "Ausweisnummer",
        "surname": "Name",
        "given_names": "Vornamen",
        "nationality": "Staatsangehörigkeit",
        "birth_date": "Geburtsdatum",
        "sex": "Geschlecht",
        "place_of_birth": "Geburtsort",
        "issue_date": "Ausstellungsdatum",
        "authority": "Behörde",
        "expiry_date": "Gültig bis",
        "personal_number": "Persönliche Nr.",
        "signature": "Unterschrift",
        "height": "Größe",
        "address": "Anschrift",
        "visa_valid_for": "Gültig für",
        "visa_from": "Vom",
        "visa_until": "Bis",
        "visa_type": "Art des Visums",
        "visa_entries": "Anzahl der Einreisen",
        "visa_duration": "Dauer des Aufenthalts",
        "visa_issued_in": "Ausgestellt in",
        "visa_on": "Am",
        "visa_remarks": "Anmerkungen",
        "visa_name": "Name, Vorname",
    },
    "es": {
        "type": "Tipo",
        "code": "Código",
        "passport_no": "Pasaporte N.º",
        "document_no": "N.º de documento",
        "card_no": "N.º de soporte",
        "surname": "Apellidos",
        "given_names": "Nombre",
        "nationality": "Nacionalidad",
        "birth_date": "Fecha de nacimiento",
        "sex": "Sexo",
        "place_of_birth": "Lugar de nacimiento",
        "issue_date": "Fecha de expedición",
        "authority": "Autoridad",
        "expiry_date": "Fecha de caducidad",
        "personal_number": "N.º personal",
        "signature": "Firma del titular",
        "height": "Estatura",
        "address": "Domicilio",
        "visa_valid_for": "Válido para",
        "visa_from": "Desde",
        "visa_until": "Hasta",
        "visa_type": "Tipo de visado",
        "visa_entries": "Número de entradas",
        "visa_duration": "Duración de la estancia",
        "visa_issued_in": "Expedido en",
        "visa_on": "El",
        "visa_remarks": "Observaciones",
        "visa_name": "Apellidos, nombre",
    },
    "it": {
        "type": "Tipo",
        "code": "Codice Paese",
        "passport_no": "Passaporto N.",
        "document_no": "N. documento",
        "card_no": "N. carta",
        "surname": "Cognome",
        "given_names": "Nome",
        "nationality": "Cittadinanza",
        "birth_date": "Data di nascita",
        "sex": "Sesso",
        "place_of_birth": "Luogo di nascita",
        "issue_date": "Data di rilascio",
        "authority": "Autorità",
        "expiry_date": "Data di scadenza",
        "personal_number": "N. personale",
        "signature": "Firma del titolare",
        "height": "Statura",
        "address": "Indirizzo",
        "visa_valid_for": "Valido per",
        "visa_from": "Dal",
        "visa_until": "Al",
        "visa_type": "Tipo di visto",
        "visa_entries": "Numero di ingressi",
        "visa_duration": "Durata del soggiorno",
        "visa_issued_in": "Rilasciato a",
        "visa_on": "Il",
        "visa_remarks": "Annotazioni",
        "visa_name": "Cognome, nome",
    },
    "pt": {
        "type": "Tipo",
        "code": "Código do país",
        "passport_no": "Passaporte N.º",
        "document_no": "Documento N.º",
        "card_no": "Cartão N.º",
        "surname": "Apelido",
        "given_names": "Nome próprio",
        "nationality": "Nacionalidade",
        "birth_date": "Data de nascimento",
        "sex": "Sexo",
        "place_of_birth": "Local de nascimento",
        "issue_date": "Data de emissão",
        "authority": "Autoridade",
        "expiry_date": "Válido até",
        "personal_number": "N.º pessoal",
        "signature": "Assinatura do titular",
        "height": "Altura",
        "address": "Morada",
        "visa_valid_for": "Válido para",
        "visa_from": "De",
        "visa_until": "Até",
        "visa_type": "Tipo de visto",
        "visa_entries": "Número de entradas",
        "visa_duration": "Duração da estada",
        "visa_issued_in": "Emitido em",
        "visa_on": "Em",
        "visa_remarks": "Observações",
        "visa_name": "Apelido, nome",
    },
    "nl": {
        "type": "Soort",
        "code": "Code",
        "passport_no": "Paspoortnummer",
        "document_no": "Documentnummer",
        "card_no": "Kaartnummer",
        "surname": "Naam",
        "given_names": "Voornamen",
        "nationality": "Nationaliteit",
        "birth_date": "Geboortedatum",
        "sex": "Geslacht",
        "place_of_birth": "Geboorteplaats",
        "issue_date": "Datum van afgifte",
        "authority": "Autoriteit",
        "expiry_date": "Geldig tot",
        "personal_number": "Persoonsnummer",
        "signature": "Handtekening houder",
        "height": "Lengte",
        "address": "Adres",
        "visa_valid_for": "Geldig voor",
        "visa_from": "Van",
        "visa_until": "Tot",
        "visa_type": "Soort visum",
        "visa_entries": "Aantal binnenkomsten",
        "visa_duration": "Duur van het verblijf",
        "visa_issued_in": "Afgegeven te",
        "visa_on": "Op",
        "visa_remarks": "Opmerkingen",
        "visa_name": "Naam, voornaam",
    },
}

TITLES: Final[dict[str, dict[str, str]]] = {
    "passport": {
        "en": "PASSPORT",
        "fr": "PASSEPORT",
        "de": "REISEPASS",
        "es": "PASAPORTE",
        "it": "PASSAPORTO",
        "pt": "PASSAPORTE",
        "nl": "PASPOORT",
    },
    "id": {
        "en": "IDENTITY CARD",
        "fr": "CARTE D'IDENTITÉ",
        "de": "PERSONALAUSWEIS",
        "es": "DOCUMENTO NACIONAL DE IDENTIDAD",
        "it": "CARTA D'IDENTITÀ",
        "pt": "CARTÃO DE CIDADÃO",
        "nl": "IDENTITEITSKAART",
    },
    "permit": {
        "en": "RESIDENCE PERMIT",
        "fr": "TITRE DE SÉJOUR",
        "de": "AUFENTHALTSTITEL",
        "es": "PERMISO DE RESIDENCIA",
        "it": "PERMESSO DI SOGGIORNO",
        "pt": "AUTORIZAÇÃO DE RESIDÊNCIA",
        "nl": "VERBLIJFSVERGUNNING",
    },
    "visa": {
        "en": "VISA",
        "fr": "VISA",
        "de": "VISUM",
        "es": "VISADO",
        "it": "VISTO",
        "pt": "VISTO",
        "nl": "VISUM",
    },
}

_MONTHS_EN: Final = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
MONTHS: Final[dict[str, tuple[str, ...]]] = {
    "en": _MONTHS_EN,
    "fr": ("JANV", "FÉVR", "MARS", "AVR", "MAI", "JUIN", "JUIL", "AOUT", "SEPT", "OCT", "NOV", "DÉC"),
    "de": ("JAN", "FEB", "MÄR", "APR", "MAI", "JUN", "JUL", "AUG", "SEP", "OKT", "NOV", "DEZ"),
    "es": ("ENE", "FEB", "MAR", "ABR", "MAY", "JUN", "JUL", "AGO", "SEP", "OCT", "NOV", "DIC"),
    "it": ("GEN", "FEB", "MAR", "APR", "MAG", "GIU", "LUG", "AGO", "SET", "OTT", "NOV", "DIC"),
    "pt": ("JAN", "FEV", "MAR", "ABR", "MAI", "JUN", "JUL", "AGO", "SET", "OUT", "NOV", "DEZ"),
    "nl": ("JAN", "FEB", "MRT", "APR", "MEI", "JUN", "JUL", "AUG", "SEP", "OKT", "NOV", "DEC"),
}

DATE_STYLES: Final = (
    "d_mon_yyyy",  # 12 AUG 1974
    "d_nat/mon_yy",  # 12 AOUT/AUG 74
    "d_nat/mon_yyyy",  # 12 AOUT/AUG 1974
    "dd.mm.yyyy",  # 12.08.1974
    "dd/mm/yyyy",  # 12/08/1974
    "dd_mm_yyyy",  # 12 08 1974
)


def label(key: str, languages: tuple[str, ...], sep: str = " / ") -> str:
    """The label for ``key`` in each of ``languages`` (duplicates dropped), joined by ``sep``."""
    parts: list[str] = []
    for lang in languages:
        text = LABELS[lang][key]
        if text not in parts:
            parts.append(text)
    return sep.join(parts)


def title(kind: str, languages: tuple[str, ...], sep: str = " / ") -> str:
    parts: list[str] = []
    for lang in languages:
        text = TITLES[kind][lang]
        if text not in parts:
            parts.append(text)
    return sep.join(parts)


def format_date(d: dt.date, style: str, language: str) -> str:
    """``d`` printed as a document of ``language`` would in ``style`` (see DATE_STYLES)."""
    mon_en = _MONTHS_EN[d.month - 1]
    mon_nat = MONTHS[language][d.month - 1]
    both = mon_en if mon_nat == mon_en else f"{mon_nat}/{mon_en}"
    if style == "d_mon_yyyy":
        return f"{d.day:02d} {mon_en} {d.year}"
    if style == "d_nat/mon_yy":
        return f"{d.day:02d} {both} {d.year % 100:02d}"
    if style == "d_nat/mon_yyyy":
        return f"{d.day:02d} {both} {d.year}"
    if style == "dd.mm.yyyy":
        return f"{d.day:02d}.{d.month:02d}.{d.year}"
    if style == "dd/mm/yyyy":
        return f"{d.day:02d}/{d.month:02d}/{d.year}"
    if style == "dd_mm_yyyy":
        return f"{d.day:02d} {d.month:02d} {d.year}"
    raise ValueError(f"unknown date style {style!r}")
