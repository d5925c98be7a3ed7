"""Opening a database: URL, schema check (or creation), key check."""

from __future__ import annotations

import logging

from sqlalchemy import Engine, func, select
from sqlalchemy import exc as sa_exc
from sqlalchemy.orm import Session

from . import audit
from .crypto import Keys
from .engine import make_engine, reader
from .errors import (
    DatabaseUnavailableError,
    EncryptionKeyError,
    IntegrityError,
    MigrationError,
    SchemaOutdatedError,
    StorageError,
    translate,
)
from .keys import KeyProvider, KeySource, StaticKey
from .migrate import head_revision, schema_state, upgrade_database
from .models import AuditEntry, AuditHead, Record, Review, StoreMeta
from .paths import display_url, resolve_database_url, sqlite_file
from .service import Store, StoreSettings
from .signing import AuditSigner, create_signer, default_signing_key_path, load_signer

log = logging.getLogger(__name__)

KEY_CHECK = "key_check"


def _key_source(key: bytes | KeySource | None) -> KeySource:
    if key is None:
        return KeyProvider()
    if isinstance(key, bytes | bytearray):
        return StaticKey(bytes(key))
    return key


def open_store(
    url: str | None = None,
    *,
    key: bytes | KeySource | None = None,
    settings: StoreSettings | None = None,
) -> Store:
    """Open (and, if empty, create) the database at ``url`` and return a :class:`Store`.

    ``url``: SQLAlchemy URL, ``postgresql://`` URL or SQLite file path; default env
    ``DATABASE_URL``, else the SQLite file in the user's data folder. ``key``: the
    32-byte master key, a :class:`KeySource`, or None for the standard
    :class:`KeyProvider` (env ``PASSPORT_DESK_KEY``, OS keyring, key file).

    Raises :class:`SchemaOutdatedError` when the schema is not this application's (call
    :func:`upgrade_database` first), :class:`EncryptionKeyError` when no key is found for
    an existing database or the key does not match it, other :class:`StorageError` when
    the database cannot be opened.
    """
    settings = settings or StoreSettings()
    resolved = resolve_database_url(url)
    shown = display_url(resolved)
    path = sqlite_file(resolved)
    if not settings.create and path is not None and not path.exists():
        # A read-only command on a mistyped path must not leave a new database behind.
        raise DatabaseUnavailableError(f"The database {shown} does not exist; nothing was created.")
    engine = make_engine(resolved, busy_timeout_s=settings.busy_timeout_s)
    try:
        try:
            with engine.connect() as conn:
                state, rev = schema_state(conn)
                conn.rollback()
        except sa_exc.SQLAlchemyError as e:
            raise translate(e) from e
        if state == "empty":
            if not settings.create:
                raise SchemaOutdatedError(f"The database {shown} is empty; run `passport-desk db upgrade`.")
            upgrade_database(resolved, backup=False, busy_timeout_s=settings.busy_timeout_s)
        elif state == "outdated":
            raise SchemaOutdatedError(
                f"The database {shown} has an older schema ({rev}); run `passport-desk db upgrade` "
                "(the application does this on start, after a backup copy)."
            )
        elif state == "newer":
            raise SchemaOutdatedError(
                f"The database {shown} was made by a newer version of the application (schema {rev})."
            )
        elif state == "unversioned":
            raise MigrationError(f"The database {shown} holds tables that were not made by this application.")
        keys = _check_key(engine, _key_source(key), shown, create=settings.create)
        signer = _signer(settings)
        store = Store(engine, keys, settings, shown, signer=signer, resolved_url=resolved)
        if settings.create:
            store.initialise(actor=_os_account(), revision=head_revision())
            store.note_schema(head_revision(), actor=_os_account())
    except sa_exc.SQLAlchemyError as e:
        engine.dispose()
        raise translate(e) from e
    except BaseException:
        engine.dispose()
        raise
    log.info("Opened database %s", shown)
    if settings.retention_days is not None:
        try:
            store.apply_retention()
        except StorageError as e:  # a busy database at start: the daily check tries again
            log.warning("Retention could not run at open (%s)", type(e).__name__)
    return store


def _os_account() -> str:
    return audit.os_account()


def _signer(settings: StoreSettings) -> AuditSigner | None:
    if not settings.sign_checkpoints:
        return None
    path = settings.audit_signing_key or default_signing_key_path()
    found = load_signer(path)
    if found is None and settings.create:
        found = create_signer(path)
        log.info("Created an audit signing key in %s", path)
    return found


def _has_rows(session: Session) -> bool:
    return any(
        session.scalar(select(func.count()).select_from(model)) for model in (Record, Review, AuditEntry)
    )


def _check_key(engine: Engine, source: KeySource, shown: str, *, create: bool = True) -> Keys:
    """Compare the key with the check value stored at creation; store it on a new database.

    The check value is written only on a database that holds no rows: one whose check
    value was deleted is refused, never taken over by whatever key comes next.
    """
    try:
        with Session(reader(engine)) as session, session.begin():
            meta = session.get(StoreMeta, KEY_CHECK)
            stored = None if meta is None else meta.value
            has_head = session.get(AuditHead, audit.HEAD_ID) is not None
            has_rows = stored is None and _has_rows(session)
    except sa_exc.SQLAlchemyError as e:
        raise translate(e) from e
    if has_rows:
        raise EncryptionKeyError(
            f"The database {shown} holds records but its key check value is missing (removed outside "
            "the application); it is not opened, so that no other key can take it over."
        )
    master = source.find()
    if master is None:
        if stored is not None or not create:
            raise EncryptionKeyError(
                f"No encryption key was found for {shown} (looked in env PASSPORT_DESK_KEY, "
                "the OS keyring and the key file). Restore the key this database was made with."
            )
        master = source.create()
    keys = Keys.from_master(master)
    if stored is not None and stored != keys.key_check():
        raise EncryptionKeyError(
            f"The encryption key from {source.describe()} does not match the database {shown}."
        )
    if (stored is not None and has_head) or not create:
        return keys
    # A new database: store the key check value and the audit chain's head, once.
    try:
        with Session(engine) as session, session.begin():
            meta = session.get(StoreMeta, KEY_CHECK)
            if meta is None:
                session.add(StoreMeta(name=KEY_CHECK, value=keys.key_check()))
                log.info("New database: key check stored (key from %s)", source.describe())
            elif meta.value != keys.key_check():  # another process made it with another key meanwhile
                raise EncryptionKeyError(
                    f"The encryption key from {source.describe()} does not match the database {shown}."
                )
            audit.ensure_head(session, keys)
    except sa_exc.SQLAlchemyError as e:
        err = translate(e)
        if not isinstance(err, IntegrityError):  # a concurrent opener won the race: fine
            raise err from e
    return keys
