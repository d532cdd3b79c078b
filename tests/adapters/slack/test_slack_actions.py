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
