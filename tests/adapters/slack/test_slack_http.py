"""The real Bolt app served on 127.0.0.1 receiving signed requests, its AsyncWebClient calling the fake
Slack Web API: what Slack sends in, which Web API calls come out."""

from __future__ import annotations

import json
import time
import urllib.parse
from typing import Any

from slack_testkit import *  # noqa: F403  (fixtures and helpers)
from slack_testkit import CHANNEL_ID, TEAM, SlackBot, load_fixture, sign

from adapters.slack import strings
from adapters.slack.translate import channel_ref
from bot.domain import RoundStatus, Visibility
from bot.engine import EngineConfig

CHANNEL = channel_ref(TEAM, CHANNEL_ID)


def blocks_text(args: dict[str, Any]) -> str:
    blocks = args.get("blocks") or []
    if isinstance(blocks, str):
        blocks = json.loads(blocks)
    return json.dumps(blocks) + "\n" + str(args.get("text", ""))


def buttons(args: dict[str, Any]) -> list[tuple[str, str]]:
    return [
        (element["action_id"], element.get("value", ""))
        for block in args.get("blocks") or []
        if block["type"] == "actions"
        for element in block["elements"]
    ]


async def ask_private(bot: SlackBot, text: str = "question technical") -> int:
    """`/practice question ...` -> the ephemeral question; returns the round id from its buttons."""
    before = len(bot.fake.calls_to("response_url"))
    status, _ = await bot.command(text)
    assert status == 200
    calls = await bot.fake.wait_for("response_url", before + 1)
    return int(buttons(calls[before].args)[0][1])


async def public_round(bot: SlackBot) -> tuple[int, str]:
    """A question posted to the channel with its button; returns (round id, thread ts)."""
    round_id = await ask_private(bot)
    before = len(bot.fake.calls_to("chat.postMessage"))
    status, _ = await bot.press("post_to_channel", round_id)
    assert status == 200
    await bot.fake.wait_for("chat.postMessage", before + 1)
    round_ = await wait_round(bot, round_id, lambda r: r.message_id is not None)
    return round_id, str(round_.message_id)


async def wait_round(bot: SlackBot, round_id: int, condition, timeout: float = 5.0):
    import asyncio

    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        with bot.engine.uow() as store:
            round_ = store.round(round_id)
        if round_ is not None and condition(round_):
            return round_
        assert asyncio.get_running_loop().time() < deadline, f"round {round_id} never got there: {round_}"
        await asyncio.sleep(0.01)


def answers(bot: SlackBot, round_id: int):
    with bot.engine.uow() as store:
        return store.answers(round_id)


def votes(bot: SlackBot, round_id: int) -> dict[int, int]:
    with bot.engine.uow() as store:
        return store.vote_counts(round_id)


# --- slash command ----------------------------------------------------------------------------------------


async def test_question_command_is_acked_and_answered_ephemerally_with_three_buttons(slack_bot: SlackBot):
    started = time.monotonic()
    status, body = await slack_bot.command("question technical")
    assert status == 200 and body == ""  # the bare ack
    assert time.monotonic() - started < 3

    (call,) = await slack_bot.fake.wait_for("response_url")
    assert call.args["response_type"] == "ephemeral"
    assert [action for action, _ in buttons(call.args)] == ["post_to_channel", "answer_privately", "reveal"]
    round_id = int(buttons(call.args)[0][1])
    assert {value for _, value in buttons(call.args)} == {str(round_id)}
    assert "canary" in blocks_text(call.args)  # the mini pack's only technical question
    assert slack_bot.fake.calls_to("chat.postMessage") == []  # nothing public yet
    with slack_bot.engine.uow() as store:
        round_ = store.round(round_id)
    assert round_ is not None and round_.visibility is Visibility.PRIVATE


async def test_unknown_subcommand_gets_the_usage_card(slack_bot: SlackBot):
    status, _ = await slack_bot.command("dance")
    assert status == 200
    (call,) = await slack_bot.fake.wait_for("response_url")
    text = blocks_text(call.args)
    assert "That command did not work" in text and "unknown command" in text and "dance" in text


async def test_admin_commands_need_a_workspace_admin_or_a_listed_admin(slack_bot: SlackBot):
    await slack_bot.command("schedule set 09:30 Europe/Berlin", user="U0SAM")
    (refusal,) = await slack_bot.fake.wait_for("response_url")
    assert "Only channel admins" in blocks_text(refusal.args)
    assert (await slack_bot.engine.channel_settings(CHANNEL)).schedule_enabled is False

    await slack_bot.command("schedule set 09:30 Europe/Berlin", user="U0ADMIN")  # admin per users.info
    await slack_bot.fake.wait_for("response_url", 2)
    settings = await slack_bot.engine.channel_settings(CHANNEL)
    assert (settings.schedule_enabled, settings.post_time, settings.timezone) == (
        True,
        "09:30",
        "Europe/Berlin",
    )

    await slack_bot.command("schedule set 10:15", user="U0LISTED")  # admin per PRACTICEBOT_ADMINS
    await slack_bot.fake.wait_for("response_url", 3)
    assert (await slack_bot.engine.channel_settings(CHANNEL)).post_time == "10:15"
    assert [c.args["user"] for c in slack_bot.fake.calls_to("users.info")] == ["U0SAM", "U0ADMIN"]

    await slack_bot.command("schedule pause", user="U0SAM")  # still refused, from the cache
    await slack_bot.fake.wait_for("response_url", 4)
    assert (await slack_bot.engine.channel_settings(CHANNEL)).paused is False
    assert len(slack_bot.fake.calls_to("users.info")) == 2


async def test_app_mention_outside_a_thread_runs_a_command_privately(slack_bot: SlackBot):
    ts = slack_bot.next_ts()
    status, _ = await slack_bot.event("event_app_mention.json", ts=ts, text="topics")
    assert status == 200
    (call,) = await slack_bot.fake.wait_for("chat.postEphemeral")
    assert (call.args["channel"], call.args["user"]) == (CHANNEL_ID, "U0SAM")
    assert "Topics" in blocks_text(call.args)


# --- buttons and the modal --------------------------------------------------------------------------------


async def test_post_to_channel_posts_the_round_and_its_thread_takes_answers(slack_bot: SlackBot):
    round_id = await ask_private(slack_bot)
    status, _ = await slack_bot.press("post_to_channel", round_id)
    assert status == 200

    (post,) = await slack_bot.fake.wait_for("chat.postMessage")
    assert post.args["channel"] == CHANNEL_ID and "thread_ts" not in post.args
    assert "Reply in this thread" in blocks_text(post.args)
    assert buttons(post.args) == []  # the public question has no private buttons
    round_ = await wait_round(
        slack_bot, round_id, lambda r: r.visibility is Visibility.PUBLIC and r.message_id is not None
    )
    assert round_.status is RoundStatus.OPEN and round_.message_id is not None
    notice = (await slack_bot.fake.wait_for("response_url", 2))[1]
    assert "Posted to the channel" in blocks_text(notice.args)

    await slack_bot.reply(round_.message_id, "canary with a rollback", user="U0PRIYA")
    (answer,) = answers(slack_bot, round_id)
    assert answer.member.user_id == "U0PRIYA" and answer.text == "canary with a rollback"


async def test_answer_privately_opens_a_modal_and_its_submission_is_stored(slack_bot: SlackBot):
    round_id = await ask_private(slack_bot)
    status, _ = await slack_bot.press("answer_privately", round_id, user="U0SAM")
    assert status == 200
    (opened,) = await slack_bot.fake.wait_for("views.open")
    view = opened.args["view"]
    view = json.loads(view) if isinstance(view, str) else view
    assert opened.args["trigger_id"] == load_fixture("block_actions.json")["trigger_id"]
    assert view["type"] == "modal" and view["callback_id"] == "answer_modal"
    assert json.loads(view["private_metadata"]) == {"round": round_id, "channel": CHANNEL_ID}

    submission = load_fixture("view_submission.json", round_id=round_id, text="Small percentage first")
    status, body = await slack_bot.interaction(submission)
    assert status == 200
    assert json.loads(body)["response_action"] == "update"  # the modal now says it is saved
    (answer,) = answers(slack_bot, round_id)
    assert (answer.member.user_id, answer.text) == ("U0SAM", "Small percentage first")


async def test_a_modal_answer_into_someone_elses_private_question_is_refused(slack_bot: SlackBot):
    round_id = await ask_private(slack_bot)  # U0SAM's private question
    forged = load_fixture("view_submission.json", round_id=round_id, text="not my question")
    forged["user"]["id"] = "U0EVE"  # same workspace, another person
    status, body = await slack_bot.interaction(forged)
    assert status == 200
    assert json.loads(body)["response_action"] == "errors"
    assert answers(slack_bot, round_id) == []


async def test_a_modal_answer_for_an_unknown_round_is_refused_in_the_modal(slack_bot: SlackBot):
    submission = load_fixture("view_submission.json", round_id=999, text="an answer")
    status, body = await slack_bot.interaction(submission)
    assert status == 200
    assert json.loads(body) == {
        "response_action": "errors",
        "errors": {"answer": strings.MODAL_UNKNOWN_ROUND},
    }


async def test_reveal_button_on_a_private_question_answers_ephemerally(slack_bot: SlackBot):
    round_id = await ask_private(slack_bot)
    await slack_bot.interaction(
        load_fixture("view_submission.json", round_id=round_id, text="canary, rollback")
    )
    await slack_bot.press("reveal", round_id)
    calls = await slack_bot.fake.wait_for("response_url", 3)  # question, reveal, own feedback
    assert "Model answer" in blocks_text(calls[1].args)
    assert "Your feedback" in blocks_text(calls[2].args)
    assert slack_bot.fake.calls_to("chat.postMessage") == []


async def test_reveal_of_a_public_round_goes_in_its_thread(slack_bot: SlackBot):
    round_id, thread_ts = await public_round(slack_bot)
    await slack_bot.reply(thread_ts, "canary on a small percentage with automatic rollback", user="U0PRIYA")
    posts_before = len(slack_bot.fake.calls_to("chat.postMessage"))

    await slack_bot.press("reveal", round_id, user="U0SAM")  # the asker may reveal early
    posts = await slack_bot.fake.wait_for("chat.postMessage", posts_before + 1)
    reveal = posts[posts_before]
    assert reveal.args["channel"] == CHANNEL_ID and reveal.args["thread_ts"] == thread_ts
    text = blocks_text(reveal.args)
    assert "Model answer" in text and "<@U0PRIYA>" in text  # answerers as Slack mentions
    (feedback,) = await slack_bot.fake.wait_for("chat.postEphemeral")
    assert feedback.args["user"] == "U0PRIYA" and "Your feedback" in blocks_text(feedback.args)
    assert slack_bot.fake.calls_to("conversations.replies")  # the thread was read back first
    await wait_round(slack_bot, round_id, lambda r: r.status is RoundStatus.REVEALED)


async def test_a_rate_limited_post_is_retried_after_retry_after(slack_bot: SlackBot):
    round_id = await ask_private(slack_bot)
    slack_bot.fake.rate_limit_once.add("chat.postMessage")
    await slack_bot.press("post_to_channel", round_id)
    first, second = await slack_bot.fake.wait_for("chat.postMessage", 2, timeout=6)
    assert second.at - first.at >= 1.0  # Retry-After: 1 was honoured
    round_ = await wait_round(slack_bot, round_id, lambda r: r.message_id is not None)
    assert round_.visibility is Visibility.PUBLIC


async def test_a_channel_the_bot_cannot_post_in_gets_a_clear_message_not_a_trace(slack_bot: SlackBot):
    round_id = await ask_private(slack_bot)
    slack_bot.fake.errors["chat.postMessage"] = "not_in_channel"
    await slack_bot.press("post_to_channel", round_id)
    calls = await slack_bot.fake.wait_for("response_url", 2)
    assert calls[1].args["text"] == strings.NOT_IN_CHANNEL


async def test_an_unexpected_error_becomes_a_short_apology(slack_bot: SlackBot):
    async def broken(*_args, **_kwargs):
        raise RuntimeError("database on fire")

    slack_bot.engine.handle_command = broken  # type: ignore[method-assign]
    await slack_bot.command("topics")
    (call,) = await slack_bot.fake.wait_for("response_url")
    assert call.args["text"] == strings.APOLOGY
    assert "Traceback" not in json.dumps(call.args) and "fire" not in json.dumps(call.args)


# --- thread replies ---------------------------------------------------------------------------------------


async def test_a_reply_delivered_three_times_is_recorded_once(slack_bot: SlackBot):
    slack_bot.engine.config = EngineConfig(answer_max_chars=100)  # so each processing would notify
    round_id, thread_ts = await public_round(slack_bot)
    long_answer = "canary " * 30
    ts, event_id = await slack_bot.reply(thread_ts, long_answer, user="U0PRIYA")
    for retry in (1, 2):  # Slack's retries carry the same event id
        status, _ = await slack_bot.event(
            "event_thread_reply.json",
            event_id=event_id,
            retry=retry,
            ts=ts,
            thread_ts=thread_ts,
            user="U0PRIYA",
            text=long_answer,
        )
        assert status == 200
    (answer,) = answers(slack_bot, round_id)
    assert answer.truncated and len(answer.text) == 100
    await slack_bot.command("help")  # a later request: by its reply, any earlier work has run
    await slack_bot.fake.wait_for("response_url", 3)
    notices = slack_bot.fake.calls_to("chat.postEphemeral")
    assert len(notices) == 1 and notices[0].args["user"] == "U0PRIYA"
    assert "its first 100 were kept" in blocks_text(notices[0].args)


async def test_the_answer_is_stored_before_slack_gets_its_200(slack_bot: SlackBot):
    round_id, thread_ts = await public_round(slack_bot)
    real = slack_bot.engine.record_answer
    calls = []

    def crash_once(incoming):
        calls.append(incoming)
        if len(calls) == 1:
            raise RuntimeError("process died mid-write")
        return real(incoming)

    slack_bot.engine.record_answer = crash_once  # type: ignore[method-assign]
    ts, event_id = slack_bot.next_ts(), slack_bot.next_event_id()
    values = {"ts": ts, "thread_ts": thread_ts, "user": "U0PRIYA", "text": "rollback plan"}
    status, _ = await slack_bot.event("event_thread_reply.json", event_id=event_id, **values)
    assert status == 500  # not stored, so Slack must deliver it again
    assert answers(slack_bot, round_id) == []
    status, _ = await slack_bot.event("event_thread_reply.json", event_id=event_id, retry=1, **values)
    assert status == 200
    assert [a.text for a in answers(slack_bot, round_id)] == ["rollback plan"]  # stored when 200 came back


async def test_edit_updates_and_deletion_withdraws_an_answer(slack_bot: SlackBot):
    round_id, thread_ts = await public_round(slack_bot)
    first, _ = await slack_bot.reply(thread_ts, "shadow deployment", user="U0PRIYA")
    second, _ = await slack_bot.reply(thread_ts, "then a canary", user="U0PRIYA")
    assert [a.text for a in answers(slack_bot, round_id)] == ["shadow deployment\n\nthen a canary"]

    status, _ = await slack_bot.event(
        "event_message_changed.json", ts=first, thread_ts=thread_ts, user="U0PRIYA", text="shadow traffic"
    )
    assert status == 200
    assert [a.text for a in answers(slack_bot, round_id)] == ["shadow traffic\n\nthen a canary"]

    status, _ = await slack_bot.event(
        "event_message_deleted.json", ts=second, thread_ts=thread_ts, user="U0PRIYA"
    )
    assert status == 200
    assert [a.text for a in answers(slack_bot, round_id)] == ["shadow traffic"]
    await slack_bot.event("event_message_deleted.json", ts=first, thread_ts=thread_ts, user="U0PRIYA")
    assert answers(slack_bot, round_id) == []


async def test_bots_the_bot_itself_and_channel_messages_are_not_answers(slack_bot: SlackBot):
    round_id, thread_ts = await public_round(slack_bot)
    status, _ = await slack_bot.event("event_bot_reply.json", ts=slack_bot.next_ts(), thread_ts=thread_ts)
    assert status == 200
    await slack_bot.reply(thread_ts, "a note from the bot itself", user="U0BOT")
    status, _ = await slack_bot.event("event_channel_message.json", ts=slack_bot.next_ts())
    assert status == 200
    assert answers(slack_bot, round_id) == []


async def test_a_thread_broadcast_reply_counts_once(slack_bot: SlackBot):
    round_id, thread_ts = await public_round(slack_bot)
    ts = slack_bot.next_ts()
    values = {"ts": ts, "thread_ts": thread_ts, "user": "U0PRIYA", "text": "canary and rollback"}
    status, _ = await slack_bot.event("event_thread_broadcast.json", **values)
    assert status == 200
    await slack_bot.event("event_thread_reply.json", **values)  # the same message seen as a plain reply
    (answer,) = answers(slack_bot, round_id)
    assert answer.text == "canary and rollback"


# --- reactions --------------------------------------------------------------------------------------------


async def test_thumbs_up_on_an_answer_is_a_removable_vote_but_not_on_ones_own(slack_bot: SlackBot):
    round_id, thread_ts = await public_round(slack_bot)
    ts, _ = await slack_bot.reply(thread_ts, "canary", user="U0PRIYA")
    (answer,) = answers(slack_bot, round_id)
    react = {"ts": ts, "item_user": "U0PRIYA"}

    await slack_bot.event("event_reaction_added.json", user="U0PRIYA", reaction="+1", **react)  # own answer
    assert votes(slack_bot, round_id) == {}
    await slack_bot.event("event_reaction_added.json", user="U0SAM", reaction="tada", **react)  # not a vote
    assert votes(slack_bot, round_id) == {}
    status, _ = await slack_bot.event("event_reaction_added.json", user="U0SAM", reaction="+1", **react)
    assert status == 200
    assert votes(slack_bot, round_id) == {answer.id: 1}
    await slack_bot.event(
        "event_reaction_added.json", user="U0LEE", reaction="thumbsup::skin-tone-3", **react
    )
    assert votes(slack_bot, round_id) == {answer.id: 2}
    await slack_bot.event("event_reaction_removed.json", user="U0SAM", reaction="+1", **react)
    assert votes(slack_bot, round_id) == {answer.id: 1}


# --- hostile and odd requests -----------------------------------------------------------------------------


async def test_unsigned_wrongly_signed_and_stale_requests_get_401_and_do_nothing(slack_bot: SlackBot):
    form = load_fixture("slash_command.json", response_url=slack_bot.fake.response_url())
    body = urllib.parse.urlencode(form)
    content_type = "application/x-www-form-urlencoded"
    calls_before = list(slack_bot.fake.calls)

    assert (await slack_bot.post(body, content_type, signed=False))[0] == 401
    wrong = sign(body, secret="not-the-secret")
    assert (await slack_bot.post(body, content_type, headers=wrong, signed=False))[0] == 401
    stale = sign(body, timestamp=int(time.time()) - 6 * 60)
    assert (await slack_bot.post(body, content_type, headers=stale, signed=False))[0] == 401
    tampered = sign(body) | {"X-Slack-Signature": sign(body + "x")["X-Slack-Signature"]}
    assert (await slack_bot.post(body, content_type, headers=tampered, signed=False))[0] == 401

    await slack_bot.command("help")  # a genuine request afterwards is served
    await slack_bot.fake.wait_for("response_url")
    new_calls = [c.method for c in slack_bot.fake.calls[len(calls_before) :]]
    assert [m for m in new_calls if m != "auth.test"] == ["response_url"]  # Bolt's own auth.test aside
    with slack_bot.engine.uow() as store:
        assert store.latest_round(CHANNEL, statuses=list(RoundStatus)) is None


async def test_malformed_bodies_get_400_and_the_server_keeps_serving(slack_bot: SlackBot):
    for body, content_type in (
        ('{"type": "event_callback", "event": {', "application/json"),
        ("[1, 2, 3]", "application/json"),
        ("payload=%7Bnot-json", "application/x-www-form-urlencoded"),
    ):
        status, _ = await slack_bot.post(body, content_type)
        assert status == 400, body
    headers = {"Content-Type": "application/json", **sign("")}
    async with slack_bot.session.post(
        f"{slack_bot.url}/slack/events", data=b"\xff\xfe{", headers=headers
    ) as r:
        assert r.status == 400  # not even UTF-8
    await slack_bot.command("help")
    assert len(await slack_bot.fake.wait_for("response_url")) == 1


async def test_url_verification_echoes_the_challenge(slack_bot: SlackBot):
    payload = load_fixture("url_verification.json")
    status, body = await slack_bot.post(json.dumps(payload), "application/json")
    assert status == 200 and payload["challenge"] in body


async def test_healthz(slack_bot: SlackBot):
    async with slack_bot.session.get(f"{slack_bot.url}/healthz") as response:
        assert response.status == 200 and (await response.json()) == {"status": "ok"}


async def test_a_deleted_channel_is_marked_inactive_and_the_person_told(slack_bot: SlackBot):
    await slack_bot.command("schedule set 09:00", user="U0ADMIN")
    await slack_bot.fake.wait_for("response_url")
    assert (await slack_bot.engine.channel_settings(CHANNEL)).active is True
    round_id = await ask_private(slack_bot)
    slack_bot.fake.errors["chat.postMessage"] = "channel_not_found"
    await slack_bot.press("post_to_channel", round_id)
    calls = await slack_bot.fake.wait_for("response_url", 3)
    assert calls[2].args["text"] == strings.NOT_IN_CHANNEL
    settings = await slack_bot.engine.channel_settings(CHANNEL)
    assert settings.active is False and settings.schedule_enabled is True


async def test_logs_carry_answer_lengths_never_answer_texts_or_secrets(slack_bot: SlackBot, caplog):
    import logging

    from slack_testkit import TOKEN

    caplog.set_level(logging.DEBUG)
    _, thread_ts = await public_round(slack_bot)
    await slack_bot.reply(thread_ts, "my-secret-thread-answer", user="U0PRIYA")
    private_round = await ask_private(slack_bot)
    await slack_bot.interaction(
        load_fixture("view_submission.json", round_id=private_round, text="my-secret-modal-answer")
    )
    await slack_bot.post("{broken", "application/json")
    logged = "\n".join(
        f"{r.getMessage()} {r.__dict__}" for r in caplog.records if r.name.startswith("practicebot")
    )
    assert "slack answer" in logged and "'chars': 23" in logged
    everything = "\n".join(f"{r.getMessage()} {r.__dict__}" for r in caplog.records)
    for secret in ("my-secret-thread-answer", "my-secret-modal-answer", TOKEN, "test-signing-secret"):
        assert secret not in everything


async def test_commands_are_acked_before_the_work_and_worked_a_few_at_a_time(slack_bot: SlackBot):
    import asyncio

    from adapters.slack.work import WORK_CONCURRENCY

    release = asyncio.Event()
    inside: list[int] = []
    running = 0
    real = slack_bot.engine.handle_command

    async def slow(ctx, text):
        nonlocal running
        running += 1
        inside.append(running)
        await release.wait()
        running -= 1
        return await real(ctx, text)

    slack_bot.engine.handle_command = slow  # type: ignore[method-assign]
    count = WORK_CONCURRENCY + 2
    statuses = await asyncio.gather(*(slack_bot.command("topics", user=f"U0P{i}") for i in range(count)))
    assert [status for status, _ in statuses] == [200] * count  # all acked while the engine is still busy
    deadline = asyncio.get_running_loop().time() + 5
    while len(inside) < WORK_CONCURRENCY and asyncio.get_running_loop().time() < deadline:
        await asyncio.sleep(0.01)
    await asyncio.sleep(0.05)  # room for one more job to (wrongly) start
    assert max(inside) == WORK_CONCURRENCY
    assert slack_bot.fake.calls_to("response_url") == []
    release.set()
    await slack_bot.fake.wait_for("response_url", count)


async def test_stopping_lets_acked_work_finish(slack_bot: SlackBot):
    status, _ = await slack_bot.command("topics")
    assert status == 200
    await slack_bot.adapter.stop()
    assert len(slack_bot.fake.calls_to("response_url")) == 1  # answered, not dropped


async def test_replies_through_response_urls_share_one_connection(slack_bot: SlackBot):
    """Bolt's `respond` opens a new HTTP session (a new connection) per reply; ours reuse the chat's."""
    for n in range(1, 5):  # one after another: a connection is free again for the next reply
        status, _ = await slack_bot.command("help")
        assert status == 200
        replies = await slack_bot.fake.wait_for("response_url", n)
    assert len({call.connection for call in replies}) == 1


async def test_a_timestamp_that_is_no_number_gets_401_not_500(slack_bot: SlackBot, caplog):
    body = urllib.parse.urlencode(
        load_fixture("slash_command.json", response_url=slack_bot.fake.response_url())
    )
    headers = {"X-Slack-Request-Timestamp": "abc", "X-Slack-Signature": "v0=" + "0" * 64}
    status, _ = await slack_bot.post(body, "application/x-www-form-urlencoded", headers=headers, signed=False)
    assert status == 401
    assert not [r for r in caplog.records if r.levelname == "ERROR"]


async def test_a_signed_event_whose_event_is_no_object_gets_400(slack_bot: SlackBot):
    for event in ("a string", ["a", "list"], 42, None):
        payload = load_fixture("event_thread_reply.json", event_id="Ev0ODD", ts="1.2", thread_ts="1.1")
        payload["event"] = event
        status, _ = await slack_bot.post(json.dumps(payload), "application/json")
        assert status == 400, event
    await slack_bot.command("help")  # still serving
    assert len(await slack_bot.fake.wait_for("response_url")) == 1


async def test_readyz_says_whether_the_database_answers_within_a_second(slack_bot: SlackBot):
    import asyncio

    async with slack_bot.session.get(f"{slack_bot.url}/readyz") as r:
        assert r.status == 200 and (await r.json())["status"] == "ready"
    real = slack_bot.engine.uow.run

    async def stuck(work):  # a database that does not answer
        await asyncio.sleep(5)
        return await real(work)

    slack_bot.engine.uow.run = stuck  # type: ignore[method-assign]
    started = asyncio.get_running_loop().time()
    async with slack_bot.session.get(f"{slack_bot.url}/readyz") as r:
        assert r.status == 503
    assert asyncio.get_running_loop().time() - started < 2
    async with slack_bot.session.get(f"{slack_bot.url}/healthz") as r:
        assert r.status == 200  # liveness does not depend on the database


async def test_an_uninstalled_app_posts_nothing_until_a_command_shows_it_is_back(slack_bot: SlackBot):
    await slack_bot.command("schedule set 09:00", user="U0ADMIN")
    await slack_bot.fake.wait_for("response_url")
    status, _ = await slack_bot.event("event_app_uninstalled.json")
    assert status == 200  # handled (an unhandled event gets 404)
    assert (await slack_bot.engine.channel_settings(CHANNEL)).active is False
    await slack_bot.command("help")  # reinstalled and used again: the daily question resumes
    await slack_bot.fake.wait_for("response_url", 2)
    assert (await slack_bot.engine.channel_settings(CHANNEL)).active is True


async def test_revoked_bot_tokens_deactivate_the_workspace_but_user_tokens_do_not(slack_bot: SlackBot):
    await slack_bot.command("schedule set 09:00", user="U0ADMIN")
    await slack_bot.fake.wait_for("response_url")
    user_only = load_fixture("event_tokens_revoked.json", event_id="Ev0REVOKE1")
    user_only["event"]["tokens"]["bot"] = []
    status, _ = await slack_bot.post(json.dumps(user_only), "application/json")
    assert status == 200 and (await slack_bot.engine.channel_settings(CHANNEL)).active is True
    status, _ = await slack_bot.event("event_tokens_revoked.json")
    assert status == 200 and (await slack_bot.engine.channel_settings(CHANNEL)).active is False
