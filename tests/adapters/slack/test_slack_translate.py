"""Slack payloads (captured-style fixtures) -> the core's values. Pure functions, no server."""

from __future__ import annotations

import datetime as dt

import pytest
from slack_testkit import load_fixture

from adapters.slack import translate
from bot.domain import ChannelRef, IncomingAnswer, MemberRef, Platform, ThreadRef
from bot.events import AnswerDeleted, AnswerPosted

TEAM, CHANNEL_ID, THREAD = "T0PRACTICE", "C0PRACTICE", "1764064800.000001"
CHANNEL = ChannelRef(platform=Platform.SLACK, workspace_id=TEAM, channel_id=CHANNEL_ID)


def priya() -> MemberRef:
    return MemberRef(platform=Platform.SLACK, workspace_id=TEAM, user_id="U0PRIYA", display_name="<@U0PRIYA>")


def reply(fixture: str = "event_thread_reply.json", **values) -> dict:
    defaults = {"event_id": "Ev01", "ts": "1764064900.000200", "thread_ts": THREAD, "user": "U0PRIYA"}
    return load_fixture(fixture, **(defaults | {"text": "canary first"} | values))


def test_slash_command_gives_channel_member_text_and_reply_route():
    body = load_fixture("slash_command.json", response_url="https://hooks.slack.com/commands/T/1/x")
    body["text"] = "stats <@U0PRIYA|priya>"
    request = translate.slash_command(body)
    assert request is not None
    assert request.channel == ChannelRef(
        platform=Platform.SLACK, workspace_id=TEAM, channel_id=CHANNEL_ID, name="mlops-study"
    )
    assert request.member.user_id == "U0SAM" and request.member.label == "<@U0SAM>"
    assert request.text == "stats <@U0PRIYA>"  # an escaped mention as the core resolves it
    assert request.response_url == "https://hooks.slack.com/commands/T/1/x"


def test_a_command_without_user_or_channel_is_not_a_command():
    body = load_fixture("slash_command.json")
    del body["user_id"]
    assert translate.slash_command(body) is None


def test_a_thread_reply_is_an_answer_with_its_ids():
    item = translate.message_event(reply(), bot_user_id="U0BOT")
    assert item == AnswerPosted(
        answer=IncomingAnswer(
            thread=ThreadRef(channel=CHANNEL, message_id=THREAD),
            member=priya(),
            text="canary first",
            message_id="1764064900.000200",
            event_id="Ev01",
            at=dt.datetime.fromtimestamp(1764064900.0002, dt.UTC),
        )
    )


def test_a_thread_broadcast_is_an_answer_too():
    item = translate.message_event(reply("event_thread_broadcast.json"), bot_user_id="U0BOT")
    assert isinstance(item, AnswerPosted) and item.answer.message_id == "1764064900.000200"


@pytest.mark.parametrize(
    "payload",
    [
        pytest.param(
            load_fixture("event_channel_message.json", ts="1764064960.1", event_id="E"), id="top-level"
        ),
        pytest.param(
            load_fixture("event_bot_reply.json", ts="1.2", thread_ts=THREAD, event_id="E"), id="bot"
        ),
        pytest.param(
            load_fixture(
                "event_thread_reply.json", ts="1.3", thread_ts=THREAD, user="U0BOT", text="x", event_id="E"
            ),
            id="the bot itself",
        ),
        pytest.param(
            load_fixture(
                "event_thread_reply.json", ts=THREAD, thread_ts=THREAD, user="U0SAM", text="x", event_id="E"
            ),
            id="the thread parent",
        ),
        pytest.param(
            load_fixture("event_reaction_added.json", user="U", reaction="+1", ts="1", item_user="U"),
            id="reaction",
        ),
    ],
)
def test_what_is_not_an_answer(payload):
    assert translate.message_event(payload, bot_user_id="U0BOT") is None


def test_other_message_subtypes_are_ignored():
    payload = reply()
    payload["event"]["subtype"] = "channel_join"
    assert translate.message_event(payload) is None


def test_an_edit_updates_the_original_message_and_a_deletion_names_it():
    edited = translate.message_event(reply("event_message_changed.json", text="shadow traffic first"))
    assert isinstance(edited, AnswerPosted) and edited.edited
    assert edited.answer.message_id == "1764064900.000200"  # the edited message, not the edit event
    assert edited.answer.text == "shadow traffic first"
    assert edited.answer.at == dt.datetime.fromtimestamp(1764065000, dt.UTC)  # when it was edited

    deleted = translate.message_event(reply("event_message_deleted.json"))
    assert deleted == AnswerDeleted(
        thread=ThreadRef(channel=CHANNEL, message_id=THREAD), member=priya(), message_id="1764064900.000200"
    )


def test_an_edit_of_the_thread_parent_is_not_an_answer():
    payload = reply("event_message_changed.json", ts=THREAD)
    assert translate.message_event(payload) is None


def test_reactions_are_votes_only_with_a_vote_emoji_on_a_message():
    added = load_fixture(
        "event_reaction_added.json", user="U0SAM", reaction="+1::skin-tone-4", ts="1.5", item_user="U0PRIYA"
    )
    vote = translate.reaction_event(added)
    assert vote is not None and vote.added and vote.message_id == "1.5" and vote.channel == CHANNEL
    assert vote.voter.user_id == "U0SAM"

    removed = load_fixture(
        "event_reaction_removed.json", user="U0SAM", reaction="thumbsup", ts="1.5", item_user="U"
    )
    assert translate.reaction_event(removed).added is False  # type: ignore[union-attr]

    other = load_fixture("event_reaction_added.json", user="U0SAM", reaction="tada", ts="1.5", item_user="U")
    assert translate.reaction_event(other) is None
    assert translate.reaction_event(other, reactions={"tada"}) is not None  # the vote emoji is configurable

    on_a_file = load_fixture(
        "event_reaction_added.json", user="U0SAM", reaction="+1", ts="1.5", item_user="U"
    )
    on_a_file["event"]["item"] = {"type": "file", "file": "F0001"}
    assert translate.reaction_event(on_a_file) is None


def test_a_button_press_carries_round_member_channel_and_trigger():
    body = load_fixture(
        "block_actions.json", action_id="answer_privately", round_id=12, response_url="https://r"
    )
    press = translate.block_action(body)
    assert press is not None
    assert (press.action_id, press.round_id, press.member.user_id) == ("answer_privately", 12, "U0SAM")
    assert press.channel is not None and press.channel.channel_id == CHANNEL_ID
    assert press.trigger_id and press.response_url == "https://r"

    body["actions"][0]["value"] = "not-a-number"
    assert translate.block_action(body).round_id is None  # type: ignore[union-attr]


def test_the_modal_submission_is_an_answer_to_the_round_in_its_metadata():
    body = load_fixture("view_submission.json", round_id=12, text="my private answer")
    submission = translate.view_submission(body, block_id="answer", input_id="answer_text")
    assert submission is not None
    assert submission.answer.round_id == 12 and submission.answer.thread is None
    assert submission.answer.member.user_id == "U0SAM" and submission.answer.text == "my private answer"
    assert submission.answer.message_id == "V0ANSWER1"
    assert submission.channel == CHANNEL

    body["view"]["private_metadata"] = "{broken"
    assert translate.view_submission(body, block_id="answer", input_id="answer_text") is None


def test_an_app_mention_in_the_channel_is_a_command_but_not_in_a_thread():
    body = load_fixture("event_app_mention.json", ts="1.1", text="question tech", event_id="E")
    request = translate.mention_command(body)
    assert request is not None and request.text == "question tech" and request.response_url is None
    body["event"]["thread_ts"] = THREAD
    assert translate.mention_command(body) is None


def test_conversations_replies_leave_out_the_parent_bots_the_bot_and_joins():
    page = load_fixture("conversations_replies.json", thread_ts=THREAD)
    thread = ThreadRef(channel=CHANNEL, message_id=THREAD)
    answers = translate.thread_replies(page["messages"], thread, bot_user_id="U0BOT")
    assert [(a.member.user_id, a.message_id) for a in answers] == [
        ("U0SAM", "1764064900.000101"),
        ("U0PRIYA", "1764064903.000104"),
    ]
    assert all(a.thread == thread and a.event_id is None for a in answers)


def test_odd_timestamps_become_none():
    assert translate.ts_to_datetime("not a ts") is None and translate.ts_to_datetime(None) is None
