"""The e-passport chip read of a record (issue 16): the result, encrypted, and the
passive-authentication status, in a table of its own so older records open unchanged.

Revision ID: 0004_chip
Revises: 0003_audit_anchor
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_chip"
down_revision = "0003_audit_anchor"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "record_chip_reads",
        sa.Column("record_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("read_at", sa.DateTime(), nullable=False),
        sa.Column("result_enc", sa.LargeBinary(), nullable=False),
        sa.Column("passive_auth", sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(
            ["record_id"], ["records.id"], name="fk_record_chip_reads_record_id_records", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("record_id", name="pk_record_chip_reads"),
    )


def downgrade() -> None:
    op.drop_table("record_chip_reads")
