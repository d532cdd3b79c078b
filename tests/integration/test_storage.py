"""The SQL store on SQLite and, when PRACTICEBOT_TEST_DATABASE_URL is set, on PostgreSQL."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from conftest import CHANNEL, T0, make_transcript, member, text_of
from sqlalchemy import Engine, inspect

from bot.domain import Platform, RoundKind, Visibility
from bot.ports import FixedClock
from content.library import QuestionLibrary
from storage.migrate import current_revision, head_revision
from storage.repository import SqlUnitOfWork


def _round(uow: SqlUnitOfWork, *, daily: dt.date | None = None):
    with uow() as store:
        return store.create_round(
            CHANNEL,
            question_id="mini-skew",
            category="fundamentals",
            kind=RoundKind.DAILY if daily else RoundKind.ON_DEMAND,
            visibility=Visibility.PUBLIC,
            now=T0,
            daily_date=daily,
        )


def test_migrations_create_every_table(db: Engine) -> None:
    assert current_revision(db) == head_revision()
    tables = set(inspect(db).get_table_names())
    assert {"channels", "members", "rounds", "answers", "votes", "points", "processed_events"} <= tables


def test_one_daily_round_per_channel_and_date(db: Engine) -> None:
    uow = SqlUnitOfWork(db)
    first = _round(uow, daily=dt.date(2026, 11, 25))
    assert first is not None
    assert _round(uow, daily=dt.date(2026, 11, 25)) is None
    assert _round(uow, daily=dt.date(2026, 11, 26)) is not None
    assert _round(uow) is not None and _round(uow) is not None  # on-demand rounds never collide


def test_reveal_claim_has_exactly_one_winner_under_concurrency(db: Engine) -> None:
    uow = SqlUnitOfWork(db)
    round_ = _round(uow)
    assert round_ is not None
    with uow() as store:
        store.mark_posted(round_.id, "m1", T0)
    barrier = threading.Barrier(6)
    wins: list[bool] = []

    def claim() -> None:
        barrier.wait()
        with uow() as store:
            wins.append(store.claim_reveal(round_.id, T0))

    threads = [threading.Thread(target=claim) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(wins) == [False] * 5 + [True]


def test_events_and_points_are_recorded_once(db: Engine) -> None:
    uow = SqlUnitOfWork(db)
    round_ = _round(uow)
    assert round_ is not None
    with uow() as store:
        assert store.mark_event(Platform.SLACK, "Ev123", T0) is True
        assert store.mark_event(Platform.SLACK, "Ev123", T0) is False
        assert store.mark_event(Platform.DISCORD, "Ev123", T0) is True
        assert store.award(round_, member("bob"), "answered", 2, T0) is True
        assert store.award(round_, member("bob"), "answered", 2, T0) is False
        assert store.points_by_member(channel=CHANNEL) == [(member("bob"), 2)]


def test_datetimes_come_back_aware_utc(db: Engine) -> None:
    uow = SqlUnitOfWork(db)
    berlin = dt.datetime(2026, 3, 29, 3, 30, tzinfo=dt.timezone(dt.timedelta(hours=2)))
    with uow() as store:
        round_ = store.create_round(
            CHANNEL,
            question_id="q",
            category="technical",
            kind=RoundKind.ON_DEMAND,
            visibility=Visibility.PRIVATE,
            now=berlin,
        )
    assert round_ is not None
    with uow() as store:
        loaded = store.round(round_.id)
    assert loaded is not None and loaded.created_at == berlin and loaded.created_at.tzinfo == dt.UTC


async def test_whole_loop_on_this_database(db: Engine, mini_library: QuestionLibrary) -> None:
    transcript = make_transcript(db, mini_library, FixedClock(T0))
    await transcript.say("alice", "/practice question technical")
    await transcript.say("bob", "a canary on a small percentage, then roll back on bad guardrail metrics")
    await transcript.say("bob", "and compare metrics with the current model")  # same answer, second message
    await transcript.say("alice", "/practice reveal")
    assert "Bob: 3/3 key points" in text_of(transcript.delivered("thread:")[0])
    [board] = await transcript.say("bob", "/practice leaderboard")
    assert text_of(board.card).splitlines()[1:] == ["1. Bob · 7 pts"]
    [stats] = await transcript.say("bob", "/practice stats")
    assert "Average key-point coverage: 100%" in text_of(stats.card)
    assert "technical: 100%" in text_of(stats.card)


async def test_reads_never_write(db: Engine, mini_library: QuestionLibrary) -> None:
    """Commands that only look (leaderboard, stats, settings, grade) register no channel or member."""
    from sqlalchemy import func, select

    from bot.events import CommandContext, CommandIssued
    from storage.tables import ChannelRow, MemberRow

    transcript = make_transcript(db, mini_library, FixedClock(T0))
    ctx = CommandContext(channel=CHANNEL, member=member("zoe"), is_admin=False)
    for line in (
        "leaderboard",
        "leaderboard all workspace",
        "stats",
        "stats bob",
        "config show",
        "grade good",
    ):
        await transcript.engine.dispatch(CommandIssued(ctx, line))
    assert (await transcript.engine.channel_settings(CHANNEL)).channel == CHANNEL
    with SqlUnitOfWork(db)() as store:
        counts = [store.session.scalar(select(func.count()).select_from(t)) for t in (ChannelRow, MemberRow)]
    assert counts == [0, 0]
    await transcript.engine.dispatch(CommandIssued(ctx, "question"))  # a write registers both
    with SqlUnitOfWork(db)() as store:
        counts = [store.session.scalar(select(func.count()).select_from(t)) for t in (ChannelRow, MemberRow)]
    assert counts == [1, 1]


async def test_text_postgresql_cannot_hold_is_cleaned_and_the_reveal_goes_through(
    db: Engine, mini_library: QuestionLibrary
) -> None:
    """NUL bytes in an answer or a name (valid JSON from a platform) would fail every PostgreSQL write."""
    from bot.domain import IncomingAnswer, MemberRef

    transcript = make_transcript(db, mini_library, FixedClock(T0))
    await transcript.say("alice", "/practice question technical")
    assert transcript.thread is not None
    nul = MemberRef(platform=Platform.CONSOLE, workspace_id="local", user_id="nul", display_name="N\x00ul")
    recorded = await transcript.engine.record_answer(
        IncomingAnswer(thread=transcript.thread, member=nul, text="canary\x00 with rollback", message_id="m1")
    )
    assert recorded.result.value == "recorded"
    await transcript.say("alice", "/practice reveal")
    [reveal] = transcript.delivered("thread:")
    assert "Nul: " in text_of(reveal)
    with SqlUnitOfWork(db)() as store:
        [answer] = store.answers(recorded.round_id or 0)
    assert answer.text == "canary with rollback"


async def test_answer_texts_stay_out_of_sql_logs(
    db: Engine, mini_library: QuestionLibrary, caplog: pytest.LogCaptureFixture
) -> None:
    import logging

    transcript = make_transcript(db, mini_library, FixedClock(T0))
    await transcript.say("alice", "/practice question technical")
    caplog.set_level(logging.DEBUG, logger="sqlalchemy.engine")
    await transcript.say("bob", "my-very-private-answer about canaries")
    assert "INSERT" in caplog.text or "UPDATE" in caplog.text  # SQL was logged...
    assert "my-very-private-answer" not in caplog.text  # ...without its parameters


async def test_two_replicas_keep_every_part_of_every_answer(
    db: Engine, mini_library: QuestionLibrary
) -> None:
    """5 members x 40 thread messages, sent through two engines (two replicas) at once: nothing lost."""
    import asyncio

    from bot.domain import IncomingAnswer

    first = make_transcript(db, mini_library, FixedClock(T0))
    second = make_transcript(db, mini_library, FixedClock(T0))
    await first.say("alice", "/practice question technical")
    thread = first.thread
    assert thread is not None
    people = ["bob", "carol", "dave", "erin", "frank"]
    replies = [
        IncomingAnswer(
            thread=thread,
            member=member(who),
            text=f"{who} part {n}",
            message_id=f"{who}-{n}",
            event_id=f"e-{who}-{n}",
        )
        for n in range(40)
        for who in people
    ]
    engines = [first.engine, second.engine]
    await asyncio.gather(*(engines[i % 2].record_answer(reply) for i, reply in enumerate(replies)))
    # Slack delivers some events twice (a retry), to the other replica: no part twice either.
    await asyncio.gather(*(engines[(i + 1) % 2].record_answer(reply) for i, reply in enumerate(replies[:50])))
    with SqlUnitOfWork(db)() as store:
        round_ = store.round_by_thread(thread)
        assert round_ is not None
        answers = {a.member.user_id: a.text for a in store.answers(round_.id)}
    assert sorted(answers) == people
    for who in people:
        assert answers[who].count(f"{who} part") == 40, who
