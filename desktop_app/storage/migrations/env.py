"""Alembic environment for the storage schema.

Run through :func:`desktop_app.storage.migrate.upgrade_database` (or ``passport-desk db
upgrade``), which hands over an open connection in ``config.attributes["connection"]``
and commits it: the whole upgrade is one transaction on both SQLite and PostgreSQL.
"""

from __future__ import annotations

from alembic import context

from desktop_app.storage.models import Base

config = context.config
connection = config.attributes.get("connection")
if connection is None:  # pragma: no cover - only when someone runs the alembic CLI by hand
    raise RuntimeError("Run migrations through desktop_app.storage.migrate.upgrade_database().")

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=True,
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
