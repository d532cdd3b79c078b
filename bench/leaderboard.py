"""Leaderboard and stats latency at scale: 1,000,000 answers from 10,000 members in 500 channels.

Seeds the data through the real tables (rich progress bars), then times the engine's public use cases:
the channel's weekly leaderboard and one member's stats. Reports p50/p95 over random channels and members.
Goal (scoring issue): p95 under 50 ms on PostgreSQL.

    .venv/bin/python bench/leaderboard.py                                  # SQLite file
    .venv/bin/python bench/leaderboard.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/test
    .venv/bin/python bench/leaderboard.py --answers 100000                 # a quicker run
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

from rich.progress import Progress
from sqlalchemy import insert, select, text

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.domain import ChannelRef, ChannelSettings, LeaderboardPeriod, MemberRef, Platform
from bot.engine import Engine
from bot.ports import FixedClock
from content.library import QuestionLibrary
from storage.database import make_engine
from storage.migrate import upgrade
from storage.repository import SqlUnitOfWork, channel_row_values
from storage.tables import AnswerRow, ChannelRow, MemberRow, PointRow, RoundRow

NOW = dt.datetime(2026, 11, 25, 12, 0, tzinfo=dt.UTC)
BATCH = 5_000


def channel_ref(i: int) -> ChannelRef:
    return ChannelRef(platform=Platform.SLACK, workspace_id=f"T{i % 5}", channel_id=f"C{i:04d}")


def member_ref(i: int) -> MemberRef:
    return MemberRef(
        platform=Platform.SLACK,
        workspace_id=f"T{(i // 20) % 5}",
        user_id=f"U{i:05d}",
        display_name=f"member{i}",
    )


def seed(db, *, channels: int, members: int, answers: int, library: QuestionLibrary) -> None:
    rng = random.Random(7)
    questions = library.all()
    per_channel = members // channels  # members are spread evenly; each answers in its home channel
    rounds_per_channel = max(1, answers // (channels * per_channel))
    with db.begin() as conn, Progress() as progress:
        task = progress.add_task("channels and members", total=channels + members)
        conn.execute(
            insert(ChannelRow),
            [
                channel_row_values(
                    ChannelSettings(
                        channel=ChannelRef(
                            platform=Platform.SLACK,
                            workspace_id=f"T{i % 5}",
                            channel_id=f"C{i:04d}",
                            name=f"c{i}",
                        ),
                        schedule_enabled=True,
                        post_time="09:30",
                        timezone="Europe/Berlin",
                    ),
                    NOW,
                )
                for i in range(channels)
            ],
        )
        conn.execute(
            insert(MemberRow),
            [
                {
                    "platform": "slack",
                    "workspace_id": f"T{(i // per_channel) % 5}",
                    "user_id": f"U{i:05d}",
                    "display_name": f"member{i}",
                }
                for i in range(members)
            ],
        )
        progress.advance(task, channels + members)
        channel_ids = [r[0] for r in conn.execute(text("SELECT id FROM channels ORDER BY id"))]
        channel_index = {cid: i for i, cid in enumerate(channel_ids)}
        member_ids = [r[0] for r in conn.execute(text("SELECT id FROM members ORDER BY id"))]

        task = progress.add_task("rounds", total=channels * rounds_per_channel)
        rounds = []
        for c, channel_id in enumerate(channel_ids):
            for r in range(rounds_per_channel):
                q = questions[(c + r) % len(questions)]
                day = NOW - dt.timedelta(days=r)  # one daily round per channel and day
                at = day - dt.timedelta(hours=rng.random())
                rounds.append(
                    {
                        "channel_id": channel_id,
                        "question_id": q.id,
                        "category": q.category.value,
                        "kind": "daily",
                        "status": "revealed",
                        "visibility": "public",
                        "daily_date": day.date(),
                        "message_id": f"{c}.{r}",
                        "created_at": at,
                        "claimed_at": at,
                        "posted_at": at,
                        "reveal_due_at": at + dt.timedelta(days=1),
                        "revealed_at": at + dt.timedelta(days=1),
                    }
                )
        for start in range(0, len(rounds), BATCH):
            conn.execute(insert(RoundRow), rounds[start : start + BATCH])
            progress.advance(task, len(rounds[start : start + BATCH]))
        round_rows = conn.execute(select(RoundRow.id, RoundRow.channel_id, RoundRow.created_at)).all()

        task = progress.add_task("answers and points", total=len(round_rows) * per_channel)
        answer_batch: list[dict] = []
        point_batch: list[dict] = []
        next_answer_id = 1
        for round_id, channel_id, created_at in round_rows:
            created = created_at
            home = channel_index[channel_id]
            for k in range(per_channel):
                member_id = member_ids[home * per_channel + k]
                coverage = rng.random()
                answer_batch.append(
                    {
                        "id": next_answer_id,
                        "round_id": round_id,
                        "member_id": member_id,
                        "text": "answer",
                        "parts": [{"message_id": f"{round_id}.{k}", "text": "answer"}],
                        "truncated": False,
                        "late": False,
                        "withdrawn": False,
                        "coverage": coverage,
                        "covered_points": [],
                        "created_at": created,
                        "updated_at": created,
                    }
                )
                next_answer_id += 1
                at = created + dt.timedelta(days=1)
                point_batch.append(
                    {
                        "member_id": member_id,
                        "channel_id": channel_id,
                        "round_id": round_id,
                        "reason": "answered",
                        "points": 2,
                        "awarded_at": at,
                    }
                )
                point_batch.append(
                    {
                        "member_id": member_id,
                        "channel_id": channel_id,
                        "round_id": round_id,
                        "reason": "coverage",
                        "points": round(coverage * 5),
                        "awarded_at": at,
                    }
                )
            if len(answer_batch) >= BATCH:
                conn.execute(insert(AnswerRow), answer_batch)
                conn.execute(insert(PointRow), point_batch)
                progress.advance(task, len(answer_batch))
                answer_batch, point_batch = [], []
        if answer_batch:
            conn.execute(insert(AnswerRow), answer_batch)
            conn.execute(insert(PointRow), point_batch)
            progress.advance(task, len(answer_batch))
        if db.dialect.name == "postgresql":
            conn.execute(text("ANALYZE"))


def timed(fn, samples: int) -> list[float]:
    out = []
    for _ in range(samples):
        started = time.perf_counter()
        fn()
        out.append((time.perf_counter() - started) * 1000)
    return out


def pct(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100)[int(q) - 1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--answers", type=int, default=1_000_000)
    parser.add_argument("--members", type=int, default=10_000)
    parser.add_argument("--channels", type=int, default=500)
    parser.add_argument("--samples", type=int, default=200)
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()

    schema = None
    url = args.database_url or f"sqlite:///{tempfile.mkdtemp()}/leaderboard.db"
    if url.startswith("postgresql"):
        schema = f"bench_{uuid.uuid4().hex[:8]}"
        admin = make_engine(url)
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        admin.dispose()
    db = make_engine(url, schema=schema)
    try:
        upgrade(db)
        library = QuestionLibrary.load()
        started = time.perf_counter()
        seed(db, channels=args.channels, members=args.members, answers=args.answers, library=library)
        seeded = time.perf_counter() - started
        engine = Engine(uow=SqlUnitOfWork(db), questions=library, clock=FixedClock(NOW), chat={})
        rng = random.Random(11)
        per_channel = args.members // args.channels

        def leaderboard() -> None:
            c = rng.randrange(args.channels)
            rows, _own = await engine.leaderboard(
                channel_ref(c), LeaderboardPeriod.WEEK, member=member_ref(c * per_channel)
            )
            assert rows

        def stats() -> None:
            m = rng.randrange(args.members)
            await engine.stats(member_ref(m), channel_ref(m // per_channel))

        board_ms = timed(leaderboard, args.samples)
        stats_ms = timed(stats, args.samples)
        with db.connect() as conn:
            answers = conn.execute(text("SELECT count(*) FROM answers")).scalar_one()
    finally:
        db.dispose()
        if schema:
            admin = make_engine(url)
            with admin.begin() as conn:
                conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
            admin.dispose()
    print(
        f"backend={url.split(':')[0]} answers={answers} members={args.members} channels={args.channels} "
        f"seeded_in={seeded:.0f}s"
    )
    print(f"channel week leaderboard: p50={pct(board_ms, 50):.1f}ms p95={pct(board_ms, 95):.1f}ms")
    print(f"member stats:             p50={pct(stats_ms, 50):.1f}ms p95={pct(stats_ms, 95):.1f}ms")


if __name__ == "__main__":
    main()
