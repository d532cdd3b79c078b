"""`practicebot schedule list`, the real process: schedules, and reveals that keep failing."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

from conftest import CHANNEL

from bot.domain import RoundKind, Visibility
from storage.database import make_engine
from storage.migrate import upgrade
from storage.repository import SqlUnitOfWork

PRACTICEBOT = str(Path(sys.executable).with_name("practicebot"))
T0 = dt.datetime(2026, 12, 6, 9, 0, tzinfo=dt.UTC)


def test_schedule_list_reports_failing_reveals(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'bot.db'}"
    db = make_engine(url)
    upgrade(db)
    with SqlUnitOfWork(db)() as store:
        store.update_channel(CHANNEL, schedule_enabled=True, post_time="09:30")
        round_ = store.create_round(
            CHANNEL,
            question_id="mini-skew",
            category="fundamentals",
            kind=RoundKind.ON_DEMAND,
            visibility=Visibility.PUBLIC,
            now=T0,
        )
        assert round_ is not None
        store.mark_posted(round_.id, "m1", T0)
        assert store.claim_reveal(round_.id, T0)
        store.release_reveal(round_.id, T0 + dt.timedelta(minutes=4), "ConnectionError")
    db.dispose()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PRACTICEBOT_", "SLACK_", "DISCORD_"))}
    done = subprocess.run(
        [PRACTICEBOT, "schedule", "list"],
        capture_output=True,
        text=True,
        env=env | {"PRACTICEBOT_DATABASE_URL": url, "COLUMNS": "200"},
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert "1 reveal failing" in done.stdout
    assert "ConnectionError" in done.stdout and "mlops-study" in done.stdout
