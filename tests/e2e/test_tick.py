"""`practicebot tick`: due work once and exit; several at once against one database post once."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import DATABASES, MINI_PACK, PG_URL, _drop_postgres_schema, _postgres_engine, member

from adapters.console.app import WORKSPACE
from bot.domain import ChannelRef, Platform
from bot.engine import CommandContext, Engine
from bot.ports import FixedClock
from content.library import QuestionLibrary
from storage.database import make_engine
from storage.migrate import upgrade
from storage.repository import SqlUnitOfWork

PRACTICEBOT = str(Path(sys.executable).with_name("practicebot"))


@pytest.fixture(params=DATABASES)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'bot.db'}"
        return
    schema = f"pbtick_{uuid.uuid4().hex[:10]}"
    _postgres_engine(schema).dispose()
    try:
        yield f"{PG_URL}?options=-csearch_path%3D{schema}"
    finally:
        _drop_postgres_schema(schema)


def _env(database_url: str) -> dict[str, str]:
    environ = {
        k: v for k, v in os.environ.items() if not k.startswith(("PRACTICEBOT_", "SLACK_", "DISCORD_"))
    }
    return environ | {
        "PRACTICEBOT_DATABASE_URL": database_url,
        "PRACTICEBOT_BUNDLED_CONTENT": "false",
        "PRACTICEBOT_CONTENT_PATHS": str(MINI_PACK),
        "PRACTICEBOT_CONSOLE_USER": "ana",
    }


def _ticks(at: str, env: dict[str, str], n: int) -> list[subprocess.CompletedProcess[str]]:
    procs = [
        subprocess.Popen(
            [PRACTICEBOT, "tick", "--at", at],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        for _ in range(n)
    ]
    results = []
    for p in procs:
        out, err = p.communicate(timeout=60)
        results.append(subprocess.CompletedProcess(p.args, p.returncode, out, err))
    return results


def _schedule_console_channel(database_url: str) -> None:
    """Set the console channel's schedule directly, at a fixed time. (Through `practicebot console` the
    console's own scheduler sweeps by the real clock and, on a weekday afternoon, posts the question itself
    before the ticks run.)"""
    db = make_engine(database_url)
    try:
        upgrade(db)
        engine = Engine(
            uow=SqlUnitOfWork(db),
            questions=QuestionLibrary.load([MINI_PACK], include_bundled=False),
            clock=FixedClock(dt.datetime(2026, 11, 25, 7, 0, tzinfo=dt.UTC)),
            chat={},
        )
        channel = ChannelRef(
            platform=Platform.CONSOLE, workspace_id=WORKSPACE, channel_id="practice", name="practice"
        )
        ctx = CommandContext(channel=channel, member=member("ana"), is_admin=True)
        asyncio.run(engine.handle_command(ctx, "schedule set 09:30 Europe/Berlin mon-fri"))
    finally:
        db.dispose()


def test_concurrent_ticks_post_and_reveal_once(database_url: str) -> None:
    env = _env(database_url)
    _schedule_console_channel(database_url)
    posts = _ticks("2026-11-25T09:31:00+01:00", env, 3)
    assert all(r.returncode == 0 for r in posts), [r.stderr for r in posts]
    assert sum(r.stdout.count("[#practice] ==") for r in posts) == 1
    assert (
        sorted(r.stdout.strip().splitlines()[-1] for r in posts)[-1]
        == "tick: posted=1 revealed=0 reminded=0 recapped=0 skipped=0 failed=0"
    )
    reveals = _ticks("2026-11-26T09:31:00+01:00", env, 3)
    assert sum(r.stdout.count("== Reveal · round #") for r in reveals) == 1
    assert sum(r.stdout.count("[#practice] ==") for r in reveals) == 1  # Thursday's question, once


def test_tick_rejects_a_bad_time(tmp_path: Path) -> None:
    env = _env(f"sqlite:///{tmp_path / 'bot.db'}")
    result = subprocess.run(
        [PRACTICEBOT, "tick", "--at", "tomorrow"], capture_output=True, text=True, env=env
    )
    assert result.returncode == 2
    assert (
        result.stderr.strip()
        == "practicebot: --at: 'tomorrow' is not an ISO time like 2026-11-25T09:30:00+01:00"
    )
