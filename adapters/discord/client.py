"""The discord.py client: intents, sharding, the `/practice` tree, gateway events, start/stop and sync.

The client is built from Settings before the engine exists (DiscordChat needs it for REST), and routes to
the handlers once `DiscordAdapter.start(engine)` created them.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

import discord
from discord import app_commands
from discord.http import Route

from adapters.discord import strings, translate
from adapters.discord.chat import DiscordChat, send_interaction
from adapters.discord.commands import build_tree
from adapters.discord.components import PracticeButton
from adapters.discord.handlers import PracticeHandlers
from adapters.discord.render import render_text
from bot.engine import Engine
from bot.settings import ConfigError, Settings

log = logging.getLogger("practicebot.discord")

READY_TIMEOUT = 60.0  # seconds to wait for the gateway's READY before start() gives up


def intents_for(settings: Settings) -> discord.Intents:
    """Guilds (channels, roles for the admin check), guild messages (thread replies, edits, deletions) and
    guild reactions (votes). Message Content only when configured: it is privileged. Never members."""
    intents = discord.Intents.none()
    intents.guilds = True
    intents.guild_messages = True
    intents.guild_reactions = True
    intents.message_content = settings.discord_message_content
    return intents


class _PracticeEvents:
    """Gateway events of both client classes, forwarded to the handlers once they exist."""

    practice_router: PracticeHandlers | None = None
    tree: app_commands.CommandTree

    async def setup_hook(self) -> None:
        # Buttons are dynamic items: registered once, they work on every message ever sent.
        self.add_dynamic_items(PracticeButton)  # type: ignore[attr-defined]

    async def on_ready(self) -> None:
        user = self.user  # type: ignore[attr-defined]
        log.info("discord gateway ready", extra={"user_id": getattr(user, "id", None)})

    async def on_interaction(self, interaction: discord.Interaction) -> None:
        if self.practice_router is None or interaction.type is not discord.InteractionType.modal_submit:
            return
        submitted = translate.modal_submission(interaction.data)  # type: ignore[arg-type]
        if submitted is not None:
            await self.practice_router.on_answer_submitted(interaction, *submitted)

    async def on_message(self, message: discord.Message) -> None:
        if self.practice_router is not None:
            await self.practice_router.on_message(message)

    async def on_raw_message_edit(self, payload: discord.RawMessageUpdateEvent) -> None:
        if self.practice_router is not None:
            await self.practice_router.on_raw_message_edit(payload)

    async def on_raw_message_delete(self, payload: discord.RawMessageDeleteEvent) -> None:
        if self.practice_router is not None:
            await self.practice_router.on_raw_message_delete(payload)

    async def on_guild_remove(self, guild: discord.Guild) -> None:
        if self.practice_router is not None:
            await self.practice_router.on_guild_remove(guild.id)

    async def on_raw_reaction_add(self, payload: discord.RawReactionActionEvent) -> None:
        if self.practice_router is not None:
            await self.practice_router.on_raw_reaction(payload)

    async def on_raw_reaction_remove(self, payload: discord.RawReactionActionEvent) -> None:
        if self.practice_router is not None:
            await self.practice_router.on_raw_reaction(payload)


class PracticeClient(_PracticeEvents, discord.Client):
    pass


class ShardedPracticeClient(_PracticeEvents, discord.AutoShardedClient):
    pass


def make_client(settings: Settings, **options: Any) -> discord.Client:
    """A Client, or an AutoShardedClient running the configured shards when sharding is set."""
    intents = intents_for(settings)
    if settings.discord_shard_ids and settings.discord_shard_count is None:
        raise ConfigError("PRACTICEBOT_DISCORD_SHARD_COUNT: needed when PRACTICEBOT_DISCORD_SHARD_IDS is set")
    if settings.discord_shard_count is not None:
        count = settings.discord_shard_count
        bad = [i for i in settings.discord_shard_ids if not 0 <= i < count]
        if bad:
            raise ConfigError(
                f"PRACTICEBOT_DISCORD_SHARD_IDS: {','.join(map(str, bad))} outside 0..{count - 1} "
                f"(PRACTICEBOT_DISCORD_SHARD_COUNT={count})"
            )
        return ShardedPracticeClient(
            intents=intents,
            shard_count=count,
            shard_ids=list(settings.discord_shard_ids) or None,
            **options,
        )
    return PracticeClient(intents=intents, **options)


def apply_api_url(settings: Settings) -> None:
    """PRACTICEBOT_DISCORD_API_URL (a rate-limit proxy, or a fake in tests) replaces discord.py's REST base
    for the whole process; discord.py keeps it in a class attribute."""
    if settings.discord_api_url:
        Route.BASE = settings.discord_api_url.rstrip("/")


async def sync_tree(tree: app_commands.CommandTree, guild_ids: tuple[int, ...]) -> list[str]:
    """To the listed guilds (instant; for development) or globally (may take up to an hour to show)."""
    if guild_ids:
        synced = []
        for guild_id in guild_ids:
            guild = discord.Object(id=guild_id)
            tree.copy_global_to(guild=guild)
            await tree.sync(guild=guild)
            synced.append(f"guild {guild_id}")
        return synced
    await tree.sync()
    return ["global"]


class DiscordAdapter:
    """adapters.base.PlatformAdapter for Discord."""

    name = "discord"

    def __init__(self, settings: Settings, **client_options: Any) -> None:
        apply_api_url(settings)
        self.settings = settings
        token = settings.discord_token.get_secret_value() if settings.discord_token else None
        self.client = make_client(settings, **client_options)
        self.chat = DiscordChat(
            self.client,
            token,
            message_content=settings.discord_message_content,
            requests_per_second=settings.discord_requests_per_second,
        )
        self.tree = build_tree(self.client, self._route_command)
        self.tree.on_error = self._on_tree_error  # type: ignore[method-assign]
        self._token = token
        self._connection: asyncio.Task[None] | None = None
        self.handlers: PracticeHandlers | None = None

    async def _route_command(self, interaction: discord.Interaction, line: str) -> None:
        if self.handlers is None:
            await send_interaction(interaction, render_text(strings.NOT_READY), ephemeral=True)
            return
        await self.handlers.run_command(interaction, line)

    async def _on_tree_error(
        self, interaction: discord.Interaction, error: app_commands.AppCommandError
    ) -> None:
        log.error("app command failed", extra={"error": type(error).__name__})
        with contextlib.suppress(Exception):  # the interaction may have expired; the log line is enough
            await send_interaction(interaction, render_text(strings.APOLOGY), ephemeral=True)

    @property
    def syncs_commands(self) -> bool:
        """One replica syncs: the unsharded one, or the one running shard 0."""
        ids = self.settings.discord_shard_ids
        return self.settings.discord_shard_count is None or not ids or 0 in ids

    async def start(self, engine: Engine) -> None:
        """Log in, sync commands, connect the gateway in a task on the running loop; return once READY."""
        self.handlers = PracticeHandlers(engine, self.chat, self.settings, self.client)
        self.client.practice_router = self.handlers  # type: ignore[attr-defined]
        try:
            await self.chat.ensure_login()
        except discord.LoginFailure:
            raise ConfigError("DISCORD_TOKEN: Discord rejected the token") from None
        if self.syncs_commands:
            where = await sync_tree(self.tree, self.settings.discord_guild_ids)
            log.info("commands synced", extra={"to": ",".join(where)})
        self._connection = asyncio.create_task(self.client.connect(), name="discord-gateway")
        self._connection.add_done_callback(_log_connection_end)
        ready = asyncio.create_task(self.client.wait_until_ready())
        done, _ = await asyncio.wait(
            {ready, self._connection}, timeout=READY_TIMEOUT, return_when="FIRST_COMPLETED"
        )
        if ready not in done:
            ready.cancel()
            error = self._connection.exception() if self._connection in done else None
            await self.stop()
            if isinstance(error, discord.PrivilegedIntentsRequired):
                raise ConfigError(
                    "PRACTICEBOT_DISCORD_MESSAGE_CONTENT: turn on the Message Content intent for the bot in "
                    "the Discord Developer Portal, or set this to false"
                ) from None
            reason = type(error).__name__ if error is not None else f"no READY within {READY_TIMEOUT:.0f} s"
            raise ConfigError(f"DISCORD_TOKEN: could not connect to the Discord gateway ({reason})")
        log.info("discord adapter started", extra={"guilds": len(self.client.guilds)})

    async def stop(self) -> None:
        await self.client.close()
        if self._connection is not None:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await asyncio.wait_for(self._connection, timeout=5)
            self._connection = None


def _log_connection_end(task: asyncio.Task[None]) -> None:
    if task.cancelled():
        return
    error = task.exception()
    if error is not None:
        log.error("discord gateway connection ended", extra={"error": type(error).__name__})


async def sync_commands(settings: Settings) -> list[str]:
    """`practicebot discord sync`: register the `/practice` commands now, without connecting the gateway."""
    adapter = DiscordAdapter(settings)
    try:
        try:
            await adapter.chat.ensure_login()
        except discord.LoginFailure:
            raise ConfigError("DISCORD_TOKEN: Discord rejected the token") from None
        return await sync_tree(adapter.tree, settings.discord_guild_ids)
    finally:
        await adapter.client.close()
