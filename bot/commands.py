"""The one command grammar of `/practice`, parsed once for every platform into a `Command` value."""

from __future__ import annotations

import datetime as dt
import re
import shlex
from collections.abc import Callable
from dataclasses import dataclass, field

from bot.domain import LeaderboardPeriod
from bot.questions import Category, Difficulty

CATEGORY_ALIASES: dict[str, Category] = {c.value: c for c in Category} | {
    "fundamental": Category.FUNDAMENTALS,
    "basics": Category.FUNDAMENTALS,
    "tech": Category.TECHNICAL,
    "situation": Category.SITUATIONAL,
    "behavior": Category.BEHAVIORAL,
    "behaviour": Category.BEHAVIORAL,
    "behavioural": Category.BEHAVIORAL,
    "problem": Category.PROBLEM_SOLVING,
    "problemsolving": Category.PROBLEM_SOLVING,
    "problem_solving": Category.PROBLEM_SOLVING,
    "cloud": Category.CLOUD_INFRASTRUCTURE,
    "infra": Category.CLOUD_INFRASTRUCTURE,
    "infrastructure": Category.CLOUD_INFRASTRUCTURE,
    "cloud_infrastructure": Category.CLOUD_INFRASTRUCTURE,
}
DIFFICULTY_ALIASES: dict[str, Difficulty] = {d.value: d for d in Difficulty} | {
    "med": Difficulty.MEDIUM,
    "normal": Difficulty.MEDIUM,
}
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

# (syntax, what it does): the help card and every usage card are built from this one table.
USAGE: dict[str, tuple[str, str]] = {
    "question": ("question [category] [difficulty]", "get a practice question (filters optional)"),
    "reveal": ("reveal", "show the model answer of the open question, with feedback and points"),
    "leaderboard": ("leaderboard [week|month|all] [channel|workspace]", "points ranking"),
    "stats": ("stats [@member]", "rounds answered, coverage and points"),
    "review": ("review", "your next spaced-repetition question, privately"),
    "grade": ("grade again|hard|good|easy", "how well you knew your last revealed review question"),
    "schedule": (
        "schedule show | set HH:MM [TIMEZONE] [DAYS] | reveal after Nh | reveal at HH:MM | pause | resume"
        " | skip YYYY-MM-DD | remind Nh|off | preview",
        "the channel's daily question (admins change it)",
    ),
    "config": (
        "config show | categories LIST|all | difficulty LIST|all | packs LIST|all | answers thread|private",
        "what the channel is asked and how it answers (admins)",
    ),
    "topics": ("topics", "the categories and how many questions each has"),
    "help": ("help [command]", "this list"),
}


@dataclass(frozen=True)
class QuestionCmd:
    category: Category | None = None
    difficulty: Difficulty | None = None


@dataclass(frozen=True)
class RevealCmd:
    pass


@dataclass(frozen=True)
class LeaderboardCmd:
    period: LeaderboardPeriod = LeaderboardPeriod.WEEK
    workspace: bool = False


@dataclass(frozen=True)
class StatsCmd:
    member: str | None = None  # a mention / user id / name as typed; the adapter resolves it


@dataclass(frozen=True)
class ReviewCmd:
    pass


@dataclass(frozen=True)
class GradeCmd:
    grade: str  # again | hard | good | easy


@dataclass(frozen=True)
class TopicsCmd:
    pass


@dataclass(frozen=True)
class HelpCmd:
    topic: str | None = None


@dataclass(frozen=True)
class ScheduleCmd:
    action: str  # show | set | reveal | pause | resume | skip | preview
    time: str | None = None
    timezone: str | None = None
    days: tuple[str, ...] | None = None
    reveal_after_minutes: int | None = None
    reveal_at: str | None = None
    date: dt.date | None = None
    remind_minutes: int | None = None  # with action "remind": None turns the reminder off

    @property
    def changes_config(self) -> bool:
        return self.action not in ("show", "preview")


@dataclass(frozen=True)
class ConfigCmd:
    action: str  # show | categories | difficulty
    values: tuple[str, ...] = ()

    @property
    def changes_config(self) -> bool:
        return self.action != "show"


@dataclass(frozen=True)
class UsageProblem:
    """What was wrong with a command, for the usage card."""

    problem: str
    command: str | None = None
    choices: tuple[str, ...] = field(default=())


Command = (
    QuestionCmd
    | RevealCmd
    | LeaderboardCmd
    | StatsCmd
    | ReviewCmd
    | GradeCmd
    | TopicsCmd
    | HelpCmd
    | ScheduleCmd
    | ConfigCmd
)


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
        else:
            return UsageProblem(
                f"'{arg}' is not a category or difficulty",
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


def _parse_time(value: str) -> str | None:
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


def _valid_timezone(name: str) -> bool:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def _duration_minutes(value: str) -> int | None:
    m = re.fullmatch(r"(\d{1,3})\s*(h|m)?", value.lower())
    if not m:
        return None
    minutes = int(m.group(1)) * (1 if m.group(2) == "m" else 60)
    return minutes if 1 <= minutes <= 7 * 24 * 60 else None


def _parse_schedule(args: list[str]) -> Command | UsageProblem:
    actions = ("show", "set", "reveal", "pause", "resume", "skip", "remind", "preview")
    if not args:
        return ScheduleCmd("show")
    action, rest = args[0].lower(), args[1:]
    if action not in actions:
        return UsageProblem(f"'{args[0]}' is not a schedule action", "schedule", actions)
    if action in ("show", "pause", "resume", "preview"):
        if rest:
            return UsageProblem(f"'schedule {action}' takes no arguments", "schedule")
        return ScheduleCmd(action)
    if action == "set":
        if not rest:
            return UsageProblem(
                "'schedule set' needs a time, e.g. 'schedule set 09:30 Europe/Berlin mon-fri'", "schedule"
            )
        time = _parse_time(rest[0])
        if time is None:
            return UsageProblem(f"'{rest[0]}' is not a time; use 24-hour HH:MM like 09:30", "schedule")
        timezone = days = None
        for arg in rest[1:]:
            if "/" in arg or arg.upper() == "UTC":
                if not _valid_timezone(arg):
                    return UsageProblem(
                        f"'{arg}' is not an IANA time zone (e.g. Europe/Berlin, America/New_York)", "schedule"
                    )
                timezone = "UTC" if arg.upper() == "UTC" else arg
            elif (parsed := parse_days(arg)) is not None and parsed:
                days = parsed
            else:
                return UsageProblem(f"'{arg}' is neither a time zone nor days like mon-fri", "schedule")
        return ScheduleCmd("set", time=time, timezone=timezone, days=days)
    if action == "remind":
        if len(rest) == 1 and rest[0].lower() == "off":
            return ScheduleCmd("remind", remind_minutes=None)
        minutes = _duration_minutes(rest[0]) if len(rest) == 1 else None
        if minutes is None:
            return UsageProblem(
                "use 'schedule remind 2h' (before the reveal) or 'schedule remind off'", "schedule"
            )
        return ScheduleCmd("remind", remind_minutes=minutes)
    if action == "reveal":
        if len(rest) == 2 and rest[0].lower() == "after":
            m = re.fullmatch(r"(\d{1,3})\s*(h|m)?", rest[1].lower())
            if m:
                minutes = int(m.group(1)) * (1 if m.group(2) == "m" else 60)
                if 1 <= minutes <= 7 * 24 * 60:
                    return ScheduleCmd("reveal", reveal_after_minutes=minutes)
            return UsageProblem(f"'{rest[1]}' is not a duration between 1m and 168h, e.g. 6h", "schedule")
        if len(rest) == 2 and rest[0].lower() == "at":
            time = _parse_time(rest[1])
            if time:
                return ScheduleCmd("reveal", reveal_at=time)
            return UsageProblem(f"'{rest[1]}' is not a time; use HH:MM", "schedule")
        return UsageProblem("use 'schedule reveal after 6h' or 'schedule reveal at 17:00'", "schedule")
    # skip
    if len(rest) != 1:
        return UsageProblem("'schedule skip' needs one date, e.g. 'schedule skip 2026-12-24'", "schedule")
    try:
        day = dt.date.fromisoformat(rest[0])
    except ValueError:
        return UsageProblem(f"'{rest[0]}' is not a date; use YYYY-MM-DD", "schedule")
    return ScheduleCmd("skip", date=day)


def _parse_config(args: list[str]) -> Command | UsageProblem:
    actions = ("show", "categories", "difficulty", "packs", "answers")
    if not args:
        return ConfigCmd("show")
    action, rest = args[0].lower(), [a.strip(",").lower() for a in args[1:] if a.strip(",")]
    if action not in actions:
        return UsageProblem(f"'{args[0]}' is not a config setting", "config", actions)
    if action == "show":
        return ConfigCmd("show") if not rest else UsageProblem("'config show' takes no arguments", "config")
    values = [v for arg in rest for v in arg.split(",") if v]
    if not values:
        return UsageProblem(f"'config {action}' needs a list or 'all'", "config")
    if action == "answers":
        if values not in (["thread"], ["private"]):
            return UsageProblem("'config answers' takes thread or private", "config", ("thread", "private"))
        return ConfigCmd(action, tuple(values))
    if values == ["all"]:
        return ConfigCmd(action, ())
    if action == "packs":  # pack names are checked against the library by the engine
        return ConfigCmd(action, tuple(dict.fromkeys(values)))
    table = CATEGORY_ALIASES if action == "categories" else DIFFICULTY_ALIASES
    unknown = [v for v in values if v not in table]
    if unknown:
        choices = (
            tuple(c.value for c in Category) if action == "categories" else tuple(d.value for d in Difficulty)
        )
        return UsageProblem(f"unknown {action}: {', '.join(unknown)}", "config", choices)
    return ConfigCmd(action, tuple(dict.fromkeys(table[v].value for v in values)))


_PARSERS: dict[str, Callable[[list[str]], Command | UsageProblem]] = {
    "question": _parse_question,
    "q": _parse_question,
    "reveal": _no_args(RevealCmd(), "reveal"),
    "leaderboard": _parse_leaderboard,
    "top": _parse_leaderboard,
    "stats": _parse_stats,
    "review": _no_args(ReviewCmd(), "review"),
    "grade": _parse_grade,
    "schedule": _parse_schedule,
    "config": _parse_config,
    "topics": _no_args(TopicsCmd(), "topics"),
    "help": _parse_help,
}
