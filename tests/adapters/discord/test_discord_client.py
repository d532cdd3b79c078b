"""Client construction: sharding across replicas, command sync on demand, bad settings as one clear line."""

from __future__ import annotations

import discord
import pytest
from discord_testkit import *  # noqa: F403  (the make_bot fixture)
from discord_testkit import MakeBot
from fake_discord import APP_ID

from adapters.discord import create_adapter, sync_commands
from adapters.discord.chat import DiscordChat
from adapters.discord.client import DiscordAdapter, PracticeClient, ShardedPracticeClient, make_client
from bot.settings import ConfigError, Settings


def test_plain_client_without_shard_settings() -> None:
    client = make_client(Settings(discord_token="t"))
    assert type(client) is PracticeClient
    assert not client.intents.message_content and not client.intents.members


def test_shard_settings_make_an_auto_sharded_client_for_those_shards() -> None:
    client = make_client(Settings(discord_token="t", discord_shard_count=4, discord_shard_ids="2,3"))
    assert isinstance(client, ShardedPracticeClient) and isinstance(client, discord.AutoShardedClient)
    assert (client.shard_count, client.shard_ids) == (4, [2, 3])


@pytest.mark.parametrize(
    ("values", "named"),
    [
        ({"discord_shard_ids": "0,1"}, "PRACTICEBOT_DISCORD_SHARD_COUNT"),
        ({"discord_shard_count": 2, "discord_shard_ids": "0,5"}, "PRACTICEBOT_DISCORD_SHARD_IDS"),
    ],
)
def test_inconsistent_shard_settings_name_the_variable(values: dict[str, object], named: str) -> None:
    with pytest.raises(ConfigError, match=named):
        make_client(Settings(discord_token="t", **values))


async def test_a_replica_runs_only_its_shards_and_leaves_sync_to_shard_zero(make_bot: MakeBot) -> None:
    bot = await make_bot(discord_shard_count=2, discord_shard_ids="1")
    assert bot.adapter.client.is_ready()
    assert bot.fake.identify is not None and bot.fake.identify["shard"] == [1, 2]
    assert bot.fake.find_calls("PUT", f"/applications/{APP_ID}/", prefix=True) == []


async def test_sync_on_demand_registers_global_commands_without_the_gateway(make_bot: MakeBot) -> None:
    bot = await make_bot(start=False)
    settings = bot.adapter.settings.model_copy(update={"discord_guild_ids": ()})
    assert await sync_commands(settings) == ["global"]
    [put] = bot.fake.find_calls("PUT", f"/applications/{APP_ID}/commands")
    assert [c["name"] for c in put.body] == ["practice"]
    assert bot.fake.identify is None


async def test_a_rejected_token_is_a_config_error(make_bot: MakeBot) -> None:
    bot = await make_bot(start=False)
    bot.fake.reject_token = True
    with pytest.raises(ConfigError, match="DISCORD_TOKEN: Discord rejected the token"):
        await bot.adapter.start(bot.engine)


def test_practicebot_run_builds_the_discord_adapter_when_the_token_is_set() -> None:
    from practicebot.cli import create_adapters

    [adapter] = create_adapters(Settings(discord_token="t"))
    assert isinstance(adapter, DiscordAdapter) and adapter.name == "discord"
    assert isinstance(adapter.chat, DiscordChat) and adapter.chat.platform.value == "discord"
    assert create_adapter(Settings(discord_token="t")).name == "discord"
