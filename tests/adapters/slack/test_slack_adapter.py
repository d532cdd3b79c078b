"""create_adapter and SlackAdapter: configuration, start/stop, and Socket Mode against a local websocket."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from pydantic import SecretStr
from slack_testkit import *  # noqa: F403  (fixtures and helpers)
from slack_testkit import APP_TOKEN, CHANNEL_ID, TEAM, TOKEN, FakeSlack, load_fixture

from adapters.base import PlatformAdapter
from adapters.slack import create_adapter
from adapters.slack.adapter import SlackAdapter
from adapters.slack.chat import SlackChat, make_client
from adapters.slack.translate import channel_ref
from bot.domain import Visibility
from bot.engine import Engine, EngineConfig
from bot.settings import ConfigError, load_settings
from practicebot.cli import create_adapters, health_server_needed
from storage.repository import SqlUnitOfWork


def test_http_mode_without_a_signing_secret_names_the_variable(fake_slack):
    settings = load_settings(slack_bot_token=TOKEN, slack_api_url=fake_slack.api_url)
    with pytest.raises(ConfigError, match=r"^SLACK_SIGNING_SECRET"):
        create_adapter(settings)


def test_practicebot_run_builds_the_slack_adapter_when_its_token_is_set(slack_settings):
    (adapter,) = create_adapters(slack_settings)
    assert isinstance(adapter, SlackAdapter) and adapter.name == "slack"
    assert (
        isinstance(adapter.chat, SlackChat) and adapter.chat.client.base_url == slack_settings.slack_api_url
    )
    assert not adapter.socket_mode
    platform_adapter: PlatformAdapter = adapter  # the Protocol practicebot run relies on
    assert platform_adapter.chat.platform.value == "slack"
    assert not health_server_needed([adapter])  # HTTP mode serves /healthz and /readyz itself


def test_socket_mode_and_discord_get_a_health_server_of_their_own(slack_settings):
    socket = slack_settings.model_copy(update={"slack_app_token": SecretStr("xapp-1")})
    (adapter,) = create_adapters(socket)
    assert adapter.socket_mode and health_server_needed([adapter])
    discord_only = slack_settings.model_copy(
        update={"slack_bot_token": None, "discord_token": SecretStr("discord-token")}
    )
    assert health_server_needed(create_adapters(discord_only))


def test_socket_mode_needs_no_signing_secret(fake_slack):
    settings = load_settings(
        slack_bot_token=TOKEN, slack_app_token=APP_TOKEN, slack_api_url=fake_slack.api_url
    )
    adapter = create_adapter(settings)
    assert adapter.socket_mode


async def test_a_refused_bot_token_stops_the_start_with_one_clear_line(
    slack_settings, fake_slack, memory_db, mini_library, clock
):
    fake_slack.errors["auth.test"] = "invalid_auth"
    adapter = SlackAdapter(slack_settings, port=0)
    engine = Engine(
        uow=SqlUnitOfWork(memory_db), questions=mini_library, clock=clock, chat={"slack": adapter.chat}
    )
    with pytest.raises(ConfigError, match=r"^SLACK_BOT_TOKEN: Slack refused the token \(invalid_auth\)"):
        await adapter.start(engine)
    assert adapter.http is None


# --- Socket Mode ------------------------------------------------------------------------------------------


@pytest.fixture
async def socket_bot(
    fake_slack: FakeSlack, memory_db, mini_library, clock
) -> AsyncIterator[tuple[SlackAdapter, Engine]]:
    settings = load_settings(
        slack_bot_token=TOKEN, slack_app_token=APP_TOKEN, slack_api_url=fake_slack.api_url
    )
    client = make_client(settings)
    adapter = SlackAdapter(settings, client=client, chat=SlackChat(client, min_interval=0.0))
    engine = Engine(
        uow=SqlUnitOfWork(memory_db), questions=mini_library, clock=clock, chat={"slack": adapter.chat}
    )
    await adapter.start(engine)
    await asyncio.wait_for(fake_slack.socket_connected.wait(), 5)
    yield adapter, engine
    await adapter.stop()


async def wait_ack(fake: FakeSlack, envelope_id: str, timeout: float = 5.0) -> dict:
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        for ack in fake.socket_acks:
            if ack.get("envelope_id") == envelope_id:
                return ack
        assert asyncio.get_running_loop().time() < deadline, f"no ack for {envelope_id}: {fake.socket_acks}"
        await asyncio.sleep(0.01)


async def test_socket_mode_acks_envelopes_and_runs_commands_and_answers(socket_bot, fake_slack: FakeSlack):
    adapter, engine = socket_bot
    (opened,) = fake_slack.calls_to("apps.connections.open")
    assert opened.args["_authorization"] == f"Bearer {APP_TOKEN}"  # the app-level token, not the bot's
    assert adapter.http is None  # no HTTP server in Socket Mode

    command = load_fixture("slash_command.json", response_url=fake_slack.response_url())
    command["text"] = "topics"
    await fake_slack.socket_outbox.put(
        {
            "envelope_id": "env-command-1",
            "type": "slash_commands",
            "payload": command,
            "accepts_response_payload": True,
        }
    )
    await wait_ack(fake_slack, "env-command-1")
    (reply,) = await fake_slack.wait_for("response_url")
    assert reply.args["response_type"] == "ephemeral" and "Topics" in str(reply.args["blocks"])

    engine.config = EngineConfig(answer_max_chars=100)  # a long answer earns one truncation notice
    channel = channel_ref(TEAM, CHANNEL_ID)
    await engine.ask(channel, visibility=Visibility.PUBLIC)
    round_ = await engine.open_round(channel)
    assert round_ is not None and round_.message_id is not None
    event = load_fixture(
        "event_thread_reply.json",
        event_id="Ev0SOCKET1",
        ts="1764064999.000001",
        thread_ts=round_.message_id,
        user="U0PRIYA",
        text="canary with rollback " * 10,
    )
    envelope = {"envelope_id": "env-event-1", "type": "events_api", "payload": event, "retry_attempt": 0}
    await fake_slack.socket_outbox.put(envelope)
    await wait_ack(fake_slack, "env-event-1")
    with engine.uow() as store:  # stored by the time the ack went out: no waiting needed
        assert [len(a.text) for a in store.answers(round_.id)] == [100]
    await fake_slack.wait_for("chat.postEphemeral")

    # Socket Mode passes no retry headers: the same event again (new envelope) is deduped by event id.
    await fake_slack.socket_outbox.put(envelope | {"envelope_id": "env-event-2", "retry_attempt": 1})
    await wait_ack(fake_slack, "env-event-2")
    await fake_slack.socket_outbox.put(
        {
            "envelope_id": "env-command-2",
            "type": "slash_commands",
            "payload": command,
            "accepts_response_payload": True,
        }
    )
    await fake_slack.wait_for("response_url", 2)  # a later envelope done: the retry's work is done too
    assert len(fake_slack.calls_to("chat.postEphemeral")) == 1  # no second notice: processed once


async def test_a_refused_app_token_stops_the_start(fake_slack, memory_db, mini_library, clock):
    settings = load_settings(
        slack_bot_token=TOKEN, slack_app_token=APP_TOKEN, slack_api_url=fake_slack.api_url
    )
    fake_slack.errors["apps.connections.open"] = "invalid_auth"
    adapter = SlackAdapter(settings)
    engine = Engine(
        uow=SqlUnitOfWork(memory_db), questions=mini_library, clock=clock, chat={"slack": adapter.chat}
    )
    with pytest.raises(ConfigError, match=r"^SLACK_APP_TOKEN"):
        await adapter.start(engine)
