"""Fan-out benchmark: N channels due in the same minute, delivered through `DailyRounds.deliver_due` to a
local fake platform API that answers each post in 20 ms.

Reports the time to post all, the nominal floor (N posts at the allowed concurrency: N / concurrency * 20 ms),
the measured floor (a bare HTTP client posting the same N at the same concurrency to the same fake, so the
loopback and HTTP round trip of this machine are in it), both ratios, and the bot's peak RSS (taken before the
bare client runs). Goal (scheduler issue): within 1.2x of the floor, under 200 MB RSS.

    .venv/bin/python bench/fanout.py                       # SQLite file, 10,000 channels
    .venv/bin/python bench/fanout.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/test
    .venv/bin/python bench/fanout.py --channels 2000 --concurrency 50
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import gc
import json
import multiprocessing
import resource
import sys
import tempfile
import time
import uuid
from collections.abc import Sequence
from contextlib import AsyncExitStack
from pathlib import Path

from aiohttp import ClientSession, TCPConnector
from sqlalchemy import insert, text

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from adapters.slack.chat import SlackChat, make_client
from bot.daily import DailyRounds
from bot.domain import Card, ChannelRef, ChannelSettings, IncomingAnswer, MemberRef, Platform, ThreadRef
from bot.engine import Engine
from bot.ports import ChatPort, FixedClock, UnitOfWork
from bot.settings import load_settings
from content.library import QuestionLibrary
from storage.database import make_engine
from storage.migrate import upgrade
from storage.repository import SqlUnitOfWork, channel_row_values
from storage.tables import ChannelRow

LATENCY = 0.020
NOW = dt.datetime(2026, 11, 25, 8, 30, 10, tzinfo=dt.UTC)  # 09:30 Berlin, a Wednesday


def serve_fake_platform(port: int) -> None:
    """Runs in its own process, so the fake's CPU time is not charged to the bot."""

    async def serve() -> None:
        server = await fake_platform(port)
        async with server:
            await server.serve_forever()

    asyncio.run(serve())


async def wait_for_port(port: int) -> None:
    for _ in range(200):
        try:
            _, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.close()
            return
        except OSError:
            await asyncio.sleep(0.05)
    raise RuntimeError("fake platform did not start")


class FakePlatformApi(asyncio.Protocol):
    """A minimal HTTP/1.1 keep-alive server that answers every POST exactly LATENCY after it arrived.

    Deliberately not aiohttp.web: on this 2-core machine its per-request work added about a millisecond to
    every answer, which the bot under test would have been charged for.
    """

    answered = 0

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        self.loop = asyncio.get_running_loop()
        self.buffer = b""

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while (head_end := self.buffer.find(b"\r\n\r\n")) >= 0:
            length = 0
            for line in self.buffer[:head_end].split(b"\r\n")[1:]:
                name, _, value = line.partition(b":")
                if name.strip().lower() == b"content-length":
                    length = int(value)
            end = head_end + 4 + length
            if len(self.buffer) < end:
                return
            self.buffer = self.buffer[end:]
            FakePlatformApi.answered += 1
            body = json.dumps({"ok": True, "ts": f"{FakePlatformApi.answered}.000001"}).encode()
            head = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n"
            response = head % len(body) + body
            self.loop.call_at(self.loop.time() + LATENCY, self._answer, response)

    def _answer(self, response: bytes) -> None:
        if not self.transport.is_closing():
            self.transport.write(response)


async def fake_platform(port: int) -> asyncio.Server:
    return await asyncio.get_running_loop().create_server(FakePlatformApi, "127.0.0.1", port)


async def bare_posts(base_url: str, n: int, concurrency: int) -> float:
    """The measured floor: the same n posts at the same concurrency with nothing but the HTTP calls."""
    async with ClientSession(connector=TCPConnector(limit=concurrency)) as session:
        queue: asyncio.Queue[int] = asyncio.Queue()
        for i in range(n):
            queue.put_nowait(i)

        async def worker() -> None:
            while not queue.empty():
                i = queue.get_nowait()
                payload = {"channel": f"C{i:06d}", "text": "question"}
                async with session.post(f"{base_url}/chat.postMessage", json=payload) as response:
                    await response.json()

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        return time.perf_counter() - started


class HttpChat:
    """A ChatPort that does what a platform adapter does per post: one HTTP request, one id back."""

    platform = Platform.SLACK

    def __init__(self, base_url: str, session: ClientSession) -> None:
        self.base_url = base_url
        self.session = session
        self.posts = 0

    async def post_round(self, channel: ChannelRef, card: Card) -> str:
        async with self.session.post(
            f"{self.base_url}/chat.postMessage", json={"channel": channel.channel_id, "text": card.title}
        ) as response:
            body = await response.json()
        self.posts += 1
        return str(body["ts"])

    async def post_in_thread(self, thread: ThreadRef, card: Card) -> str:
        return await self.post_round(thread.channel, card)

    async def send_private(self, channel: ChannelRef, member: MemberRef, card: Card) -> None:
        return None

    async def fetch_replies(self, thread: ThreadRef) -> Sequence[IncomingAnswer]:
        return []


def seed_channels(db, n: int) -> None:
    rows = [
        channel_row_values(
            ChannelSettings(
                channel=ChannelRef(
                    platform=Platform.SLACK,
                    workspace_id=f"T{i % 50:03d}",
                    channel_id=f"C{i:06d}",
                    name=f"c{i}",
                ),
                schedule_enabled=True,
                post_time="09:30",
                timezone="Europe/Berlin",
            ),
            NOW,
        )
        for i in range(n)
    ]
    with db.begin() as conn:
        for start in range(0, n, 1000):
            conn.execute(insert(ChannelRow), rows[start : start + 1000])


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--channels", type=int, default=10_000)
    parser.add_argument("--concurrency", type=int, default=20)
    parser.add_argument("--database-url", default="")
    parser.add_argument(
        "--uow",
        choices=("threads", "asyncio"),
        default="threads",
        help="transactions on database threads (the bot's way) or SQLAlchemy's asyncio (PostgreSQL only)",
    )
    parser.add_argument("--port", type=int, default=18765)
    parser.add_argument(
        "--chat",
        choices=("slack", "http"),
        default="slack",
        help="slack: the Slack adapter's SlackChat (slack_sdk); http: one bare aiohttp POST per post",
    )
    args = parser.parse_args()

    schema = None
    if args.database_url.startswith("postgresql"):
        schema = f"bench_{uuid.uuid4().hex[:8]}"
        admin = make_engine(args.database_url)
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        admin.dispose()
        url = args.database_url
    else:
        url = args.database_url or f"sqlite:///{tempfile.mkdtemp()}/fanout.db"
    db = make_engine(url, schema=schema)
    try:
        upgrade(db)
        seed_channels(db, args.channels)
        server = multiprocessing.Process(target=serve_fake_platform, args=(args.port,), daemon=True)
        server.start()
        await wait_for_port(args.port)
        base_url = f"http://127.0.0.1:{args.port}/api"
        async with AsyncExitStack() as stack:
            if args.chat == "slack":  # the Slack adapter's own delivery: slack_sdk client, Block Kit cards
                settings = load_settings(slack_bot_token="xoxb-bench", slack_api_url=f"{base_url}/")
                slack = SlackChat(make_client(settings))
                stack.push_async_callback(slack.close)
                chat: ChatPort = slack
            else:
                session = ClientSession(connector=TCPConnector(limit=args.concurrency))
                await stack.enter_async_context(session)
                chat = HttpChat(base_url, session)
            if args.uow == "asyncio":
                from uow_modes import AsyncioUnitOfWork

                asyncio_uow = AsyncioUnitOfWork(url, schema=schema)
                stack.push_async_callback(asyncio_uow.close)
                uow: UnitOfWork = asyncio_uow
            else:
                uow = SqlUnitOfWork(db)
            engine = Engine(
                uow=uow,
                questions=QuestionLibrary.load(),
                clock=FixedClock(NOW),
                chat={"slack": chat},
            )
            daily = DailyRounds(engine, concurrency={"slack": args.concurrency})
            gc.collect()  # as `practicebot run` and `tick` do once started
            gc.freeze()
            started = time.perf_counter()
            report = await daily.deliver_due()
            elapsed = time.perf_counter() - started
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        measured_floor = await bare_posts(base_url, args.channels, args.concurrency)
        server.terminate()
    finally:
        db.dispose()
        if schema:
            admin = make_engine(args.database_url)
            with admin.begin() as conn:
                conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
            admin.dispose()
    floor = args.channels / args.concurrency * LATENCY
    backend = url.split(":")[0]
    print(
        f"backend={backend} chat={args.chat} channels={args.channels} concurrency={args.concurrency} {report}"
    )
    print(
        f"time={elapsed:.2f}s floor={floor:.2f}s ratio={elapsed / floor:.2f} "
        f"measured_floor={measured_floor:.2f}s ratio_measured={elapsed / measured_floor:.2f} "
        f"peak_rss={peak_mb:.0f}MB"
    )


if __name__ == "__main__":
    asyncio.run(main())
