"""Engine creation for SQLite (embedded default) and PostgreSQL (shared by replicas)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.pool import StaticPool


def make_engine(url: str, *, schema: str | None = None, echo: bool = False) -> Engine:
    """Build an Engine. `schema` puts every table in one PostgreSQL schema (tests isolate themselves so)."""
    parsed = make_url(url)
    kwargs: dict[str, Any] = {"echo": echo, "future": True}
    connect_args: dict[str, Any] = {}
    if parsed.get_backend_name() == "sqlite":
        connect_args["check_same_thread"] = False
        if parsed.database in (None, "", ":memory:"):
            # One shared connection, or every session would see its own empty in-memory database.
            kwargs["poolclass"] = StaticPool
    elif parsed.get_backend_name() == "postgresql":
        kwargs["pool_pre_ping"] = True
        if schema:
            connect_args["options"] = f"-csearch_path={schema}"
    engine = create_engine(parsed, connect_args=connect_args, **kwargs)
    if parsed.get_backend_name() == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    # WAL lets `practicebot tick` read while `practicebot run` writes; busy_timeout waits instead of failing.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()
