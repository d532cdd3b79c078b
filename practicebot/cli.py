"""`practicebot` command line (Typer). Errors a user can fix print one line and exit 2; never a traceback."""

from __future__ import annotations

import asyncio
import datetime as dt
import gc
import json
import logging
import os
import signal
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any
from zoneinfo import ZoneInfo

import typer
from rich.console import Console
from rich.table import Table

from bot.settings import ConfigError, Settings, load_settings
from practicebot.content_cli import content_app, plural

if TYPE_CHECKING:
    from adapters.base import PlatformAdapter

app = typer.Typer(
    no_args_is_help=True, add_completion=False, help="practicebot: daily MLOps interview practice."
)
db_app = typer.Typer(no_args_is_help=True, help="Database schema.")
app.add_typer(db_app, name="db")
app.add_typer(content_app, name="content")

log = logging.getLogger("practicebot")


def _version(value: bool) -> None:
    if value:
        from importlib.metadata import version

        typer.echo(f"practicebot {version('practicebot')}")
        raise typer.Exit()


@app.callback()
def _main(
    show_version: Annotated[
        bool,
        typer.Option(
            "--version",
            callback=_version,
            is_eager=True,
            help="Print the version and exit.",
            show_default=False,
        ),
    ] = False,
) -> None:
    """practicebot: daily MLOps interview practice."""


def _settings() -> Settings:
    from practicebot.logging_setup import configure_logging

    settings = load_settings()
    configure_logging(settings.log_level)
    return settings


@app.command()
def console() -> None:
    """Practise in this terminal: a local channel, no Slack or Discord token needed."""
    settings = _settings()
    if "PRACTICEBOT_LOG_LEVEL" not in os.environ:
        logging.getLogger().setLevel(logging.WARNING)  # keep the conversation readable
    _run_console(settings)


def _run_console(settings: Settings) -> None:
    """Ctrl-C leaves the console like Ctrl-D and /quit do: "Bye." and exit status 0."""
    try:
        asyncio.run(_console(settings))
    except KeyboardInterrupt:
        print("\nBye.", flush=True)


async def _console(settings: Settings) -> None:
    from adapters.console.app import ConsoleChat, ConsoleOutput, ConsoleSession, run_console
    from practicebot.bootstrap import build_app
    from scheduler.service import SchedulerService

    output = ConsoleOutput(sys.stdout)
    chat = ConsoleChat(output)
    bot = build_app(settings, chat={"console": chat})
    # The console's channel can have a daily schedule too (`/practice schedule set ...`).
    scheduler = SchedulerService(bot.daily_rounds())
    scheduler.start()
    try:
        session = ConsoleSession(
            bot.engine, chat, output, channel=settings.console_channel, user=settings.console_user
        )
        await run_console(session)
    finally:
        await scheduler.shutdown()
        await bot.engine.close_grading()
        bot.close()


@app.command()
def run() -> None:
    """Run the bot: Slack/Discord as a service when their tokens are set, otherwise the console (in a
    terminal; without one and without tokens it says what to set and exits 2)."""
    settings = _settings()
    if not settings.platforms_configured:
        if not sys.stdin.isatty():
            # A container or service manager without tokens: exiting 0 at once would restart it forever.
            raise ConfigError(
                "no platform to run: set SLACK_BOT_TOKEN (with SLACK_SIGNING_SECRET or SLACK_APP_TOKEN) or "
                "DISCORD_TOKEN, or use `practicebot console` to practise in a terminal or from a pipe"
            )
        if "PRACTICEBOT_LOG_LEVEL" not in os.environ:
            logging.getLogger().setLevel(logging.WARNING)
        _run_console(settings)
        return
    asyncio.run(_service(settings))


class StartError(Exception):
    """A platform could not be reached at start: one line for the operator, exit 1."""


_API_SETTING = {"slack": "PRACTICEBOT_SLACK_API_URL", "discord": "PRACTICEBOT_DISCORD_API_URL"}


def start_failure(platform: str, exc: Exception) -> str:
    reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    setting = _API_SETTING.get(platform, "the platform's API URL")
    return (
        f"could not start {platform}: {reason}. Check this machine's network access (DNS, proxy, firewall) "
        f"to the {platform.title()} API, and {setting} if you set it"
    )


async def _stop_quietly(adapter: Any) -> None:
    try:
        await adapter.stop()
    except Exception:
        log.debug("adapter did not stop cleanly after a failed start", exc_info=True)


async def _service(settings: Settings) -> None:
    """Long-running mode: stdin is ignored; SIGTERM/SIGINT stop it cleanly."""
    from practicebot.bootstrap import build_app
    from scheduler.service import SchedulerService

    adapters = create_adapters(settings)
    bot = build_app(settings, chat={a.name: a.chat for a in adapters})
    scheduler = SchedulerService(bot.daily_rounds())
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    started = []
    health = None
    try:
        for adapter in adapters:
            try:
                await adapter.start(bot.engine)
            except BaseException as exc:
                await _stop_quietly(adapter)  # close the sessions it opened before failing
                if isinstance(exc, Exception) and not isinstance(exc, ConfigError):
                    raise StartError(start_failure(adapter.name, exc)) from None
                raise
            started.append(adapter)
        if health_server_needed(adapters):
            from adapters.health import HealthServer

            health = HealthServer(settings.http_host, settings.http_port, bot.engine.ready)
            await health.start()
        scheduler.start()
        # Start-up objects (the question bank, SDK modules) live for the whole run: keeping them out of
        # the collector's generations avoids full collections of ~150k objects in the middle of a request.
        gc.collect()
        gc.freeze()
        log.info("service started", extra={"platforms": ",".join(a.name for a in adapters)})
        await stop.wait()
        log.info("service stopping")
    finally:
        await scheduler.shutdown()
        if health is not None:
            await health.stop()
        for adapter in reversed(started):
            try:
                await adapter.stop()
            except Exception:
                log.warning("adapter did not stop cleanly", extra={"platform": adapter.name}, exc_info=True)
        await bot.engine.close_grading()
        bot.close()


def health_server_needed(adapters: list[PlatformAdapter]) -> bool:
    """Socket Mode and Discord have no HTTP endpoint of their own: orchestrators still get probes."""
    return not any(getattr(adapter, "serves_http", False) for adapter in adapters)


def create_adapters(settings: Settings) -> list[PlatformAdapter]:
    """One adapter per platform whose token is set. Imported lazily: the console needs neither SDK."""
    adapters: list[PlatformAdapter] = []
    if settings.slack_bot_token:
        from adapters.slack import create_adapter as create_slack

        adapters.append(create_slack(settings))
    if settings.discord_token:
        from adapters.discord import create_adapter as create_discord

        adapters.append(create_discord(settings))
    return adapters


@app.command()
def tick(
    at: Annotated[
        str | None,
        typer.Option("--at", metavar="TIME", help="ISO time to act as 'now' (default: the real time)"),
    ] = None,
) -> None:
    """Run due daily posts and reveals once, then exit (cron / Kubernetes CronJob; safe beside `run`)."""
    settings = _settings()
    report = asyncio.run(_tick(settings, _parse_at(at)))
    typer.echo(f"tick: {report}")
    raise typer.Exit(1 if report.failed else 0)


def _parse_at(at: str | None) -> dt.datetime | None:
    if at is None:
        return None
    try:
        parsed = dt.datetime.fromisoformat(at)
    except ValueError:
        raise ConfigError(f"--at: '{at}' is not an ISO time like 2026-11-25T09:30:00+01:00") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


async def _tick(settings: Settings, at: dt.datetime | None):
    """Deliver through the platform APIs only: adapters' chat ports, no listeners."""
    from adapters.console.app import ConsoleChat, ConsoleOutput
    from bot.ports import FixedClock, SystemClock
    from practicebot.bootstrap import build_app

    adapters = create_adapters(settings)
    chat = {a.name: a.chat for a in adapters}
    chat.setdefault("console", ConsoleChat(ConsoleOutput(sys.stdout)))
    bot = build_app(settings, chat=chat, clock=FixedClock(at) if at else SystemClock())
    try:
        return await bot.daily_rounds().deliver_due()
    finally:
        for adapter in adapters:  # close HTTP sessions the chat ports opened
            await adapter.stop()
        await bot.engine.close_grading()
        bot.close()


discord_app = typer.Typer(no_args_is_help=True, help="Discord application commands.")
app.add_typer(discord_app, name="discord")


@discord_app.command("sync")
def discord_sync() -> None:
    """Register /practice with Discord now: in PRACTICEBOT_DISCORD_GUILD_IDS (instant) or globally."""
    from adapters.discord import sync_commands

    settings = _settings()
    if not settings.discord_token:
        raise ConfigError("DISCORD_TOKEN: set it to sync commands")
    for line in asyncio.run(sync_commands(settings)):
        typer.echo(line)


schedule_app = typer.Typer(no_args_is_help=True, help="Daily schedules.")
app.add_typer(schedule_app, name="schedule")


@schedule_app.command("list")
def schedule_list() -> None:
    """Every channel's schedule and next post, in its local time."""
    from bot.ports import SystemClock
    from bot.timing import next_slots
    from practicebot.bootstrap import open_database
    from storage.repository import SqlUnitOfWork

    settings = _settings()
    db = open_database(settings)
    with SqlUnitOfWork(db)() as store:
        channels = store.channels()
        failing = store.failing_reveals()
    db.dispose()
    table = Table(title=plural(len(channels), "channel"))
    for column in ("platform", "workspace", "channel", "schedule", "next post (local)"):
        table.add_column(column)
    now = SystemClock().now()
    for ch in channels:
        ref = ch.channel
        state = "paused" if ch.paused else ("on" if ch.schedule_enabled else "off")
        upcoming = next_slots(ch, now, count=1)
        when = (
            upcoming[0].post_at.astimezone(ZoneInfo(ch.timezone)).strftime("%a %Y-%m-%d %H:%M %Z")
            if (upcoming and not ch.paused)
            else "-"
        )
        table.add_row(
            ref.platform.value,
            ref.workspace_id,
            ref.name or ref.channel_id,
            f"{state} {ch.post_time} {ch.timezone} {','.join(ch.days)}",
            when,
        )
    Console().print(table)
    if failing:
        trouble = Table(title=f"{plural(len(failing), 'reveal')} failing (retried with backoff)")
        for column in ("round", "channel", "failures", "last error", "next try (UTC)"):
            trouble.add_column(column)
        for item in failing:
            retry = item.retry_at.strftime("%Y-%m-%d %H:%M") if item.retry_at else "-"
            name = item.channel.name or item.channel.channel_id
            trouble.add_row(str(item.round_id), name, str(item.failures), item.error, retry)
        Console().print(trouble)


@app.command()
def grade(
    question_id: Annotated[
        str, typer.Argument(metavar="QUESTION_ID", help="a question id (see `practicebot content list`)")
    ],
    format: Annotated[
        str, typer.Option("--format", metavar="text|json", help="lines to read, or JSON")
    ] = "text",
) -> None:
    """Grade an answer read from stdin: which key points it covers, as at a reveal."""
    from bot.cards import NAME_DROP_TIP
    from bot.commands import did_you_mean
    from bot.grading import Assessment
    from practicebot.bootstrap import build_grader, load_library

    if format not in ("text", "json"):
        raise ConfigError("--format: use text or json")
    settings = _settings()
    library = load_library(settings)
    question = library.get(question_id)
    if question is None:
        hint = did_you_mean(question_id, [q.id for q in library.all()])
        raise ConfigError(
            f"QUESTION_ID: no question '{question_id}' in the loaded packs{hint}; "
            "`practicebot content list` shows every id"
        )
    if sys.stdin.isatty():  # typed by hand: say what is expected instead of waiting in silence
        typer.echo(
            f"{question.question}\nType your answer, then Ctrl-D on a new line (Windows: Ctrl-Z, Enter).",
            err=True,
        )
    answer = sys.stdin.read()
    if not answer.strip():
        raise ConfigError(
            "stdin: the answer is empty; pipe it in (practicebot grade ID < answer.txt) or type it"
        )
    grader = build_grader(settings, library)

    async def run() -> Assessment:
        try:
            return await grader.grade(question, answer)
        finally:
            closer = getattr(grader, "close", None)
            if closer is not None:
                await closer()

    result = asyncio.run(run())
    if format == "json":
        typer.echo(
            json.dumps(
                {
                    "question": question.id,
                    "grader": result.grader,
                    "model": result.model,
                    "covered": list(result.covered),
                    "partial": list(result.partial),
                    "missed": list(result.missed),
                    "coverage": round(result.score, 4),
                    "name_dropping": result.name_dropping,
                    "points": [p.model_dump(mode="json") for p in result.points],
                    "misconceptions": list(result.misconceptions),
                    "tip": result.tip,
                    "fallback": result.fallback,
                },
                indent=2,
            )
        )
        return
    points = {p.label: p for p in result.points}
    typer.echo(
        f"{question.id}: {len(result.covered)}/{len(question.key_points)} key points "
        f"({round(result.score * 100)}%), graded by {result.grader}"
        + (f" ({result.model})" if result.model else "")
    )
    if result.fallback:
        typer.echo(f"  the model grader was not used: {result.fallback}")
    if result.name_dropping:
        typer.echo(f"  tip: {NAME_DROP_TIP}")
    for label in result.covered:
        evidence = points[label].evidence
        typer.echo(f"  covered: {label}" + (f'  <- "{evidence}"' if evidence else ""))
    for label in result.partial:
        typer.echo(f'  partial: {label}  <- "{points[label].evidence}"')
    for label in result.missed:
        typer.echo(f"  missed:  {label}")
    for item in result.misconceptions:
        typer.echo(f"  check:   {item}")
    if result.tip and not result.name_dropping:
        typer.echo(f"  tip: {result.tip}")


grading_app = typer.Typer(no_args_is_help=True, help="Grading: contested verdicts as labelled data.")
app.add_typer(grading_app, name="grading")


@grading_app.command("export")
def grading_export(
    out: Annotated[
        Path | None,
        typer.Option("--out", metavar="FILE", help="file to write (default: standard output)"),
    ] = None,
) -> None:
    """Decided contests in the labelled-set format of bench/, to measure graders on your team's answers."""
    import yaml

    from bot.domain import ContestStatus
    from bot.grading import Verdict
    from practicebot.bootstrap import open_database
    from storage.repository import SqlUnitOfWork

    settings = _settings()
    db = open_database(settings)
    entries: dict[int, dict[str, object]] = {}
    with SqlUnitOfWork(db)() as store:
        decided = [c for c in store.contests(None) if c.status is not ContestStatus.OPEN]
        for contest in decided:
            entry = entries.get(contest.answer_id)
            if entry is None:
                assessment = store.answer_assessment(contest.answer_id)
                if assessment is None:
                    continue
                entry = entries[contest.answer_id] = {
                    "question": contest.question_id,
                    "kind": "contested",
                    "answer": contest.answer_text,
                    "points": {p.label: p.verdict is not Verdict.MISSED for p in assessment.points},
                    "note": [],
                }
            points = entry["points"]
            assert isinstance(points, dict)
            points[contest.point] = contest.status is ContestStatus.ACCEPTED
            notes = entry["note"]
            assert isinstance(notes, list)
            notes.append(
                f"'{contest.point}' {contest.status.value} by a channel admin"
                + (f" ({contest.reason})" if contest.reason else "")
            )
    db.dispose()
    answers = [
        entry | {"note": "; ".join(entry["note"]) + ". Other points are the grader's verdicts."}  # type: ignore[arg-type]
        for entry in entries.values()
    ]
    header = (
        "# Contested verdicts exported by `practicebot grading export`: each point a channel admin\n"
        "# decided is a person's judgement; the others are the grader's. Measure with:\n"
        "#   .venv/bin/python bench/grading_eval.py --data THIS_FILE\n"
    )
    text = header + yaml.safe_dump({"answers": answers}, sort_keys=False, allow_unicode=True, width=100)
    if out is None:
        typer.echo(text, nl=False)
    else:
        out.write_text(text, encoding="utf-8")
        typer.echo(f"{plural(len(answers), 'answer')} with contested points written to {out}", err=True)


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply database migrations (also done automatically at start)."""
    from practicebot.bootstrap import open_database
    from storage.migrate import current_revision

    settings = _settings()
    db = open_database(settings, migrate=True)
    typer.echo(f"database at revision {current_revision(db)}")
    db.dispose()


def main() -> None:
    try:
        app()
    except ConfigError as exc:
        print(f"practicebot: {exc}", file=sys.stderr)
        sys.exit(2)
    except StartError as exc:
        print(f"practicebot: {exc}", file=sys.stderr)
        sys.exit(1)
    except KeyboardInterrupt:
        sys.exit(130)
