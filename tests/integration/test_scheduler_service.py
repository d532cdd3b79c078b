"""The APScheduler wiring: a sweep job, one date job per scheduled channel, rebuilt on schedule changes."""

from __future__ import annotations

import datetime as dt

from conftest import CHANNEL, FakeChat, member
from sqlalchemy import Engine

from bot.daily import DailyRounds
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
        job_id = f"post:console:{CHANNEL.workspace_id}:{CHANNEL.channel_id}"
        assert service.scheduler.get_job(job_id) is None  # nothing scheduled yet

        ctx = CommandContext(channel=CHANNEL, member=member("alice"), is_admin=True)
        await engine.handle_command(ctx, "schedule set 09:30 Europe/Berlin mon-fri")
        job = service.scheduler.get_job(job_id)
        assert job is not None and job.next_run_time == dt.datetime(2026, 11, 25, 8, 30, tzinfo=dt.UTC)

        await engine.handle_command(ctx, "schedule set 10:15 America/New_York")
        job = service.scheduler.get_job(job_id)
        assert job.next_run_time == dt.datetime(2026, 11, 25, 15, 15, tzinfo=dt.UTC)

        await engine.handle_command(ctx, "schedule pause")
        assert service.scheduler.get_job(job_id) is None
    finally:
        await service.shutdown()
    assert not service.scheduler.running
