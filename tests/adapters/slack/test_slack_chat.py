"""SlackChat (the engine's ChatPort) with the real AsyncWebClient against the fake Web API."""

from __future__ import annotations

import asyncio
import datetime as dt
import itertools

import pytest
from slack_testkit import *  # noqa: F403  (fixtures and helpers)
from slack_testkit import BOT_USER, CHANNEL_ID, TEAM, TOKEN, FakeSlack, load_fixture

from adapters.slack.chat import ChannelUnavailable, SlackChat, make_client
from adapters.slack.translate import channel_ref, member_ref
from bot.domain import Card, CardKind, Section, ThreadRef
from bot.ports import ChannelUnreachable

CHANNEL = channel_ref(TEAM, CHANNEL_ID)
CARD = Card(kind=CardKind.NOTICE, title="Hello", sections=(Section(body="world"),))


def chat_for(settings, interval: float = 0.0) -> SlackChat:
    return SlackChat(make_client(settings), min_interval=interval)


async def test_post_round_returns_the_message_ts_and_sends_blocks_with_a_text_fallback(
    slack_settings, fake_slack: FakeSlack
):
    chat = chat_for(slack_settings)
    ts = await chat.post_round(CHANNEL, CARD)
    (call,) = fake_slack.calls_to("chat.postMessage")
    assert ts == "1764064800.000001"
    assert call.args["channel"] == CHANNEL_ID and call.args["text"].startswith("Hello")
    assert [b["type"] for b in call.args["blocks"]] == ["header", "section"]
    assert call.args["_authorization"] == f"Bearer {TOKEN}"


async def test_calls_share_one_connection_until_close(slack_settings, fake_slack: FakeSlack):
    chat = chat_for(slack_settings)
    for i in range(5):
        await chat.post_round(channel_ref(TEAM, f"C{i}"), CARD)
    await chat.fetch_replies(ThreadRef(channel=CHANNEL, message_id="1764064800.000001"))
    connections = {c.connection for c in fake_slack.calls}
    assert len(fake_slack.calls) >= 6 and len(connections) == 1  # slack_sdk alone opens one per call
    session = chat.client.session
    await chat.close()
    assert session is not None and session.closed and chat.client.session is None


async def test_a_card_too_long_for_one_message_continues_in_the_rounds_thread(slack_settings, fake_slack):
    chat = chat_for(slack_settings)
    long = Card(kind=CardKind.QUESTION, title="Q", sections=tuple(Section(body=f"s{i}") for i in range(70)))
    ts = await chat.post_round(CHANNEL, long)
    first, second = fake_slack.calls_to("chat.postMessage")
    assert "thread_ts" not in first.args and second.args["thread_ts"] == ts


async def test_post_in_thread_and_send_private(slack_settings, fake_slack):
    chat = chat_for(slack_settings)
    thread = ThreadRef(channel=CHANNEL, message_id="1764064800.000009")
    await chat.post_in_thread(thread, CARD)
    await chat.send_private(CHANNEL, member_ref(TEAM, "U0PRIYA"), CARD)
    (post,) = fake_slack.calls_to("chat.postMessage")
    (ephemeral,) = fake_slack.calls_to("chat.postEphemeral")
    assert post.args["thread_ts"] == "1764064800.000009"
    assert (ephemeral.args["channel"], ephemeral.args["user"]) == (CHANNEL_ID, "U0PRIYA")


async def test_fetch_replies_reads_every_page_and_keeps_only_peoples_replies(slack_settings, fake_slack):
    thread_ts = "1764064800.000001"
    page = load_fixture("conversations_replies.json", thread_ts=thread_ts)
    fake_slack.thread_messages[thread_ts] = page["messages"]  # six messages, two per page
    chat = chat_for(slack_settings)
    replies = await chat.fetch_replies(ThreadRef(channel=CHANNEL, message_id=thread_ts))
    assert [(r.member.user_id, r.message_id) for r in replies] == [
        ("U0SAM", "1764064900.000101"),
        ("U0PRIYA", "1764064903.000104"),
    ]
    calls = fake_slack.calls_to("conversations.replies")
    assert [c.args.get("cursor") for c in calls] == [None, "2", "4"]
    assert all(c.args["channel"] == CHANNEL_ID and c.args["ts"] == thread_ts for c in calls)
    assert await chat.bot_user_id() == BOT_USER and len(fake_slack.calls_to("auth.test")) == 1


async def test_posts_to_one_channel_are_paced_other_channels_are_not_held_up(slack_settings, fake_slack):
    chat = chat_for(slack_settings, interval=0.2)
    other = channel_ref(TEAM, "C0OTHER")
    await asyncio.gather(
        chat.post_round(CHANNEL, CARD),
        chat.post_round(CHANNEL, CARD),
        chat.post_round(CHANNEL, CARD),
        chat.post_round(other, CARD),
    )
    same = [c.at for c in fake_slack.calls_to("chat.postMessage") if c.args["channel"] == CHANNEL_ID]
    elsewhere = [c.at for c in fake_slack.calls_to("chat.postMessage") if c.args["channel"] == "C0OTHER"]
    gaps = [b - a for a, b in itertools.pairwise(same)]
    assert len(same) == 3 and all(gap >= 0.19 for gap in gaps), gaps
    assert elsewhere[0] - same[0] < 0.15  # the other channel went out at once


async def test_a_channel_the_bot_was_removed_from_raises_channel_unavailable(slack_settings, fake_slack):
    fake_slack.errors["chat.postMessage"] = "channel_not_found"
    with pytest.raises(ChannelUnavailable) as raised:
        await chat_for(slack_settings).post_round(CHANNEL, CARD)
    assert (raised.value.channel_id, raised.value.reason) == (CHANNEL_ID, "channel_not_found")


async def test_a_429_on_reading_a_thread_is_retried(slack_settings, fake_slack):
    fake_slack.rate_limit_once.add("conversations.replies")
    replies = await chat_for(slack_settings).fetch_replies(ThreadRef(channel=CHANNEL, message_id="1.1"))
    assert replies == [] and len(fake_slack.calls_to("conversations.replies")) == 2


async def test_a_channel_the_bot_cannot_reach_is_reported_gone(slack_settings, fake_slack):
    """The core marks a channel inactive when its port says the channel is gone (bot/core.py)."""
    chat = chat_for(slack_settings)
    fake_slack.errors["chat.postMessage"] = "not_in_channel"  # removed: inactive until schedule resume
    with pytest.raises(ChannelUnreachable) as removed:
        await chat.post_round(CHANNEL, CARD)
    assert removed.value.gone is True
    fake_slack.errors["chat.postMessage"] = "is_archived"
    with pytest.raises(ChannelUnreachable) as archived:
        await chat.post_in_thread(ThreadRef(channel=CHANNEL, message_id="1.1"), CARD)
    assert archived.value.gone is True
    fake_slack.errors["chat.postMessage"] = "restricted_action"  # a setting an admin can change back
    with pytest.raises(ChannelUnreachable) as restricted:
        await chat.post_round(CHANNEL, CARD)
    assert restricted.value.gone is False


async def test_one_unreachable_person_does_not_stop_private_messages(slack_settings, fake_slack):
    chat = chat_for(slack_settings)
    fake_slack.errors["chat.postEphemeral"] = "user_not_in_channel"
    await chat.send_private(CHANNEL, member_ref(TEAM, "U0GONE"), CARD)  # logged, not raised
    assert len(fake_slack.calls_to("chat.postEphemeral")) == 1


async def test_a_posted_card_is_found_again_by_its_metadata(slack_settings, fake_slack):
    chat = chat_for(slack_settings)
    question = Card(kind=CardKind.QUESTION, title="Q", sections=(Section(body="?"),), round_id=7)
    since = dt.datetime.fromtimestamp(1764064800, dt.UTC)
    assert await chat.find_posted(CHANNEL, question, since) is None
    await chat.post_round(CHANNEL, CARD)  # another message in between
    ts = await chat.post_round(CHANNEL, question)
    (posted,) = [c for c in fake_slack.calls_to("chat.postMessage") if c.args.get("metadata")]
    assert posted.args["metadata"] == {
        "event_type": "practicebot_card",
        "event_payload": {"round": 7, "kind": "question"},
    }

    assert await chat.find_posted(CHANNEL, question, since) == ts
    other_round = question.model_copy(update={"round_id": 8})
    reveal = question.model_copy(update={"kind": CardKind.REVEAL})
    assert await chat.find_posted(CHANNEL, other_round, since) is None
    assert await chat.find_posted(CHANNEL, reveal, since) is None
    later = dt.datetime.fromtimestamp(1764064900, dt.UTC)
    assert await chat.find_posted(CHANNEL, question, later) is None
