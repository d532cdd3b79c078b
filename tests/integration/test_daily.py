"""Daily rounds through restarts, downtime, crashes and several processes on one database."""

from __future__ import annotations

import asyncio
import datetime as dt
import threading

import pytest
from conftest import CHANNEL, FakeChat, daily_process, member, text_of
from sqlalchemy import Engine, text

from bot import daily as daily_module
from bot.daily import DailyRounds
from bot.domain import CardKind, ChannelRef, Platform, RoundStatus
from bot.engine import CommandContext
from bot.engine import Engine as BotEngine
from bot.ports import FixedClock
from content.library import QuestionLibrary
from storage.repository import SqlStore, SqlUnitOfWork

UTC = dt.UTC
# Wednesday 2026-11-25; the channel posts at 09:30 Berlin (08:30 UTC) on weekdays, reveals 6 h later.
POST = dt.datetime(2026, 11, 25, 8, 30, tzinfo=UTC)
REVEAL = POST + dt.timedelta(hours=6)


async def configure(daily: DailyRounds, channel: ChannelRef = CHANNEL) -> None:
    ctx = CommandContext(channel=channel, member=member("alice"), is_admin=True)
    for line in ("schedule set 09:30 Europe/Berlin mon-fri", "schedule reveal after 6h"):
        await daily.engine.handle_command(ctx, line)


def kinds(chat: FakeChat) -> list[str]:
    return [f"{where.split(':')[0]}:{card.kind.value}" for where, card in chat.posts]


async def test_posts_once_and_reveals_once_across_a_restart(
    db: Engine, mini_library: QuestionLibrary
) -> None:
    daily, chat, clock = daily_process(db, mini_library, POST - dt.timedelta(minutes=1))
    await configure(daily)
    assert (await daily.deliver_due()).posted == 0  # 09:29: not yet
    clock.set(POST)
    assert (await daily.deliver_due()).posted == 1
    assert (await daily.deliver_due()).posted == 0
    [(_, card)] = chat.posts
    assert card.kind is CardKind.QUESTION and [a.id for a in card.actions] == ["answer_privately"]

    # The process restarts; answers keep arriving in the thread meanwhile.
    daily2, chat2, clock2 = daily_process(db, mini_library, POST + dt.timedelta(hours=1))
    thread = (await daily2.engine.open_round(CHANNEL)).thread
    from bot.domain import IncomingAnswer

    await daily2.engine.record_answer(
        IncomingAnswer(thread=thread, member=member("bob"), text="a canary", message_id="r1")
    )
    assert (await daily2.deliver_due()).revealed == 0
    clock2.set(REVEAL)
    report = await daily2.deliver_due()
    assert (report.posted, report.revealed) == (0, 1)
    assert kinds(chat2) == ["thread:reveal", "private:notice"]
    assert (await daily2.deliver_due()).revealed == 0
    clock.set(REVEAL)
    assert (await daily.deliver_due()).revealed == 0  # the old process, still running: nothing to do


async def test_downtime_over_the_post_time_catches_up_once(db: Engine, mini_library: QuestionLibrary) -> None:
    daily, chat, clock = daily_process(db, mini_library, POST - dt.timedelta(hours=1))
    await configure(daily)
    clock.set(POST + dt.timedelta(hours=3))  # down from 09:00 to 12:30 local
    assert (await daily.deliver_due()).posted == 1
    assert (await daily.deliver_due()).posted == 0
    # Down through the next day's reveal: the missed reveal happens, the stale question is not posted late.
    clock.set(dt.datetime(2026, 11, 26, 15, 0, tzinfo=UTC))  # Thursday 16:00 local, reveal was 15:30
    report = await daily.deliver_due()
    assert (report.posted, report.revealed) == (0, 1)
    assert kinds(chat) == ["channel:question", "thread:reveal"]


async def test_crash_between_claim_and_send_is_retried_after_the_timeout(
    db: Engine, mini_library: QuestionLibrary
) -> None:
    daily, chat, clock = daily_process(db, mini_library, POST)
    await configure(daily)
    chat.fail_next_post = True
    report = await daily.deliver_due()
    assert report.failed == [f"post:{CHANNEL.channel_id}"] and chat.posts == []
    clock.advance(minutes=1)
    assert (await daily.deliver_due()).posted == 0  # the claim is fresh: maybe another process is sending
    clock.advance(minutes=5)
    assert (await daily.deliver_due()).posted == 1
    assert kinds(chat) == ["channel:question"]


async def test_crash_after_send_before_recording_does_not_post_twice(
    db: Engine, mini_library: QuestionLibrary, monkeypatch: pytest.MonkeyPatch
) -> None:
    daily, chat, clock = daily_process(db, mini_library, POST)
    await configure(daily)

    def crash(self: SqlStore, *args: object, **kwargs: object) -> None:
        raise RuntimeError("process died")

    monkeypatch.setattr(SqlStore, "mark_posted_many", crash)  # sent, but the record never lands
    with pytest.raises(RuntimeError):
        await daily.deliver_due()
    monkeypatch.undo()
    clock.advance(minutes=6)
    assert (await daily.deliver_due()).posted == 1
    assert kinds(chat) == ["channel:question"]  # found the earlier message instead of posting again
    assert (await daily.engine.open_round(CHANNEL)).message_id == "msg1"


async def test_one_failing_channel_does_not_block_the_others(
    db: Engine, mini_library: QuestionLibrary
) -> None:
    daily, chat, _ = daily_process(db, mini_library, POST)
    others = [
        ChannelRef(platform=Platform.CONSOLE, workspace_id="w1", channel_id=f"c{i}") for i in range(2, 6)
    ]
    for channel in [CHANNEL, *others]:
        await configure(daily, channel)
    chat.failing_channels.add("c3")
    report = await daily.deliver_due()
    assert (report.posted, report.failed) == (4, ["post:c3"])


def test_two_processes_at_the_same_instant_post_and_reveal_once(
    db: Engine, mini_library: QuestionLibrary
) -> None:
    processes = [daily_process(db, mini_library, POST) for _ in range(4)]
    asyncio.run(configure(processes[0][0]))
    barrier = threading.Barrier(len(processes))

    def run(daily: DailyRounds) -> None:
        barrier.wait()
        asyncio.run(daily.deliver_due())

    for at in (POST, REVEAL):
        for _, _, clock in processes:
            clock.set(at)
        threads = [threading.Thread(target=run, args=(d,)) for d, _, _ in processes]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    every_post = [k for _, chat, _ in processes for k in kinds(chat)]
    assert every_post.count("channel:question") == 1
    assert every_post.count("thread:reveal") == 1


async def test_daily_question_choice_rotates_and_never_repeats_early(
    db: Engine, mini_library: QuestionLibrary
) -> None:
    daily, chat, clock = daily_process(db, mini_library, POST)
    await configure(daily)
    for day in range(3):
        clock.set(POST + dt.timedelta(days=day))
        await daily.deliver_due()
    questions = [card.footer for where, card in chat.posts if where.startswith("channel:")]
    assert len(questions) == 3 and len(set(questions)) == 3


async def test_paused_and_skipped_days_post_nothing(db: Engine, mini_library: QuestionLibrary) -> None:
    daily, _chat, clock = daily_process(db, mini_library, POST)
    await configure(daily)
    ctx = CommandContext(channel=CHANNEL, member=member("alice"), is_admin=True)
    await daily.engine.handle_command(ctx, "schedule skip 2026-11-25")
    assert (await daily.deliver_due()).posted == 0
    await daily.engine.handle_command(ctx, "schedule pause")
    clock.set(POST + dt.timedelta(days=1))
    assert (await daily.deliver_due()).posted == 0
    [shown] = await daily.engine.handle_command(ctx, "schedule resume")
    assert "Daily question: on" in text_of(shown.card)
    assert (await daily.deliver_due()).posted == 1
    with daily.engine.uow() as store:
        assert store.round_for_date(CHANNEL, dt.date(2026, 11, 26)).status is RoundStatus.OPEN


async def test_fan_out_is_bounded_per_platform_and_reaches_every_page_of_channels(
    db: Engine, mini_library: QuestionLibrary, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(daily_module, "FIRST_CLAIM_CHUNK", 4)  # 30 channels: pages of 4, 7, 7, 7, 5
    monkeypatch.setattr(daily_module, "CLAIM_CHUNK", 7)

    class SlowChat(FakeChat):
        in_flight = 0
        peak = 0

        async def post_round(self, channel: ChannelRef, card):  # type: ignore[no-untyped-def]
            SlowChat.in_flight += 1
            SlowChat.peak = max(SlowChat.peak, SlowChat.in_flight)
            await asyncio.sleep(0)  # yield, as a network call would
            await asyncio.sleep(0)
            SlowChat.in_flight -= 1
            return await super().post_round(channel, card)

    chat, clock = SlowChat(), FixedClock(POST)
    engine = BotEngine(uow=SqlUnitOfWork(db), questions=mini_library, clock=clock, chat={"console": chat})
    daily = DailyRounds(engine, concurrency={"console": 3})
    for i in range(30):
        await configure(daily, ChannelRef(platform=Platform.CONSOLE, workspace_id="w1", channel_id=f"f{i}"))
    report = await daily.deliver_due()
    assert report.posted == 30 and SlowChat.peak == 3
    assert (await daily.deliver_due()).posted == 0
    with engine.uow() as store:
        assert all(
            store.round_for_date(
                ChannelRef(platform=Platform.CONSOLE, workspace_id="w1", channel_id=f"f{i}"), POST.date()
            ).status
            is RoundStatus.OPEN
            for i in range(30)
        )


async def test_daily_streak_across_a_weekend_earns_its_milestone(
    db: Engine, mini_library: QuestionLibrary
) -> None:
    from bot.domain import IncomingAnswer

    daily, _chat, clock = daily_process(db, mini_library, POST)
    await configure(daily)
    # Thursday, Friday, (weekend: no rounds), Monday: three daily rounds in a row answered on time.
    for post_day in (dt.date(2026, 11, 26), dt.date(2026, 11, 27), dt.date(2026, 11, 30)):
        clock.set(dt.datetime.combine(post_day, POST.timetz()))
        await daily.deliver_due()
        thread = (await daily.engine.open_round(CHANNEL)).thread
        await daily.engine.record_answer(
            IncomingAnswer(thread=thread, member=member("bob"), text="canary", message_id=f"r{post_day}")
        )
        clock.advance(hours=6)
        await daily.deliver_due()
    ctx = CommandContext(channel=CHANNEL, member=member("bob"), is_admin=False)
    [stats] = await daily.engine.handle_command(ctx, "stats")
    assert "Daily streak: 3 (best 3)" in text_of(stats.card)
    with daily.engine.uow() as store:
        reasons = store.session.execute(
            text("SELECT reason, points FROM points WHERE reason LIKE 'streak%'")
        ).all()
    assert [tuple(r) for r in reasons] == [("streak-3", 5)]


async def test_reminder_is_off_by_default_and_posted_once_when_set(
    db: Engine, mini_library: QuestionLibrary
) -> None:
    daily, chat, clock = daily_process(db, mini_library, POST)
    await configure(daily)
    await daily.deliver_due()
    clock.set(REVEAL - dt.timedelta(minutes=30))
    assert (await daily.deliver_due()).reminded == 0  # off by default
    ctx = CommandContext(channel=CHANNEL, member=member("alice"), is_admin=True)
    [shown] = await daily.engine.handle_command(ctx, "schedule remind 1h")
    assert "Reminder: 1h before the reveal" in text_of(shown.card)
    assert (await daily.deliver_due()).reminded == 1
    assert (await daily.deliver_due()).reminded == 0
    [reminder] = [card for where, card in chat.posts if where.startswith("thread:")]
    assert (
        text_of(reminder)
        == "Reminder\nThe answer is revealed in 30 min. No answers yet: reply in this thread."
    )
    assert "@" not in text_of(reminder)


async def test_private_answer_mode_points_to_the_button(db: Engine, mini_library: QuestionLibrary) -> None:
    daily, chat, _clock = daily_process(db, mini_library, POST)
    await configure(daily)
    ctx = CommandContext(channel=CHANNEL, member=member("alice"), is_admin=True)
    await daily.engine.handle_command(ctx, "config answers private")
    await daily.deliver_due()
    [(_, card)] = chat.posts
    assert "Answer privately button" in text_of(card) and "Reply in this thread" not in text_of(card)


async def test_a_failing_reveal_gives_its_claim_back_and_is_retried_with_backoff(
    db: Engine, mini_library: QuestionLibrary, caplog: pytest.LogCaptureFixture
) -> None:
    daily, chat, clock = daily_process(db, mini_library, POST)
    await configure(daily)
    assert (await daily.deliver_due()).posted == 1
    chat.failing_threads = 3  # the platform refuses the reveal three times
    clock.set(REVEAL)
    assert len((await daily.deliver_due()).failed) == 1
    round_ = await daily.engine.open_round(CHANNEL)
    assert round_ is not None and round_.reveal_failures == 1  # open again, not stuck in 'revealing'
    assert (await daily.deliver_due()).failed == []  # backing off: nothing tried before a minute is up
    clock.advance(minutes=1)
    assert len((await daily.deliver_due()).failed) == 1
    clock.advance(minutes=1)
    assert (await daily.deliver_due()).failed == []  # the second wait is two minutes
    clock.advance(minutes=1)
    assert len((await daily.deliver_due()).failed) == 1
    assert any(r.levelname == "ERROR" and "reveal failed" in r.getMessage() for r in caplog.records)
    with daily.engine.uow() as store:  # type: ignore[attr-defined]
        [trouble] = store.failing_reveals()
    assert (trouble.round_id, trouble.failures, trouble.error) == (round_.id, 3, "ConnectionError")
    clock.advance(minutes=4)
    assert (await daily.deliver_due()).revealed == 1  # the platform is back: revealed once
    assert kinds(chat).count("thread:reveal") == 1
    with daily.engine.uow() as store:  # type: ignore[attr-defined]
        assert store.failing_reveals() == []


async def test_setting_a_schedule_never_posts_a_round_for_a_day_before_it(
    db: Engine, mini_library: QuestionLibrary
) -> None:
    """Set at 06:25 UTC for 09:00 UTC daily: yesterday's 09:00 slot (its reveal still ahead) is not
    today's business; the first round is today's, at 09:00."""
    morning = dt.datetime(2026, 11, 25, 6, 25, tzinfo=UTC)
    daily, _chat, clock = daily_process(db, mini_library, morning)
    ctx = CommandContext(channel=CHANNEL, member=member("alice"), is_admin=True)
    await daily.engine.handle_command(ctx, "schedule set 09:00 UTC daily")
    clock.advance(seconds=30)
    assert (await daily.deliver_due()).posted == 0
    clock.set(dt.datetime(2026, 11, 25, 9, 0, tzinfo=UTC))
    assert (await daily.deliver_due()).posted == 1
    round_ = await daily.engine.open_round(CHANNEL)
    assert round_ is not None and round_.daily_date == dt.date(2026, 11, 25)


async def test_changing_the_zone_after_todays_post_posts_nothing_more_that_day(
    db: Engine, mini_library: QuestionLibrary
) -> None:
    nine = dt.datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
    daily, chat, clock = daily_process(db, mini_library, nine - dt.timedelta(hours=1))
    ctx = CommandContext(channel=CHANNEL, member=member("alice"), is_admin=True)
    await daily.engine.handle_command(ctx, "schedule set 09:00 UTC daily")
    clock.set(nine)
    assert (await daily.deliver_due()).posted == 1  # 2026-11-25 (UTC)
    clock.set(nine + dt.timedelta(hours=1))  # 02:00 in Los Angeles: still the 24th there
    await daily.engine.handle_command(ctx, "schedule set 09:00 America/Los_Angeles daily")
    for hours in (0.01, 7, 8):  # right away, and at 09:00 in Los Angeles (the 25th there: served)
        clock.set(nine + dt.timedelta(hours=1 + hours))
        assert (await daily.deliver_due()).posted == 0, hours
    clock.set(dt.datetime(2026, 11, 26, 17, 0, tzinfo=UTC))  # 09:00 on the 26th in Los Angeles
    assert (await daily.deliver_due()).posted == 1
    posted = [card for where, card in chat.posts if card.kind is CardKind.QUESTION]
    assert len(posted) == 2


async def test_days_missed_while_paused_are_not_caught_up_on_resume(
    db: Engine, mini_library: QuestionLibrary
) -> None:
    daily, _chat, clock = daily_process(db, mini_library, POST - dt.timedelta(days=1, hours=1))
    await configure(daily)
    ctx = CommandContext(channel=CHANNEL, member=member("alice"), is_admin=True)
    await daily.engine.handle_command(ctx, "schedule pause")
    clock.set(POST + dt.timedelta(minutes=30))  # today's 09:30 Berlin post passed while paused
    await daily.engine.handle_command(ctx, "schedule resume")
    assert (await daily.deliver_due()).posted == 0
    clock.set(POST + dt.timedelta(days=1))
    assert (await daily.deliver_due()).posted == 1


async def test_a_reply_right_after_the_round_is_posted_waits_for_its_thread(
    db: Engine, mini_library: QuestionLibrary
) -> None:
    """During a fan-out, message ids are recorded in batches a moment after the sends: a reply (and a vote
    on it) arriving in between is kept, not dropped as an unknown thread."""
    from bot.domain import AnswerResult, IncomingAnswer, ThreadRef, VoteResult
    from bot.events import AnswerPosted, VoteChanged

    daily, chat, clock = daily_process(db, mini_library, POST - dt.timedelta(minutes=1))
    await configure(daily)
    clock.set(POST)
    early: list[asyncio.Task] = []
    real_post = chat.post_round

    async def post_then_reply(channel, card):
        message_id = await real_post(channel, card)
        reply = IncomingAnswer(
            thread=ThreadRef(channel=channel, message_id=message_id),
            member=member("bob"),
            text="canary with rollback",
            message_id="reply-1",
            event_id="Ev-early",
        )
        early.append(asyncio.create_task(daily.engine.dispatch(AnswerPosted(reply))))
        return message_id

    chat.post_round = post_then_reply  # type: ignore[method-assign]
    assert (await daily.deliver_due()).posted == 1
    [recorded] = await asyncio.gather(*early)
    assert recorded.result is AnswerResult.RECORDED
    vote = VoteChanged(channel=CHANNEL, message_id="reply-1", voter=member("carol"), added=True)
    assert await daily.engine.dispatch(vote) is VoteResult.ADDED


async def test_a_slow_fan_out_renews_its_claims_so_no_other_replica_posts_twice(
    db: Engine, mini_library: QuestionLibrary
) -> None:
    """Each post takes '2 minutes' (the clock moves, the platform is slow): after 5 minutes another
    replica's sweep finds the rounds still claimed, renewed, and leaves them to their sender."""
    channels = [CHANNEL.model_copy(update={"channel_id": f"c{i}"}) for i in range(4)]
    daily, chat, clock = daily_process(db, mini_library, POST - dt.timedelta(minutes=1))
    daily = DailyRounds(daily.engine, concurrency={"console": 1}, lease_renew_every=0.01)
    for channel in channels:
        await configure(daily, channel)
    clock.set(POST)
    other, other_chat, other_clock = daily_process(db, mini_library, POST)
    other_reports = []
    real_post = chat.post_round

    async def slow_post(channel, card):
        message_id = await real_post(channel, card)
        clock.advance(minutes=2)
        await asyncio.sleep(0.05)  # the holder's renewal runs meanwhile
        if len(chat.posts) == 3:  # 6 minutes into the fan-out: the other replica sweeps
            other_clock.set(clock.now())
            other_reports.append(await other.deliver_due())
        return message_id

    chat.post_round = slow_post  # type: ignore[method-assign]
    report = await daily.deliver_due()
    assert report.posted == 4
    assert [r.posted for r in other_reports] == [0] and other_chat.posts == []
