"""Alembic migrations of the kpi database; ``kpi.store`` runs them, no alembic.ini needed."""
