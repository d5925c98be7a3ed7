"""Random but plausible, entirely fictional holders and documents.

Everything is drawn from a ``numpy.random.Generator`` so one seed gives one person. Dates
are relative to :data:`REFERENCE_DATE`, a fixed day, never today: a document generated next
year is byte for byte the one generated now (some are expired relative to that day, some
holders are minors on that day).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Final

import numpy as np

from desktop_app.core.mrz.translit import mrz_spelling as transliterate
from tests.synth.i18n import DATE_STYLES, LANGUAGES

REFERENCE_DATE: Final = dt.date(2025, 6, 30)
"""The generator's "today": ages, expiry and validity are drawn relative to it."""

FORMATS: Final = ("TD3", "TD1", "TD2", "MRVA", "MRVB", "FRID")


@dataclass(frozen=True)
class Country:
    code: str
    """ICAO 9303 code as written in the MRZ without fillers (``D``, ``FRA``, ``UTO``)."""
    name: str
    """Name printed on the document header."""
    nationality: str
    """Nationality as printed in the visual zone."""
    language: str
    origins: tuple[str, ...]
    """Name pools typical of its citizens."""
    cities: tuple[str, ...]
    authorities: tuple[str, ...]
    visa_valid_for: str = ""


COUNTRIES: Final[tuple[Country, ...]] = (
    Country(
        "UTO",
        "REPUBLIC OF UTOPIA",
        "UTOPIAN",
        "en",
        ("english", "norwegian", "german", "french", "spanish", "swedish", "danish", "polish", "chinese", "vietnamese"),
        ("ZENITH", "ANYTOWN", "UTOPIA CITY", "NORTH HARBOUR", "ÉLYSIA"),
        ("MINISTRY OF FOREIGN AFFAIRS", "PASSPORT OFFICE ZENITH", "UTOPIA CITY HALL"),
        "UTOPIA",
    ),
    Country(
        "D",
        "BUNDESREPUBLIK DEUTSCHLAND",
        "DEUTSCH",
        "de",
        ("german",),
        ("BERLIN", "MÜNCHEN", "KÖLN", "DÜSSELDORF", "NÜRNBERG", "HAMBURG", "GÖTTINGEN", "LÜBECK"),
        ("STADT KÖLN", "LANDESHAUPTSTADT MÜNCHEN", "BEZIRKSAMT MITTE VON BERLIN", "STADT LÜBECK"),
        "SCHENGENER STAATEN",
    ),
    Country(
        "FRA",
        "RÉPUBLIQUE FRANÇAISE",
        "FRANÇAISE",
        "fr",
        ("french", "french", "french", "vietnamese"),
        ("PARIS", "LYON", "MARSEILLE", "SAINT-ÉTIENNE", "ORLÉANS", "NÎMES", "BÉZIERS", "TOULOUSE"),
        (
            "PRÉFECTURE DE POLICE",
            "PRÉFECTURE DU RHÔNE",
            "PRÉFECTURE DE L'HÉRAULT",
            "SOUS-PRÉFECTURE DE BÉZIERS",
        ),
        "ÉTATS SCHENGEN",
    ),
    Country(
        "ESP",
        "REINO DE ESPAÑA",
        "ESPAÑOLA",
        "es",
        ("spanish",),
        ("MADRID", "MÁLAGA", "CÓRDOBA", "LOGROÑO", "CÁDIZ", "SEVILLA", "ÁVILA", "A CORUÑA"),
        ("DGP MADRID", "MINISTERIO DEL INTERIOR", "DGP MÁLAGA"),
        "ESTADOS SCHENGEN",
    ),
    Country(
        "ITA",
        "REPUBBLICA ITALIANA",
        "ITALIANA",
        "it",
        ("italian",),
        ("ROMA", "MILANO", "NAPOLI", "FORLÌ", "CANTÙ", "TORINO", "PALERMO", "BOLOGNA"),
        ("MINISTRO AFFARI ESTERI", "QUESTURA DI ROMA", "QUESTURA DI MILANO"),
        "STATI SCHENGEN",
    ),
    Country(
        "PRT",
        "REPÚBLICA PORTUGUESA",
        "PORTUGUESA",
        "pt",
        ("portuguese",),
        ("LISBOA", "PORTO", "ÉVORA", "GUIMARÃES", "SETÚBAL", "COIMBRA", "BRAGANÇA"),
        ("SEF - LISBOA", "GOVERNO CIVIL DE LISBOA", "IRN - PORTO"),
        "ESTADOS SCHENGEN",
    ),
    Country(
        "NLD",
        "KONINKRIJK DER NEDERLANDEN",
        "NEDERLANDSE",
        "nl",
        ("dutch",),
        ("AMSTERDAM", "ROTTERDAM", "'S-GRAVENHAGE", "UTRECHT", "GRONINGEN", "EINDHOVEN"),
        ("BURG. VAN AMSTERDAM", "BURG. VAN UTRECHT", "MIN. VAN BUITENLANDSE ZAKEN"),
        "SCHENGENSTATEN",
    ),
    Country(
        "BEL",
        "ROYAUME DE BELGIQUE",
        "BELGE",
        "fr",
        ("french", "dutch"),
        ("BRUXELLES", "LIÈGE", "GENT", "ANTWERPEN", "NAMUR", "LEUVEN"),
        ("BRUXELLES", "LIÈGE", "ANTWERPEN"),
    ),
    Country(
        "AUT",
        "REPUBLIK ÖSTERREICH",
        "ÖSTERREICH",
        "de",
        ("german",),
        ("WIEN", "GRAZ", "LINZ", "SALZBURG", "INNSBRUCK", "PÖCHLARN"),
        ("MAGISTRAT DER STADT WIEN", "BH GRAZ-UMGEBUNG", "BH SALZBURG-UMGEBUNG"),
    ),
    Country(
        "CHE",
        "SCHWEIZERISCHE EIDGENOSSENSCHAFT",
        "SCHWEIZ",
        "de",
        ("german", "french", "italian"),
        ("ZÜRICH", "GENÈVE", "BERN", "LAUSANNE", "NEUCHÂTEL", "LUGANO"),
        ("ZÜRICH ZH", "GENÈVE GE", "BERN BE"),
    ),
    Country(
        "GBR",
        "UNITED KINGDOM OF GREAT BRITAIN AND NORTHERN IRELAND",
        "BRITISH CITIZEN",
        "en",
        ("english", "english", "english", "chinese"),
        ("LONDON", "MANCHESTER", "LEEDS", "CARDIFF", "BELFAST", "GLASGOW", "BRISTOL"),
        ("HMPO", "HM PASSPORT OFFICE"),
        "UNITED KINGDOM",
    ),
    Country(
        "IRL",
        "ÉIRE - IRELAND",
        "ÉIREANNACH/IRISH",
        "en",
        ("irish", "english"),
        ("BAILE ÁTHA CLIATH/DUBLIN", "CORCAIGH/CORK", "GAILLIMH/GALWAY", "LUIMNEACH/LIMERICK"),
        ("DFA DUBLIN", "DFA CORK"),
    ),
    Country(
        "USA",
        "UNITED STATES OF AMERICA",
        "UNITED STATES OF AMERICA",
        "en",
        ("english", "spanish", "irish", "chinese", "vietnamese"),
        ("NEW YORK, U.S.A.", "TEXAS, U.S.A.", "CALIFORNIA, U.S.A.", "OHIO, U.S.A."),
        ("UNITED STATES DEPARTMENT OF STATE",),
        "UNITED STATES",
    ),
    Country(
        "CAN",
        "CANADA",
        "CANADIAN/CANADIENNE",
        "en",
        ("english", "french", "chinese"),
        ("MONTRÉAL", "TORONTO", "QUÉBEC", "VANCOUVER", "TROIS-RIVIÈRES"),
        ("GATINEAU", "MONTRÉAL"),
        "CANADA",
    ),
    Country(
        "SWE",
        "KONUNGARIKET SVERIGE",
        "SVENSK",
        "en",
        ("swedish",),
        ("STOCKHOLM", "GÖTEBORG", "MALMÖ", "UPPSALA", "VÄSTERÅS", "ÖREBRO"),
        ("POLISMYNDIGHETEN",),
    ),
    Country(
        "NOR",
        "KONGERIKET NORGE",
        "NORSK",
        "en",
        ("norwegian",),
        ("OSLO", "TROMSØ", "BÆRUM", "BERGEN", "TRONDHEIM", "ÅLESUND"),
        ("POLITIET",),
    ),
    Country(
        "DNK",
        "KONGERIGET DANMARK",
        "DANSK",
        "en",
        ("danish",),
        ("KØBENHAVN", "ÅRHUS", "ODENSE", "AALBORG", "KØGE", "HØRSHOLM"),
        ("KØBENHAVNS KOMMUNE", "ÅRHUS KOMMUNE"),
    ),
    Country(
        "POL",
        "RZECZPOSPOLITA POLSKA",
        "POLSKIE",
        "en",
        ("polish",),
        ("WARSZAWA", "KRAKÓW", "ŁÓDŹ", "GDAŃSK", "POZNAŃ", "WROCŁAW"),
        ("WOJEWODA MAZOWIECKI", "WOJEWODA MAŁOPOLSKI", "PREZYDENT M. ŁODZI"),
    ),
)
COUNTRY_BY_CODE: Final = {c.code: c for c in COUNTRIES}

_SURNAMES: Final[dict[str, tuple[str, ...]]] = {
    "german": (
        "MÜLLER",
        "SCHMIDT",
        "SCHNEIDER",
        "FISCHER",
        "WEBER",
        "MEYER",
        "WAGNER",
        "BECKER",
        "SCHÄFER",
        "KOCH",
        "BAUER",
        "RICHTER",
        "KLEIN",
        "WOLF",
        "SCHRÖDER",
        "NEUMANN",
        "ZIMMERMANN",
        "KRÜGER",
        "HOFMANN",
        "KÖHLER",
        "GROß",
        "WEIß",
        "STRAUß",
        "JÄGER",
        "BÖHM",
        "MÜLLER-LÜDENSCHEIDT",
        "VON DER HEYDE",
        "SCHULZE-BÖING",
        "FUẞMANN",
        "ECK",
        "KLEE",
        "KOCK",
        "LECK",
    ),
    "french": (
        "MARTIN",
        "BERNARD",
        "DUBOIS",
        "THOMAS",
        "ROBERT",
        "PETIT",
        "DURAND",
        "LEFÈVRE",
        "MOREAU",
        "GIRARD",
        "ANDRÉ",
        "MERCIER",
        "FRANÇOIS",
        "BÉRANGER",
        "DUPONT",
        "FONTAINE",
        "CHEVALIER",
        "DE LA TOUR",
        "LE GALL",
        "N'DIAYE",
        "LAFLÈCHE",
        "CÔTÉ",
        "GAUTHIER-BRIÈRE",
        "LE",
        "LECLERC",
        "LECLERCQ",
        "LECOQ",
        "LUC",
    ),
    "spanish": (
        "GARCÍA",
        "FERNÁNDEZ",
        "GONZÁLEZ",
        "RODRÍGUEZ",
        "LÓPEZ",
        "MARTÍNEZ",
        "SÁNCHEZ",
        "PÉREZ",
        "GÓMEZ",
        "MUÑOZ",
        "NÚÑEZ",
        "IBÁÑEZ",
        "PEÑA",
        "CASTAÑO",
        "DÍAZ",
        "ÁLVAREZ",
    ),
    "italian": (
        "ROSSI",
        "RUSSO",
        "FERRARI",
        "ESPOSITO",
        "BIANCHI",
        "ROMANO",
        "COLOMBO",
        "RICCI",
        "MARINO",
        "GRECO",
        "BRUNO",
        "DE LUCA",
        "D'ANGELO",
        "DELL'ORTO",
        "SANTORO",
        "NICOLÒ",
    ),
    "portuguese": (
        "SILVA",
        "SANTOS",
        "FERREIRA",
        "PEREIRA",
        "OLIVEIRA",
        "COSTA",
        "RODRIGUES",
        "MARTINS",
        "SOUSA",
        "GONÇALVES",
        "CONCEIÇÃO",
        "ARAÚJO",
        "MAGALHÃES",
        "LOURENÇO",
        "SIMÕES",
    ),
    "dutch": (
        "DE JONG",
        "JANSEN",
        "DE VRIES",
        "VAN DEN BERG",
        "VAN DIJK",
        "BAKKER",
        "VISSER",
        "SMIT",
        "MEIJER",
        "DE BOER",
        "MULDER",
        "VAN DER MEER",
        "BOS",
        "VAN 'T HOF",
        "KOK",
        "DE KOK",
        "EEK",
    ),
    "swedish": (
        "JOHANSSON",
        "ANDERSSON",
        "KARLSSON",
        "LINDSTRÖM",
        "ÅKESSON",
        "BJÖRK",
        "NYSTRÖM",
        "SJÖBERG",
        "ÖBERG",
        "LUNDQVIST",
        "HÄGGLUND",
        "ÅSTRÖM",
        "EK",
        "EKLÖF",
        "LEXELL",
    ),
    "norwegian": (
        "HANSEN",
        "JOHANSEN",
        "OLSEN",
        "LARSEN",
        "SØRENSEN",
        "LØVLIE",
        "HÆGSTAD",
        "BRÅTEN",
        "SKJÆRVØ",
        "NÆSS",
        "HØYLAND",
        "ØDEGÅRD",
    ),
    "danish": (
        "NIELSEN",
        "JENSEN",
        "PEDERSEN",
        "ANDERSEN",
        "JØRGENSEN",
        "ØSTERGAARD",
        "SØNDERGAARD",
        "MØLLER",
        "KJÆR",
        "LUNDSGÅRD",
        "HOLM",
    ),
    "english": (
        "SMITH",
        "JONES",
        "WILLIAMS",
        "BROWN",
        "TAYLOR",
        "DAVIES",
        "EVANS",
        "WILSON",
        "O'BRIEN",
        "O'NEILL",
        "MCDONALD",
        "SMITH-JONES",
        "FITZGERALD",
        "WARD",
        "HUGHES",
        "ERIKSSON",
        "STORYTELLER",
        "HAPPY",
        "LEE",
        "COX",
        "KAY",
        "ECCLES",
        "LOCKE",
    ),
    "irish": (
        "Ó SÚILLEABHÁIN",
        "MAC GIOLLA",
        "Ó BRIAIN",
        "NÍ DHOMHNAILL",
        "MURPHY",
        "KELLY",
        "Ó CEALLAIGH",
        "BYRNE",
    ),
    "polish": (
        "KOWALSKI",
        "WIŚNIEWSKI",
        "WÓJCIK",
        "KOWALCZYK",
        "KAMIŃSKI",
        "LEWANDOWSKI",
        "ZIELIŃSKI",
        "SZYMAŃSKI",
        "WOŹNIAK",
        "DĄBROWSKI",
        "KOZŁOWSKI",
        "MAZUR",
        "KRÓL",
        "GRZEŚKOWIAK",
        "ŻUREK",
        "KLECZEK",
        "LEC",
    ),
    "chinese": (
        "LI",
        "XU",
        "XIE",
        "HE",
        "KE",
        "LE",
        "WANG",
        "ZHANG",
        "LIU",
        "CHEN",
        "ZHOU",
        "LU",
        "XIAO",
        "ZHENG",
    ),
    "vietnamese": (
        "NGUYỄN",
        "TRẦN",
        "LÊ",
        "PHẠM",
        "HOÀNG",
        "VŨ",
        "ĐẶNG",
        "LÝ",
        "NGÔ",
    ),
}

_GIVEN: Final[dict[str, tuple[tuple[str, ...], tuple[str, ...]]]] = {
    # (male, female)
    "german": (
        (
            "HANS",
            "JÜRGEN",
            "JÖRG",
            "KLAUS",
            "STEFAN",
            "MICHAEL",
            "ANDREAS",
            "LUKAS",
            "MAXIMILIAN",
            "JONAS",
            "FELIX",
            "GÜNTER",
            "KARL-HEINZ",
            "BJÖRN",
            "KAI",
            "ALEX",
            "MAX",
            "UWE",
        ),
        (
            "ANNA",
            "BÄRBEL",
            "KATRIN",
            "SABINE",
            "ULRIKE",
            "GRETA",
            "LENA",
            "SOPHIE",
            "MARIE",
            "CHARLOTTE",
            "HANNELORE",
            "JÖRDIS",
            "ANNE-KATHRIN",
            "ELKE",
            "ELLI",
        ),
    ),
    "french": (
        (
            "JEAN",
            "PIERRE",
            "FRANÇOIS",
            "JÉRÔME",
            "ANDRÉ",
            "THÉO",
            "ÉTIENNE",
            "LOÏC",
            "NOËL",
            "MATHIEU",
            "JEAN-PIERRE",
            "JEAN-LUC",
            "GAËL",
            "LUC",
            "LÉO",
            "ALEXIS",
        ),
        (
            "MARIE",
            "HÉLÈNE",
            "CÉLINE",
            "AMÉLIE",
            "CHLOÉ",
            "ZOÉ",
            "ÉLODIE",
            "FRANÇOISE",
            "MARIE-CLAIRE",
            "AGNÈS",
            "LÉA",
            "MAËLLE",
            "CLÉO",
            "LUCE",
            "ÉLÉA",
        ),
    ),
    "spanish": (
        (
            "JOSÉ",
            "ÁNGEL",
            "JESÚS",
            "ANTONIO",
            "MANUEL",
            "RAMÓN",
            "JOAQUÍN",
            "IÑAKI",
            "ÓSCAR",
            "ADRIÁN",
            "JOSÉ MARÍA",
        ),
        ("MARÍA", "INÉS", "LUCÍA", "SOFÍA", "ROCÍO", "BEGOÑA", "MARÍA JOSÉ", "CARMEN", "PILAR", "NURIA"),
    ),
    "italian": (
        ("MARCO", "LUCA", "GIUSEPPE", "NICCOLÒ", "GIOSUÈ", "ANDREA", "FRANCESCO", "MATTIA"),
        ("GIULIA", "CHIARA", "FRANCESCA", "SARA", "ELENA", "BEATRICE", "ALESSIA", "NOEMI"),
    ),
    "portuguese": (
        ("JOÃO", "JOSÉ", "ANTÓNIO", "FRANCISCO", "GONÇALO", "TOMÁS", "SEBASTIÃO", "SIMÃO"),
        ("MARIA", "ANA", "INÊS", "BEATRIZ", "CONCEIÇÃO", "LEONOR", "MARGARIDA", "SÓNIA"),
    ),
    "dutch": (
        ("JAN", "PIETER", "DAAN", "SEM", "LUUK", "JOOST", "THIJS", "BRAM", "JOËL"),
        ("ANNE", "FLEUR", "SANNE", "LOTTE", "NOËLLE", "EVA", "MAAIKE", "ANOUK", "IJSBRANDA", "ELKE"),
    ),
    "swedish": (
        ("ANDERS", "ERIK", "LARS", "OLOF", "MAGNUS", "BJÖRN", "GÖRAN", "MÅNS"),
        ("ASTRID", "INGRID", "LINNÉA", "KAJSA", "BJÖRG", "MÄRTA", "ÅSA", "SOLVEIG"),
    ),
    "norwegian": (
        ("BJØRN", "JØRGEN", "ÅSMUND", "ØYVIND", "HÅKON", "KNUT", "STÅLE", "TORE"),
        ("ÅSE", "INGRID", "SOLVEIG", "SIGRID", "TUVA", "BJØRG", "GRO", "KJERSTI"),
    ),
    "danish": (
        ("SØREN", "JØRGEN", "MADS", "NIELS", "RASMUS", "FREDERIK", "ASGER", "TROELS"),
        ("METTE", "SØS", "KAREN", "ASTRID", "FREJA", "BIRTHE", "LÆRKE", "SIGNE"),
    ),
    "english": (
        ("JAMES", "OLIVER", "HARRY", "JACK", "GEORGE", "NOAH", "WILLIAM", "THOMAS", "JOHN-PAUL", "ALEC", "MAX", "LEX", "ZAC"),
        ("OLIVIA", "AMELIA", "ISLA", "EMILY", "GRACE", "CHARLOTTE", "SOPHIA", "ERIN", "ANNA", "ELLE", "EVE", "ELLIE", "LEXIE"),
    ),
    "irish": (
        ("SEÁN", "CIARÁN", "SÉAMUS", "ÉANNA", "PÁDRAIG", "CONOR"),
        ("SIOBHÁN", "NIAMH", "AOIFE", "ÓRLA", "SÍLE", "CAOIMHE"),
    ),
    "polish": (
        ("ŁUKASZ", "PIOTR", "KRZYSZTOF", "TOMASZ", "PAWEŁ", "MICHAŁ", "JAKUB", "WOJCIECH"),
        ("MAŁGORZATA", "AGNIESZKA", "KATARZYNA", "ŻANETA", "JOANNA", "MAGDALENA", "BOŻENA"),
    ),
    "chinese": (
        ("WEI", "JIE", "LEI", "KE", "HAO", "XIN", "XIAOLONG", "ZIXUAN", "JUN"),
        ("LI", "XIU", "LING", "XIAOLI", "KEXIN", "YAN", "JING", "XUE", "MEI"),
    ),
    "vietnamese": (
        ("VĂN AN", "ĐỨC", "MINH", "KHÁNH", "QUỐC", "XUÂN", "LỄ"),
        ("THỊ LAN", "THỊ MAI", "NGỌC", "KIỀU", "XUÂN", "LINH", "THỊ XUÂN LỆ"),
    ),
}

_STREETS: Final[dict[str, tuple[str, ...]]] = {
    "de": ("HAUPTSTRAßE 12", "GOETHESTR. 4", "AM MÜHLENBACH 7", "SCHLOßALLEE 21"),
    "fr": ("7 RUE DES ÉCOLES", "12 AVENUE FOCH", "3 PLACE DU MARCHÉ", "18 RUE PASTEUR"),
    "es": ("CALLE MAYOR 23", "AVDA. DE ESPAÑA 5", "PLAZA DEL SOL 2"),
    "it": ("VIA ROMA 5", "CORSO GARIBALDI 18", "PIAZZA DUOMO 3"),
    "pt": ("RUA DA PAZ 14", "AVENIDA DA LIBERDADE 120", "TRAVESSA DO CARMO 2"),
    "nl": ("KERKSTRAAT 3", "DORPSWEG 17", "HOOFDSTRAAT 88"),
    "en": ("1 HIGH STREET", "22 STATION ROAD", "5 CHURCH LANE", "14 MAPLE AVENUE"),
}


@dataclass(frozen=True)
class Identity:
    """One fictional document: the holder, the document's numbers and how it is printed."""

    format: str
    document_code: str
    issuer: Country
    nationality: Country
    surname: str
    """As printed in the visual zone (national characters, upper case)."""
    given_names: str
    surname_mrz: str
    """Transliterated: A-Z, single spaces, hyphens kept (see translit)."""
    given_names_mrz: str
    sex: str
    birth_date: dt.date
    issue_date: dt.date
    expiry_date: dt.date
    document_number: str
    personal_number: str
    """TD3: the personal number field of line 2; TD1: the optional data of line 2."""
    optional_data: str
    """Optional data of TD1 line 1, TD2, visas; the office code of the French card."""
    place_of_birth: str
    authority: str
    language: str
    """Main language of the printed labels."""
    label_languages: tuple[str, ...]
    date_style: str
    extras: dict[str, str] = field(default_factory=dict)
    """Other printed values (height, address, visa entries ...), never part of the truth."""


def _choice(rng: np.random.Generator, items: tuple[str, ...] | list[str]) -> str:
    return items[int(rng.integers(len(items)))]


def _add_years(d: dt.date, years: int) -> dt.date:
    try:
        return d.replace(year=d.year + years)
    except ValueError:  # 29 February
        return d.replace(year=d.year + years, day=28)


def _days(rng: np.random.Generator, lo: int, hi: int) -> int:
    return int(rng.integers(lo, hi + 1))


def _feminine(surname: str, origin: str) -> str:
    if origin == "polish":
        for masc, fem in (("SKI", "SKA"), ("CKI", "CKA"), ("DZKI", "DZKA")):
            if surname.endswith(masc):
                return surname[: -len(masc)] + fem
    return surname


def _name(rng: np.random.Generator, origin: str, sex: str) -> tuple[str, str]:
    surnames = _SURNAMES[origin]
    surname = _choice(rng, surnames)
    if origin == "spanish" or (origin == "portuguese" and rng.random() < 0.5):
        second = _choice(rng, surnames)
        if second != surname:
            surname = f"{surname} {second}"
    male, female = _GIVEN[origin]
    if sex == "X":
        pool = male if rng.random() < 0.5 else female
    else:
        pool = male if sex == "M" else female
    if sex == "F":
        surname = _feminine(surname, origin)
    n = 1 + int(rng.random() < 0.4) + int(rng.random() < 0.15) + int(rng.random() < 0.07)
    given: list[str] = []
    for _ in range(n):
        g = _choice(rng, pool)
        if not any(g in other or other in g for other in given):
            given.append(g)
    return surname, " ".join(given)


_ALNUM: Final = "ABCDEFGHIJKLMNPRSTUVWXYZ0123456789"  # no O/Q: issuers avoid them next to 0
_LETTERS: Final = "ABCDEFGHJKLMNPRSTUVWXYZ"


def _pattern(rng: np.random.Generator, pattern: str) -> str:
    """'A' a letter, '9' a digit, 'X' letter or digit, anything else literally."""
    out: list[str] = []
    for p in pattern:
        if p == "A":
            out.append(_LETTERS[int(rng.integers(len(_LETTERS)))])
        elif p == "9":
            out.append(str(int(rng.integers(10))))
        elif p == "X":
            out.append(_ALNUM[int(rng.integers(len(_ALNUM)))])
        else:
            out.append(p)
    return "".join(out)


_PASSPORT_NUMBER: Final[dict[str, tuple[str, ...]]] = {
    "UTO": ("A999999A9", "A99999999"),
    "D": ("CXXXXXXXX",),
    "FRA": ("99AA99999",),
    "ESP": ("AAA999999",),
    "ITA": ("AA9999999",),
    "PRT": ("A999999",),
    "NLD": ("AAXXXXXX9",),
    "GBR": ("999999999", "99999999"),
    "USA": ("999999999", "A99999999"),
    "CAN": ("AA999999",),
    "POL": ("AA9999999",),
}
_CARD_NUMBER: Final[dict[str, tuple[str, ...]]] = {
    "D": ("LXXXXXXXX",),
    "FRA": ("XXXXXXXXX",),
    "ESP": ("AAA999999",),
    "ITA": ("CA99999AA",),
    "NLD": ("AAXXXXXX9",),
    "PRT": ("999999999",),
}


_LOOKALIKE: Final = {"0": "O", "1": "I", "5": "S", "8": "B", "2": "Z", "6": "G"}
"""Digits and the letters a reader mistakes them for (and back)."""
_STRICT_NUMBERS: Final = frozenset({"D"})
"""Issuers whose numbers keep to their own alphabet (German numbers have no vowels, no S, B)."""


def _lookalikes(rng: np.random.Generator, number: str) -> str:
    """``number`` with 1-3 characters swapped for their look-alike of the other kind."""
    chars = list(number)
    back = {v: k for k, v in _LOOKALIKE.items()}
    for pos in rng.choice(len(chars), size=min(len(chars), int(rng.integers(1, 4))), replace=False):
        c = chars[int(pos)]
        if c in _LOOKALIKE:
            chars[int(pos)] = _LOOKALIKE[c]
        elif c in back:
            chars[int(pos)] = back[c]
        elif c.isdigit():
            chars[int(pos)] = "OISBZG"[int(rng.integers(6))]
        else:
            chars[int(pos)] = "015826"[int(rng.integers(6))]
    return "".join(chars)


def _document_number(rng: np.random.Generator, fmt: str, issuer: str) -> str:
    if fmt == "TD3":
        pats = _PASSPORT_NUMBER.get(issuer, ("A9999999", "AA9999999", "999999999"))
    elif fmt in ("MRVA", "MRVB"):
        pats = ("A99999999", "999999999", "AA9999999")
    else:
        pats = _CARD_NUMBER.get(issuer, ("AA9999999", "X99999999", "A9999999"))
    number = _pattern(rng, _choice(rng, pats))
    # Real numbers do mix letters and digits: O next to 0, I by 1, S by 5, B by 8 ...
    if issuer not in _STRICT_NUMBERS and rng.random() < 0.3:
        number = _lookalikes(rng, number)
    return number


def _birth_date(rng: np.random.Generator) -> dt.date:
    r = rng.random()
    if r < 0.18:  # minors
        age_days = _days(rng, 40, 18 * 365 - 10)
    elif r < 0.93:
        age_days = _days(rng, 18 * 365 + 5, 70 * 365)
    else:
        age_days = _days(rng, 70 * 365, 92 * 365)
    return REFERENCE_DATE - dt.timedelta(days=age_days)


def _label_languages(rng: np.random.Generator, language: str, fmt: str) -> tuple[str, ...]:
    if language == "en":
        return ("en", "fr") if rng.random() < 0.8 else ("en",)
    if language == "fr":
        return ("fr", "en")
    if fmt == "TD3" or fmt in ("MRVA", "MRVB"):
        return (language, "en", "fr") if rng.random() < 0.6 else (language, "en")
    return (language, "en") if rng.random() < 0.8 else (language, "en", "fr")


def make_identity(rng: np.random.Generator, fmt: str, language: str | None = None) -> Identity:
    """A fictional document of format ``fmt``; ``language`` forces the label language."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; expected one of {FORMATS}")
    if language is not None and language not in LANGUAGES:
        raise ValueError(f"unknown language {language!r}; expected one of {LANGUAGES}")

    # Who issues it.
    if fmt == "FRID":
        issuer = COUNTRY_BY_CODE["FRA"]
    else:
        pool = list(COUNTRIES)
        if language is not None:
            matching = [c for c in COUNTRIES if c.language == language]
            pool = matching or pool
        if fmt in ("MRVA", "MRVB"):
            pool = [c for c in pool if c.visa_valid_for] or [c for c in COUNTRIES if c.visa_valid_for]
        # UTO, the ICAO specimen state, comes up a little more often than the others.
        weights = np.array([3.0 if c.code == "UTO" else 1.0 for c in pool])
        issuer = pool[int(rng.choice(len(pool), p=weights / weights.sum()))]
    lang = language or issuer.language
    if fmt == "FRID":
        lang = "fr"

    # Holder.
    if fmt in ("MRVA", "MRVB") or (fmt == "TD1" and rng.random() < 0.15):
        others = [c for c in COUNTRIES if c.code != issuer.code]
        nationality = others[int(rng.integers(len(others)))]
    else:
        nationality = issuer
    r = rng.random()
    sex = "X" if r < 0.05 else ("M" if r < 0.53 else "F")
    if fmt == "FRID" and sex == "X":
        sex = "F"
    origin = _choice(rng, nationality.origins)
    surname, given = _name(rng, origin, sex)
    birth = _birth_date(rng)
    age_years = (REFERENCE_DATE - birth).days / 365.25

    # Dates of the document.
    if fmt in ("MRVA", "MRVB"):
        validity_days = int(rng.choice([30, 90, 180, 365, 2 * 365, 5 * 365]))
        issue = REFERENCE_DATE - dt.timedelta(
            days=_days(rng, 5, int(validity_days * 1.3) + 30)
        )  # ~1 in 4 expired
        if issue <= birth:
            issue = birth + dt.timedelta(days=7)
        expiry = issue + dt.timedelta(days=validity_days - 1)
    elif fmt == "FRID":
        earliest = max(dt.date(1995, 3, 1), birth + dt.timedelta(days=30))
        latest = dt.date(2020, 12, 31)
        if earliest > latest:  # born too late for the old card: make them older
            birth = dt.date(2002, 1, 1) - dt.timedelta(days=_days(rng, 0, 30 * 365))
            earliest = max(dt.date(1995, 3, 1), birth + dt.timedelta(days=30))
            age_years = (REFERENCE_DATE - birth).days / 365.25
        if rng.random() < 0.6 and earliest < dt.date(2015, 7, 1):  # still valid on REFERENCE_DATE
            earliest = dt.date(2015, 7, 1)
        issue = earliest + dt.timedelta(days=_days(rng, 0, (latest - earliest).days))
        expiry = _add_years(issue, 10) - dt.timedelta(days=1)
    else:
        minor_at_issue = age_years < 18
        validity = 5 if minor_at_issue and fmt == "TD3" else 10
        if fmt == "TD2":
            validity = int(rng.choice([5, 10]))
        back = _days(rng, 3, validity * 365 + 700)  # ~1 in 6 has expired
        issue = REFERENCE_DATE - dt.timedelta(days=back)
        if issue <= birth + dt.timedelta(days=20):
            issue = birth + dt.timedelta(days=_days(rng, 20, 40))
        expiry = _add_years(issue, validity) - dt.timedelta(days=int(rng.integers(0, 2)))

    # Codes and numbers.
    if fmt == "TD3":
        code = "P" if rng.random() < 0.9 else _choice(rng, ("PD", "PO", "PS"))
    elif fmt in ("MRVA", "MRVB"):
        code = "V"
    elif fmt == "FRID":
        code = "ID"
    elif fmt == "TD1":
        code = _choice(rng, ("ID", "ID", "I", "IR") if nationality is issuer else ("IR", "AR"))
    else:
        code = _choice(rng, ("I", "ID", "IR"))

    extras: dict[str, str] = {}
    personal = ""
    optional = ""
    if fmt == "FRID":
        dept = f"{int(rng.integers(1, 96)):02d}"
        if dept == "20":
            dept = "2A"
        # as on real cards: the 3-character department/issuing-site code appears both in
        # the number (YYMM + code + 5 digits) and in line 1 (code + 3-digit office)
        code3 = f"{dept}{int(rng.integers(10))}"
        number = f"{issue.year % 100:02d}{issue.month:02d}{code3}{int(rng.integers(100000)):05d}"
        optional = f"{code3}{int(rng.integers(1, 100)):03d}"
        authority = "PRÉFECTURE " + _choice(
            rng, ("DE POLICE", "DU RHÔNE", "DE L'HÉRAULT", "DES HAUTS-DE-SEINE", "DU NORD", "DE LA GIRONDE")
        )
        extras["height"] = f"{rng.uniform(1.50, 1.95):.2f} m".replace(".", ",")
        extras["address"] = _choice(rng, ("12 RUE DES ÉCOLES", "4 AVENUE FOCH", "7 PLACE DU MARCHÉ"))
        extras["city"] = _choice(rng, ("75005 PARIS", "69002 LYON", "34500 BÉZIERS", "33000 BORDEAUX"))
    else:
        number = _document_number(rng, fmt, issuer.code)
        authority = _choice(rng, issuer.authorities)
        if fmt == "TD3" and rng.random() < 0.4:
            personal = _pattern(rng, _choice(rng, ("99999999999", "999999999", "999999999999")))
        elif fmt != "TD3" and rng.random() < 0.3:
            optional = _pattern(rng, _choice(rng, ("999999999", "AA99999", "99999999999")))
        if fmt == "TD1" and rng.random() < 0.2:
            personal = _pattern(rng, _choice(rng, ("99999999999", "A9999999")))
    if fmt in ("MRVA", "MRVB"):
        extras["passport_number"] = _document_number(rng, "TD3", nationality.code)
        extras["visa_type"] = _choice(rng, ("C", "C", "D", "B"))
        extras["visa_entries"] = _choice(rng, ("MULT", "MULT", "1", "2"))
        extras["visa_duration"] = _choice(rng, ("90", "30", "15", "180", "360"))
        extras["visa_valid_for"] = issuer.visa_valid_for
        extras["visa_remarks"] = _choice(rng, ("TOURISME", "BUSINESS", "STUDIES", "R/CAT 2", "FAMILY VISIT"))
        extras["issued_in"] = _choice(rng, issuer.cities)
        authority = extras["issued_in"]
    if fmt in ("TD1", "TD2"):
        extras["height"] = f"{int(rng.integers(150, 198))} cm"
        extras["address"] = _choice(rng, _STREETS[issuer.language])
        extras["city"] = _choice(rng, issuer.cities)

    place = _choice(rng, nationality.cities)
    if rng.random() < 0.08:  # born abroad
        abroad = COUNTRIES[int(rng.integers(len(COUNTRIES)))]
        place = f"{_choice(rng, abroad.cities).split('/')[0].split(',')[0]} {abroad.code}".strip()

    date_style = _choice(rng, DATE_STYLES)
    if fmt == "FRID":
        date_style = "dd.mm.yyyy"
    return Identity(
        format=fmt,
        document_code=code,
        issuer=issuer,
        nationality=nationality,
        surname=surname,
        given_names=given,
        surname_mrz=transliterate(surname, keep_hyphens=True),
        given_names_mrz=transliterate(given, keep_hyphens=True),
        sex=sex,
        birth_date=birth,
        issue_date=issue,
        expiry_date=expiry,
        document_number=number,
        personal_number=personal,
        optional_data=optional,
        place_of_birth=place,
        authority=authority,
        language=lang,
        label_languages=_label_languages(rng, lang, fmt),
        date_style=date_style,
        extras=extras,
    )
