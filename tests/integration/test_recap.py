"""The weekly recap, on SQLite and PostgreSQL: opt in, posted once per channel and week on Monday at the
channel's post time, by one of several processes, taken over from a crashed one, skipped when quiet."""

from __future__ import annotations

import asyncio
import datetime as dt

from conftest import (
    CHANNEL,
    FakeChat,
    Transcript,
    daily_process,
    member,
    text_of,
)
from sqlalchemy import Engine, text

from bot.daily import DailyRounds
from bot.domain import CardKind
from bot.engine import CommandContext
from content.library import QuestionLibrary

UTC = dt.UTC
WEDNESDAY = dt.datetime(2026, 11, 25, 10, 0, tzinfo=UTC)  # in ISO week 2026-W48
MONDAY_0859 = dt.datetime(2026, 11, 30, 8, 59, tzinfo=UTC)
MONDAY_0901 = dt.datetime(2026, 11, 30, 9, 1, tzinfo=UTC)


async def _week_of_practice(daily: DailyRounds, chat: FakeChat) -> None:
    """Alice asks two questions; Bob and Carol answer, Carol's answer gets two votes."""
    t = Transcript(engine=daily.engine, chat=chat, clock=daily.engine.clock)  # type: ignore[arg-type]
    await t.say("alice", "/practice config recap weekly")
    await t.say("alice", "/practice question technical")
    await t.say("bob", "Send a small percentage of traffic first and roll back automatically if worse.")
    await t.say("carol", "canary, then compare metrics against the current model before widening")
    thread = t.thread
    assert thread is not None
    carol = next(r for r in chat.thread_history[thread.message_id] if r.member.user_id == "carol")
    for voter in ("alice", "bob"):
        await daily.engine.vote(CHANNEL, carol.message_id or "", member(voter))
    await t.say("alice", "/practice reveal")


def _recaps(chat: FakeChat) -> list[str]:
    return [text_of(card) for where, card in chat.posts if card.kind is CardKind.RECAP]


async def test_the_recap_comes_once_on_monday_at_the_post_time(
    db: Engine, mini_library: QuestionLibrary
) -> None:
    daily, chat, clock = daily_process(db, mini_library, WEDNESDAY)
    await _week_of_practice(daily, chat)
    clock.set(MONDAY_0859)
    assert (await daily.deliver_due()).recapped == 0
    clock.set(MONDAY_0901)
    assert (await daily.deliver_due()).recapped == 1
    assert (await daily.deliver_due()).recapped == 0  # once
    [recap] = _recaps(chat)
    assert "Weekly recap · 2026-W48" in recap and "2 answers last week." in recap
    assert "Carol on mini-canary (2 votes)" in recap
    assert "1. Carol (new on the board)" in recap
    assert "notice:c1" in [where for where, card in chat.posts if card.kind is CardKind.RECAP]

    clock.set(MONDAY_0901 + dt.timedelta(days=7))  # a quiet week: nothing posted, nothing retried
    assert (await daily.deliver_due()).recapped == 1
    assert len(_recaps(chat)) == 1


async def test_two_processes_post_one_recap_and_a_crashed_claim_is_taken_over(
    db: Engine, mini_library: QuestionLibrary
) -> None:
    daily, chat, _ = daily_process(db, mini_library, WEDNESDAY)
    await _week_of_practice(daily, chat)
    first, chat1, _ = daily_process(db, mini_library, MONDAY_0901)
    second, chat2, _ = daily_process(db, mini_library, MONDAY_0901)
    reports = await asyncio.gather(first.deliver_due(), second.deliver_due())
    assert sum(r.recapped for r in reports) == 1
    assert len(_recaps(chat1)) + len(_recaps(chat2)) == 1

    # A process that claimed next week's recap and died: after the claim timeout another one posts it.
    with db.begin() as conn:
        conn.execute(text("DELETE FROM recaps"))
        channel_id = conn.execute(text("SELECT id FROM channels")).scalar()
        conn.execute(
            text(
                "INSERT INTO recaps (channel_id, week, status, claimed_at) "
                "VALUES (:c, '2026-W48', 'posting', :at)"
            ),
            {"c": channel_id, "at": MONDAY_0901},
        )
    third, chat3, clock3 = daily_process(db, mini_library, MONDAY_0901 + dt.timedelta(minutes=2))
    assert (await third.deliver_due()).recapped == 0  # its holder may still be posting
    clock3.set(MONDAY_0901 + dt.timedelta(minutes=6))
    assert (await third.deliver_due()).recapped == 1
    assert len(_recaps(chat3)) == 1


async def test_recap_is_opt_in_and_shown_in_the_settings(db: Engine, mini_library: QuestionLibrary) -> None:
    daily, _chat, clock = daily_process(db, mini_library, WEDNESDAY)
    ctx = CommandContext(channel=CHANNEL, member=member("alice"), is_admin=True)
    [shown] = await daily.engine.handle_command(ctx, "config show")
    assert "Weekly recap: off" in text_of(shown.card)
    [bad] = await daily.engine.handle_command(ctx, "config recap daily")
    assert "'config recap' takes weekly or off" in text_of(bad.card)
    await daily.engine.handle_command(ctx, "question technical")
    clock.set(MONDAY_0901)
    assert (await daily.deliver_due()).recapped == 0  # not opted in
    [on] = await daily.engine.handle_command(ctx, "config recap weekly")
    assert "Weekly recap: on Mondays at 09:00" in text_of(on.card)
