"""Review images: the scan of a flagged document, encrypted, kept only while under review.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "review_images",
        sa.Column("review_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("image_enc", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["review_id"], ["reviews.id"], name="fk_review_images_review_id_reviews", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("review_id", name="pk_review_images"),
    )


def downgrade() -> None:
    op.drop_table("review_images")
