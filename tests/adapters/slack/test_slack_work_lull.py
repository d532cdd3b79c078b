"""BackgroundWork waits for a lull in HTTP requests before starting work, so a burst is acked first."""

from __future__ import annotations

import asyncio

from slack_testkit import *  # noqa: F403  (fixtures and helpers)
from slack_testkit import SlackBot

from adapters.slack.work import BackgroundWork


def recorder() -> tuple[list[float], object]:
    ran: list[float] = []

    async def job() -> None:
        ran.append(asyncio.get_running_loop().time())

    return ran, job


async def wait_until(ran: list[float], timeout: float = 5.0) -> float:
    deadline = asyncio.get_running_loop().time() + timeout
    while not ran:
        assert asyncio.get_running_loop().time() < deadline, "the job never ran"
        await asyncio.sleep(0.005)
    return ran[0]


async def test_work_waits_while_a_request_is_answered_and_for_a_quiet_spell_after():
    work = BackgroundWork(lull=0.1, max_wait=10)
    ran, job = recorder()
    with work.incoming():
        work.start(job)
        await asyncio.sleep(0.3)
        assert ran == []  # a request is still being answered
    answered = asyncio.get_running_loop().time()
    assert await wait_until(ran) >= answered + 0.1 - 0.005


async def test_steady_traffic_holds_work_back_no_longer_than_max_wait():
    work = BackgroundWork(lull=10, max_wait=0.2)
    ran, job = recorder()
    with work.incoming():
        started = asyncio.get_running_loop().time()
        work.start(job)
        assert await wait_until(ran) >= started + 0.2 - 0.005


async def test_without_http_traffic_and_for_urgent_jobs_work_starts_at_once():
    quiet = BackgroundWork(lull=10, max_wait=10)  # Socket Mode: no HTTP server reports requests
    ran, job = recorder()
    quiet.start(job)
    await wait_until(ran, timeout=1.0)

    busy = BackgroundWork(lull=10, max_wait=10)
    ran, job = recorder()
    with busy.incoming():
        busy.start(job, urgent=True)  # a trigger id about to expire
        await wait_until(ran, timeout=1.0)


async def test_the_http_server_reports_its_requests_so_a_burst_is_acked_before_the_work(slack_bot: SlackBot):
    slack_bot.adapter.work.lull = 0.3
    loop = asyncio.get_running_loop()
    status, _ = await slack_bot.command("help", user="U0FIRST")
    assert status == 200
    sent = []
    for i in range(3):  # more commands while the first one's work waits
        await asyncio.sleep(0.05)
        sent.append(loop.time())
        status, _ = await slack_bot.command("help", user=f"U0MORE{i}")
        assert status == 200
    calls = await slack_bot.fake.wait_for("response_url", 4)
    assert min(call.at for call in calls) >= sent[-1] + 0.3 - 0.01
