"""Discord objects and raw gateway payloads to the core's values: pure functions, no network."""

from __future__ import annotations

from typing import Any

import discord
from fake_discord import BOB, CAROL, GUILD_ID, OTHER_BOT, FakeDiscord

from adapters.discord import translate
from bot.domain import Platform

THREAD = translate.thread_ref(GUILD_ID, 700, 900)


def test_refs_use_the_guild_as_workspace_and_the_nickname_first() -> None:
    channel = translate.channel_ref(GUILD_ID, 700, "mlops-study")
    assert (channel.platform, channel.workspace_id, channel.channel_id) == (
        Platform.DISCORD,
        str(GUILD_ID),
        "700",
    )
    assert translate.member_from_payload(CAROL, GUILD_ID, {"nick": "Caz"}).display_name == "Caz"
    assert translate.member_from_payload(CAROL, GUILD_ID).display_name == "Carol"  # global name
    assert translate.member_from_payload({"id": "5", "username": "dee"}, GUILD_ID).display_name == "dee"
    assert THREAD.channel.channel_id == "700" and THREAD.message_id == "900"


def _edit(**changes: Any) -> dict[str, Any]:
    data = FakeDiscord().message_payload(900, BOB, "new text", message_id=123)
    data["edited_timestamp"] = "2026-11-25T10:05:00+00:00"
    return data | changes


def test_an_edit_is_a_new_version_of_the_same_message_with_its_own_event_id() -> None:
    answer = translate.answer_from_edit(_edit(), THREAD)
    assert answer is not None
    assert (answer.text, answer.message_id, answer.thread) == ("new text", "123", THREAD)
    assert answer.event_id == "edit:123:2026-11-25T10:05:00+00:00"
    assert answer.member.user_id == BOB["id"]


def test_updates_that_are_not_author_edits_are_ignored() -> None:
    assert translate.answer_from_edit(_edit(edited_timestamp=None), THREAD) is None  # an embed unfurl
    assert translate.answer_from_edit(_edit(author=OTHER_BOT), THREAD) is None
    without_content = _edit()
    del without_content["content"]
    assert translate.answer_from_edit(without_content, THREAD) is None
    assert translate.answer_from_edit(_edit(type=7), THREAD) is None  # a system message


def test_a_modal_answer_replaces_the_members_earlier_modal_answer() -> None:
    user = discord.Object(id=int(BOB["id"]))
    user.display_name = "Bob"  # type: ignore[attr-defined]
    first = translate.modal_answer(user, GUILD_ID, 4, "one", 111)  # type: ignore[arg-type]
    second = translate.modal_answer(user, GUILD_ID, 4, "two", 222)  # type: ignore[arg-type]
    assert first.round_id == 4 and first.thread is None
    assert first.message_id == second.message_id == f"modal:4:{BOB['id']}"
    assert (first.event_id, second.event_id) == ("interaction:111", "interaction:222")


def _reaction(emoji: str, user_id: int, *, add: bool = True, emoji_id: int | None = None) -> Any:
    data = {
        "user_id": str(user_id),
        "channel_id": "900",
        "message_id": "123",
        "guild_id": str(GUILD_ID),
        "emoji": {"id": emoji_id, "name": emoji},
        "burst": False,
        "type": 0,
    }
    partial = discord.PartialEmoji(name=emoji, id=emoji_id)
    return discord.RawReactionActionEvent(data, partial, "REACTION_ADD" if add else "REACTION_REMOVE")


def test_only_a_thumbs_up_from_someone_else_than_the_bot_is_a_vote() -> None:
    vote = translate.vote(_reaction("👍", 5), bot_user_id=1)
    assert vote is not None and vote.add and vote.message_id == "123" and vote.channel_id == 900
    assert vote.voter.user_id == "5"
    removed = translate.vote(_reaction("👍🏿", 5, add=False), bot_user_id=1)
    assert removed is not None and not removed.add
    assert translate.vote(_reaction("🎉", 5), bot_user_id=1) is None
    assert translate.vote(_reaction("thumbsup", 5, emoji_id=77), bot_user_id=1) is None  # a custom emoji
    assert translate.vote(_reaction("👍", 1), bot_user_id=1) is None  # the bot itself


def test_thread_parents_from_objects_and_raw_channels() -> None:
    assert translate.thread_parent({"type": 11, "parent_id": "700"}) == 700
    assert translate.thread_parent({"type": 0, "parent_id": "5"}) is None  # a text channel in a category
    assert translate.thread_parent(None) is None


def test_app_command_options_become_one_grammar_line() -> None:
    assert translate.command_line("question", "technical", None) == "question technical"
    assert translate.command_line("schedule", " set 09:30 Europe/Berlin mon-fri ") == (
        "schedule set 09:30 Europe/Berlin mon-fri"
    )
    assert translate.command_line("stats", 42) == "stats 42"
    assert translate.command_line("config", "") == "config"


def test_answer_form_submissions_in_row_and_label_layouts() -> None:
    rows = {
        "custom_id": "practice:answer_modal:12:abc",
        "components": [{"type": 1, "components": [{"type": 4, "custom_id": "x", "value": "rows"}]}],
    }
    label = {
        "custom_id": "practice:answer_modal:12:abc",
        "components": [{"type": 18, "component": {"type": 4, "custom_id": "x", "value": "label"}}],
    }
    assert translate.modal_submission(rows) == (12, "rows")
    assert translate.modal_submission(label) == (12, "label")
    assert translate.modal_submission({"custom_id": "someone-elses-modal", "components": []}) is None
    assert translate.modal_submission(None) is None
