"""`records list`, `export`, `purge`, `audit verify|checkpoint|public-key`, `db upgrade`, `key rotate|backup|status`, and `scan --save`'s storage.

Every command takes ``--database URL`` (default: env ``DATABASE_URL``, else ``database_url``
in the settings file, else the SQLite file in the user's data folder; resolved by
:mod:`desktop_app.runtime`, as for the window). The encryption key comes from env ``PASSPORT_DESK_KEY``, the
OS keyring or the owner-only key file (see ``desktop_app.storage.keys``).

Exit status: 0 done; 1 ``audit verify`` found a broken chain; 2 the command could not be
carried out (database, key or path problem; a plain message goes to standard error).
Read-only commands (``records list``, ``audit ...``) never create a database, a key or a
signing key: a missing database is an error (exit 2).
Standard output carries only the command's result; nothing personal is ever logged.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

from desktop_app.core.types import DocumentResult
from desktop_app.runtime import Runtime, load_runtime
from desktop_app.storage import (
    ReviewReason,
    StorageError,
    Store,
    StoreSettings,
    open_store,
    resolve_database_url,
    upgrade_database,
)
from desktop_app.storage.signing import (
    default_signing_key_path,
    load_public_key,
    load_signer,
    public_key_text,
)
from desktop_app.store_settings import store_settings

log = logging.getLogger(__name__)

EXIT_OK = 0
EXIT_AUDIT_BROKEN = 1
EXIT_FAILED = 2


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


def _days(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number of days: {text!r}") from None
    if n < 0:
        raise argparse.ArgumentTypeError("the number of days must be 0 or more")
    return n


def _runtime() -> Runtime:
    """Settings file, folders and environment, resolved once per command."""
    return load_runtime()


def _add_database(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--database",
        metavar="URL",
        default=None,
        help="database URL or SQLite file (default: env DATABASE_URL, else database_url in settings.json, "
        "else the local file)",
    )


def _add_operator(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--operator",
        default=None,
        help="who runs this, for the audit log (default: env PASSPORT_DESK_OPERATOR, else operator_name "
        "in settings.json, else the login name)",
    )


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the storage commands to the program's sub-command parser."""
    records = subparsers.add_parser("records", help="list saved records and review items")
    rsub = records.add_subparsers(dest="records_command", metavar="ACTION", required=True)
    lst = rsub.add_parser("list", help="list records and review items (document numbers masked)")
    _add_database(lst)
    lst.add_argument("--json", action="store_true", help="print a JSON array")
    lst.add_argument(
        "--since", type=_date, default=None, metavar="DATE", help="from this day on (YYYY-MM-DD)"
    )
    lst.add_argument(
        "--status",
        choices=("pending", "approved", "rejected", "confirmed"),
        default=None,
        help="confirmed records, or review items in this state (default: all)",
    )
    lst.add_argument("--limit", type=int, default=1000, help="at most this many of each kind (default 1000)")
    lst.set_defaults(func=cmd_records_list)

    exp = subparsers.add_parser("export", help="write confirmed records (full values) to a file; audited")
    _add_database(exp)
    _add_operator(exp)
    exp.add_argument("--format", choices=("csv", "json"), required=True)
    exp.add_argument("--since", type=_date, required=True, metavar="DATE", help="first day (YYYY-MM-DD)")
    exp.add_argument("--until", type=_date, default=None, metavar="DATE", help="last day, included")
    exp.add_argument("--out", required=True, metavar="FILE", help="the file to create (never overwritten)")
    exp.add_argument(
        "--export-dir",
        default=os.environ.get("PASSPORT_DESK_EXPORT_DIR") or None,
        metavar="DIR",
        help="the folder exports must stay in; a relative --out is taken inside it "
        "(default: env PASSPORT_DESK_EXPORT_DIR, else the folder --out names)",
    )
    exp.set_defaults(func=cmd_export)

    pur = subparsers.add_parser("purge", help="delete records older than a retention period; audited")
    _add_database(pur)
    _add_operator(pur)
    pur.add_argument(
        "--older-than",
        type=_days,
        default=None,
        metavar="DAYS",
        dest="older_than",
        help="the retention period (default: retention_days from the settings)",
    )
    pur.add_argument("--json", action="store_true", help="print the counts as JSON")
    pur.set_defaults(func=cmd_purge)

    aud = subparsers.add_parser("audit", help="the audit log")
    asub = aud.add_subparsers(dest="audit_command", metavar="ACTION", required=True)
    ver = asub.add_parser(
        "verify", help="check the audit chain, its checkpoints and every row; exit 1 and name the break"
    )
    _add_database(ver)
    ver.add_argument("--json", action="store_true", help="print the outcome as JSON")
    ver.add_argument(
        "--public-key",
        type=Path,
        action="append",
        default=None,
        metavar="FILE",
        help="an audit public key whose signatures count (the copy an auditor keeps); repeatable",
    )
    ver.add_argument(
        "--checkpoints",
        type=Path,
        action="append",
        default=[],
        metavar="PATH",
        help="a checkpoint file or folder to check against as well (exported, or a share); repeatable",
    )
    ver.set_defaults(func=cmd_audit_verify)
    cp = asub.add_parser("checkpoint", help="export a signed checkpoint of the chain as it stands now")
    _add_database(cp)
    cp.add_argument(
        "--out", type=Path, required=True, metavar="FILE", help="the file to create (appended to)"
    )
    cp.set_defaults(func=cmd_audit_checkpoint)
    pk = asub.add_parser("public-key", help="print the audit public key (keep a copy to verify with)")
    pk.set_defaults(func=cmd_audit_public_key)

    db = subparsers.add_parser("db", help="database maintenance")
    dsub = db.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    up = dsub.add_parser("upgrade", help="bring the schema up to date (SQLite: backup copy first)")
    _add_database(up)
    up.add_argument("--no-backup", action="store_true", help="skip the backup copy of a SQLite file")
    up.set_defaults(func=cmd_db_upgrade)

    key = subparsers.add_parser("key", help="the database encryption key: rotate, back up, status")
    ksub = key.add_subparsers(dest="key_command", metavar="ACTION", required=True)
    rot = ksub.add_parser(
        "rotate", help="re-encrypt every value under a new data key, in batches; resumable; audited"
    )
    _add_database(rot)
    _add_operator(rot)
    rot.add_argument("--batch", type=int, default=200, metavar="N", help="records or reviews per transaction")
    rot.add_argument(
        "--max-batches", type=int, default=None, metavar="N", help="stop after N batches (run again to go on)"
    )
    rot.set_defaults(func=cmd_key_rotate)
    bak = ksub.add_parser("backup", help="write the master key to a new owner-only file, for escrow; audited")
    _add_database(bak)
    _add_operator(bak)
    bak.add_argument(
        "--out", type=Path, required=True, metavar="FILE", help="the file to create (never overwritten)"
    )
    bak.set_defaults(func=cmd_key_backup)
    kst = ksub.add_parser("status", help="the current key id, a rotation in progress, blobs per key id")
    _add_database(kst)
    kst.set_defaults(func=cmd_key_status)


def _fail(exc: StorageError) -> int:
    log.debug("storage command failed", exc_info=exc)
    print(f"error: {exc}", file=sys.stderr)
    return EXIT_FAILED


def _open(args: argparse.Namespace, *, read_only: bool = False, rt: Runtime | None = None) -> Store:
    rt = rt or _runtime()
    return open_store(
        resolve_database_url(rt.database_url(args.database)), settings=store_settings(rt.settings, create=not read_only)
    )


def cmd_records_list(args: argparse.Namespace) -> int:
    try:
        with _open(args, read_only=True) as store:
            items: list[dict[str, Any]] = []
            if args.status in (None, "confirmed"):
                for r in store.search_records(since=args.since, masked=True, limit=args.limit):
                    items.append(
                        {
                            "kind": "record",
                            "id": r.id,
                            "status": "confirmed",
                            "at": r.confirmed_at.isoformat(),
                            "by": r.confirmed_by,
                            "workstation": r.workstation,
                            "document": {"format": r.document_format, "code": r.document_code},
                            "issuing_country": r.issuing_country,
                            "document_number": r.document_number,
                            "surname": r.surname,
                            "given_names": r.given_names,
                            "review_id": r.review_id,
                        }
                    )
            if args.status != "confirmed":
                for v in store.list_reviews(args.status, since=args.since, masked=True, limit=args.limit):
                    items.append(
                        {
                            "kind": "review",
                            "id": v.id,
                            "status": v.status,
                            "at": v.created_at.isoformat(),
                            "by": v.operator,
                            "workstation": v.workstation,
                            "document": {"format": v.document_format, "code": v.document_code},
                            "document_number": v.document_number,
                            "surname": v.surname,
                            "given_names": v.given_names,
                            "reasons": list(v.reason_codes),
                            "reviewer": v.reviewer,
                            "reviewed_at": v.reviewed_at.isoformat() if v.reviewed_at else None,
                            "record_id": v.record_id,
                        }
                    )
    except StorageError as e:
        return _fail(e)
    if args.json:
        json.dump(items, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    else:
        for it in items:
            name = " ".join(x for x in (it.get("surname"), it.get("given_names")) if x)
            print(
                f"{it['kind']:<6} {it['id']:>6}  {it['status']:<9} {it['at'][:19]}  "
                f"{it.get('document_number') or '-':<12} {name}"
            )
    return EXIT_OK


def cmd_export(args: argparse.Namespace) -> int:
    if args.until is not None and args.until < args.since:
        print("error: --until is before --since", file=sys.stderr)
        return EXIT_FAILED
    rt = _runtime()
    try:
        with _open(args, rt=rt) as store:
            res = store.export(
                args.format,
                args.out,
                since=args.since,
                until=args.until,
                actor=rt.operator(args.operator),
                workstation=rt.workstation,
                allowed_dir=args.export_dir,
            )
    except StorageError as e:
        return _fail(e)
    if res.skipped:
        print(f"warning: damaged records left out of the export: ids {list(res.skipped)}", file=sys.stderr)
    print(
        json.dumps(
            {"path": str(res.path), "format": res.format, "count": res.count, "skipped": list(res.skipped)}
        )
    )
    return EXIT_OK


def cmd_purge(args: argparse.Namespace) -> int:
    rt = _runtime()
    days = args.older_than if args.older_than is not None else rt.settings.retention_days
    args.older_than = days
    try:
        with _open(args, rt=rt) as store:
            res = store.purge(days, actor=rt.operator(args.operator), workstation=rt.workstation)
    except StorageError as e:
        return _fail(e)
    out = {
        "cutoff": res.cutoff.isoformat(),
        "records": res.records,
        "reviews": res.reviews,
        "images": res.images,
        "pending_kept": res.pending_kept,
        "pending_images": res.pending_images,
        "backups": res.backups,
    }
    if args.json:
        print(json.dumps(out))
    else:
        print(
            f"purged {res.records} records and {res.reviews} reviews older than {args.older_than} days"
            + (f"; kept {res.pending_kept} pending reviews" if res.pending_kept else "")
        )
    return EXIT_OK


def cmd_audit_verify(args: argparse.Namespace) -> int:
    try:
        keys = [load_public_key(p) for p in args.public_key] if args.public_key else None
        with _open(args, read_only=True) as store:
            v = store.verify_audit(public_keys=keys, checkpoints=args.checkpoints)
    except StorageError as e:
        return _fail(e)
    if args.json:
        print(
            json.dumps(
                {
                    "ok": v.ok,
                    "checked": v.checked,
                    "bad_row_id": v.bad_row_id,
                    "reason": v.reason,
                    "checkpoints": v.checkpoints,
                    "covered": v.covered,
                    "signatures_checked": v.signatures_checked,
                    "rows_checked": v.rows_checked,
                }
            )
        )
    elif v.ok:
        sig = "signed " if v.signatures_checked else ""
        print(
            f"audit chain intact ({v.checked} entries; {v.checkpoints} {sig}checkpoints, the newest covering "
            f"{v.covered}; {v.rows_checked} records and reviews match it)"
        )
    elif v.bad_row_id is not None:
        print(f"audit chain broken at row {v.bad_row_id}: {v.reason}")
    else:
        print(f"audit chain broken: {v.reason}")
    return EXIT_OK if v.ok else EXIT_AUDIT_BROKEN


def cmd_audit_checkpoint(args: argparse.Namespace) -> int:
    try:
        with _open(args, read_only=True) as store:
            cp = store.current_checkpoint()
        if cp.signature is None:
            print("error: no audit signing key here; the checkpoint would prove nothing", file=sys.stderr)
            return EXIT_FAILED
        fd = os.open(args.out, os.O_WRONLY | os.O_CREAT | os.O_APPEND | getattr(os, "O_NOFOLLOW", 0), 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as f:
            f.write(cp.to_json() + "\n")
    except StorageError as e:
        return _fail(e)
    except OSError as e:
        print(f"error: the checkpoint file {args.out} cannot be written ({e.strerror})", file=sys.stderr)
        return EXIT_FAILED
    print(json.dumps({"path": str(args.out), "count": cp.count, "at": cp.at, "key_id": cp.key_id}))
    return EXIT_OK


def cmd_audit_public_key(args: argparse.Namespace) -> int:
    try:
        signer = load_signer(store_settings(_runtime().settings).audit_signing_key or default_signing_key_path())
    except StorageError as e:
        return _fail(e)
    if signer is None:
        print("error: there is no audit signing key on this workstation", file=sys.stderr)
        return EXIT_FAILED
    print(public_key_text(signer.public))
    return EXIT_OK


def cmd_db_upgrade(args: argparse.Namespace) -> int:
    try:
        res = upgrade_database(resolve_database_url(_runtime().database_url(args.database)), backup=not args.no_backup)
    except StorageError as e:
        return _fail(e)
    if res.changed:
        print(
            f"upgraded {res.database} from {res.from_revision or 'empty'} to {res.to_revision}"
            + (f"; backup copy: {res.backup_path}" if res.backup_path else "")
        )
    else:
        print(f"{res.database} is up to date ({res.to_revision})")
    return EXIT_OK


def cmd_key_rotate(args: argparse.Namespace) -> int:
    if args.batch < 1 or (args.max_batches is not None and args.max_batches < 1):
        print("error: --batch and --max-batches must be 1 or more", file=sys.stderr)
        return EXIT_FAILED
    rt = _runtime()
    try:
        with _open(args, read_only=True, rt=rt) as store:
            res = store.rotate_key(
                actor=rt.operator(args.operator),
                workstation=rt.workstation,
                batch=args.batch,
                max_batches=args.max_batches,
            )
    except StorageError as e:
        return _fail(e)
    print(
        json.dumps(
            {
                "key_id": res.key_id,
                "done": res.done,
                "resumed": res.resumed,
                "records": res.records,
                "reviews": res.reviews,
                "blobs": res.blobs,
            }
        )
    )
    if not res.done:
        print("rotation not finished: run `passport-desk key rotate` again to continue", file=sys.stderr)
    return EXIT_OK


def cmd_key_backup(args: argparse.Namespace) -> int:
    from desktop_app.storage.keys import KeyProvider, encode_key, key_fingerprint

    rt = _runtime()
    try:
        provider = KeyProvider()
        master = provider.find()
        if master is None:
            print("error: no database key was found here (env, keyring or key file)", file=sys.stderr)
            return EXIT_FAILED
        # Opening with it proves it is this database's key before anyone escrows it.
        with open_store(
            resolve_database_url(rt.database_url(args.database)),
            key=master,
            settings=store_settings(rt.settings, create=False),
        ) as store:
            fingerprint = key_fingerprint(master)
            flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
            try:
                fd = os.open(args.out, flags, 0o600)
            except OSError as e:
                print(f"error: the backup file {args.out} cannot be created ({e.strerror})", file=sys.stderr)
                return EXIT_FAILED
            with os.fdopen(fd, "w", encoding="ascii") as f:
                f.write(
                    "# passport-desk database master key: keep offline, under two-person control.\n"
                    f"# fingerprint {fingerprint}; restore with env PASSPORT_DESK_KEY or the key file.\n"
                    f"{encode_key(master)}\n"
                )
            store.note_key_backup(actor=rt.operator(args.operator), fingerprint=fingerprint)
    except StorageError as e:
        return _fail(e)
    print(json.dumps({"path": str(args.out), "fingerprint": fingerprint, "source": provider.describe()}))
    return EXIT_OK


def cmd_key_status(args: argparse.Namespace) -> int:
    try:
        with _open(args, read_only=True) as store:
            status = store.key_status()
    except StorageError as e:
        return _fail(e)
    print(json.dumps(status, default=str))
    return EXIT_OK


def _scan_reasons(result: DocumentResult) -> list[ReviewReason]:
    if result.flags:
        return [ReviewReason(f.code, f.message) for f in result.flags]
    if result.status == "error":
        return [ReviewReason("read_error", "The document could not be read.")]
    if result.status == "no_mrz":
        return [ReviewReason("no_mrz", "No machine-readable zone was found.")]
    return [ReviewReason("cli_scan", "Saved from the command line; not yet confirmed by an operator.")]


def save_scan_results(
    results: list[DocumentResult],
    *,
    database_url: str | None,
    store_settings: StoreSettings | None = None,
) -> list[int]:
    """Store each result as a pending review item, all in one transaction; return their ids.

    ``database_url`` (``--database``) wins over env ``DATABASE_URL`` and the settings file's
    ``database_url`` (see :mod:`desktop_app.runtime`).
    The ids are in the order of ``results``. If anything fails, nothing is saved and a
    :class:`desktop_app.storage.StorageError` (plain message) is raised.
    """
    if not results:
        return []
    rt = _runtime()
    with open_store(resolve_database_url(rt.database_url(database_url)), settings=store_settings) as store:
        ids = store.flag_batch_for_review(
            [(r, {}, _scan_reasons(r), None) for r in results],
            operator=rt.operator(),
            workstation=rt.workstation,
        )
    log.info("Saved %d scan results for review", len(ids))
    return ids


def main(argv: Sequence[str] | None = None) -> int:
    """Run the storage commands alone (``python -m desktop_app.cli.records``), for tools and tests."""
    parser = argparse.ArgumentParser(prog="passport-desk")
    register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())
