"""Where every field of every MRZ layout sits (ICAO 9303 parts 4-7, plus the French ID card).

One table, shared by the composer and the reader, so the two can never disagree about a
position. Positions are ``Slot(line, start, end)`` with ``end`` exclusive, exactly like
:class:`~desktop_app.core.types.CharSpan`.

Each slot also carries a *kind*, which says which characters may legally stand there. The
reader's repair works by kind: a letter where only digits may stand is certainly a misread,
a letter where letters and digits may both stand is not.

The table also holds the document policy that follows from the layout: which fields each
check digit covers (:meth:`Layout.covered_fields`) and which of them it *proves*, so that the
field may be shown as verified (:attr:`CheckSpec.proves`, :func:`proved_fields`), and which
fields a record of the format cannot be saved without (:attr:`Layout.required`,
:func:`required_fields`). The reader, the form and the desk policy ask it; none repeats it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal

from desktop_app.core.types import DocumentFormat

Kind = Literal[
    "code0",  # first document-code letter: A-Z
    "code1",  # second document-code letter: A-Z or <
    "country",  # A-Z or < (Germany is "D<<")
    "name",  # A-Z or <
    "alnum",  # A-Z, 0-9 or <  (document number, optional data)
    "date",  # 0-9 only (expiry)
    "birth",  # 0-9, and < or X for an unknown day / month (some states)
    "check",  # 0-9
    "check_opt",  # 0-9 or < (check over a field that may be empty, or long-number marker)
    "sex",  # M, F, X or <
]


@dataclass(frozen=True, slots=True)
class Slot:
    """A field's place: line index and ``[start, end)`` columns."""

    line: int
    start: int
    end: int

    @property
    def width(self) -> int:
        return self.end - self.start


@dataclass(frozen=True, slots=True)
class FieldSlot:
    """A named field (contract key or internal name) with its place and character kind."""

    key: str
    slot: Slot
    kind: Kind


@dataclass(frozen=True, slots=True)
class CheckSpec:
    """A check digit: the slots it covers, in order, where the digit is printed, and the
    fields whose value it proves (shown as verified when every check holds)."""

    key: str
    covers: tuple[Slot, ...]
    digit: Slot
    proves: tuple[str, ...] = ()
    """A field's own digit proves that field. The composite proves only the fields no digit
    of their own covers and that it is trusted for (the optional data of TD1 and TD2): names,
    sex, the document code and the country codes are never proved by a check digit, because
    a misread letter there can leave every digit holding (see :mod:`.interpret`)."""

    @property
    def own_field(self) -> str | None:
        """The field this is the digit of (None for the composite)."""
        return None if self.key == "composite" else self.key


@dataclass(frozen=True, slots=True)
class Layout:
    """One MRZ format."""

    format: DocumentFormat
    line_count: int
    line_length: int
    fields: tuple[FieldSlot, ...]
    checks: tuple[CheckSpec, ...]
    long_number: bool
    """Whether a document number over 9 characters may continue in the optional data."""
    overflow_key: str | None
    """The field a long document number continues in (None when long numbers are not allowed)."""
    required: tuple[str, ...] = ()
    """Contract keys a record of this format cannot be saved without."""

    def field(self, key: str) -> FieldSlot | None:
        for f in self.fields:
            if f.key == key:
                return f
        return None

    def check(self, key: str) -> CheckSpec | None:
        for c in self.checks:
            if c.key == key:
                return c
        return None

    def own_check(self, field_key: str) -> str | None:
        """The key of the field's own check digit (None when it has none in this format)."""
        return next((c.key for c in self.checks if c.own_field == field_key), None)

    def covered_fields(self, check_key: str) -> tuple[str, ...]:
        """The fields (layout names: ``name`` for both names on a two-line visa or passport)
        with at least one character under this check digit, in layout order."""
        spec = self.check(check_key)
        if spec is None:
            return ()
        cells = {(s.line, i) for s in spec.covers for i in range(s.start, s.end)}
        out = [f.key for f in self.fields if any((f.slot.line, i) in cells for i in range(f.slot.start, f.slot.end))]
        return tuple(dict.fromkeys(out))

    @property
    def proved(self) -> frozenset[str]:
        """The fields a check digit proves in this format: only these can show as verified."""
        return frozenset(k for c in self.checks for k in c.proves)


def _f(key: str, line: int, start: int, end: int, kind: Kind) -> FieldSlot:
    return FieldSlot(key, Slot(line, start, end), kind)


def _c(
    key: str, covers: tuple[tuple[int, int, int], ...], line: int, pos: int, proves: tuple[str, ...] | None = None
) -> CheckSpec:
    """A check digit; a field's own digit proves that field unless ``proves`` says otherwise."""
    own = () if key == "composite" else (key,)
    return CheckSpec(key, tuple(Slot(*c) for c in covers), Slot(line, pos, pos + 1), own if proves is None else proves)


REQUIRED: Final = (
    "document_code",
    "issuing_country",
    "surname",
    "document_number",
    "nationality",
    "birth_date",
    "sex",
    "expiry_date",
)
"""Fields a record cannot be saved without, for every ICAO format (and when no MRZ was read)."""


def _two_line(fmt: DocumentFormat, length: int, *, composite: bool, personal: bool) -> Layout:
    """TD3, TD2, MRV-A and MRV-B share line 1 and the first 28 columns of line 2."""
    fields = [
        _f("document_code", 0, 0, 1, "code0"),
        _f("document_code", 0, 1, 2, "code1"),
        _f("issuing_country", 0, 2, 5, "country"),
        _f("name", 0, 5, length, "name"),
        _f("document_number", 1, 0, 9, "alnum"),
        _f("document_number_check", 1, 9, 10, "check_opt" if composite else "check"),
        _f("nationality", 1, 10, 13, "country"),
        _f("birth_date", 1, 13, 19, "birth"),
        _f("birth_date_check", 1, 19, 20, "check"),
        _f("sex", 1, 20, 21, "sex"),
        _f("expiry_date", 1, 21, 27, "date"),
        _f("expiry_date_check", 1, 27, 28, "check"),
    ]
    checks = [
        _c("document_number", ((1, 0, 9),), 1, 9),
        _c("birth_date", ((1, 13, 19),), 1, 19),
        _c("expiry_date", ((1, 21, 27),), 1, 27),
    ]
    if personal:  # TD3
        fields += [
            _f("personal_number", 1, 28, 42, "alnum"),
            _f("personal_number_check", 1, 42, 43, "check_opt"),
            _f("composite_check", 1, 43, 44, "check"),
        ]
        checks.append(_c("personal_number", ((1, 28, 42),), 1, 42))
    elif composite:  # TD2
        fields += [
            _f("optional_data", 1, 28, length - 1, "alnum"),
            _f("composite_check", 1, length - 1, length, "check"),
        ]
    else:  # MRV
        fields.append(_f("optional_data", 1, 28, length, "alnum"))
    if composite:
        # TD2: the optional data has no digit of its own; the composite proves it.
        # TD3: the personal number has its own digit; the composite proves nothing more.
        proves = () if personal else ("optional_data",)
        checks.append(_c("composite", ((1, 0, 10), (1, 13, 20), (1, 21, length - 1)), 1, length - 1, proves))
    overflow = "personal_number" if personal else ("optional_data" if composite else None)
    return Layout(fmt, 2, length, tuple(fields), tuple(checks), composite, overflow, REQUIRED)


TD3: Final = _two_line("TD3", 44, composite=True, personal=True)
TD2: Final = _two_line("TD2", 36, composite=True, personal=False)
MRVA: Final = _two_line("MRVA", 44, composite=False, personal=False)
MRVB: Final = _two_line("MRVB", 36, composite=False, personal=False)

TD1: Final = Layout(
    "TD1",
    3,
    30,
    (
        _f("document_code", 0, 0, 1, "code0"),
        _f("document_code", 0, 1, 2, "code1"),
        _f("issuing_country", 0, 2, 5, "country"),
        _f("document_number", 0, 5, 14, "alnum"),
        _f("document_number_check", 0, 14, 15, "check_opt"),
        _f("optional_data", 0, 15, 30, "alnum"),
        _f("birth_date", 1, 0, 6, "birth"),
        _f("birth_date_check", 1, 6, 7, "check"),
        _f("sex", 1, 7, 8, "sex"),
        _f("expiry_date", 1, 8, 14, "date"),
        _f("expiry_date_check", 1, 14, 15, "check"),
        _f("nationality", 1, 15, 18, "country"),
        _f("personal_number", 1, 18, 29, "alnum"),
        _f("composite_check", 1, 29, 30, "check"),
        _f("name", 2, 0, 30, "name"),
    ),
    (
        _c("document_number", ((0, 5, 14),), 0, 14),
        _c("birth_date", ((1, 0, 6),), 1, 6),
        _c("expiry_date", ((1, 8, 14),), 1, 14),
        # Proves optional data 1 (line 1). Optional data 2 (``personal_number``, line 2) is
        # covered too, but the desk has never shown it as verified; kept so (behaviour unchanged).
        _c("composite", ((0, 5, 30), (1, 0, 7), (1, 8, 15), (1, 18, 29)), 1, 29, ("optional_data",)),
    ),
    True,
    "optional_data",
    REQUIRED,
)

FRID: Final = Layout(
    "FRID",
    2,
    36,
    (
        _f("document_code", 0, 0, 1, "code0"),
        _f("document_code", 0, 1, 2, "code1"),
        _f("issuing_country", 0, 2, 5, "country"),
        _f("surname", 0, 5, 30, "name"),
        _f("optional_data", 0, 30, 36, "alnum"),
        _f("document_number", 1, 0, 12, "alnum"),
        _f("document_number_check", 1, 12, 13, "check"),
        _f("given_names", 1, 13, 27, "name"),
        _f("birth_date", 1, 27, 33, "birth"),
        _f("birth_date_check", 1, 33, 34, "check"),
        _f("sex", 1, 34, 35, "sex"),
        _f("composite_check", 1, 35, 36, "check"),
    ),
    (
        _c("document_number", ((1, 0, 12),), 1, 12),
        _c("birth_date", ((1, 27, 33),), 1, 33),
        # Covers the names too, but a misread letter of a name can leave it holding.
        _c("composite", ((0, 0, 36), (1, 0, 35)), 1, 35, ()),
    ),
    False,
    None,
    # The old French ID card has neither an expiry date nor a nationality in its MRZ.
    tuple(k for k in REQUIRED if k not in ("expiry_date", "nationality")),
)

LAYOUTS: Final[dict[DocumentFormat, Layout]] = {
    "TD1": TD1,
    "TD2": TD2,
    "TD3": TD3,
    "MRVA": MRVA,
    "MRVB": MRVB,
    "FRID": FRID,
}


UNKNOWN_FORMAT_PROVED: Final = frozenset({"document_number", "birth_date", "expiry_date"})
"""What :func:`proved_fields` says of a format not in the table (no reading stands behind
such a result, so nothing shows as verified anyway)."""


def _layout_of(fmt: str | None) -> Layout | None:
    return next((lay for lay in LAYOUTS.values() if lay.format == fmt), None)


def required_fields(fmt: str | None) -> tuple[str, ...]:
    """The fields a record of format ``fmt`` cannot be saved without (:data:`REQUIRED` when
    the format is unknown or no MRZ was read)."""
    layout = _layout_of(fmt)
    return layout.required if layout is not None else REQUIRED


def proved_fields(fmt: str | None) -> frozenset[str]:
    """The fields a check digit proves in format ``fmt``: only these can show as verified.

    Names, sex, the document code and the country codes have no check digit in any ICAO
    format, so a misread letter there passes every check: they are shown as read (or as
    agreeing with the visual zone), never as verified.
    """
    layout = _layout_of(fmt)
    return layout.proved if layout is not None else UNKNOWN_FORMAT_PROVED


def kind_map(layout: Layout) -> tuple[tuple[Kind, ...], ...]:
    """The character kind of every position of every line of ``layout``."""
    return _KIND_MAPS[layout.format]


def _build_kind_map(layout: Layout) -> tuple[tuple[Kind, ...], ...]:
    rows: list[list[Kind]] = [["alnum"] * layout.line_length for _ in range(layout.line_count)]
    for f in layout.fields:
        for i in range(f.slot.start, f.slot.end):
            rows[f.slot.line][i] = f.kind
    return tuple(tuple(r) for r in rows)


_KIND_MAPS: Final = {fmt: _build_kind_map(lay) for fmt, lay in LAYOUTS.items()}
