"""Initial schema: records, reviews, fields, corrections, audit chain.

Revision ID: 0001
Revises:
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "store_meta",
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("name", name="pk_store_meta"),
    )
    op.create_table(
        "reviews",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uid", sa.String(32), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("operator", sa.String(128), nullable=False),
        sa.Column("workstation", sa.String(128), nullable=False),
        sa.Column("result_status", sa.String(16), nullable=False),
        sa.Column("document_format", sa.String(8), nullable=True),
        sa.Column("document_code", sa.String(4), nullable=True),
        sa.Column("reason_codes", sa.Text(), nullable=False),
        sa.Column("reasons_enc", sa.LargeBinary(), nullable=False),
        sa.Column("document_number_index", sa.String(64), nullable=True),
        sa.Column("surname_index", sa.String(64), nullable=True),
        sa.Column("source_file_enc", sa.LargeBinary(), nullable=True),
        sa.Column("reviewer", sa.String(128), nullable=True),
        sa.Column("reviewed_at", sa.DateTime(), nullable=True),
        sa.Column("comment_enc", sa.LargeBinary(), nullable=True),
        sa.CheckConstraint("status IN ('pending', 'approved', 'rejected')", name="ck_reviews_status"),
        sa.PrimaryKeyConstraint("id", name="pk_reviews"),
        sa.UniqueConstraint("uid", name="uq_reviews_uid"),
    )
    op.create_index("ix_reviews_created_at", "reviews", ["created_at"])
    op.create_index("ix_reviews_status", "reviews", ["status"])
    op.create_index("ix_reviews_document_number_index", "reviews", ["document_number_index"])
    op.create_index("ix_reviews_surname_index", "reviews", ["surname_index"])

    op.create_table(
        "review_fields",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("review_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(32), nullable=False),
        sa.Column("ocr_value_enc", sa.LargeBinary(), nullable=True),
        sa.Column("proposed_value_enc", sa.LargeBinary(), nullable=False),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("ocr_source", sa.String(16), nullable=True),
        sa.Column("confidence", sa.Float(), nullable=True),
        sa.Column("status", sa.String(16), nullable=True),
        sa.Column("reason_enc", sa.LargeBinary(), nullable=True),
        sa.ForeignKeyConstraint(
            ["review_id"], ["reviews.id"], name="fk_review_fields_review_id_reviews", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_review_fields"),
        sa.UniqueConstraint("review_id", "key", name="uq_review_fields_review_id_key"),
    )
    op.create_index("ix_review_fields_review_id", "review_fields", ["review_id"])

    op.create_table(
        "records",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uid", sa.String(32), nullable=False),
        sa.Column("confirmed_at", sa.DateTime(), nullable=False),
        sa.Column("confirmed_by", sa.String(128), nullable=False),
        sa.Column("workstation", sa.String(128), nullable=False),
        sa.Column("review_id", sa.Integer(), nullable=True),
        sa.Column("document_format", sa.String(8), nullable=True),
        sa.Column("document_code", sa.String(4), nullable=True),
        sa.Column("document_number_index", sa.String(64), nullable=True),
        sa.Column("surname_index", sa.String(64), nullable=True),
        sa.Column("source_file_enc", sa.LargeBinary(), nullable=True),
        sa.ForeignKeyConstraint(
            ["review_id"], ["reviews.id"], name="fk_records_review_id_reviews", ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_records"),
        sa.UniqueConstraint("uid", name="uq_records_uid"),
        sa.UniqueConstraint("review_id", name="uq_records_review_id"),
    )
    op.create_index("ix_records_confirmed_at", "records", ["confirmed_at"])
    op.create_index("ix_records_document_number_index", "records", ["document_number_index"])
    op.create_index("ix_records_surname_index", "records", ["surname_index"])

    op.create_table(
        "record_fields",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("record_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(32), nullable=False),
        sa.Column("final_value_enc", sa.LargeBinary(), nullable=False),
        sa.Column("ocr_value_enc", sa.LargeBinary(), nullable=True),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("ocr_source", sa.String(16), nullable=True),
        sa.Column("confidence", sa.Float(), nullable=True),
        sa.Column("status", sa.String(16), nullable=True),
        sa.ForeignKeyConstraint(
            ["record_id"], ["records.id"], name="fk_record_fields_record_id_records", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_record_fields"),
        sa.UniqueConstraint("record_id", "key", name="uq_record_fields_record_id_key"),
    )
    op.create_index("ix_record_fields_record_id", "record_fields", ["record_id"])

    op.create_table(
        "corrections",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("record_id", sa.Integer(), nullable=True),
        sa.Column("review_id", sa.Integer(), nullable=True),
        sa.Column("key", sa.String(32), nullable=False),
        sa.Column("ocr_value_enc", sa.LargeBinary(), nullable=True),
        sa.Column("final_value_enc", sa.LargeBinary(), nullable=False),
        sa.Column("operator", sa.String(128), nullable=False),
        sa.Column("stage", sa.String(16), nullable=False),
        sa.Column("corrected_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("stage IN ('confirm', 'flag', 'review')", name="ck_corrections_stage"),
        sa.CheckConstraint("(record_id IS NULL) <> (review_id IS NULL)", name="ck_corrections_owner"),
        sa.ForeignKeyConstraint(
            ["record_id"], ["records.id"], name="fk_corrections_record_id_records", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["review_id"], ["reviews.id"], name="fk_corrections_review_id_reviews", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_corrections"),
    )
    op.create_index("ix_corrections_record_id", "corrections", ["record_id"])
    op.create_index("ix_corrections_review_id", "corrections", ["review_id"])

    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("actor", sa.String(128), nullable=False),
        sa.Column("workstation", sa.String(128), nullable=False),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("entity", sa.String(16), nullable=False),
        sa.Column("entity_id", sa.Integer(), nullable=True),
        sa.Column("details", sa.Text(), nullable=False),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("row_hash", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_audit_log"),
    )
    op.create_index("ix_audit_log_action", "audit_log", ["action"])

    op.create_table(
        "audit_head",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("last_id", sa.Integer(), nullable=False),
        sa.Column("last_hash", sa.String(64), nullable=False),
        sa.Column("mac", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_audit_head"),
    )


def downgrade() -> None:
    op.drop_table("audit_head")
    op.drop_index("ix_audit_log_action", table_name="audit_log")
    op.drop_table("audit_log")
    op.drop_table("corrections")
    op.drop_table("record_fields")
    op.drop_table("records")
    op.drop_table("review_fields")
    op.drop_table("reviews")
    op.drop_table("store_meta")
