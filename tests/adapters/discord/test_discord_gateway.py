"""The real discord.py client against the fake Discord: login, READY, app commands, buttons, modals, thread
replies, reactions, reveal. Each test reads like what a server member does and what Discord receives."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

import discord
import pytest
from discord_testkit import *  # noqa: F403  (the make_bot fixture)
from discord_testkit import CHANNEL, EPHEMERAL, MANAGE_GUILD, DiscordBot, MakeBot, custom_ids, embeds_text
from fake_discord import ADMIN_ROLE_ID, ALICE, APP_ID, BOB, CAROL, CHANNEL_ID, GUILD_ID, OTHER_BOT
from sqlalchemy import select

from adapters.discord import strings
from bot import cards
from bot.actions import ActionId
from bot.commands import USAGE
from bot.domain import CardKind, MemberRef, Platform, RoundKind, RoundStatus, Visibility
from bot.events import ActionClicked, Actor
from bot.ports import ChannelUnreachable
from storage.tables import MemberRow, VoteRow


async def _ask_and_post(bot: DiscordBot, who: dict[str, Any] = BOB) -> tuple[dict[str, Any], int]:
    """`/practice question technical`, then 'Post to channel': returns the round message and its thread id."""
    asked = await bot.command("question", {"category": "technical"}, who=who)
    ephemeral = bot.fake.messages[CHANNEL_ID][-1]
    posted = len(bot.fake.find_calls("POST", f"/channels/{CHANNEL_ID}/messages"))
    click = await bot.click(ephemeral, "practice:post_to_channel:1", who=who)
    assert asked.body["type"] == 4 and click.body["type"] == 5  # answered, then deferred
    round_ = await bot.until(lambda: bot.round().message_id and bot.round())
    sent = bot.fake.find_calls("POST", f"/channels/{CHANNEL_ID}/messages")
    assert len(sent) == posted + 1
    message = next(m for m in bot.fake.messages[CHANNEL_ID] if m["id"] == round_.message_id)
    return message, int(round_.message_id)


async def test_login_ready_intents_and_guild_command_sync(make_bot: MakeBot) -> None:
    bot = await make_bot()
    assert bot.adapter.client.is_ready()
    assert [g.id for g in bot.adapter.client.guilds] == [GUILD_ID]

    intents = discord.Intents._from_value(bot.fake.identify["intents"])  # what the gateway was asked for
    assert intents.guilds and intents.guild_messages and intents.guild_reactions and intents.message_content
    assert not intents.members and not intents.presences

    [sync] = bot.fake.find_calls("PUT", f"/applications/{APP_ID}/guilds/{GUILD_ID}/commands")
    [group] = sync.body
    assert group["name"] == "practice" and group["contexts"] == [0]  # servers only
    assert group["dm_permission"] is False and group["integration_types"] == [0]
    subcommands = {o["name"]: o for o in group["options"]}
    assert set(subcommands) == set(USAGE)  # every command of the core's grammar
    category = next(o for o in subcommands["question"]["options"] if o["name"] == "category")
    assert {"name": "problem solving", "value": "problem-solving"} in category["choices"]
    period = subcommands["leaderboard"]["options"][0]
    assert [c["value"] for c in period["choices"]] == ["week", "month", "all"]
    assert subcommands["schedule"]["options"][0]["autocomplete"] is True


async def test_question_command_answers_ephemerally_with_buttons(make_bot: MakeBot) -> None:
    bot = await make_bot()
    call = await bot.command("question", {"category": "technical", "difficulty": "easy"}, who=BOB)
    assert call.body["type"] == 4  # answered in the callback itself, no defer needed
    assert call.body["data"]["flags"] & EPHEMERAL
    assert "How does a canary release of a model work?" in embeds_text(call.body)
    assert custom_ids(call.body) == [
        "practice:post_to_channel:1",
        "practice:answer_privately:1",
        "practice:reveal:1",
    ]
    assert bot.round().visibility is Visibility.PRIVATE
    assert bot.fake.find_calls("POST", f"/channels/{CHANNEL_ID}/messages") == []  # nothing public yet


async def test_post_to_channel_sends_the_round_and_opens_its_thread(make_bot: MakeBot) -> None:
    bot = await make_bot()
    message, thread_id = await _ask_and_post(bot)
    assert "How does a canary release" in embeds_text(message)
    assert custom_ids(message) == ["practice:answer_privately:1"]  # the Answer button, no intent needed
    [thread] = bot.fake.find_calls("POST", f"/channels/{CHANNEL_ID}/messages/{thread_id}/threads")
    assert thread.body["name"] == "Technical · easy · answers"
    assert bot.round().status is RoundStatus.OPEN and bot.round().visibility is Visibility.PUBLIC
    [click] = [c for c in bot.fake.calls if c.path.endswith("/callback")][1:]
    [done] = await bot.followups(click)
    assert "Posted to the channel" in embeds_text(done.body)


async def test_thread_replies_are_answers_edits_update_deletions_withdraw(make_bot: MakeBot) -> None:
    bot = await make_bot()
    _, thread_id = await _ask_and_post(bot)
    await bot.say_in_thread(thread_id, OTHER_BOT, "I am a bot and must be ignored.")  # handled first
    reply = await bot.say_in_thread(thread_id, CAROL, "A small percentage of traffic first.")
    await bot.until(lambda: bot.answers() == {"Carol": "A small percentage of traffic first."})

    edited = {
        **reply,
        "content": "A small percentage first, then rollback.",
        "edited_timestamp": reply["timestamp"],
    }
    await bot.fake.dispatch("MESSAGE_UPDATE", edited)
    await bot.until(lambda: bot.answers() == {"Carol": "A small percentage first, then rollback."})

    await bot.fake.dispatch(
        "MESSAGE_DELETE", {"id": reply["id"], "channel_id": str(thread_id), "guild_id": str(GUILD_ID)}
    )
    await bot.until(lambda: bot.answers() == {})


async def test_a_deleted_reply_not_in_the_cache_is_withdrawn_by_id(make_bot: MakeBot) -> None:
    bot = await make_bot(client_options={"max_messages": None})  # discord.py keeps no message cache
    _, thread_id = await _ask_and_post(bot)
    reply = await bot.say_in_thread(thread_id, CAROL, "canary then rollback")
    await bot.until(lambda: "Carol" in bot.answers())
    await bot.fake.dispatch(
        "MESSAGE_DELETE", {"id": reply["id"], "channel_id": str(thread_id), "guild_id": str(GUILD_ID)}
    )
    await bot.until(lambda: bot.answers() == {})


async def test_answer_button_opens_a_modal_and_its_submission_is_recorded(make_bot: MakeBot) -> None:
    bot = await make_bot(discord_message_content=False)  # no privileged intent: the button still works
    message, _ = await _ask_and_post(bot)
    assert strings.ANSWER_BY_BUTTON.format(label="Answer") in embeds_text(message)

    opened = await bot.click(message, "practice:answer_privately:1", who=CAROL)
    assert opened.body["type"] == 9  # a modal
    modal = opened.body["data"]
    assert modal["title"] == strings.ANSWER_MODAL_TITLE

    saved = await bot.submit_modal(modal, "Canary: small percentage, compare metrics, rollback.", who=CAROL)
    assert saved.body["type"] == 4 and saved.body["data"]["flags"] & EPHEMERAL
    assert "Your answer is saved (52 chars)" in embeds_text(saved.body)
    assert bot.answers() == {"Carol": "Canary: small percentage, compare metrics, rollback."}

    again = await bot.click(message, "practice:answer_privately:1", who=CAROL)
    replaced = await bot.submit_modal(again.body["data"], "Shadow first, then canary.", who=CAROL)
    assert "updated" in embeds_text(replaced.body)
    assert bot.answers() == {"Carol": "Shadow first, then canary."}  # replaced, not appended


async def test_private_answer_and_reveal_buttons_on_an_ephemeral_question(make_bot: MakeBot) -> None:
    bot = await make_bot()
    await bot.command("question", {"category": "technical"}, who=BOB)
    ephemeral = bot.fake.messages[CHANNEL_ID][-1]
    opened = await bot.click(ephemeral, "practice:answer_privately:1", who=BOB)
    await bot.submit_modal(opened.body["data"], "canary with a small percentage and rollback", who=BOB)

    revealed = await bot.click(ephemeral, "practice:reveal:1", who=BOB)
    assert revealed.body["type"] == 5 and revealed.body["data"]["flags"] & EPHEMERAL
    reveal, feedback = await bot.followups(revealed, count=2)
    assert "Model answer" in embeds_text(reveal.body) and "Bob: 2/3 key points" in embeds_text(reveal.body)
    assert "Your feedback" in embeds_text(feedback.body)
    assert reveal.body["flags"] & EPHEMERAL and feedback.body["flags"] & EPHEMERAL


async def test_a_thumbs_up_on_an_answer_is_a_vote_once_never_ones_own(make_bot: MakeBot) -> None:
    bot = await make_bot()
    _, thread_id = await _ask_and_post(bot)
    reply = await bot.say_in_thread(thread_id, CAROL, "canary and rollback")
    await bot.until(lambda: "Carol" in bot.answers())

    def reaction(who: dict[str, Any], emoji: str = "👍", *, add: bool = True) -> dict[str, Any]:
        data = {
            "user_id": who["id"],
            "channel_id": str(thread_id),
            "message_id": reply["id"],
            "guild_id": str(GUILD_ID),
            "emoji": {"id": None, "name": emoji},
            "burst": False,
            "type": 0,
        }
        if add:
            data["member"] = {**_member(who)}
        return data

    def voters() -> set[str]:
        with bot.engine.uow() as store:
            rows = store.session.execute(
                select(MemberRow.user_id).join(VoteRow, VoteRow.voter_id == MemberRow.id)
            )
            return set(rows.scalars())

    # Events are handled in order: once Bob's vote is in, the two before it were handled (and refused).
    await bot.fake.dispatch("MESSAGE_REACTION_ADD", reaction(CAROL))  # her own answer: no vote
    await bot.fake.dispatch("MESSAGE_REACTION_ADD", reaction(ALICE, "🎉"))  # not the vote emoji
    await bot.fake.dispatch("MESSAGE_REACTION_ADD", reaction(BOB))
    await bot.until(lambda: voters() == {BOB["id"]})
    await bot.fake.dispatch("MESSAGE_REACTION_ADD", reaction(ALICE, "👍🏽"))
    await bot.until(lambda: voters() == {BOB["id"], ALICE["id"]})
    await bot.fake.dispatch("MESSAGE_REACTION_REMOVE", reaction(BOB, add=False))
    await bot.until(lambda: voters() == {ALICE["id"]})
    with bot.engine.uow() as store:
        assert sum(store.vote_counts(1).values()) == 1


def _member(who: dict[str, Any]) -> dict[str, Any]:
    from fake_discord import member_payload

    return member_payload(who)


async def test_reveal_is_posted_in_the_thread_and_feedback_goes_privately(make_bot: MakeBot) -> None:
    bot = await make_bot()
    _, thread_id = await _ask_and_post(bot)
    await bot.say_in_thread(
        thread_id, CAROL, "Canary: small percentage of traffic, compare metrics, rollback."
    )
    await bot.until(lambda: "Carol" in bot.answers())

    call = await bot.command("reveal", who=BOB)  # Bob asked for this question, so he may reveal it
    assert call.body["type"] == 5  # deferred: the reveal reads the thread back and posts
    posted = await bot.fake.wait_for_call("POST", f"/channels/{thread_id}/messages")
    text = embeds_text(posted.body)
    assert "Model answer" in text and "Pitfalls" in text and "Follow-ups" in text
    assert "Carol: 3/3 key points" in text
    assert bot.fake.find_calls("GET", f"/channels/{thread_id}/messages")  # read back before scoring
    await bot.until(lambda: bot.round().status is RoundStatus.REVEALED)

    dm = await bot.fake.wait_for_call("POST", "/users/@me/channels")
    assert str(dm.body["recipient_id"]) == CAROL["id"]
    [dm_channel] = [c for c, data in bot.fake.channels.items() if data.get("type") == 1]
    feedback = await bot.fake.wait_for_call("POST", f"/channels/{dm_channel}/messages")
    assert "Your feedback: 100% of key points" in embeds_text(feedback.body)
    [done] = await bot.followups(call)
    assert strings.DONE in embeds_text(done.body)


async def test_forbidden_thread_creation_keeps_the_round_answerable_by_button(make_bot: MakeBot) -> None:
    bot = await make_bot()
    bot.fake.forbid_threads = True
    message, thread_id = await _ask_and_post(bot)
    assert custom_ids(message) == ["practice:answer_privately:1"]
    [click] = [c for c in bot.fake.calls if c.path.endswith("/callback")][1:]
    told, posted = await bot.followups(click, count=2)
    assert "missing the Create Public Threads permission" in embeds_text(told.body)  # to whoever clicked
    assert "Posted to the channel" in embeds_text(posted.body)

    opened = await bot.click(message, "practice:answer_privately:1", who=CAROL)
    await bot.submit_modal(opened.body["data"], "small percentage and rollback", who=CAROL)
    assert "Carol" in bot.answers()

    revealing = await bot.command("reveal", who=BOB)
    # No thread: the reveal answers the round message in the channel instead.
    reveal = await bot.fake.wait_for(
        lambda: [
            c
            for c in bot.fake.find_calls("POST", f"/channels/{CHANNEL_ID}/messages")
            if "Model answer" in embeds_text(c.body)
        ]
    )
    assert str(reveal[0].body["message_reference"]["message_id"]) == str(thread_id)
    [done] = await bot.followups(revealing)
    assert strings.DONE in embeds_text(done.body)


async def test_forbidden_thread_on_a_scheduled_round_is_explained_in_the_channel(make_bot: MakeBot) -> None:
    bot = await make_bot()
    bot.fake.forbid_threads = True
    [reply] = await bot.engine.ask(CHANNEL, visibility=Visibility.PRIVATE)
    await bot.adapter.chat.post_round(CHANNEL, reply.card)  # what the scheduler does, outside any interaction
    notice = bot.fake.find_calls("POST", f"/channels/{CHANNEL_ID}/messages")[-1]
    assert "missing the Create Public Threads permission" in notice.body["content"]
    assert notice.body["allowed_mentions"] == {"parse": [], "replied_user": False}


async def test_deliveries_are_paced_under_discords_global_rate_limit(make_bot: MakeBot) -> None:
    bot = await make_bot(discord_requests_per_second=20)
    [reply] = await bot.engine.ask(CHANNEL, visibility=Visibility.PRIVATE)
    before = len(bot.fake.calls)
    for _ in range(15):  # a scheduler fan-out: a message and a thread per round, 30 REST calls
        await bot.adapter.chat.post_round(CHANNEL, reply.card)
    calls = [c for c in bot.fake.calls[before:] if c.method == "POST"]
    assert len(calls) == 30
    # A burst of 20, then one call every 50 ms: never the whole fan-out at once.
    assert calls[-1].at - calls[0].at >= 0.4
    assert all(sum(1 for c in calls if c.at - first.at < 1.0) <= 40 for first in calls)


async def test_config_needs_manage_server_manage_channels_or_the_admin_role(make_bot: MakeBot) -> None:
    bot = await make_bot()
    refused = await bot.command("config", {"settings": "categories technical"}, who=BOB)
    assert "Only channel admins" in embeds_text(refused.body)
    assert (await bot.engine.channel_settings(CHANNEL)).categories == ()

    by_role = await bot.command(
        "config", {"settings": "categories technical"}, who=CAROL, roles=(ADMIN_ROLE_ID,)
    )
    assert "Categories: technical" in embeds_text(by_role.body)
    by_permission = await bot.command(
        "schedule", {"settings": "set 09:30 Europe/Berlin mon-fri"}, permissions=MANAGE_GUILD
    )
    assert "09:30 Europe/Berlin" in embeds_text(by_permission.body)

    bad = await bot.command("schedule", {"settings": "set 25:99"}, permissions=MANAGE_GUILD)
    assert "That command did not work" in embeds_text(bad.body) and "not a time" in embeds_text(bad.body)


async def test_typed_options_become_the_core_grammar(make_bot: MakeBot) -> None:
    bot = await make_bot()
    board = await bot.command("leaderboard", {"period": "all", "scope": "server"})
    assert "Leaderboard · workspace · all time" in embeds_text(board.body)
    help_ = await bot.command("help", {"command": "schedule"})
    assert "/practice schedule show" in embeds_text(help_.body)
    topics = await bot.command("topics")
    assert "Topics (" in embeds_text(topics.body)
    stats = await bot.command("stats", {"member": BOB["id"]})
    assert "I don't know anyone" in embeds_text(stats.body)  # Bob has not played yet


async def test_an_unexpected_error_becomes_a_short_apology(make_bot: MakeBot, monkeypatch: Any) -> None:
    bot = await make_bot()

    async def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(bot.engine, "handle_command", broken)
    call = await bot.command("topics")
    assert call.body["data"]["content"] == strings.APOLOGY and call.body["data"]["flags"] & EPHEMERAL


async def test_chat_delivers_over_rest_alone_without_the_gateway(make_bot: MakeBot) -> None:
    """`practicebot tick` builds the adapter but never starts it: the chat port logs in over REST."""
    bot = await make_bot(start=False)
    [reply] = await bot.engine.ask(CHANNEL, visibility=Visibility.PRIVATE)
    message_id = await bot.adapter.chat.post_round(CHANNEL, reply.card)
    assert bot.fake.identify is None  # never connected to the gateway
    assert bot.fake.find_calls("GET", "/users/@me")
    assert bot.fake.find_calls("POST", f"/channels/{CHANNEL_ID}/messages/{message_id}/threads")


async def test_a_deleted_channel_is_marked_inactive(make_bot: MakeBot) -> None:
    bot = await make_bot()
    await bot.command("schedule", {"settings": "set 09:00"}, permissions=MANAGE_GUILD)
    del bot.fake.channels[CHANNEL_ID]
    [reply] = await bot.engine.ask(CHANNEL, visibility=Visibility.PRIVATE)
    assert reply.card.round_id is not None
    post = ActionClicked(
        ActionId.POST_TO_CHANNEL,
        reply.card.round_id,
        Actor(
            MemberRef(platform=Platform.DISCORD, workspace_id=str(GUILD_ID), user_id=str(ALICE["id"])), True
        ),
        CHANNEL,
    )
    with pytest.raises(ChannelUnreachable):  # the real DiscordChat got 404 Unknown Channel
        await bot.engine.dispatch(post)
    assert (await bot.engine.channel_settings(CHANNEL)).active is False


async def test_a_round_message_sent_before_a_crash_is_found_not_sent_again(make_bot: MakeBot) -> None:
    bot = await make_bot(start=False)
    [reply] = await bot.engine.ask(CHANNEL, visibility=Visibility.PRIVATE)
    question = bot.engine.questions.get(bot.round().question_id)
    assert question is not None
    card = cards.question_card(
        bot.round(), question, private=False, answer_button=True
    )  # a daily round's card
    since = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)
    message_id = await bot.adapter.chat.post_round(CHANNEL, card)

    assert await bot.adapter.chat.find_posted(CHANNEL, card, since) == message_id
    other = card.model_copy(update={"round_id": 2})
    assert await bot.adapter.chat.find_posted(CHANNEL, other, since) is None
    later = dt.datetime.now(dt.UTC) + dt.timedelta(minutes=1)
    assert await bot.adapter.chat.find_posted(CHANNEL, card, later) is None
    assert (
        await bot.adapter.chat.find_posted(
            CHANNEL, reply.card.model_copy(update={"kind": CardKind.REVEAL}), since
        )
        is None
    )


async def test_an_answer_form_sent_after_a_restart_still_arrives(make_bot: MakeBot) -> None:
    """The form was opened by an earlier process (or long ago): discord.py no longer knows the modal."""
    bot = await make_bot(discord_message_content=False)
    await _ask_and_post(bot)
    form = {
        "custom_id": "practice:answer_modal:1:0123456789ab",
        "components": [{"type": 1, "components": [{"custom_id": "answer-input"}]}],
    }
    saved = await bot.submit_modal(form, "compare metrics, then rollback", who=CAROL)
    assert "Your answer is saved" in embeds_text(saved.body)
    assert bot.answers() == {"Carol": "compare metrics, then rollback"}


async def test_the_leaderboard_comes_with_its_chart_attached(make_bot: MakeBot) -> None:
    bot = await make_bot()
    bob = MemberRef(platform=Platform.DISCORD, workspace_id=str(GUILD_ID), user_id=BOB["id"])
    with bot.engine.uow() as store:
        round_ = store.create_round(
            CHANNEL,
            question_id="mini-canary",
            category="technical",
            kind=RoundKind.ON_DEMAND,
            visibility=Visibility.PUBLIC,
            now=bot.engine.clock.now(),
        )
        store.award(round_, bob, "answered", 2, bot.engine.clock.now())
    board = await bot.command("leaderboard", {"period": "week"})
    assert board.body["_files"][0]["filename"] == "leaderboard.png" and board.body["_files"][0]["size"] > 1000
    embed = board.body["data"]["embeds"][-1]
    assert embed["image"]["url"] == "attachment://leaderboard.png"
    assert "2 pts" in embeds_text(board.body)


async def test_a_server_that_removed_the_bot_gets_no_posts_until_a_command_there(make_bot: MakeBot) -> None:
    bot = await make_bot()
    await bot.command("schedule", {"settings": "set 09:00"}, permissions=MANAGE_GUILD)
    assert (await bot.engine.channel_settings(CHANNEL)).active is True
    await bot.fake.dispatch("GUILD_DELETE", {"id": str(GUILD_ID)})  # kicked (no "unavailable": removed)

    async def inactive() -> bool:
        return not (await bot.engine.channel_settings(CHANNEL)).active

    for _ in range(100):
        if await inactive():
            break
        await asyncio.sleep(0.02)
    assert await inactive()
