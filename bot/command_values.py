"""The `/practice` command table: every command's syntax and meaning (help and usage cards are built from
it, the Discord command group is checked against it) and the values `bot.commands.parse` produces."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum

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
    "question": (
        "question [category] [difficulty] | question QUESTION_ID",
        "get a practice question (filters optional), or the one with this id",
    ),
    "skip": ("skip", "replace your newest question nobody has answered with another one"),
    "reveal": (
        "reveal [ROUND]",
        "show the model answer of the open question (or of round ROUND), with feedback and points",
    ),
    "leaderboard": ("leaderboard [week|month|all] [channel|workspace]", "points ranking"),
    "stats": ("stats [@member]", "rounds answered, coverage and points"),
    "review": ("review", "your next spaced-repetition question, privately"),
    "grade": ("grade again|hard|good|easy", "how well you knew your last revealed review question"),
    "schedule": (
        "schedule show | set HH:MM [TIMEZONE] [DAYS] | reveal after Nh | reveal at HH:MM | pause | resume"
        " | skip YYYY-MM-DD | remind Nh | remind off | preview",
        "the channel's daily question (admins change it)",
    ),
    "config": (
        "config show | categories LIST|all | difficulty LIST|all | packs LIST|all | answers thread|private"
        " | recap weekly|off",
        "what the channel is asked and how it answers (admins)",
    ),
    "contest": (
        "contest N | contest accept ID [REASON] | contest reject ID [REASON]",
        "dispute missed point N of your latest feedback; admins accept or reject contests",
    ),
    "contests": ("contests", "the channel's open contests (admins decide them)"),
    "topics": ("topics", "the packs and categories, and how many questions each has"),
    "help": ("help [command]", "this list"),
}


@dataclass(frozen=True)
class QuestionCmd:
    category: Category | None = None
    difficulty: Difficulty | None = None
    question_id: str | None = None  # a given question (`practicebot content list` shows the ids)


@dataclass(frozen=True)
class SkipCmd:
    pass


@dataclass(frozen=True)
class RevealCmd:
    round_id: int | None = None  # None: the newest open round (yours first if private)


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


class ScheduleAction(StrEnum):
    SHOW = "show"
    SET = "set"
    REVEAL = "reveal"
    PAUSE = "pause"
    RESUME = "resume"
    SKIP = "skip"
    REMIND = "remind"
    PREVIEW = "preview"


class ConfigAction(StrEnum):
    SHOW = "show"
    CATEGORIES = "categories"
    DIFFICULTY = "difficulty"
    PACKS = "packs"
    ANSWERS = "answers"
    RECAP = "recap"


@dataclass(frozen=True)
class ScheduleCmd:
    action: ScheduleAction
    time: str | None = None
    timezone: str | None = None
    days: tuple[str, ...] | None = None
    reveal_after_minutes: int | None = None
    reveal_at: str | None = None
    date: dt.date | None = None
    remind_minutes: int | None = None  # with action "remind": None turns the reminder off

    @property
    def changes_config(self) -> bool:
        return self.action not in (ScheduleAction.SHOW, ScheduleAction.PREVIEW)


@dataclass(frozen=True)
class ConfigCmd:
    action: ConfigAction
    values: tuple[str, ...] = ()

    @property
    def changes_config(self) -> bool:
        return self.action is not ConfigAction.SHOW


@dataclass(frozen=True)
class ContestCmd:
    point: int  # the key point's number on the feedback card, from 1


@dataclass(frozen=True)
class DecideContestCmd:
    contest_id: int
    accept: bool
    reason: str = ""


@dataclass(frozen=True)
class ContestsCmd:
    pass


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
    | ContestCmd
    | DecideContestCmd
    | ContestsCmd
    | SkipCmd
)
