"""A burst of thread replies to one round: every event acked in time, every answer part stored.

`--replies` (default 500) signed `message` events, replies in one round's thread from `--members` people
(default 5, so 100 messages each), all sent at once to the real SlackAdapter (HTTP mode, wired as
`practicebot run` wires it) in another process, on `--database-url` (default: the PostgreSQL this machine
runs; a temporary schema, dropped after). Slack wants each event acked within 3 s (it retries, and turns
event delivery off for an app that keeps failing); an answer must be stored before its 200 (the listener
middleware stores it before Bolt acks). Reported: ack p50/p99/max, how many took over 3 s, and how many
message parts were stored, read back from the database afterwards. Goal (delivery issue): all acked under
3 s, p99 under 1 s, 500/500 parts stored.

    .venv/bin/python bench/slack_replies.py
    .venv/bin/python bench/slack_replies.py --database-url sqlite:////tmp/replies.db
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import multiprocessing
import os
import statistics
import sys
import time
import uuid
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from aiohttp import ClientSession, TCPConnector

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from slack_ack import CHANNEL, SECRET, TEAM, TOKEN, Child, percentile, run_fake_slack, sign

THREAD_TS = "1764000000.000100"
GOAL_P99_S = 1.0
SLACK_DEADLINE_S = 3.0


def run_bot(conn: Connection, api_url: str, database_url: str, schema: str | None) -> None:
    """The real adapter on the given database; a public round whose thread is THREAD_TS; then, on
    "count", the number of answer parts stored per member."""
    asyncio.run(_serve(conn, api_url, database_url, schema))


async def _serve(conn: Connection, api_url: str, database_url: str, schema: str | None) -> None:
    import logging

    logging.basicConfig(level=logging.WARNING)
    from adapters.slack.adapter import SlackAdapter
    from adapters.slack.translate import channel_ref
    from bot.domain import RoundKind, Visibility
    from bot.settings import load_settings
    from practicebot.bootstrap import build_app, open_database

    settings = load_settings(
        slack_bot_token=TOKEN,
        slack_signing_secret=SECRET,
        slack_api_url=api_url,
        http_host="127.0.0.1",
        database_url=database_url,
    )
    db = open_database(settings, schema=schema)
    adapter = SlackAdapter(settings, port=0)
    bot = build_app(settings, chat={"slack": adapter.chat}, db=db)
    await adapter.start(bot.engine)
    channel = channel_ref(TEAM, CHANNEL)
    with bot.uow() as store:
        round_ = store.create_round(
            channel,
            question_id=bot.library.all()[0].id,
            category="technical",
            kind=RoundKind.ON_DEMAND,
            visibility=Visibility.PUBLIC,
            now=dt.datetime.now(dt.UTC),
        )
        assert round_ is not None
        store.mark_posted(round_.id, THREAD_TS, dt.datetime.now(dt.UTC))
    profiler = None
    if os.environ.get("SLACK_REPLIES_PROFILE"):  # a cProfile of the bot's event loop thread
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    conn.send(adapter.port)
    loop = asyncio.get_running_loop()
    while await loop.run_in_executor(None, conn.recv) == "count":
        await adapter.work.drain(timeout=60)
        with bot.uow() as store:
            counts = {a.member.user_id: len(a.text.split("\n\n")) for a in store.answers(round_.id)}
        conn.send(counts)
    if profiler is not None:
        profiler.disable()
        profiler.dump_stats(os.environ["SLACK_REPLIES_PROFILE"])
    await adapter.stop()
    bot.close()


def reply_events(n: int, members: int) -> list[tuple[str, dict[str, str]]]:
    now = int(time.time())
    requests = []
    for i in range(n):
        user = f"U{i % members:06d}"
        ts = f"{now}.{i + 1:06d}"
        payload: dict[str, Any] = {
            "token": "unused",
            "team_id": TEAM,
            "api_app_id": "A0BENCH",
            "type": "event_callback",
            "event_id": f"Ev{uuid.uuid4().hex[:12]}",
            "event_time": now,
            "event": {
                "type": "message",
                "channel": CHANNEL,
                "user": user,
                "text": f"part {i // members} of {user}: a canary with automatic rollback",
                "ts": ts,
                "thread_ts": THREAD_TS,
                "event_ts": ts,
                "channel_type": "channel",
            },
        }
        body = json.dumps(payload)
        requests.append((body, {"Content-Type": "application/json", **sign(body, now)}))
    return requests


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replies", type=int, default=500)
    parser.add_argument("--members", type=int, default=5)
    parser.add_argument("--database-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/test")
    args = parser.parse_args()

    from sqlalchemy import text

    from storage.database import make_engine

    schema = None
    if args.database_url.startswith("postgresql"):
        schema = f"pbreplies_{uuid.uuid4().hex[:10]}"
        admin = make_engine(args.database_url)
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        admin.dispose()
    ctx = multiprocessing.get_context("spawn")
    fake = Child(ctx, run_fake_slack)
    bot: Child | None = None
    try:
        api_url = f"http://127.0.0.1:{await fake.ask()}/api/"
        bot = Child(ctx, run_bot, api_url, args.database_url, schema)
        url = f"http://127.0.0.1:{await bot.ask()}/slack/events"
        requests = reply_events(args.replies, args.members)
        statuses: list[int] = []

        async def one(session: ClientSession, body: str, headers: dict[str, str]) -> float:
            started = time.perf_counter()
            async with session.post(url, data=body, headers=headers) as response:
                await response.read()
                statuses.append(response.status)
            return time.perf_counter() - started

        async with ClientSession(connector=TCPConnector(limit=0)) as session:
            latencies = sorted(await asyncio.gather(*(one(session, b, h) for b, h in requests)))
        counts = await bot.ask("count")
    finally:
        if bot is not None:
            bot.stop()
        fake.stop()
        if schema:
            admin = make_engine(args.database_url)
            with admin.begin() as conn:
                conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
            admin.dispose()
    stored = sum(counts.values())
    late = sum(1 for s in latencies if s > SLACK_DEADLINE_S)
    p99 = percentile(latencies, 99)
    backend = args.database_url.split(":")[0]
    print(
        f"backend={backend} replies={args.replies} members={args.members} "
        f"status_200={statuses.count(200)}/{len(statuses)} stored={stored}/{args.replies}"
    )
    print(
        f"ack p50={statistics.median(latencies) * 1000:.0f} ms p99={p99 * 1000:.0f} ms "
        f"max={latencies[-1] * 1000:.0f} ms over_3s={late}  goal (all < 3 s, p99 < 1 s, all stored): "
        f"{'met' if late == 0 and p99 < GOAL_P99_S and stored == args.replies else 'NOT met'}"
    )


if __name__ == "__main__":
    asyncio.run(main())
