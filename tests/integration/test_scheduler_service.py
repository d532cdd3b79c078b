"""The APScheduler wiring: a sweep job, one date job per distinct next post time, rebuilt on schedule
changes; one sweep at a time."""

from __future__ import annotations

import asyncio
import datetime as dt

from conftest import CHANNEL, FakeChat, member
from sqlalchemy import Engine

from bot.daily import DailyRounds, DeliveryReport
from bot.engine import CommandContext
from bot.engine import Engine as BotEngine
from bot.ports import FixedClock
from content.library import QuestionLibrary
from scheduler.service import MISFIRE_GRACE_SECONDS, SWEEP_JOB, SchedulerService
from storage.repository import SqlUnitOfWork

NOW = dt.datetime(2026, 11, 25, 7, 0, tzinfo=dt.UTC)  # Wednesday 08:00 Berlin


async def test_jobs_follow_the_stored_schedules(db: Engine, mini_library: QuestionLibrary) -> None:
    engine = BotEngine(
        uow=SqlUnitOfWork(db), questions=mini_library, clock=FixedClock(NOW), chat={"console": FakeChat()}
    )
    service = SchedulerService(DailyRounds(engine), sweep_seconds=30)
    service.start()
    try:
        sweep = service.scheduler.get_job(SWEEP_JOB)
        assert sweep is not None and sweep.trigger.interval == dt.timedelta(seconds=30)
        assert sweep.misfire_grace_time == MISFIRE_GRACE_SECONDS and sweep.coalesce
        assert service.post_times() == []  # nothing scheduled yet

        def job_times() -> list[dt.datetime]:
            return sorted(j.next_run_time for j in service.scheduler.get_jobs() if j.id != SWEEP_JOB)

        ctx = CommandContext(channel=CHANNEL, member=member("alice"), is_admin=True)
        await engine.handle_command(ctx, "schedule set 09:30 Europe/Berlin mon-fri")
        berlin = dt.datetime(2026, 11, 25, 8, 30, tzinfo=dt.UTC)
        assert service.post_times() == job_times() == [berlin]

        # Channels sharing a post time share one job: a thousand of them must not fire a thousand sweeps.
        other = CHANNEL.model_copy(update={"channel_id": "C-other"})
        other_ctx = CommandContext(channel=other, member=member("bob"), is_admin=True)
        await engine.handle_command(other_ctx, "schedule set 09:30 Europe/Berlin mon-fri")
        assert job_times() == [berlin]

        await engine.handle_command(ctx, "schedule set 10:15 America/New_York")
        assert job_times() == [berlin, dt.datetime(2026, 11, 25, 15, 15, tzinfo=dt.UTC)]

        await engine.handle_command(ctx, "schedule pause")
        await engine.handle_command(other_ctx, "schedule pause")
        assert job_times() == []
    finally:
        await service.shutdown()
    assert not service.scheduler.running


async def test_a_trigger_during_a_sweep_makes_it_go_round_again_instead_of_running_beside_it(
    db: Engine, mini_library: QuestionLibrary
) -> None:
    engine = BotEngine(
        uow=SqlUnitOfWork(db), questions=mini_library, clock=FixedClock(NOW), chat={"console": FakeChat()}
    )
    daily = DailyRounds(engine)
    service = SchedulerService(daily)
    running, most, calls = 0, 0, 0
    release = asyncio.Event()
    deliver = daily.deliver_due

    async def slow_deliver() -> DeliveryReport:
        nonlocal running, most, calls
        running, calls = running + 1, calls + 1
        most = max(most, running)
        await release.wait()
        running -= 1
        return await deliver()

    daily.deliver_due = slow_deliver  # type: ignore[method-assign]
    first = asyncio.create_task(service.sweep())
    await asyncio.sleep(0)
    triggers = [asyncio.create_task(service.sweep()) for _ in range(2)]  # while the first sweep runs
    for _ in range(5):
        await asyncio.sleep(0)
    release.set()
    await asyncio.wait_for(asyncio.gather(first, *triggers), timeout=10)
    assert most == 1 and calls == 2
