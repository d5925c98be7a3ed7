"""Storage: confirmed records, the review queue, the audit chain, privacy. No Qt here.

Quick start (the GUI and the command line use exactly this)::

    from desktop_app.storage import open_store, upgrade_database, StorageError

    upgrade_database(url)                    # on start: backup copy, then migrate (no-op if current)
    store = open_store(url)                  # url None: env DATABASE_URL, else the default SQLite file
    try:
        rid = store.confirm_record(result, {"surname": "ERIKSSON"}, operator="anna", workstation="desk-3")
    except DatabaseLockedError:
        ...                                  # keep the form on screen, offer "try again"
    except StorageError as e:
        show(str(e))                         # a plain message; nothing was saved, nothing lost

Database
    SQLite by default (WAL, foreign keys, busy timeout, secure_delete) in the user's data
    folder (``~/.local/share/passport-desk/`` on Linux, ``%APPDATA%\\passport-desk`` on
    Windows; ``PASSPORT_DESK_DATA_DIR`` overrides), or PostgreSQL when the URL (or env
    ``DATABASE_URL``) says ``postgresql://...``. Several windows and processes may share
    one database; each save is one short transaction.

Encryption
    Personal values are encrypted field by field (AES-256-GCM) before they reach SQL, so
    the same protection holds on SQLite and PostgreSQL; document numbers and surnames are
    found through keyed blind indexes (HMAC-SHA256). The key never sits in the database:
    env ``PASSPORT_DESK_KEY``, else the OS keyring, else an owner-only key file (see
    :mod:`.keys`). Pass ``key=`` to :func:`open_store` in tests.

:class:`Store` (one per process, thread-safe; every method is its own transaction)
    Operator
        ``confirm_record(result, final_values, *, operator, workstation) -> int``
        ``flag_for_review(result, final_values, reasons, *, operator, workstation, image_bytes=None) -> int``
    Reviewer
        ``list_reviews(status="pending", *, since=None, until=None, masked=True, limit=1000)``
        ``-> list[ReviewSummary]``
        ``get_review(id) -> ReviewDetail``; ``get_review_image(id) -> bytes | None``
        ``approve_review(id, corrections, *, reviewer, comment=None, workstation=None) -> int``
        (the new record's id)
        ``reject_review(id, *, reviewer, comment=None, workstation=None) -> None``
    Records
        ``search_records(name=None, document_number=None, since=None, until=None, masked=True,``
        ``*, limit=1000)``
        ``-> list[RecordSummary]``; ``get_record(id) -> RecordDetail``
    Privacy and audit
        ``export(fmt, out, *, since, until=None, actor, workstation=None, allowed_dir=None, overwrite=False)``
        ``-> ExportResult``;
        ``purge(older_than_days, *, actor="retention", workstation=None) -> PurgeResult``;
        ``verify_audit() -> AuditVerification``; ``audit_entries(...) -> list[AuditEntryInfo]``; ``counts()``; ``close()``

    ``final_values`` / ``corrections`` map field keys (:data:`desktop_app.core.types.FIELD_KEYS`)
    to the values a person confirmed; every value differing from the OCR value is stored as a
    correction (OCR value, final value, who, when). Results are frozen dataclasses from
    :mod:`.values`; no ORM object or session ever leaves a call.

Errors (all subclasses of :class:`StorageError`; ``str(e)`` is a plain operator message)
    :class:`DatabaseLockedError`, :class:`DiskFullError`, :class:`ReadOnlyDatabaseError`,
    :class:`DatabaseUnavailableError`, :class:`IntegrityError`, :class:`SchemaOutdatedError`,
    :class:`MigrationError`, :class:`EncryptionKeyError` (:class:`DecryptionError`),
    :class:`NotFoundError`, :class:`ReviewStateError`, :class:`InvalidInputError`,
    :class:`ExportPathError`. A failed save is rolled back whole.

Logging
    Loggers under ``desktop_app.storage`` log ids, counts and actions only, never a field
    value, at any level. Use :func:`mask_document_number` to show a number elsewhere.
"""

from __future__ import annotations

from .audit import AuditVerification
from .crypto import mask_document_number
from .errors import (
    DatabaseLockedError,
    DatabaseUnavailableError,
    DecryptionError,
    DiskFullError,
    EncryptionKeyError,
    ExportPathError,
    IntegrityError,
    InvalidInputError,
    MigrationError,
    NotFoundError,
    ReadOnlyDatabaseError,
    ReviewStateError,
    SchemaOutdatedError,
    StorageError,
)
from .keys import KeyProvider, KeySource, StaticKey
from .migrate import UpgradeResult, head_revision, upgrade_database
from .opening import open_store
from .paths import data_dir, default_sqlite_path, resolve_database_url
from .service import Store, StoreSettings
from .values import (
    AuditEntryInfo,
    CorrectionInfo,
    ExportResult,
    PurgeResult,
    RecordDetail,
    RecordSummary,
    ReviewDetail,
    ReviewReason,
    ReviewSummary,
    StoredField,
)

RecordService = Store
"""The same class under the name the issue uses."""

__all__ = [
    "AuditEntryInfo",
    "AuditVerification",
    "CorrectionInfo",
    "DatabaseLockedError",
    "DatabaseUnavailableError",
    "DecryptionError",
    "DiskFullError",
    "EncryptionKeyError",
    "ExportPathError",
    "ExportResult",
    "IntegrityError",
    "InvalidInputError",
    "KeyProvider",
    "KeySource",
    "MigrationError",
    "NotFoundError",
    "PurgeResult",
    "ReadOnlyDatabaseError",
    "RecordDetail",
    "RecordService",
    "RecordSummary",
    "ReviewDetail",
    "ReviewReason",
    "ReviewStateError",
    "ReviewSummary",
    "SchemaOutdatedError",
    "StaticKey",
    "StorageError",
    "Store",
    "StoreSettings",
    "StoredField",
    "UpgradeResult",
    "data_dir",
    "default_sqlite_path",
    "head_revision",
    "mask_document_number",
    "open_store",
    "resolve_database_url",
    "upgrade_database",
]
