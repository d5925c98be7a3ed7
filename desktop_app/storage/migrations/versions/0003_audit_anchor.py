"""Audit anchor: checkpoints of the chain, per-row MACs; on PostgreSQL an insert-only audit.

Revision ID: 0003_audit_anchor
Revises: 0002
Create Date: 2026-12-02

* ``audit_checkpoints``: one (count, last hash, time, signature) per write transaction.
* ``records.row_mac``, ``reviews.row_mac``: an HMAC over the row, its fields and its
  corrections. Rows of an older database get theirs when it is first opened with the key
  (one ``database.seal`` audit entry says how many); the migration itself has no key.
* PostgreSQL only: a trigger refuses UPDATE, DELETE and TRUNCATE on ``audit_log`` and
  ``audit_checkpoints`` for every role. The table owner (or a superuser) can still disable
  the trigger, so the application should connect as a role that owns nothing: see README,
  "Security model", for the grants a DBA gives it.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_audit_anchor"
down_revision = "0002"
branch_labels = None
depends_on = None

_FUNCTION = "passport_desk_append_only"
_TABLES = ("audit_log", "audit_checkpoints")


def upgrade() -> None:
    op.create_table(
        "audit_checkpoints",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("last_hash", sa.String(64), nullable=False),
        sa.Column("at", sa.String(40), nullable=False),
        sa.Column("key_id", sa.String(32), nullable=True),
        sa.Column("signature", sa.String(128), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_audit_checkpoints"),
    )
    op.create_index("ix_audit_checkpoints_count", "audit_checkpoints", ["count"])
    with op.batch_alter_table("records") as batch:
        batch.add_column(sa.Column("row_mac", sa.String(64), nullable=True))
    with op.batch_alter_table("reviews") as batch:
        batch.add_column(sa.Column("row_mac", sa.String(64), nullable=True))
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            f"""
            CREATE FUNCTION {_FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                RAISE EXCEPTION 'passport-desk: % is append-only (% refused)', TG_TABLE_NAME, TG_OP
                    USING ERRCODE = 'insufficient_privilege';
            END
            $$
            """
        )
        for table in _TABLES:
            op.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                f"FOR EACH ROW EXECUTE FUNCTION {_FUNCTION}()"
            )
            op.execute(
                f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
                f"FOR EACH STATEMENT EXECUTE FUNCTION {_FUNCTION}()"
            )


def downgrade() -> None:
    # The identity belongs to this revision's checkpoints: an older application never made
    # one, and upgrading again seals the database afresh (see Store.initialise).
    op.execute("DELETE FROM store_meta WHERE name IN ('db_uid', 'schema_revision')")
    if op.get_bind().dialect.name == "postgresql":
        for table in _TABLES:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}")
        op.execute(f"DROP FUNCTION IF EXISTS {_FUNCTION}()")
    with op.batch_alter_table("reviews") as batch:
        batch.drop_column("row_mac")
    with op.batch_alter_table("records") as batch:
        batch.drop_column("row_mac")
    op.drop_index("ix_audit_checkpoints_count", table_name="audit_checkpoints")
    op.drop_table("audit_checkpoints")
