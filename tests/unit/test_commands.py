"""The one command grammar."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.commands import (
    ConfigCmd,
    ContestCmd,
    ContestsCmd,
    DecideContestCmd,
    HelpCmd,
    LeaderboardCmd,
    QuestionCmd,
    ScheduleCmd,
    StatsCmd,
    UsageProblem,
    needs_rights,
    parse,
    parse_days,
)
from bot.domain import LeaderboardPeriod
from content.schema import Category, Difficulty


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", HelpCmd()),
        ("help reveal", HelpCmd("reveal")),
        ("question", QuestionCmd()),
        ("question hard cloud", QuestionCmd(Category.CLOUD_INFRASTRUCTURE, Difficulty.HARD)),
        ("/practice Question Problem-Solving easy", QuestionCmd(Category.PROBLEM_SOLVING, Difficulty.EASY)),
        ("leaderboard", LeaderboardCmd(LeaderboardPeriod.WEEK, False)),
        ("leaderboard month workspace", LeaderboardCmd(LeaderboardPeriod.MONTH, True)),
        ("stats @bob", StatsCmd("@bob")),
        (
            "schedule set 9:30 Europe/Berlin mon-fri",
            ScheduleCmd(
                "set", time="09:30", timezone="Europe/Berlin", days=("mon", "tue", "wed", "thu", "fri")
            ),
        ),
        ("schedule reveal after 90m", ScheduleCmd("reveal", reveal_after_minutes=90)),
        ("schedule reveal at 17:00", ScheduleCmd("reveal", reveal_at="17:00")),
        ("schedule skip 2026-12-24", ScheduleCmd("skip", date=dt.date(2026, 12, 24))),
        (
            "config categories technical, cloud",
            ConfigCmd("categories", ("technical", "cloud-infrastructure")),
        ),
        ("config difficulty all", ConfigCmd("difficulty", ())),
    ],
)
def test_parses(text: str, expected: object) -> None:
    assert parse(text) == expected


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("dance", "unknown command"),
        ("question easy hard", "given twice"),
        ("question quantum", "not a category or difficulty"),
        ("stats a b", "at most one member"),
        ("schedule set 09:30 Mars/Olympus", "not an IANA time zone"),
        ("schedule set 09:30 someday", "neither a time zone nor days"),
        ("schedule reveal after 0h", "between 1m and 168h"),
        ("schedule skip tomorrow", "not a date"),
        ("schedule explode", "not a schedule action"),
        ("config categories astrology", "unknown categories: astrology"),
        ("help dance", "no command 'dance'"),
        ('question "unterminated', "not a category"),
    ],
)
def test_bad_input_names_the_problem(text: str, fragment: str) -> None:
    result = parse(text)
    assert isinstance(result, UsageProblem)
    assert fragment in result.problem


def test_days() -> None:
    assert parse_days("fri-mon") == ("mon", "fri", "sat", "sun")
    assert parse_days("weekdays") == ("mon", "tue", "wed", "thu", "fri")
    assert parse_days("mon,wed") == ("mon", "wed")
    assert parse_days("funday") is None


def test_zones_are_found_whatever_their_case_and_typos_get_a_suggestion() -> None:
    from bot.commands import ScheduleCmd, UsageProblem, parse

    found = parse("schedule set 09:30 europe/berlin")
    assert isinstance(found, ScheduleCmd) and found.timezone == "Europe/Berlin"
    typo = parse("schedule set 09:30 Europe/Berln")
    assert isinstance(typo, UsageProblem) and "did you mean Europe/Berlin?" in typo.problem
    category = parse("question fundamentls")
    assert isinstance(category, UsageProblem) and "did you mean fundamentals?" in category.problem


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("contest 2", ContestCmd(2)),
        ("contest accept 3 she said it plainly", DecideContestCmd(3, True, "she said it plainly")),
        ("contest reject #4", DecideContestCmd(4, False, "")),
        ("contests", ContestsCmd()),
    ],
)
def test_contest_commands(line: str, expected: object) -> None:
    assert parse(line) == expected


@pytest.mark.parametrize("line", ["contest", "contest zero", "contest accept", "contest 0", "contests 2"])
def test_bad_contest_commands_get_usage(line: str) -> None:
    assert isinstance(parse(line), UsageProblem)


def test_rights_matter_for_reveals_settings_changes_and_contest_decisions() -> None:
    assert needs_rights(parse("reveal")) and needs_rights(parse("contest accept 1"))
    assert needs_rights(parse("schedule pause")) and needs_rights(parse("config packs mlops"))
    assert not needs_rights(parse("contest 2")) and not needs_rights(parse("schedule show"))
    assert not needs_rights(parse("contests")) and not needs_rights(parse("question"))
