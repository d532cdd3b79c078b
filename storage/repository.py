"""The SQL store behind the core's ports (one repository module per aggregate), and the unit of work
that opens it off the event loop."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager, nullcontext
from typing import TypeVar

from sqlalchemy import Engine
from sqlalchemy.orm import sessionmaker
from sqlalchemy.pool import StaticPool

from bot.ports import Store
from storage.answers import AnswerStore
from storage.channels import ChannelStore
from storage.daily import DailyStore
from storage.grading import GradingStore
from storage.ledger import LedgerStore
from storage.recaps import RecapStore
from storage.reviews import ReviewStore
from storage.rounds import RoundStore
from storage.rows import channel_row_values

__all__ = ["SqlStore", "SqlUnitOfWork", "channel_row_values"]

T = TypeVar("T")


class SqlStore(
    ChannelStore, RoundStore, DailyStore, AnswerStore, GradingStore, RecapStore, LedgerStore, ReviewStore
):
    """Every repository inside one transaction: the core's `Store` port."""


def _conforms(store: SqlStore) -> Store:
    return store  # mypy (make test) checks here that SqlStore implements every repository Protocol


class SqlUnitOfWork:
    """The core's UnitOfWork. `await uow.run(work)`: `work(store)` in one transaction on a database thread,
    so the event loop never waits on SQL. `with uow() as store:` is the same transaction, inline, for the
    CLI and tests that have no loop to protect.

    The threads are sized for the backend: SQLite takes its write lock at BEGIN (see database.py), so
    transactions run one at a time anyway and a single thread avoids lock waits; PostgreSQL gets as many
    threads as the connection pool holds connections."""

    def __init__(self, engine: Engine, *, threads: int | None = None) -> None:
        self.engine = engine
        self._sessions = sessionmaker(bind=engine, expire_on_commit=False)
        if threads is None:
            threads = 1 if engine.dialect.name == "sqlite" else max(1, engine.pool.size())  # type: ignore[attr-defined]
        self._threads = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="practicebot-db")
        # An in-memory SQLite database is one connection shared by every thread (StaticPool): it can carry
        # one transaction at a time, so the CLI's or a test's inline transaction waits for the thread's.
        self._one_at_a_time = threading.Lock() if isinstance(engine.pool, StaticPool) else nullcontext()

    @contextmanager
    def __call__(self) -> Iterator[SqlStore]:
        with self._one_at_a_time, self._sessions() as session, session.begin():
            yield SqlStore(session)

    def _run(self, work: Callable[[SqlStore], T]) -> T:
        with self() as store:
            return work(store)

    async def run(self, work: Callable[[SqlStore], T]) -> T:
        return await asyncio.get_running_loop().run_in_executor(self._threads, self._run, work)

    def close(self) -> None:
        self._threads.shutdown(wait=True)
