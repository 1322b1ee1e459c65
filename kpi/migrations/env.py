"""Alembic's environment: migrations run on the connection ``kpi.store`` hands over."""

from __future__ import annotations

from alembic import context
from sqlmodel import SQLModel

import kpi.models  # noqa: F401  (registers the tables on the metadata)

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=SQLModel.metadata,
    render_as_batch=connection.dialect.name == "sqlite",  # SQLite alters tables by copying
)
with context.begin_transaction():
    context.run_migrations()
