"""Every action a card can carry (bot/actions.py) works as a Discord button, and the `/practice` group
offers every command of the core's grammar (bot/commands.py), through real discord.py and the fake."""

from __future__ import annotations

import pytest
from discord_testkit import *  # noqa: F403  (the make_bot fixture)
from discord_testkit import CHANNEL, DiscordBot, MakeBot, custom_ids, embeds_text
from fake_discord import BOB, CHANNEL_ID

from adapters.discord import strings
from adapters.discord.commands import PracticeGroup
from bot.actions import ACTIONS, ActionId
from bot.commands import USAGE


async def _review(bot: DiscordBot) -> dict:
    asked = await bot.command("review", who=BOB)
    assert "review question" in embeds_text(asked.body)
    return bot.fake.messages[CHANNEL_ID][-1]


async def _private_feedback(bot: DiscordBot) -> dict:
    """Bob answers the review question privately and reveals it: the feedback message, with its contest
    buttons for the points he missed."""
    message = await _review(bot)
    opened = await bot.click(message, "practice:answer_privately:1", who=BOB)
    await bot.submit_modal(opened.body["data"], "Small percentage of traffic first, then widen.", who=BOB)
    revealed = await bot.click(message, "practice:reveal:1", who=BOB)
    await bot.followups(revealed, count=2)
    return next(m for m in bot.fake.messages[CHANNEL_ID] if "Your feedback" in embeds_text(m))


async def _message_with(bot: DiscordBot, action: ActionId) -> dict:
    """A message the bot sent that carries `action`'s button (Discord only routes clicks on real ones)."""
    if action is ActionId.POST_TO_CHANNEL:
        await bot.command("question", who=BOB)
        message = bot.fake.messages[CHANNEL_ID][-1]
    elif ACTIONS[action].contest_point:
        # Contest buttons sit on private feedback (see the flow test below); here one is put on a message
        # the bot sent, which is all Discord needs to route a click to it.
        message = await _review(bot)
        row = message["components"][0]["components"]
        row.append(dict(row[-1], custom_id=f"practice:{action.value}:1", label="I covered"))
    else:
        message = await _review(bot)
        if ACTIONS[action].grade:
            revealed = await bot.click(message, "practice:reveal:1", who=BOB)
            await bot.followups(revealed, count=1)
            message = bot.fake.messages[CHANNEL_ID][-1]
    assert f"practice:{action.value}:1" in custom_ids(message)
    return message


@pytest.mark.parametrize("action", list(ActionId))
async def test_every_card_action_works_as_a_discord_button(make_bot: MakeBot, action: ActionId) -> None:
    bot = await make_bot()
    message = await _message_with(bot, action)
    click = await bot.click(message, f"practice:{action.value}:1", who=BOB)
    spec = ACTIONS[action]
    if spec.opens_form:
        assert click.body["type"] == 9  # the answer modal
        return
    if spec.slow:
        assert click.body["type"] == 5  # deferred, then a follow-up
        [answer] = await bot.followups(click, count=1)
        text = embeds_text(answer.body)
    else:
        assert click.body["type"] == 4
        text = embeds_text(click.body)
    assert text and strings.DONE not in text and strings.APOLOGY not in text


async def test_review_grade_by_button_and_by_command(make_bot: MakeBot) -> None:
    bot = await make_bot()
    message = await _review(bot)
    early = await bot.command("grade", {"how": "good"}, who=BOB)
    assert "Reveal the answer first" in embeds_text(early.body)
    revealed = await bot.click(message, "practice:reveal:1", who=BOB)
    [reveal] = await bot.followups(revealed, count=1)
    assert "How well did you know it?" in embeds_text(reveal.body)
    graded = await bot.click(bot.fake.messages[CHANNEL_ID][-1], "practice:grade_good:1", who=BOB)
    assert "Graded good" in embeds_text(graded.body)
    again = await bot.command("grade", {"how": "easy"}, who=BOB)
    assert "already graded" in embeds_text(again.body)


async def test_a_button_of_a_retired_action_says_so(make_bot: MakeBot) -> None:
    bot = await make_bot()
    message = await _review(bot)
    row = message["components"][0]["components"]
    row.append(dict(row[-1], custom_id="practice:retired_action:1", label="Old"))
    click = await bot.click(message, "practice:retired_action:1", who=BOB)
    assert strings.BUTTON_UNKNOWN in embeds_text(click.body)


def test_the_practice_group_offers_every_command_of_the_grammar() -> None:
    async def route(interaction, line):  # pragma: no cover - never called
        return None

    group = PracticeGroup(route)
    assert sorted(c.name for c in group.commands) == sorted(USAGE)


async def test_a_command_new_to_the_grammar_reaches_discord_as_free_text(monkeypatch) -> None:
    from adapters.discord import commands

    monkeypatch.setitem(commands.USAGE, "quiz", ("quiz [topic]", "a quick quiz"))
    lines: list[str] = []

    async def route(interaction, line):
        lines.append(line)

    group = PracticeGroup(route)
    quiz = next(c for c in group.commands if c.name == "quiz")
    assert quiz.description == "a quick quiz"
    await quiz.callback(None, "drift")  # type: ignore[arg-type, call-arg]
    assert lines == ["quiz drift"]


def test_free_text_suggestions_cover_every_schedule_and_config_action() -> None:
    words = {s.split()[0] for s in strings.SCHEDULE_SUGGESTIONS}
    syntax = USAGE["schedule"][0].replace("schedule ", "")
    assert words == {part.split()[0] for part in syntax.split(" | ")} - {"off"}
    words = {s.split()[0] for s in strings.CONFIG_SUGGESTIONS}
    syntax = USAGE["config"][0].replace("config ", "")
    assert words == {part.split()[0] for part in syntax.split(" | ")}
    assert CHANNEL.channel_id == str(CHANNEL_ID)


async def test_a_missed_point_is_contested_from_the_feedback(make_bot: MakeBot) -> None:
    bot = await make_bot()
    feedback = await _private_feedback(bot)
    contest_ids = [c for c in custom_ids(feedback) if c.startswith("practice:contest_")]
    assert contest_ids and all(c.endswith(":1") for c in contest_ids)  # missed points of answer 1
    clicked = await bot.click(feedback, contest_ids[0], who=BOB)
    assert "Contest #1 recorded" in embeds_text(clicked.body)
    listed = await bot.command("contests", who=BOB)
    assert "Open contests (1)" in embeds_text(listed.body)


async def test_question_by_id_and_skip_on_discord(make_bot: MakeBot) -> None:
    bot = await make_bot()
    await bot.command("question", {"id": "mini-canary"}, who=BOB)
    assert "question mini-canary" in embeds_text(bot.fake.messages[CHANNEL_ID][-1])
    skipped = await bot.command("skip", who=BOB)
    assert "Skipped round #1 (mini-canary)." in embeds_text(skipped.body)


async def test_a_contest_button_in_a_direct_message_works(make_bot: MakeBot) -> None:
    """A scheduled reveal sends feedback by DM: the click there carries no server."""
    bot = await make_bot()
    feedback = await _private_feedback(bot)
    contest_id = next(c for c in custom_ids(feedback) if c.startswith("practice:contest_"))
    payload = bot.interaction_payload(
        3, {"custom_id": contest_id, "component_type": 2}, message=feedback, who=BOB
    )
    user = payload.pop("member")["user"]
    del payload["guild_id"]
    payload |= {
        "user": user,
        "channel": {"id": "777", "type": 1, "recipients": [user]},
        "channel_id": "777",
        "context": 1,
        "authorizing_integration_owners": {"1": user["id"]},
    }
    clicked = await bot.interact(payload)
    assert "Contest #1 recorded" in embeds_text(clicked.body)
    # someone else clicking it in their DMs gets no contest of an answer that is not theirs
    payload2 = dict(payload, id=str(bot.fake.snowflake()), token="t2", user=dict(user, id="4242"))
    other = await bot.interact(payload2)
    assert "no graded answer of yours" in embeds_text(other.body)
