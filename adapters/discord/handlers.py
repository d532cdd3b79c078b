"""What the adapter does with each Discord interaction and gateway event: translate, call the engine,
render, deliver. Every handler is wrapped: an unexpected error logs a line and the user gets a short apology.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager

import discord

from adapters.discord import strings, translate
from adapters.discord.chat import DiscordChat, current_interaction, send_interaction
from adapters.discord.components import AnswerModal
from adapters.discord.render import render_card, render_text
from bot.actions import ACTIONS, parse_action
from bot.domain import AnswerResult, IncomingAnswer, Platform, Reply, Visibility
from bot.engine import Engine
from bot.events import (
    ActionClicked,
    Actor,
    AnswerDeleted,
    AnswerPosted,
    CommandContext,
    CommandIssued,
    FormSubmitted,
    VoteChanged,
    WorkspaceGone,
)
from bot.settings import Settings

log = logging.getLogger("practicebot.discord")

# Commands that may post, read a thread back or send DMs: deferred at once (Discord's 3 s). Buttons say
# so in the core's action table.
SLOW_COMMANDS = frozenset({"reveal"})
PARENT_CACHE_SIZE = 10_000

_ANSWER_LINES = {
    AnswerResult.RECORDED: strings.ANSWER_SAVED,
    AnswerResult.UPDATED: strings.ANSWER_UPDATED,
    AnswerResult.LATE: strings.ANSWER_LATE,
    AnswerResult.IGNORED_EMPTY: strings.ANSWER_EMPTY,
    AnswerResult.UNKNOWN_THREAD: strings.ANSWER_UNKNOWN_ROUND,
}


class PracticeHandlers:
    def __init__(self, engine: Engine, chat: DiscordChat, settings: Settings, client: discord.Client) -> None:
        self.engine = engine
        self.chat = chat
        self.settings = settings
        self.client = client
        self._parents: OrderedDict[int, int | None] = OrderedDict()  # channel id -> thread parent (or None)

    # --- who may configure ------------------------------------------------------------------------------

    def is_admin(self, interaction: discord.Interaction) -> bool:
        """The platform-admin check: Manage Server, Manage Channels (or Administrator) in this channel, the
        role named in PRACTICEBOT_DISCORD_ADMIN_ROLE, or a user id in PRACTICEBOT_ADMINS."""
        user = interaction.user
        if str(user.id) in self.settings.admins:
            return True
        permissions = interaction.permissions
        if permissions.administrator or permissions.manage_guild or permissions.manage_channels:
            return True
        role = self.settings.discord_admin_role.strip().casefold()
        if role and isinstance(user, discord.Member):
            return any(r.name.casefold() == role for r in user.roles)
        return False

    # --- interactions -----------------------------------------------------------------------------------

    @asynccontextmanager
    async def _guard(self, interaction: discord.Interaction, what: str) -> AsyncIterator[None]:
        token = current_interaction.set(interaction)
        try:
            yield
        except discord.Forbidden as exc:
            log.warning("missing permission", extra={"handler": what, "status": exc.status, "code": exc.code})
            await self._tell(interaction, strings.CANNOT_POST)
        except Exception:
            log.exception("handler failed", extra={"handler": what})
            await self._tell(interaction, strings.APOLOGY)
        finally:
            current_interaction.reset(token)

    async def _tell(self, interaction: discord.Interaction, text: str) -> None:
        try:
            await send_interaction(interaction, render_text(text), ephemeral=True)
        except Exception as exc:  # the interaction expired, Discord is down, or we are shutting down
            log.warning("could not answer the interaction", extra={"error": type(exc).__name__})

    async def respond(self, interaction: discord.Interaction, replies: Sequence[Reply]) -> None:
        for reply in replies:
            await send_interaction(
                interaction, render_card(reply.card), ephemeral=reply.visibility is Visibility.PRIVATE
            )
        if not replies and not interaction.response.is_done():
            await send_interaction(interaction, render_text(strings.DONE), ephemeral=True)
        elif (
            not replies
            and interaction.response.type is discord.InteractionResponseType.deferred_channel_message
        ):
            await interaction.followup.send(strings.DONE, ephemeral=True)

    def context(self, interaction: discord.Interaction) -> CommandContext | None:
        channel = translate.interaction_channel(interaction)
        if channel is None or interaction.guild_id is None:
            return None
        return CommandContext(
            channel=channel,
            member=translate.member_ref(interaction.user, interaction.guild_id),
            is_admin=self.is_admin(interaction),
            question_visibility=Visibility.PRIVATE,
        )

    async def run_command(self, interaction: discord.Interaction, line: str) -> None:
        """One `/practice` app command, as a line of the core's grammar."""
        async with self._guard(interaction, "command"):
            ctx = self.context(interaction)
            if ctx is None:
                await self._tell(interaction, strings.APOLOGY)
                return
            name = line.split(maxsplit=1)[0]
            if name in SLOW_COMMANDS:
                await interaction.response.defer(ephemeral=True, thinking=True)
            replies = await self.engine.dispatch(CommandIssued(ctx, line))
            log.info("command handled", extra={"command": name, "replies": len(replies)})
            await self.respond(interaction, replies)

    async def on_button(self, interaction: discord.Interaction, action: str, round_id: int) -> None:
        async with self._guard(interaction, action):
            known = parse_action(action)
            if known is None:
                log.warning("unknown button", extra={"action": action})
                await self._tell(interaction, strings.BUTTON_UNKNOWN)
                return
            spec = ACTIONS[known]
            if interaction.guild_id is None:
                # Feedback from a scheduled reveal arrives as a direct message: its contest buttons are
                # clicked there, without a server. The core matches the answer's author by user id alone
                # (Discord user ids are global); every other button belongs to a server's message.
                if spec.contest_point is None:
                    await self._tell(interaction, strings.APOLOGY)
                    return
                actor = Actor(translate.member_ref(interaction.user, ""), False)
                replies = await self.engine.dispatch(ActionClicked(known, round_id, actor, None))
                await self.respond(interaction, replies)
                return
            if spec.opens_form:
                await interaction.response.send_modal(AnswerModal(round_id))
                return
            if spec.slow:
                await interaction.response.defer(ephemeral=True, thinking=True)
            actor = Actor(
                translate.member_ref(interaction.user, interaction.guild_id), self.is_admin(interaction)
            )
            channel = translate.interaction_channel(interaction)
            replies = await self.engine.dispatch(ActionClicked(known, round_id, actor, channel))
            await self.respond(interaction, replies)

    async def on_answer_submitted(self, interaction: discord.Interaction, round_id: int, text: str) -> None:
        async with self._guard(interaction, "answer_modal"):
            if interaction.guild_id is None:
                await self._tell(interaction, strings.APOLOGY)
                return
            incoming = translate.modal_answer(
                interaction.user, interaction.guild_id, round_id, text, interaction.id
            )
            recorded = await self.engine.dispatch(FormSubmitted(incoming))
            log.info(
                "modal answer", extra={"round": round_id, "result": recorded.result.value, "chars": len(text)}
            )
            line = _ANSWER_LINES.get(recorded.result)
            messages = render_text(line.format(chars=recorded.chars)) if line else []
            if recorded.notice is not None:
                messages += render_card(recorded.notice)
            await send_interaction(interaction, messages or render_text(strings.DONE), ephemeral=True)

    # --- gateway events ---------------------------------------------------------------------------------

    async def parent_of(self, channel_id: int, channel: object = None) -> int | None:
        """The parent channel when `channel_id` is a thread, else None: from the object, discord.py's cache,
        a small cache of our own, or one REST call."""
        parent = translate.thread_parent(channel)
        if parent is not None:
            return parent
        if channel is not None and isinstance(channel, discord.abc.GuildChannel):
            return None  # a guild channel that is not a thread
        if channel_id in self._parents:
            return self._parents[channel_id]
        cached = self.client.get_channel(channel_id)
        if cached is not None:
            return translate.thread_parent(cached)
        try:
            fetched = await self.client.fetch_channel(channel_id)
        except discord.HTTPException as exc:
            log.info("channel not readable", extra={"channel": channel_id, "status": exc.status})
            return None
        parent = translate.thread_parent(fetched)
        self._parents[channel_id] = parent
        while len(self._parents) > PARENT_CACHE_SIZE:
            self._parents.popitem(last=False)
        return parent

    async def _record(self, answer: IncomingAnswer) -> None:
        recorded = await self.engine.dispatch(AnswerPosted(answer))
        log.info(
            "thread answer",
            extra={"result": recorded.result.value, "round": recorded.round_id, "chars": len(answer.text)},
        )
        if recorded.notice is not None and answer.thread is not None:
            await self.chat.send_private(answer.thread.channel, answer.member, recorded.notice)

    async def on_message(self, message: discord.Message) -> None:
        if not self.settings.discord_message_content or message.author.bot or message.guild is None:
            return
        try:
            parent = await self.parent_of(message.channel.id, message.channel)
            if parent is None:
                return
            thread = translate.thread_ref(message.guild.id, parent, message.channel.id)
            answer = translate.answer_from_message(message, thread)
            if answer is not None:
                await self._record(answer)
        except Exception:
            log.exception("message handler failed")

    async def on_raw_message_edit(self, payload: discord.RawMessageUpdateEvent) -> None:
        if not self.settings.discord_message_content or payload.guild_id is None:
            return
        try:
            parent = await self.parent_of(payload.channel_id)
            if parent is None:
                return
            thread = translate.thread_ref(payload.guild_id, parent, payload.channel_id)
            answer = translate.answer_from_edit(payload.data, thread)
            if answer is not None:
                await self._record(answer)
        except Exception:
            log.exception("edit handler failed")

    async def on_raw_message_delete(self, payload: discord.RawMessageDeleteEvent) -> None:
        if not self.settings.discord_message_content:
            return
        try:
            deleted = translate.deletion(payload)
            if deleted is None or payload.guild_id is None:
                return
            parent = await self.parent_of(deleted.thread_id)
            if parent is None:
                return
            thread = translate.thread_ref(payload.guild_id, parent, deleted.thread_id)
            withdrawn = await self.engine.dispatch(AnswerDeleted(thread, deleted.message_id, deleted.author))
            if withdrawn:
                log.info("answer withdrawn", extra={"thread_id": deleted.thread_id})
        except Exception:
            log.exception("delete handler failed")

    async def on_guild_remove(self, guild_id: int) -> None:
        """The bot was removed from a server (kicked, or the server deleted): post nothing there."""
        try:
            await self.engine.dispatch(WorkspaceGone(platform=Platform.DISCORD, workspace_id=str(guild_id)))
            log.info("removed from a server", extra={"guild": guild_id})
        except Exception:
            log.exception("guild remove handler failed")

    async def on_raw_reaction(self, payload: discord.RawReactionActionEvent) -> None:
        try:
            bot_id = self.client.user.id if self.client.user else None
            vote = translate.vote(payload, bot_user_id=bot_id)
            if vote is None:
                return
            parent = await self.parent_of(vote.channel_id)
            if parent is None:
                return  # answers live in round threads
            channel = translate.channel_ref(vote.guild_id, parent)
            result = await self.engine.dispatch(VoteChanged(channel, vote.message_id, vote.voter, vote.add))
            log.info("vote", extra={"result": result.value, "add": vote.add})
        except Exception:
            log.exception("reaction handler failed")
