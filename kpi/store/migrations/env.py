"""Alembic's environment: migrations run on the connection ``kpi.store.maintenance`` hands over."""

from __future__ import annotations

from alembic import context

# The migrations say every change themselves; ``kpi.store.schema`` declares the tables they make
# (a test compares the two), so running them needs neither SQLModel nor pydantic.
connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=None,
    render_as_batch=connection.dialect.name == "sqlite",  # SQLite alters tables by copying
)
with context.begin_transaction():
    context.run_migrations()
