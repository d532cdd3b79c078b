"""One APScheduler 3 AsyncIOScheduler on the bot's event loop: a sweep every 30 s plus one date job per
distinct next post time (channels sharing 09:30 Berlin share one job), so posts are on the minute. Jobs only
*trigger* `DailyRounds.deliver_due`; the database decides what is due and who sends it, so restarts and
replicas are safe."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from functools import partial

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.date import DateTrigger
from apscheduler.triggers.interval import IntervalTrigger

from bot.daily import DailyRounds
from bot.domain import ChannelRef, ChannelSettings, Platform
from bot.ports import Store
from bot.timing import next_slots

log = logging.getLogger("practicebot.scheduler")

SWEEP_JOB = "sweep"
# A trigger missed by up to this long (event loop busy, laptop asleep) still runs; later sweeps catch up
# anything older, so nothing is dropped silently (APScheduler's default grace is 1 s).
MISFIRE_GRACE_SECONDS = 15 * 60
# next_slots reads only the schedule fields of a ChannelSettings; this stands in for the channels sharing one.
_ANY_CHANNEL = ChannelRef(platform=Platform.CONSOLE, workspace_id="-", channel_id="-")


class SchedulerService:
    def __init__(self, daily: DailyRounds, *, sweep_seconds: int = 30) -> None:
        self.daily = daily
        self.sweep_seconds = sweep_seconds
        self.scheduler = AsyncIOScheduler(
            timezone=dt.UTC,
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": MISFIRE_GRACE_SECONDS},
        )
        self._post_jobs: dict[str, dt.datetime] = {}  # job id -> when it fires
        self._sweeps: set[asyncio.Task[None]] = set()
        self._sweeping = False
        self._again = False
        self._stopping = False

    def start(self) -> None:
        # The first sweep runs at once: it is the catch-up after downtime.
        self.scheduler.add_job(
            self.sweep,
            IntervalTrigger(seconds=self.sweep_seconds, timezone=dt.UTC),
            id=SWEEP_JOB,
            next_run_time=dt.datetime.now(dt.UTC),
        )
        self.daily.engine.schedule_listeners.append(self.refresh_post_jobs)
        self.scheduler.start()
        log.info("scheduler started", extra={"sweep_seconds": self.sweep_seconds})

    async def shutdown(self, timeout: float = 10.0) -> None:
        """Stop triggering, then let a delivery in flight finish (a post is never cut between its send
        and its record), up to `timeout` seconds."""
        if self.refresh_post_jobs in self.daily.engine.schedule_listeners:
            self.daily.engine.schedule_listeners.remove(self.refresh_post_jobs)
        self._stopping = True
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)
        # A job APScheduler has just submitted starts on the next loop turns: let it start (it returns at
        # once, seeing `_stopping`) or register, rather than be cancelled mid-way by the loop's teardown.
        for _ in range(3):
            await asyncio.sleep(0)
        in_flight = [t for t in self._sweeps if not t.done()]
        if in_flight:
            await asyncio.wait(in_flight, timeout=timeout)
        await asyncio.sleep(0)  # AsyncIOScheduler finishes its shutdown on the next loop turn

    async def sweep(self) -> None:
        """Deliver what is due, then refresh the post jobs. One sweep at a time per process: a trigger
        that fires while a sweep runs (thousands of channels can share a post time) makes that sweep go
        round once more instead of starting a second one beside it."""
        if self._stopping:
            return
        if self._sweeping:
            self._again = True
            return
        self._sweeping = True
        task = asyncio.current_task()
        if task is not None:
            self._sweeps.add(task)
        try:
            self._again = True
            while self._again and not self._stopping:
                self._again = False
                await self.daily.deliver_due()
            await self.refresh_post_jobs()
        except asyncio.CancelledError:
            # The loop is closing under a sweep that started too late to be waited for. Whatever it sent
            # but did not record stays claimed and is found again by the next sweep (see CLAIM_TIMEOUT).
            log.info("sweep interrupted by shutdown")
        except Exception:  # a database hiccup must not kill the sweep job
            log.exception("sweep failed")
        finally:
            self._sweeping = False
            if task is not None:
                self._sweeps.discard(task)

    async def refresh_post_jobs(self) -> None:
        """Refresh the post jobs now (after a schedule change here; the sweep refreshes them too, which
        picks up changes made by another replica). The schedules are read off the event loop."""
        now = self.daily.engine.clock.now()
        self._apply_post_times(await self.daily.engine.tx(partial(self._next_post_times, now=now)))

    def post_times(self) -> list[dt.datetime]:
        """When the next post jobs fire, in order."""
        return sorted(self._post_jobs.values())

    @staticmethod
    def _next_post_times(store: Store, now: dt.datetime) -> set[dt.datetime]:
        """The next post instant of every distinct schedule: one job per instant, not per channel."""
        shapes = store.schedule_shapes()
        times = set()
        for post_time, days, timezone, skip_dates in shapes:
            shape = ChannelSettings(
                channel=_ANY_CHANNEL,
                schedule_enabled=True,
                post_time=post_time,
                days=days,
                timezone=timezone,
                skip_dates=skip_dates,
            )
            upcoming = next_slots(shape, now, count=1)
            if upcoming:
                times.add(upcoming[0].post_at)
        return times

    def _apply_post_times(self, wanted: set[dt.datetime]) -> None:
        ids = {f"post-at:{at.isoformat()}": at for at in wanted}
        for job_id in set(self._post_jobs) - set(ids):
            if self.scheduler.get_job(job_id):
                self.scheduler.remove_job(job_id)
            del self._post_jobs[job_id]
        for job_id, run_at in ids.items():
            if job_id in self._post_jobs and self.scheduler.get_job(job_id):
                continue
            self.scheduler.add_job(
                self.sweep, DateTrigger(run_date=run_at, timezone=dt.UTC), id=job_id, replace_existing=True
            )
            self._post_jobs[job_id] = run_at
