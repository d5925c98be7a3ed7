"""Shared values and builders for the storage tests (imported by conftest and tests)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta

from desktop_app.core.types import DocumentResult, Field, Flag

KEY = bytes.fromhex("8f3a1c5e7b9d2f4a6c8e0b1d3f5a7c9e2b4d6f8a0c1e3a5c7e9b2d4f6a8c0e1d")
OTHER_KEY = bytes(32)

# Personal values of the test document; tests look for them where they must not be.
SURNAME = "QUISTORPELLI"
GIVEN = "ZENOBIA MARGOT"
DOC_NO = "X7Q4K9P2M"
BIRTH = "1974-08-12"
PERSONAL_NO = "ZE184226B"
PERSONAL_VALUES = (SURNAME, GIVEN, DOC_NO, BIRTH, PERSONAL_NO, "ZENOBIA", "MARGOT", "740812")


def make_result(
    *,
    surname: str = SURNAME,
    given: str = GIVEN,
    number: str = DOC_NO,
    file: str | None = "/scans/quistorpelli-passport.jpg",
    flags: tuple[Flag, ...] = (),
) -> DocumentResult:
    """A TD3 passport read with every field of the command-line contract."""
    fields = {
        "document_code": Field("P", 0.99, "mrz"),
        "issuing_country": Field("UTO", 0.98, "mrz"),
        "surname": Field(surname, 0.91, "mrz+viz"),
        "given_names": Field(given, 0.88, "mrz", status="low_confidence", reason="low confidence"),
        "document_number": Field(number, 0.99, "mrz"),
        "nationality": Field("UTO", 0.99, "mrz"),
        "birth_date": Field(BIRTH, 0.97, "mrz"),
        "sex": Field("F", 0.99, "mrz"),
        "expiry_date": Field("2031-04-15", 0.97, "mrz"),
        "personal_number": Field(PERSONAL_NO, 0.95, "mrz"),
        "place_of_birth": Field("ZENITH CITY", 0.7, "viz"),
    }
    return DocumentResult(
        status="ok",
        file=file,
        format="TD3",
        document_code="P",
        fields=fields,
        flags=flags,
    )


@contextmanager
def days_ago(days: float) -> Iterator[None]:
    """Run the store's clock ``days`` behind, to make old rows the way the application does.

    (Back-dating a row with SQL is now caught: it is tampering, see the row MAC tests.)
    """
    from desktop_app.storage import common

    real = common.utcnow

    def past() -> datetime:
        return real() - timedelta(days=days)

    common.utcnow = past
    try:
        yield
    finally:
        common.utcnow = real
