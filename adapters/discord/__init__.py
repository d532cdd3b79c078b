"""The Discord adapter: `/practice` app commands, rounds as embeds with a thread, answers by thread reply or
modal, reactions as votes. `create_adapter(settings)` is what `practicebot run` calls; `sync_commands`
registers the commands on demand (`practicebot discord sync`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from adapters.discord.client import DiscordAdapter
    from bot.settings import Settings


def create_adapter(settings: Settings) -> DiscordAdapter:
    from adapters.discord.client import DiscordAdapter

    return DiscordAdapter(settings)


async def sync_commands(settings: Settings) -> list[str]:
    from adapters.discord.client import sync_commands as sync

    return await sync(settings)
