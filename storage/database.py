"""Engine creation for SQLite (embedded default) and PostgreSQL (shared by replicas)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.pool import StaticPool


def make_engine(
    url: str, *, schema: str | None = None, echo: bool = False, hide_parameters: bool = True
) -> Engine:
    """Build an Engine. `schema` puts every table in one PostgreSQL schema (tests isolate themselves so).
    Statement parameters (answer texts among them) stay out of SQL logs and error messages unless
    `hide_parameters` is off (PRACTICEBOT_LOG_SQL_PARAMETERS)."""
    parsed = make_url(url)
    kwargs: dict[str, Any] = {"echo": echo, "future": True, "hide_parameters": hide_parameters}
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
        event.listen(engine, "begin", _sqlite_begin_immediate)
    return engine


def _sqlite_begin_immediate(connection: Any) -> None:
    # Take the write lock when a transaction starts. A deferred transaction that reads, then writes after
    # another process committed, fails at once with "database is locked" instead of waiting its turn.
    connection.exec_driver_sql("BEGIN IMMEDIATE")


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # Let SQLAlchemy's "begin" event issue BEGIN itself (pysqlite would otherwise begin lazily).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    # WAL lets `practicebot tick` read while `practicebot run` writes; busy_timeout waits instead of failing.
    cursor.execute("PRAGMA journal_mode=WAL")
    # With WAL, NORMAL never corrupts the file and survives a crash of the process; only a power cut can
    # lose the last transactions. FULL would wait for the disk on every commit (~5 ms each).
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()
