"""Threads or SQLAlchemy's asyncio extension for the core's transactions (the event-router issue asks to
choose by measuring).

The same repository code (storage/, an `/practice question` transaction: register the channel, read its
question history, insert a round) runs two ways on PostgreSQL, `--concurrency` at once, `--rounds` times:

- threads: `SqlUnitOfWork.run` (what the bot does): psycopg in its sync mode on a pool of database threads;
- asyncio: `AsyncSession.run_sync` on an async engine (psycopg's async mode): the same ORM code, run in a
  greenlet on the event loop thread, awaiting the driver's I/O.

Reported per mode: wall time per batch, CPU per transaction, and the event loop's lag (how late a 1 ms
ticker wakes up while the batch runs: what an ack waiting on that loop would feel). Needs `greenlet`
(`pip install -e '.[bench]'`). SQLite has no such choice: its async driver (aiosqlite) is itself a thread.

    .venv/bin/python bench/uow_modes.py [--database-url postgresql+psycopg://postgres@127.0.0.1:5432/test]
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import statistics
import sys
import time
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TypeVar

from sqlalchemy import text

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.domain import ChannelRef, MemberRef, Platform, RoundKind, Visibility
from storage.database import make_engine
from storage.migrate import upgrade
from storage.repository import SqlStore, SqlUnitOfWork

NOW = dt.datetime(2026, 12, 6, 9, 0, tzinfo=dt.UTC)
T = TypeVar("T")


class AsyncioUnitOfWork:
    """The core's UnitOfWork on SQLAlchemy's asyncio extension: the same repository code, run in a greenlet
    on the event loop thread (`AsyncSession.run_sync`), awaiting the async driver's I/O."""

    def __init__(self, url: str, *, schema: str | None = None, pool_size: int = 5) -> None:
        from sqlalchemy.ext.asyncio import create_async_engine

        options = {"options": f"-csearch_path={schema}"} if schema else {}
        self.engine = create_async_engine(url, connect_args=options, pool_size=pool_size)

    async def run(self, work: Callable[[SqlStore], T]) -> T:
        from sqlalchemy.ext.asyncio import AsyncSession

        async with AsyncSession(self.engine, expire_on_commit=False) as session, session.begin():
            return await session.run_sync(lambda sync_session: work(SqlStore(sync_session)))

    async def close(self) -> None:
        await self.engine.dispose()


def ask(store: SqlStore, n: int) -> int:
    channel = ChannelRef(platform=Platform.SLACK, workspace_id="T1", channel_id=f"C{n % 50}")
    member = MemberRef(platform=Platform.SLACK, workspace_id="T1", user_id=f"U{n}")
    store.register_channel(channel)
    store.question_history(channel)
    round_ = store.create_round(
        channel,
        question_id=f"q{n % 110}",
        category="technical",
        kind=RoundKind.ON_DEMAND,
        visibility=Visibility.PRIVATE,
        now=NOW,
        requested_by=member,
    )
    assert round_ is not None
    return round_.id


async def ticker(lags: list[float], stop: asyncio.Event) -> None:
    loop = asyncio.get_running_loop()
    while not stop.is_set():
        before = loop.time()
        await asyncio.sleep(0.001)
        lags.append(loop.time() - before - 0.001)


async def measure(name: str, run: Callable[[int], Awaitable[int]], args: argparse.Namespace) -> str:
    await asyncio.gather(*(run(i) for i in range(args.concurrency)))  # warm-up: connections, caches
    walls, lags = [], []
    cpu = time.process_time()
    for batch in range(args.rounds):
        stop = asyncio.Event()
        tick = asyncio.create_task(ticker(lags, stop))
        start = time.perf_counter()
        base = (batch + 1) * args.concurrency
        await asyncio.gather(*(run(base + i) for i in range(args.concurrency)))
        walls.append(time.perf_counter() - start)
        stop.set()
        await tick
    per_tx = (time.process_time() - cpu) / (args.rounds * args.concurrency) * 1000
    lags.sort()
    p99 = lags[int(0.99 * (len(lags) - 1))] * 1000
    return (
        f"{name:8} batch of {args.concurrency}: median {statistics.median(walls) * 1000:7.1f} ms  "
        f"CPU per transaction {per_tx:.2f} ms  loop lag p99 {p99:6.1f} ms max {lags[-1] * 1000:6.1f} ms"
    )


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/test")
    parser.add_argument("--concurrency", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=10)
    args = parser.parse_args()
    try:
        import greenlet  # noqa: F401
    except ImportError:
        sys.exit("needs greenlet: pip install -e '.[bench]'")

    schema = f"pbbench_{uuid.uuid4().hex[:10]}"
    admin = make_engine(args.database_url)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        sync_engine = make_engine(args.database_url, schema=schema)
        upgrade(sync_engine)
        uow = SqlUnitOfWork(sync_engine)
        asyncio_uow = AsyncioUnitOfWork(
            args.database_url,
            schema=schema,
            pool_size=sync_engine.pool.size(),  # type: ignore[attr-defined]
        )

        async def threads(n: int) -> int:
            return await uow.run(lambda store: ask(store, n))

        async def asyncio_ext(n: int) -> int:
            return await asyncio_uow.run(lambda store: ask(store, n))

        print(f"postgresql, {args.rounds} batches, pool of {sync_engine.pool.size()} connections")  # type: ignore[attr-defined]
        for _ in range(2):  # alternate, twice: the machine's noise shows
            print(await measure("threads", threads, args))
            print(await measure("asyncio", asyncio_ext, args))
        uow.close()
        sync_engine.dispose()
        await asyncio_uow.close()
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


if __name__ == "__main__":
    asyncio.run(main())
