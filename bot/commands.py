"""The one command grammar of `/practice`, parsed once for every platform into a `Command` value (the
values and the command table live in bot/command_values.py and are re-exported here)."""

from __future__ import annotations

import datetime as dt
import difflib
import functools
import re
import shlex
from collections.abc import Callable, Iterable
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from bot.command_values import (
    CATEGORY_ALIASES,
    DIFFICULTY_ALIASES,
    USAGE,
    WEEKDAYS,
    Command,
    ConfigAction,
    ConfigCmd,
    ContestCmd,
    ContestsCmd,
    DecideContestCmd,
    GradeCmd,
    HelpCmd,
    LeaderboardCmd,
    QuestionCmd,
    RevealCmd,
    ReviewCmd,
    ScheduleAction,
    ScheduleCmd,
    SkipCmd,
    StatsCmd,
    TopicsCmd,
    UsageProblem,
)
from bot.domain import LeaderboardPeriod
from bot.questions import ID_PATTERN, Category, Difficulty

__all__ = [
    "CATEGORY_ALIASES",
    "DIFFICULTY_ALIASES",
    "USAGE",
    "WEEKDAYS",
    "Command",
    "ConfigAction",
    "ConfigCmd",
    "ContestCmd",
    "ContestsCmd",
    "DecideContestCmd",
    "GradeCmd",
    "HelpCmd",
    "LeaderboardCmd",
    "QuestionCmd",
    "RevealCmd",
    "ReviewCmd",
    "ScheduleAction",
    "ScheduleCmd",
    "SkipCmd",
    "StatsCmd",
    "TopicsCmd",
    "UsageProblem",
    "canonical_timezone",
    "closest",
    "did_you_mean",
    "needs_rights",
    "parse",
    "parse_days",
    "parse_time",
]


def needs_rights(command: Command | UsageProblem) -> bool:
    """Whether the issuer's rights decide what the command does (adapters ask the platform only then):
    revealing someone else's round, changing settings, deciding contests."""
    if isinstance(command, RevealCmd | DecideContestCmd):
        return True
    return isinstance(command, ScheduleCmd | ConfigCmd) and command.changes_config


def _split(text: str) -> list[str]:
    try:
        return shlex.split(text)
    except ValueError:
        return text.split()


def parse(text: str) -> Command | UsageProblem:
    words = _split(text.strip())
    if words and words[0].lower() in ("/practice", "practice"):
        words = words[1:]
    if not words:
        return HelpCmd()
    name, args = words[0].lower(), words[1:]
    parser = _PARSERS.get(name)
    if parser is None:
        return UsageProblem(f"unknown command '{words[0]}'", None, tuple(USAGE))
    return parser(args)


def _parse_question(args: list[str]) -> Command | UsageProblem:
    category: Category | None = None
    difficulty: Difficulty | None = None
    for arg in args:
        key = arg.lower()
        if key in ("any", "random"):
            continue
        if key in CATEGORY_ALIASES and category is None:
            category = CATEGORY_ALIASES[key]
        elif key in DIFFICULTY_ALIASES and difficulty is None:
            difficulty = DIFFICULTY_ALIASES[key]
        elif key in CATEGORY_ALIASES or key in DIFFICULTY_ALIASES:
            return UsageProblem(f"'{arg}' given twice: one category and one difficulty at most", "question")
        elif len(args) == 1 and "-" in key and re.fullmatch(ID_PATTERN, key):
            return QuestionCmd(question_id=key)  # the engine knows the ids and suggests near misses
        else:
            known = (*CATEGORY_ALIASES, *DIFFICULTY_ALIASES)
            return UsageProblem(
                f"'{arg}' is not a category or difficulty{did_you_mean(arg, known)}",
                "question",
                tuple(c.value for c in Category) + tuple(d.value for d in Difficulty),
            )
    return QuestionCmd(category, difficulty)


def _no_args(cmd: Command, name: str) -> Callable[[list[str]], Command | UsageProblem]:
    def parse_(args: list[str]) -> Command | UsageProblem:
        if args:
            return UsageProblem(f"'{name}' takes no arguments (got '{' '.join(args)}')", name)
        return cmd

    return parse_


def _parse_leaderboard(args: list[str]) -> Command | UsageProblem:
    period, workspace = LeaderboardPeriod.WEEK, False
    seen_period = seen_scope = False
    for arg in args:
        key = arg.lower()
        if key in {p.value for p in LeaderboardPeriod} and not seen_period:
            period, seen_period = LeaderboardPeriod(key), True
        elif key in ("alltime", "all-time", "ever") and not seen_period:
            period, seen_period = LeaderboardPeriod.ALL, True
        elif key in ("channel", "workspace", "server", "guild") and not seen_scope:
            workspace, seen_scope = key != "channel", True
        else:
            return UsageProblem(
                f"'{arg}' is not a period or scope",
                "leaderboard",
                ("week", "month", "all", "channel", "workspace"),
            )
    return LeaderboardCmd(period, workspace)


GRADES = ("again", "hard", "good", "easy")


def _parse_grade(args: list[str]) -> Command | UsageProblem:
    if len(args) != 1 or args[0].lower() not in GRADES:
        got = f"'{' '.join(args)}'" if args else "nothing"
        return UsageProblem(f"grade takes one of again, hard, good, easy (got {got})", "grade", GRADES)
    return GradeCmd(args[0].lower())


def _parse_reveal(args: list[str]) -> Command | UsageProblem:
    if not args:
        return RevealCmd()
    if len(args) == 1 and args[0].lstrip("#").isdigit():
        return RevealCmd(int(args[0].lstrip("#")))
    return UsageProblem(f"reveal takes at most a round number, like 12 (got '{' '.join(args)}')", "reveal")


def _parse_contest(args: list[str]) -> Command | UsageProblem:
    if len(args) == 1 and args[0].isdigit() and int(args[0]) >= 1:
        return ContestCmd(int(args[0]))
    if len(args) >= 2 and args[0].lower() in ("accept", "reject") and args[1].lstrip("#").isdigit():
        reason = " ".join(args[2:]).strip()
        return DecideContestCmd(int(args[1].lstrip("#")), args[0].lower() == "accept", reason)
    got = f"'{' '.join(args)}'" if args else "nothing"
    return UsageProblem(
        f"contest takes a key point number from your feedback, or accept|reject and a contest id (got {got})",
        "contest",
    )


def _parse_stats(args: list[str]) -> Command | UsageProblem:
    if len(args) > 1:
        return UsageProblem("stats takes at most one member", "stats")
    return StatsCmd(args[0] if args else None)


def _parse_help(args: list[str]) -> Command | UsageProblem:
    if len(args) > 1:
        return UsageProblem("help takes at most one command name", "help", tuple(USAGE))
    if args and args[0].lower() not in USAGE:
        return UsageProblem(f"there is no command '{args[0]}'", "help", tuple(USAGE))
    return HelpCmd(args[0].lower() if args else None)


_TIME = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")


def parse_time(value: str) -> str | None:
    m = _TIME.match(value)
    return f"{int(m.group(1)):02d}:{m.group(2)}" if m else None


def parse_days(value: str) -> tuple[str, ...] | None:
    """`mon-fri`, `mon,wed,fri`, `daily`, `weekdays`, `weekends` -> ordered weekday names."""
    key = value.lower()
    if key in ("daily", "everyday", "all"):
        return WEEKDAYS
    if key == "weekdays":
        return WEEKDAYS[:5]
    if key == "weekends":
        return WEEKDAYS[5:]
    days: list[str] = []
    for part in key.split(","):
        if "-" in part:
            start, _, end = part.partition("-")
            if start not in WEEKDAYS or end not in WEEKDAYS:
                return None
            i, j = WEEKDAYS.index(start), WEEKDAYS.index(end)
            days.extend(WEEKDAYS[i : j + 1] if i <= j else WEEKDAYS[i:] + WEEKDAYS[: j + 1])
        elif part in WEEKDAYS:
            days.append(part)
        else:
            return None
    return tuple(d for d in WEEKDAYS if d in days)


@functools.cache
def _zones_by_lower_name() -> dict[str, str]:
    return {zone.lower(): zone for zone in available_timezones()} | {"utc": "UTC"}


def canonical_timezone(name: str) -> str | None:
    """The IANA zone a user meant, whatever its case ("europe/berlin" -> "Europe/Berlin"); None if none."""
    return _zones_by_lower_name().get(name.strip().lower())


def closest(word: str, choices: Iterable[str]) -> str | None:
    """The choice a mistyped word most likely meant, if one is close."""
    close = difflib.get_close_matches(word.lower(), list(choices), n=1, cutoff=0.75)
    return close[0] if close else None


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """A hint naming the closest choice, as " (did you mean X?)", or "" when none is close."""
    match = closest(word, choices)
    return f" (did you mean {match}?)" if match else ""


def _valid_timezone(name: str) -> bool:

    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def _duration_minutes(value: str) -> int | None:
    """'6h', '90m' or '6' (hours) as minutes, between 1 minute and a week; None otherwise."""
    m = re.fullmatch(r"(\d{1,3})\s*(h|m)?", value.lower())
    if not m:
        return None
    minutes = int(m.group(1)) * (1 if m.group(2) == "m" else 60)
    return minutes if 1 <= minutes <= 7 * 24 * 60 else None


def _parse_schedule(args: list[str]) -> Command | UsageProblem:
    actions = tuple(a.value for a in ScheduleAction)
    if not args:
        return ScheduleCmd(ScheduleAction.SHOW)
    word, rest = args[0].lower(), args[1:]
    if word not in actions:
        return UsageProblem(f"'{args[0]}' is not a schedule action", "schedule", actions)
    action = ScheduleAction(word)
    if action in (ScheduleAction.SHOW, ScheduleAction.PAUSE, ScheduleAction.RESUME, ScheduleAction.PREVIEW):
        if rest:
            return UsageProblem(f"'schedule {action}' takes no arguments", "schedule")
        return ScheduleCmd(action)
    if action is ScheduleAction.SET:
        if not rest:
            return UsageProblem(
                "'schedule set' needs a time, e.g. 'schedule set 09:30 Europe/Berlin mon-fri'", "schedule"
            )
        time = parse_time(rest[0])
        if time is None:
            return UsageProblem(f"'{rest[0]}' is not a time; use 24-hour HH:MM like 09:30", "schedule")
        timezone = days = None
        for arg in rest[1:]:
            if "/" in arg or arg.upper() == "UTC":
                zone = canonical_timezone(arg)
                if zone is None or not _valid_timezone(zone):
                    near = closest(arg, _zones_by_lower_name())
                    hint = f" (did you mean {_zones_by_lower_name()[near]}?)" if near else ""
                    return UsageProblem(
                        f"'{arg}' is not an IANA time zone{hint}; e.g. Europe/Berlin, America/New_York",
                        "schedule",
                    )
                timezone = zone
            elif (parsed := parse_days(arg)) is not None and parsed:
                days = parsed
            else:
                return UsageProblem(f"'{arg}' is neither a time zone nor days like mon-fri", "schedule")
        return ScheduleCmd(ScheduleAction.SET, time=time, timezone=timezone, days=days)
    if action is ScheduleAction.REMIND:
        if len(rest) == 1 and rest[0].lower() == "off":
            return ScheduleCmd(ScheduleAction.REMIND, remind_minutes=None)
        minutes = _duration_minutes(rest[0]) if len(rest) == 1 else None
        if minutes is None:
            return UsageProblem(
                "use 'schedule remind 2h' (before the reveal) or 'schedule remind off'", "schedule"
            )
        return ScheduleCmd(ScheduleAction.REMIND, remind_minutes=minutes)
    if action is ScheduleAction.REVEAL:
        if len(rest) == 2 and rest[0].lower() == "after":
            if (minutes := _duration_minutes(rest[1])) is not None:
                return ScheduleCmd(ScheduleAction.REVEAL, reveal_after_minutes=minutes)
            return UsageProblem(f"'{rest[1]}' is not a duration between 1m and 168h, e.g. 6h", "schedule")
        if len(rest) == 2 and rest[0].lower() == "at":
            time = parse_time(rest[1])
            if time:
                return ScheduleCmd(ScheduleAction.REVEAL, reveal_at=time)
            return UsageProblem(f"'{rest[1]}' is not a time; use HH:MM", "schedule")
        return UsageProblem("use 'schedule reveal after 6h' or 'schedule reveal at 17:00'", "schedule")
    # skip
    if len(rest) != 1:
        return UsageProblem("'schedule skip' needs one date, e.g. 'schedule skip 2026-12-24'", "schedule")
    try:
        day = dt.date.fromisoformat(rest[0])
    except ValueError:
        return UsageProblem(f"'{rest[0]}' is not a date; use YYYY-MM-DD", "schedule")
    return ScheduleCmd(ScheduleAction.SKIP, date=day)


def _parse_config(args: list[str]) -> Command | UsageProblem:
    actions = tuple(a.value for a in ConfigAction)
    if not args:
        return ConfigCmd(ConfigAction.SHOW)
    word, rest = args[0].lower(), [a.strip(",").lower() for a in args[1:] if a.strip(",")]
    if word not in actions:
        return UsageProblem(f"'{args[0]}' is not a config setting", "config", actions)
    action = ConfigAction(word)
    if action is ConfigAction.SHOW:
        return ConfigCmd(action) if not rest else UsageProblem("'config show' takes no arguments", "config")
    values = [v for arg in rest for v in arg.split(",") if v]
    if not values:
        return UsageProblem(f"'config {action}' needs a list or 'all'", "config")
    if action is ConfigAction.RECAP:
        if values not in (["weekly"], ["off"]):
            return UsageProblem("'config recap' takes weekly or off", "config", ("weekly", "off"))
        return ConfigCmd(action, tuple(values))
    if action is ConfigAction.ANSWERS:
        if values not in (["thread"], ["private"]):
            return UsageProblem("'config answers' takes thread or private", "config", ("thread", "private"))
        return ConfigCmd(action, tuple(values))
    if values == ["all"]:
        return ConfigCmd(action, ())
    if action is ConfigAction.PACKS:  # pack names are checked against the library by the engine
        return ConfigCmd(action, tuple(dict.fromkeys(values)))
    table = CATEGORY_ALIASES if action is ConfigAction.CATEGORIES else DIFFICULTY_ALIASES
    unknown = [v for v in values if v not in table]
    if unknown:
        choices = (
            tuple(c.value for c in Category)
            if action is ConfigAction.CATEGORIES
            else tuple(d.value for d in Difficulty)
        )
        return UsageProblem(f"unknown {action}: {', '.join(unknown)}", "config", choices)
    return ConfigCmd(action, tuple(dict.fromkeys(table[v].value for v in values)))


_PARSERS: dict[str, Callable[[list[str]], Command | UsageProblem]] = {
    "question": _parse_question,
    "q": _parse_question,
    "reveal": _parse_reveal,
    "leaderboard": _parse_leaderboard,
    "top": _parse_leaderboard,
    "stats": _parse_stats,
    "review": _no_args(ReviewCmd(), "review"),
    "grade": _parse_grade,
    "schedule": _parse_schedule,
    "config": _parse_config,
    "contest": _parse_contest,
    "skip": _no_args(SkipCmd(), "skip"),
    "contests": _no_args(ContestsCmd(), "contests"),
    "topics": _no_args(TopicsCmd(), "topics"),
    "help": _parse_help,
}
