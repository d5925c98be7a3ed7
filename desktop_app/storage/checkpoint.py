"""Checkpoints of the audit chain: (database, entry count, last hash, time), signed.

A checkpoint says "on <time> the chain of database <db> had <count> entries and entry
<count> hashed to <hash>". Kept where the rows of the chain are not, it catches what the
chain alone cannot: the whole log wiped, the tail cut and an older head put back, or the
chain re-MACed by someone who holds the master key (the signature is not keyed from it).

Every write transaction stores one in the ``audit_checkpoints`` table (insert-only on
PostgreSQL: a trigger set up by revision 0003 refuses UPDATE, DELETE and TRUNCATE) and,
when a checkpoint folder is configured, appends it to ``<folder>/<db>.checkpoints.jsonl``
(one JSON object a line). ``passport-desk audit checkpoint --out FILE`` exports the
current one for an auditor to keep.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from .paths import ensure_private_dir
from .signing import AuditSigner, signature_valid

log = logging.getLogger(__name__)

FORMAT_VERSION = 1
FILE_SUFFIX = ".checkpoints.jsonl"


@dataclass(frozen=True, slots=True)
class Checkpoint:
    database: str
    """The database's uid (``store_meta.db_uid``)."""
    count: int
    last_hash: str
    at: str
    """UTC, ISO 8601."""
    key_id: str | None = None
    signature: str | None = None
    origin: str = "table"
    """Where it was read from (table, a file path): for messages only."""

    def payload(self) -> bytes:
        return json.dumps(
            [FORMAT_VERSION, self.database, self.count, self.last_hash, self.at],
            separators=(",", ":"),
            ensure_ascii=True,
        ).encode()

    def signed_by(self, public: Ed25519PublicKey) -> bool:
        return self.signature is not None and signature_valid(public, self.payload(), self.signature)

    def to_json(self) -> str:
        return json.dumps(
            {
                "v": FORMAT_VERSION,
                "database": self.database,
                "count": self.count,
                "last_hash": self.last_hash,
                "at": self.at,
                "key_id": self.key_id,
                "signature": self.signature,
            },
            separators=(",", ":"),
            sort_keys=True,
        )

    @classmethod
    def from_json(cls, text: str, *, origin: str) -> Checkpoint:
        d = json.loads(text)
        if not isinstance(d, dict) or d.get("v") != FORMAT_VERSION:
            raise ValueError("not a checkpoint")
        return cls(
            database=str(d["database"]),
            count=int(d["count"]),
            last_hash=str(d["last_hash"]),
            at=str(d["at"]),
            key_id=None if d.get("key_id") is None else str(d["key_id"]),
            signature=None if d.get("signature") is None else str(d["signature"]),
            origin=origin,
        )


def make_checkpoint(database: str, count: int, last_hash: str, at: datetime, signer: AuditSigner | None) -> Checkpoint:
    cp = Checkpoint(database, count, last_hash, at.isoformat(timespec="microseconds"))
    if signer is None:
        return cp
    return Checkpoint(cp.database, cp.count, cp.last_hash, cp.at, signer.key_id, signer.sign(cp.payload()))


def checkpoint_file(folder: Path, database: str) -> Path:
    return folder / f"{database}{FILE_SUFFIX}"


def append_to_folder(folder: Path, cp: Checkpoint) -> None:
    """Append one line (O_APPEND, owner-only); raises OSError for the caller to report."""
    ensure_private_dir(folder)
    path = checkpoint_file(folder, cp.database)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND | getattr(os, "O_NOFOLLOW", 0), 0o600)
    try:
        os.write(fd, (cp.to_json() + "\n").encode("ascii"))
        os.fsync(fd)
    finally:
        os.close(fd)


def read_file(path: Path) -> Iterator[Checkpoint | None]:
    """The checkpoints in a file, None for a line that is not one (damaged, or altered)."""
    with path.open(encoding="ascii", errors="replace") as f:
        for line in f:
            if not line.strip():
                continue
            try:
                yield Checkpoint.from_json(line, origin=str(path))
            except (ValueError, KeyError, TypeError):
                yield None
