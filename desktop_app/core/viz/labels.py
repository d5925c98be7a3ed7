"""Printed field labels of the visual zone and a fuzzy matcher for them.

Labels are matched on a *compact* form of the line: folded (upper case, no accents),
letters and digits only, digits OCR puts for letters read back as letters (N0M -> NOM),
field numbers ("1.", "(4)", "4a.") left out. Comparing compact strings makes merged and
split words cost nothing ("DATEOFBIRTH", "Sur name") and leaves the edit distance for
real misreadings; a letter pair read as one letter ("rn" -> "m") costs one edit.

How close is close enough, by the compact length ``n`` of the label (a normalised edit
distance of about 0.2 at most):

* ``n <= 4``: exact only ("NOM" and "NOME" are different fields);
* ``5 <= n <= 8``: one edit;
* ``9 <= n <= 15``: two edits;
* ``n >= 16``: three edits;
* one edit less when the text is all capitals, the way values are printed ("NIMES" is
  a town, not a misread "Nome(s)").

A label must end where the printed text has a boundary: a space or punctuation, a change
from lower to upper case ("NomERIKSSON"), or from letters to digits ("birth12"); a long
label (7+ characters) matched exactly may end inside the word it began ("SURNAMEERIKSSON").
Short labels that are also common words ("Le", "De", "à", "Bis", visa prepositions) are
*weak*: labels only when printed in lower case, and only at the start of a run.

A line is read as runs of labels of one field (the translations of one label, "Name/
Surname/Nom"), each followed by its value; lower-case words between or after them that
match nothing (a misread or unknown translation) belong to the run. Where several labels
match at one place, the one that explains the most text, counting the labels of the same
field that follow it, wins.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Final

from desktop_app.core.viz._text import DIGIT_TO_LETTER, fold_char

IGNORED: Final = "_other"
"""Pseudo-field of labels we recognise (so they are never taken for values) but do not read."""
FULL_NAME: Final = "_full_name"
"""Pseudo-field: "Surname, name" (visas) announces "SURNAME, GIVEN NAMES" in one value."""
HOLDER_PASSPORT: Final = "_passport_no"
"""Pseudo-field: "Passport No." is the document number, except on a visa (the holder's passport)."""
VALIDITY: Final = "_validity"
"""Pseudo-field: "Valid from - until" announces a date range; its end is the expiry date and
its start, on cards that print no date of issue, the day the card was issued."""
VISA_MARK: Final = "_visa"
"""Pseudo-field: labels only visas print ("Type of visa", "Number of entries" ...)."""

# Field -> printed labels, as printed (accents and punctuation are folded away). A label
# starting with "~" is weak: a short word ("Le", "à", "Bis") that is only a label when
# printed in lower or mixed case, never in an all-capitals value.
LABELS: Final[dict[str, tuple[str, ...]]] = {
    "surname": (
        "Surname", "Surnames", "Family name", "Last name", "Name", "Nom", "Nom de famille",
        "Apellidos", "Apellido", "Primer apellido", "Segundo apellido", "Cognome", "Cognomi",
        "Apelido", "Apelidos", "Apelido(s)", "Sobrenome", "Naam", "Achternaam", "Familienaam",
        "Familienname", "Nachname", "Efternamn", "Etternavn", "Efternavn", "Sukunimi",
        "Nazwisko",
        # seen on the dev set (Estonia, Czech Republic, Croatia, Latvia, Bulgaria, Ireland)
        "Perekonnanimi", "Příjmení", "Prezime", "Uzvārds", "Sloinne",
    ),
    "given_names": (
        "Given names", "Given name", "Forenames", "Forename", "First name", "First names",
        "Christian names", "Prénoms", "Prénom", "Nombre", "Nombres", "Vornamen", "Vorname",
        "Nome", "Nomi", "Nome próprio", "Nomes próprios", "Nome(s) próprio(s)", "Nome(s)",
        "Voornamen", "Voornaam", "Förnamn", "Fornavn", "Etunimet", "Imiona",
        # seen on the dev set (Zimbabwe, Estonia, Czech Republic, Croatia, Latvia, Bulgaria)
        "Other names", "Eesnimed", "Jméno", "Ime", "Vārds", "Vardi",
    ),
    FULL_NAME: (
        "Surname, name", "Surname, given names", "Surname and given names", "Nom, prénom",
        "Nom, prénoms", "Name, Vorname", "Name, Vornamen", "Apellidos, nombre",
        "Cognome, nome", "Apelido, nome", "Naam, voornaam", "Naam, voornamen",
    ),
    "birth_date": (
        "Date of birth", "Birth date", "Birthdate", "DOB", "Date de naissance", "Né le",
        "Née le", "Né(e) le", "Fecha de nacimiento", "Fecha de nac", "Fecha nacimiento",
        "Geburtsdatum", "Geboren am", "Data di nascita", "Data de nascimento", "Geboortedatum",
        "Datum van geboorte", "Födelsedatum", "Fødselsdato", "Syntymäaika", "Data urodzenia",
    ),
    "place_of_birth": (
        "Place of birth", "Birth place", "Birthplace", "Lieu de naissance", "Né à", "Née à",
        "Né(e) à", "~à", "Lugar de nacimiento", "Geburtsort", "Luogo di nascita",
        "Local de nascimento", "Naturalidade", "Geboorteplaats", "Plaats van geboorte",
        "Födelseort", "Fødested", "Syntymäpaikka", "Miejsce urodzenia",
        # one label for both (Belgium, Germany ...): the place is the text before the date
        "Place and date of birth", "Geburtsort und -datum", "Lieu et date de naissance",
        "Plaats en datum van geboorte", "Lugar y fecha de nacimiento", "Luogo e data di nascita",
    ),
    VALIDITY: (
        "Valid from - until", "Gültig von - bis", "Valable du - au", "Geldig van - tot",
        "Válido desde - hasta", "Valido dal - al",
    ),
    "sex": (
        "Sex", "Sexe", "Sexo", "Gender", "Geschlecht", "Sesso", "Geslacht", "Kön", "Kjønn",
        "Køn", "Sukupuoli", "Płeć",
    ),
    "nationality": (
        "Nationality", "Nationalité", "Citizenship", "Nacionalidad", "Staatsangehörigkeit",
        "Nazionalità", "Cittadinanza", "Nacionalidade", "Nationaliteit", "Nationalitet",
        "Medborgarskap", "Statsborgerskap", "Kansalaisuus", "Obywatelstwo",
    ),
    HOLDER_PASSPORT: (
        "Passport No", "Passport number", "Passport N°", "Passeport N°", "Passeport No",
        "N° du passeport", "N° de passeport", "Pass-Nr.", "Passnummer", "Reisepass-Nr.",
        "Pasaporte N°", "N° de pasaporte", "Núm. de pasaporte", "Número de pasaporte",
        "Passaporto N.", "N. passaporto", "Numero passaporto", "Passaporte N°",
        "N.° do passaporte", "Número do passaporte", "Paspoortnummer", "Paspoort nr",
        "Paspoortnr", "Passinummer", "Numer paszportu",
    ),
    "document_number": (
        "Document No", "Document number", "Doc. No.", "Document N°", "N° du document",
        "Documentnummer", "Dokumentennummer", "Dokumentnummer", "N° de documento",
        "N. documento", "Documento N°", "Número de documento", "Numero documento",
        "Card No", "Card number", "N° de la carte", "Ausweisnummer", "N° de soporte",
        "Núm. soporte", "N. carta", "Cartão N°", "Kaartnummer",
        "Carte nationale d'identité N°", "ID card No", "Identity card No",
    ),
    "expiry_date": (
        "Date of expiry", "Expiry date", "Expiry", "Date of expiration", "Expiration date",
        "Expires", "Expires on", "Valid until", "Date d'expiration", "Expiration",
        "Valable jusqu'au", "Carte valable jusqu'au", "Gültig bis", "Fecha de caducidad",
        "Caducidad", "Fecha de expiración", "Válido hasta", "Data di scadenza", "Scadenza",
        "Valido fino al", "Data de validade", "Validade", "Válido até", "Geldig tot",
        "Vervaldatum", "Datum van afloop", "Giltig till", "Utløpsdato", "Udløbsdato",
        "Voimassa", "Data ważności",
        # visas: "valid ... until"
        "Until", "~Au", "~Bis", "Hasta", "~Al", "~Até", "~Tot",
    ),
    "issue_date": (
        "Date of issue", "Issue date", "Issued on", "Date issued", "Date de délivrance",
        "Délivré le", "Délivrée le", "Date d'émission", "Datum", "Ausstellungsdatum",
        "Ausgestellt am", "Fecha de expedición", "Fecha de emisión", "Expedido el",
        "Data di rilascio", "Rilasciato il", "Data de emissão", "Datum van afgifte",
        "Afgiftedatum", "Utfärdandedatum", "Utstedelsesdato", "Udstedelsesdato",
        "Myöntämispäivä", "Data wydania",
        # seen on the dev set (Austria, Estonia, Czech Republic, Croatia, Latvia, Germany)
        "Date of issuance", "Datum der Ausstellung", "Väljaantud", "Datum vydání", "Datum izdavanja",
        "Izdošanas datums",
        # visas: "issued in <place> on <date>"
        "~On", "~Le", "~Am", "~El", "~Il", "~Em", "~Op",
    ),
    "authority": (
        "Authority", "Issuing authority", "Issuing office", "Issued by", "Autorité",
        "Délivré par", "Délivrée par", "~par", "Behörde", "Ausstellende Behörde", "Autoridad",
        "Expedido por", "Autorità", "Rilasciato da", "Autoridade", "Emitido por",
        "Entidade emissora", "Afgegeven door", "Instantie", "Autoriteit", "Place of issue",
        "Lieu de délivrance", "Ausstellungsort", "Lugar de expedición", "Luogo di rilascio",
        "Local de emissão", "Plaats van afgifte", "Myndighet", "Myndighed", "Viranomainen",
        "Organ wydający",
        # seen on the dev set (Estonia, Czech Republic, Croatia, Latvia, Ireland)
        "Väljaandja", "Pas vydal", "Izdala", "Izdao", "Izdevējiestāde", "Údarás",
        # visas: "issued in"
        "Issued in", "Délivré à", "Ausgestellt in", "Expedido en", "Rilasciato a",
        "Emitido em", "Afgegeven te",
    ),
    "issuing_country": (
        "Code", "Country code", "Code of issuing State", "Code of State", "Issuing State code",
        "Code du pays émetteur", "Code de l'État émetteur", "Code du pays", "Code pays", "Kode",
        "Landcode", "Código del país", "Código", "Código do país", "Codice",
        "Codice dello Stato", "Codice paese", "Staatencode", "Landskod", "Landkode",
    ),
    VISA_MARK: (
        "Type of visa", "Type de visa", "Art des Visums", "Tipo de visado", "Tipo di visto",
        "Tipo de visto", "Soort visum", "Number of entries", "Nombre d'entrées",
        "Anzahl der Einreisen", "Número de entradas", "Numero di ingressi",
        "Aantal binnenkomsten", "Duration of stay", "Durée du séjour", "Dauer des Aufenthalts",
        "Duración de la estancia", "Durata del soggiorno", "Duração da estada",
        "Duur van het verblijf", "Valid for", "Valable pour", "Gültig für", "Válido para",
        "Valido per", "Geldig voor",
    ),
    IGNORED: (
        "Type", "Typ", "Tipo", "Soort", "Passport", "Passeport", "Reisepass", "Pasaporte",
        "Passaporto", "Passaporte", "Paspoort", "Pass", "Height", "Taille", "Größe",
        "Estatura", "Statura", "Altura", "Lengte", "Eyes", "Colour of eyes", "Couleur des yeux",
        "Augenfarbe", "Signature", "Holder's signature", "Signature du titulaire",
        "Signature de l'autorité", "Unterschrift", "Unterschrift des Inhabers", "Firma",
        "Firma del titular", "Firma del titolare", "Handtekening", "Handtekening houder",
        "Assinatura", "Assinatura do titular", "Personal No", "Personal number",
        "Persoonsnummer", "N° personnel", "Persönliche Nr.", "N° personal", "N. personale",
        "N° pessoal", "Nom d'usage", "Alternative name", "Usual name", "Geburtsname",
        "Nom de naissance", "Residence", "Domicile", "Wohnort", "Address", "Adresse",
        "Anschrift", "Domicilio", "Indirizzo", "Residenza", "Morada", "Adres", "Woonplaats",
        "Observations", "Remarks", "Remarques", "Anmerkungen", "Endorsements",
        "Observaciones", "Osservazioni", "Annotazioni", "Observações", "Opmerkingen",
        "Ordensname", "Künstlername", "Religious name", "European Union", "Union européenne",
        "Europäische Union", "Unión Europea", "Unione europea", "União Europeia",
        "Europese Unie", "Hijo de", "Hija de", "Hijo/a de", "Domicilio", "Equipo", "Holder", "Titulaire", "Inhaber", "Titular", "Titolare", "Houder",
        # visas: "valid from"
        "From", "~Du", "Vom", "Desde", "Dal", "~De", "~Van",
        # document titles
        "Identity card", "Carte d'identité", "Carte nationale d'identité", "Personalausweis",
        "Documento nacional de identidad", "Carta d'identità", "Cartão de cidadão",
        "Identiteitskaart", "Residence permit", "Titre de séjour", "Aufenthaltstitel",
        "Permiso de residencia", "Permesso di soggiorno", "Autorização de residência",
        "Verblijfsvergunning", "Visa", "Visas", "Visum", "Visado", "Visto",
    ),
}


@dataclass(frozen=True, slots=True)
class _Entry:
    field: str
    compact: str
    max_edits: int
    bigrams: frozenset[str]
    weak: bool


def compact_label(text: str) -> str:
    """Compact form of a label: folded letters and digits only."""
    out = []
    for ch in text:
        for c in fold_char(ch):
            if c.isalnum() and c.isascii():
                out.append(DIGIT_TO_LETTER.get(c, c))
    return "".join(out)


def max_edits_for(n: int) -> int:
    if n <= 4:
        return 0
    if n <= 8:
        return 1
    if n <= 15:
        return 2
    return 3


def _bigrams(s: str) -> frozenset[str]:
    return frozenset(s[i : i + 2] for i in range(len(s) - 1))


def _build() -> tuple[dict[str, _Entry], tuple[_Entry, ...]]:
    exact: dict[str, _Entry] = {}
    fuzzy: list[_Entry] = []
    for field, labels in LABELS.items():
        for label in labels:
            weak = label.startswith("~")
            c = compact_label(label.lstrip("~"))
            if not c or c in exact:
                continue
            entry = _Entry(field, c, 0 if weak else max_edits_for(len(c)), _bigrams(c), weak)
            exact[c] = entry
            if entry.max_edits:
                fuzzy.append(entry)
    return exact, tuple(fuzzy)


_EXACT, _FUZZY = _build()
_MAX_LABEL_LEN: Final = max(len(c) for c in _EXACT)


@dataclass(frozen=True, slots=True)
class Compact:
    """A line's compact text with, per compact character, where it came from."""

    chars: str
    raw_start: tuple[int, ...]
    """Index in the raw text of the character each compact character comes from."""
    boundary: tuple[bool, ...]
    """``boundary[i]``: a label may end after compact character ``i``."""
    lower: tuple[bool, ...]
    """The raw character was lower case (labels are often printed in mixed case)."""
    gap: tuple[bool, ...]
    """``gap[i]``: a space or punctuation follows compact character ``i`` (a word ends)."""
    colon: tuple[bool, ...] = ()
    """``colon[i]``: a colon follows compact character ``i`` (spaces aside): "À: PARIS"."""


def compact_line(text: str, skip: frozenset[int] = frozenset()) -> Compact:
    """Compact form of a line; raw indices in ``skip`` (field index numbers) count as spaces."""
    chars: list[str] = []
    raw_start: list[int] = []
    lower: list[bool] = []
    boundary: list[bool] = []
    gaps: list[bool] = []
    prev_raw = -1
    for i, ch in enumerate(text):
        if i in skip:
            continue
        folded = [c for c in fold_char(ch) if c.isalnum() and c.isascii()]
        if not folded:
            continue
        if chars:
            gap = i > prev_raw + 1  # punctuation or space in between
            prev_ch = text[prev_raw]
            case_turn = prev_ch.islower() and ch.isupper()
            kind_turn = prev_ch.isdigit() != ch.isdigit()
            boundary[-1] = gap or case_turn or kind_turn
            gaps[-1] = gap
        for c in folded:
            chars.append(DIGIT_TO_LETTER.get(c, c))
            raw_start.append(i)
            lower.append(ch.islower())
            boundary.append(False)
            gaps.append(False)
        prev_raw = i
    if boundary:
        boundary[-1] = True
        gaps[-1] = True
    colon = tuple(text[r + 1 :].lstrip().startswith(":") for r in raw_start)
    return Compact("".join(chars), tuple(raw_start), tuple(boundary), tuple(lower), tuple(gaps), colon)


@dataclass(frozen=True, slots=True)
class LabelHit:
    field: str
    start: int
    """Compact index where the label starts."""
    end: int
    """Compact index just after the label."""
    distance: int
    length: int
    """Compact length of the label it matched."""
    weak: bool = False

    @property
    def score(self) -> float:
        return max(0.0, 1.0 - self.distance / max(1, self.length))


_LOOKALIKE_PAIRS: Final = (("RN", "M"), ("VV", "W"), ("CL", "D"), ("LI", "U"))
"""Two printed letters OCR reads as one (and back), each costing one edit, not two."""


def _prefix_distances(label: str, text: str) -> list[int]:
    """``d[j]`` = edit distance between ``label`` and ``text[:j]`` (start fixed at 0).

    Besides insert, delete and substitute, a letter pair read as one letter ("rn" -> "m")
    or one letter read as a pair costs a single edit.
    """
    m = len(text)
    rows = [list(range(m + 1))]
    for i, lc in enumerate(label, 1):
        previous = rows[-1]
        current = [i] + [0] * m
        for j in range(1, m + 1):
            best = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (lc != text[j - 1]))
            for pair, single in _LOOKALIKE_PAIRS:
                if i >= 2 and text[j - 1] == single and label[i - 2 : i] == pair:
                    best = min(best, rows[-2][j - 1] + 1)
                if j >= 2 and lc == single and text[j - 2 : j] == pair:
                    best = min(best, previous[j - 2] + 1)
            current[j] = best
        rows.append(current)
    return rows[-1]


def _edges_ok(comp: Compact, start: int, end: int, label: str) -> bool:
    """A fuzzy label must not swallow a short value word at either end ("M Nationality",
    "Geschlecht M"): a first or last word of one or two letters must be printed as in the label."""
    first_end = start
    while first_end < end - 1 and not comp.gap[first_end]:
        first_end += 1
    first = comp.chars[start : first_end + 1]
    first_lower = any(comp.lower[start : first_end + 1])
    if len(first) <= 2 and first_end < end - 1 and not first_lower and not label.startswith(first):
        return False
    last_start = end - 1
    while last_start > start and not comp.gap[last_start - 1]:
        last_start -= 1
    last = comp.chars[last_start:end]
    last_lower = any(comp.lower[last_start:end])
    return not (len(last) <= 2 and last_start > start and not last_lower and not label.endswith(last))


def _one_word_tail(comp: Compact, start: int, end: int) -> bool:
    """A label ending inside a word must have begun in that word ("SURNAMEERIKSSON"), not
    reach into the next one ("Nationalite ITALIANA" is no "Nationaliteit" + "ALIANA")."""
    i = end - 1
    while i > start and not comp.gap[i - 1]:
        i -= 1
    return i == start


def label_at(comp: Compact, pos: int) -> LabelHit | None:
    """The best label starting exactly at compact index ``pos``, or None.

    Of the labels that match there, the one that explains the most text wins, an edit
    costing two characters, and a label counting the label that follows it: "Signature
    de 1'autorite" is that one (misread) label rather than "Signature" then junk, while
    "Name/Surname/Nom" stays "Name" then "Surname" rather than a misread "Name, Vorname".
    """
    hits = _hits_at(comp, pos)
    if len(hits) <= 1:
        return hits[0] if hits else None
    memo: dict[tuple[int, str, int], int] = {}

    def worth(hit: LabelHit) -> tuple[int, int, int]:
        covered = _covered(hit) + _chain(comp, hit.end, hit.field, 2, memo)
        return (covered, -hit.distance, hit.length)

    return max(hits, key=worth)


def _covered(hit: LabelHit) -> int:
    return hit.end - hit.start - 2 * hit.distance


def _same_run(a: str, b: str) -> bool:
    return a == b or {a, b} <= _NAME_FAMILY


def _chain(comp: Compact, pos: int, field: str, depth: int, memo: dict[tuple[int, str, int], int]) -> int:
    """Text explained by the best chain of up to ``depth`` more labels of ``field`` from ``pos``."""
    if depth <= 0 or pos >= len(comp.chars):
        return 0
    key = (pos, field, depth)
    if key not in memo:
        memo[key] = max(
            (
                _covered(h) + _chain(comp, h.end, field, depth - 1, memo)
                for h in _hits_at(comp, pos)
                if _same_run(h.field, field)
            ),
            default=0,
        )
    return memo[key]


def _hits_at(comp: Compact, pos: int) -> list[LabelHit]:
    """The best label starting at ``pos`` for each place it can end."""
    chars = comp.chars
    n = len(chars)
    if pos >= n:
        return []
    by_end: dict[int, LabelHit] = {}

    def keep(hit: LabelHit) -> None:
        old = by_end.get(hit.end)
        if old is None or (hit.distance, -hit.length) < (old.distance, -old.length):
            by_end[hit.end] = hit

    # Exact labels ending at a boundary (or anywhere, for a long label).
    limit = min(n, pos + _MAX_LABEL_LEN)
    for end in range(pos + 1, limit + 1):
        entry = _EXACT.get(chars[pos:end])
        if entry is None:
            continue
        if entry.weak and not any(comp.lower[pos:end]) and not (pos == 0 and comp.colon[end - 1]):
            continue  # "LE HAVRE" is a place, "Le" a label; "À:" starting a line is a label
        if comp.boundary[end - 1] or (len(entry.compact) >= 7 and _one_word_tail(comp, pos, end)):
            keep(LabelHit(entry.field, pos, end, 0, len(entry.compact), entry.weak))
    # Fuzzy labels: a bigram filter first (each edit breaks at most two bigrams).
    for entry in _FUZZY:
        k = entry.max_edits
        size = len(entry.compact)
        window = chars[pos : pos + size + k]
        if len(window) < size - k:
            continue
        c = entry.compact
        if window[0] not in c[:2] and c[0] not in window[:2] and c[1:3] != window[1:3]:
            continue
        shared = sum(1 for b in entry.bigrams if b in window)
        if shared < len(entry.bigrams) - 3 * k:
            continue
        distances = _prefix_distances(entry.compact, window)
        for j in range(len(window), 0, -1):
            d = distances[j]
            if d > k or not comp.boundary[pos + j - 1]:
                continue
            if d == k and not any(comp.lower[pos : pos + j]):
                continue  # all capitals is how values are printed: one edit less ("NIMES" is no "NOMES")
            if d and not _edges_ok(comp, pos, pos + j, entry.compact):
                continue
            keep(LabelHit(entry.field, pos, pos + j, d, size))
    return list(by_end.values())


_INDEX_AT_START: Final = re.compile(r"^\s*[(\[]?\s*\d{1,2}(?:[a-dA-D](?=[.)\]:\s]))?\s*(?:[.)\]:]\s*|\s+)")
"""A field number before a label: "1. ", "(1) ", "4a. ", "12 " (not the "5" of a misread "5ex")."""
_INDEX_PAREN: Final = re.compile(r"[(\[]\s*\d{1,2}\s*[a-dA-D]?\s*[)\]]")


@dataclass(frozen=True, slots=True)
class Segment:
    """A stretch of one line: a run of labels (``field`` set) or free text (``field`` None)."""

    field: str | None
    label_start: int
    """Raw index where the labels start (== value_start for free text)."""
    value_start: int
    value_end: int
    score: float
    """How well the labels matched (1.0 exact); 1.0 for free text."""
    label_count: int = 0

    @property
    def is_label(self) -> bool:
        return self.field is not None


@lru_cache(maxsize=2048)
def parse_line(text: str) -> tuple[Segment, ...]:
    """Split a line into label runs and the values that follow them.

    "1. Surname/Nom ERIKSSON" -> one label segment (surname) whose value is "ERIKSSON";
    "Date of birth/Date de naissance   Sex/Sexe" -> two label segments, empty values;
    "ERIKSSON" -> one free-text segment.
    """
    index_mask = _index_mask(text)
    comp = compact_line(text, index_mask)
    if not comp.chars:
        comp = compact_line(text)
        index_mask = frozenset()
    if not comp.chars:
        return (Segment(None, 0, 0, len(text), 1.0),) if text.strip() else ()
    segments: list[Segment] = []
    pos = 0
    free_start = 0
    n = len(comp.chars)
    while pos < n:
        run = _label_run(text, comp, pos, at_line_start=pos == 0)
        if run is None and pos > 0 and _is_index_token(text, comp, pos):
            # "... Date de naissance 8. Sex/Sexe": the next column's label with its number
            after = _next_token(comp, pos)
            run = _label_run(text, comp, after, at_line_start=False) if after < n else None
            if run is not None:
                run = (pos, *run[1:])
        if run is None:
            pos = _next_token(comp, pos)
            continue
        run_start, run_end, field, score, count = run
        if field in (IGNORED, VISA_MARK) and not any(comp.lower[run_start:run_end]):
            rest = text[comp.raw_start[run_end] :] if run_end < n else ""
            if pos > 0 or rest.strip():
                # "PASSPORT OFFICE ZENITH", "HM PASSPORT OFFICE": a value, not a title
                pos = _next_token(comp, pos)
                continue
        raw_label_start = 0 if run_start == 0 else comp.raw_start[run_start]
        if not segments:
            raw_label_start = _absorb_translation_before(text, raw_label_start)
        if not segments and text[:raw_label_start].strip():
            segments.append(Segment(None, free_start, free_start, raw_label_start, 1.0))
        value_start = comp.raw_start[run_end] if run_end < n else len(text)
        segments.append(Segment(field, raw_label_start, value_start, len(text), score, count))
        free_start = value_start
        pos = run_end
    if not segments:
        return (Segment(None, 0, 0, len(text), 1.0),)
    # Two runs of one field with nothing but lower case between them are one label.
    merged: list[Segment] = []
    for seg in segments:
        prev = merged[-1] if merged else None
        if prev is not None and prev.field is not None and prev.field == seg.field:
            between = text[prev.value_start : seg.label_start]
            if not any(c.isupper() or c.isdigit() for c in between):
                merged[-1] = Segment(
                    prev.field,
                    prev.label_start,
                    seg.value_start,
                    len(text),
                    max(prev.score, seg.score),
                    prev.label_count + seg.label_count,
                )
                continue
        merged.append(seg)
    # Close each label segment's value where the next segment starts.
    closed: list[Segment] = []
    for i, seg in enumerate(merged):
        end = merged[i + 1].label_start if i + 1 < len(merged) else len(text)
        closed.append(Segment(seg.field, seg.label_start, seg.value_start, end, seg.score, seg.label_count))
    return tuple(closed)


def _is_index_token(text: str, comp: Compact, pos: int) -> bool:
    """The word at ``pos`` is a field number: 1-2 digits (and a letter) then "." or ")"."""
    end = pos
    while end < len(comp.chars) and not comp.gap[end]:
        end += 1
    raw_start, raw_end = comp.raw_start[pos], comp.raw_start[min(end, len(comp.chars) - 1)] + 1
    return re.fullmatch(r"\(?\d{1,2}[a-dA-D]?[.)]", text[raw_start : raw_end + 1].strip()) is not None


def _index_mask(text: str) -> frozenset[int]:
    """Raw indices that belong to field index numbers like "1.", "(4)", "4a."."""
    out: set[int] = set()
    m = _INDEX_AT_START.match(text)
    if m and m.group().strip():
        out.update(range(m.start(), m.end()))
    for m in _INDEX_PAREN.finditer(text):
        out.update(range(m.start(), m.end()))
    return frozenset(out)


def _next_token(comp: Compact, pos: int) -> int:
    n = len(comp.chars)
    while pos < n and not comp.boundary[pos]:
        pos += 1
    return pos + 1


_NAME_FAMILY: Final = frozenset({"surname", "given_names", FULL_NAME})


def _label_run(
    text: str, comp: Compact, pos: int, *, at_line_start: bool
) -> tuple[int, int, str, float, int] | None:
    """A run of labels of one field starting at ``pos``: (start, end, field, score, count).

    Translations of one label follow each other ("Geburtsdatum/Date of birth/Date de
    naissance"); lower-case words between them that match no label (misread, or a
    language the table lacks) are part of the run when another label follows.
    """
    n = len(comp.chars)
    start = pos
    hits: list[LabelHit] = []
    while pos < n:
        hit = label_at(comp, pos)
        if hit is not None and hits and hit.weak and hit.field != hits[0].field:
            hit = None  # "de" in "Date de délivrance" is no label of its own
        if hit is None and hits:
            hit = _label_after_lowercase_words(comp, pos)
        if hit is None:
            break
        if hits and hit.field != hits[0].field and not {hit.field, hits[0].field} <= _NAME_FAMILY:
            break  # the next column's label ("Date of birth   Sex/Sexe")
        if not hits and not at_line_start and not _plausible_label_start(text, comp, hit):
            return None
        hits.append(hit)
        pos = hit.end
    if not hits:
        return None
    # An unreadable translation next to a slash, printed in lower case like the labels
    # ("Surname/Nom/Apellxdos ERIKSSON"), is label too.
    pos = _absorb_lowercase_after_slash(text, comp, pos)
    fields = {h.field for h in hits}
    if FULL_NAME in fields or {"surname", "given_names"} <= fields:
        field = FULL_NAME  # "Naam, voornaam / Surname, name"
    else:
        field = hits[0].field
    score = max((h.score for h in hits if h.field == field), default=max(h.score for h in hits))
    return start, pos, field, score, len(hits)


def _label_after_lowercase_words(comp: Compact, pos: int) -> LabelHit | None:
    """A label after at most three lower-case words that are none ("Datum va afgifte / ...")."""
    n = len(comp.chars)
    for _ in range(3):
        end = pos
        while end < n and not comp.gap[end]:
            end += 1
        if end >= n or not any(comp.lower[pos : end + 1]):
            return None
        pos = end + 1
        hit = label_at(comp, pos)
        if hit is not None and not hit.weak:
            return hit
    return None


def _plausible_label_start(text: str, comp: Compact, hit: LabelHit) -> bool:
    """A label inside a line (not at its start) must look like a printed label.

    Values are printed in capitals; labels are often mixed case. A short all-capitals
    word in the middle of a line ("SEX" in "ESSEX") is not taken for a label unless it
    starts a new word after a gap of punctuation or spaces.
    """
    raw = comp.raw_start[hit.start]
    prev = text[raw - 1] if raw > 0 else " "
    if prev.isalnum():
        return False
    if hit.weak and not (prev.isspace() or prev == "/"):
        return False  # "Prenom(a)" is a misread "Prénom(s)", not "Prénom" and "à"; "Il/On" is two
    if any(comp.lower[hit.start : hit.end]):
        return True
    return hit.length >= 5


_GLUED_INDEX: Final = re.compile(r"^\d{1,2}(?=[^\W\d_])")
"""A field number printed (or read) glued to its label: "9UDARAS", "11Kasutaja..."."""


def _absorb_translation_before(text: str, start: int) -> int:
    """"2. Kod/Code": a word and a slash before a label at the line's start is the label's
    translation in a language the table lacks, or in a script the recogniser reads as
    Latin junk ("OPTAHAKIBHIIAYTIAIIIAPT/AUTHORITY" for "ОРГАН, ЯКІ ВЫДАЎ ПАШПАРТ"): a
    value is never followed by a slash and a label. In capitals too; digits only where the
    recogniser gives them for a national letter (one at a time, "PAMAJ3HHCTBA")."""
    head = text[:start].rstrip()
    if not head.endswith("/"):
        return start
    words = head[:-1].strip()
    m = _INDEX_AT_START.match(words) or _GLUED_INDEX.match(words)
    if m:
        words = words[m.end() :]
    if not words or len(words) > 40 or re.search(r"\d\d", words):
        return start
    letters = sum(c.isalpha() for c in words)
    if letters < 2 or not all(c.isalnum() or c in " /.-'’" for c in words):
        return start
    if sum(c.isdigit() for c in words) > 0.2 * letters:
        return start
    return 0


def _absorb_lowercase_after_slash(text: str, comp: Compact, pos: int) -> int:
    """Lower-case words touching a slash after a label run are label ("Nom/Apellxdos",
    "Surname, namc / Nom")."""
    n = len(comp.chars)
    while pos < n:
        end = pos
        while end < n and not comp.gap[end]:
            end += 1
        end = min(end, n - 1)
        before = text[comp.raw_start[pos - 1] + 1 : comp.raw_start[pos]] if pos > 0 else ""
        after_end = comp.raw_start[end + 1] if end + 1 < n else len(text)
        after = text[comp.raw_start[end] + 1 : after_end]
        if "/" not in before and "/" not in after:
            return pos
        if not any(comp.lower[pos : end + 1]) or label_at(comp, pos) is not None:
            return pos
        pos = end + 1
    return pos
