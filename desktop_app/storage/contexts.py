"""The AES-GCM associated data of every encrypted column, built in one place.

Each blob is bound to its owner (record or review, by uid), its field and its column, so a
ciphertext copied into another row or field fails to decrypt. The strings below are what
the database already holds blobs for: changing one makes that data unreadable. So nothing
else in storage writes such a string; :func:`aad` builds all of them from named parts
(an enum for the column, a literal for the owner), and refuses a combination that no
column uses, so a typo is an error at once instead of data nobody can read.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Final, Literal

Owner = Literal["record", "review"]


class Column(StrEnum):
    FINAL = "final"
    OCR = "ocr"
    PROPOSED = "proposed"
    REASON = "reason"
    """A review field's reason (why it was flagged)."""
    REASONS = "reasons"
    """A review's reason codes and messages."""
    SOURCE_FILE = "source_file"
    COMMENT = "comment"
    CHIP = "chip"
    IMAGE = "image"


_FIELD_COLUMNS: Final = {
    "record": frozenset({Column.FINAL, Column.OCR}),
    "review": frozenset({Column.OCR, Column.PROPOSED, Column.REASON}),
}
_CORRECTION_COLUMNS: Final = frozenset({Column.FINAL, Column.OCR})
_OWNER_COLUMNS: Final = {
    "record": frozenset({Column.SOURCE_FILE, Column.CHIP}),
    "review": frozenset({Column.SOURCE_FILE, Column.REASONS, Column.COMMENT, Column.IMAGE}),
}
CORRECTION_STAGES: Final = frozenset({"confirm", "flag", "review"})


def _part(value: str, what: str) -> str:
    if not isinstance(value, str) or not value or ":" in value:
        raise ValueError(f"bad {what} for an encryption context: {value!r}")
    return value


def aad(
    owner: Owner,
    uid: str,
    column: Column,
    *,
    field: str | None = None,
    stage: str | None = None,
) -> str:
    """The associated data of one blob.

    * ``aad("record", uid, Column.FINAL, field="surname")``: a record field's value;
    * ``aad("review", uid, Column.OCR, field=..., stage="flag")``: a correction's value
      (``stage`` given means a row of ``corrections``);
    * ``aad("review", uid, Column.REASONS)``: a column of the owner row itself (for
      ``Column.CHIP`` the "uid" is the record id, as chip reads were first stored).
    """
    if owner not in _FIELD_COLUMNS:
        raise ValueError(f"unknown owner {owner!r}")
    if not isinstance(column, Column):
        raise TypeError(f"column must be a Column, not {column!r}")
    uid = _part(str(uid), "uid")
    if stage is not None:
        if stage not in CORRECTION_STAGES or field is None or column not in _CORRECTION_COLUMNS:
            raise ValueError(f"no correction column {stage!r}/{field!r}/{column}")
        return f"correction:{owner}:{uid}:{stage}:{_part(field, 'field')}:{column}"
    if field is not None:
        if column not in _FIELD_COLUMNS[owner]:
            raise ValueError(f"{owner} fields have no {column} column")
        return f"{owner}:{uid}:{_part(field, 'field')}:{column}"
    if column not in _OWNER_COLUMNS[owner]:
        raise ValueError(f"{owner} rows have no {column} column")
    if column is Column.IMAGE:
        return f"review-image:{uid}"
    return f"{owner}:{uid}:{column}"
