"""Persistence: SQLAlchemy 2.x tables, the SQL store behind the core's ports, and Alembic migrations."""
