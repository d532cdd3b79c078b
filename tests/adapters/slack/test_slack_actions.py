"""Every action a card can carry (the core's table, bot/actions.py) has a Slack listener that does its work:
a signed block_actions request for each one, through the real Bolt app and WebClient against the fake."""

from __future__ import annotations

import json
from typing import Any

import pytest
from slack_testkit import *  # noqa: F403  (fixtures and helpers)
from slack_testkit import SlackBot

from bot.actions import ACTIONS, ActionId


def _text(args: dict[str, Any]) -> str:
    blocks = args.get("blocks") or []
    return (json.dumps(blocks) if not isinstance(blocks, str) else blocks) + str(args.get("text", ""))


def _round_of(args: dict[str, Any]) -> int:
    for block in args.get("blocks") or []:
        if block["type"] == "actions":
            return int(block["elements"][0]["value"])
    raise AssertionError("the card has no buttons")


async def _review(bot: SlackBot) -> int:
    status, _ = await bot.command("review")
    assert status == 200
    (card,) = await bot.fake.wait_for("response_url", 1)
    return _round_of(card.args)


@pytest.mark.parametrize("action", list(ActionId))
async def test_every_card_action_has_a_slack_listener(slack_bot: SlackBot, action: ActionId) -> None:
    round_id = await _review(slack_bot)
    status, _ = await slack_bot.press(action.value, round_id)
    assert status == 200  # Bolt answers 404 "unhandled request" for an action nobody listens to
    if ACTIONS[action].opens_form:
        (opened,) = await slack_bot.fake.wait_for("views.open")
        assert json.loads(opened.args["view"]["private_metadata"])["round"] == round_id
    else:
        calls = await slack_bot.fake.wait_for("response_url", 2)
        assert "went wrong" not in _text(calls[1].args)


async def test_review_buttons_reveal_then_grade(slack_bot: SlackBot) -> None:
    round_id = await _review(slack_bot)
    await slack_bot.press("grade_good", round_id)
    calls = await slack_bot.fake.wait_for("response_url", 2)
    assert "Reveal the answer first" in _text(calls[1].args)

    await slack_bot.press("reveal", round_id)
    calls = await slack_bot.fake.wait_for("response_url", 3)
    reveal = calls[2].args
    grades = [e["action_id"] for b in reveal["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert grades == ["grade_again", "grade_hard", "grade_good", "grade_easy"]

    await slack_bot.press("grade_good", round_id)
    calls = await slack_bot.fake.wait_for("response_url", 4)
    assert "Graded good" in _text(calls[-1].args)
    await slack_bot.press("grade_easy", round_id)
    calls = await slack_bot.fake.wait_for("response_url", 5)
    assert "already graded" in _text(calls[-1].args)


async def test_a_missed_point_is_contested_from_the_private_feedback(slack_bot: SlackBot) -> None:
    from slack_testkit import load_fixture

    status, _ = await slack_bot.command("question technical")  # mini-canary, privately first
    (card,) = await slack_bot.fake.wait_for("response_url", 1)
    round_id = _round_of(card.args)
    submission = load_fixture("view_submission.json", round_id=round_id, text="Small percentage first")
    status, _ = await slack_bot.interaction(submission)
    assert status == 200
    await slack_bot.press("reveal", round_id)
    calls = await slack_bot.fake.wait_for("response_url", 3)
    feedback = next(c.args for c in calls if "Your feedback" in _text(c.args))
    contests = [
        (e["action_id"], e["value"])
        for b in feedback["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
        if e["action_id"].startswith("contest_")
    ]
    assert [a for a, _ in contests] == ["contest_2", "contest_3"]  # the missed points, by number
    answer_id = int(contests[0][1])
    before = len(slack_bot.fake.calls_to("response_url"))
    await slack_bot.press("contest_2", answer_id)
    calls = await slack_bot.fake.wait_for("response_url", before + 1)
    assert "Contest #1 recorded" in _text(calls[-1].args) and "Automatic rollback" in _text(calls[-1].args)
