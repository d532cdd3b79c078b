"""DiscordChat: the core's ChatPort over Discord's REST API (discord.py's HTTP client).

It needs no gateway connection: the first call logs in (`client.login(token)`), so `practicebot tick` can
deliver from a process that never connects. Inside an interaction (a command or a button the adapter is
handling) private cards for the person who clicked go to them as ephemeral follow-ups; otherwise by DM.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Sequence
from contextvars import ContextVar

import discord
from aiolimiter import AsyncLimiter

from adapters.discord import strings, translate
from adapters.discord.components import CUSTOM_ID
from adapters.discord.render import OutgoingMessage, render_card, render_text
from bot.cards import ANSWER_PRIVATELY
from bot.domain import Card, CardKind, ChannelRef, IncomingAnswer, MemberRef, Platform, ThreadRef
from bot.ports import ChannelUnreachable

log = logging.getLogger("practicebot.discord")

# The interaction being handled in this task, if any (set by the handlers around engine calls).
current_interaction: ContextVar[discord.Interaction | None] = ContextVar(
    "practicebot_discord_interaction", default=None
)

THREAD_ARCHIVE_MINUTES = 10080  # a week: longer than any reveal delay the grammar allows
HISTORY_LIMIT = 500  # thread messages read back before a reveal (5 requests)
FIND_POSTED_LIMIT = 100  # channel messages searched for a round message sent before a crash
THREAD_NAME_LIMIT = 100
UNKNOWN_CHANNEL = 10003
THREAD_ALREADY_EXISTS = 160004


async def send_interaction(
    interaction: discord.Interaction, messages: Sequence[OutgoingMessage], *, ephemeral: bool
) -> None:
    """The first message answers the interaction; the rest (or all, once answered) are follow-ups."""
    for message in messages:
        kwargs = message.kwargs()
        if not interaction.response.is_done():
            await interaction.response.send_message(ephemeral=ephemeral, **kwargs)
        else:
            await interaction.followup.send(ephemeral=ephemeral, **kwargs)


def with_answer_button(card: Card) -> Card:
    """A channel round always gets an Answer button: it needs no privileged intent and still works when
    the thread could not be created."""
    if card.kind is not CardKind.QUESTION or card.round_id is None:
        return card
    if any(a.id == ANSWER_PRIVATELY.id for a in card.actions):
        return card
    button = ANSWER_PRIVATELY.model_copy(
        update={"label": strings.ANSWER_BUTTON_LABEL, "value": str(card.round_id)}
    )
    return card.model_copy(update={"actions": (*card.actions, button)})


def _answer_label(card: Card) -> str:
    return next((a.label for a in card.actions if a.id == ANSWER_PRIVATELY.id), strings.ANSWER_BUTTON_LABEL)


def thread_name(card: Card) -> str:
    name = strings.THREAD_NAME.format(title=card.title)
    return name if len(name) <= THREAD_NAME_LIMIT else name[: THREAD_NAME_LIMIT - 1] + "…"


class DiscordChat:
    platform = Platform.DISCORD

    def __init__(
        self,
        client: discord.Client,
        token: str | None,
        *,
        message_content: bool = False,
        requests_per_second: float = 40.0,
    ) -> None:
        self.client = client
        self.message_content = message_content
        # Discord allows a bot 50 REST calls a second in all and answers more with 429s; discord.py only
        # backs off after one, and 10,000 of them in 10 minutes get the IP banned. A daily fan-out makes
        # two or three calls per channel, so its calls are paced up front. Interaction responses are
        # exempt from the global limit and are not paced.
        self.rest_limiter = AsyncLimiter(requests_per_second, 1.0)
        self._token = token
        self._login_lock = asyncio.Lock()

    async def ensure_login(self) -> None:
        if self.client.user is not None:
            return
        async with self._login_lock:
            if self.client.user is None:
                if not self._token:
                    raise RuntimeError("DISCORD_TOKEN is not set")
                await self.client.login(self._token)

    async def _send(
        self,
        channel_id: int | str,
        messages: Sequence[OutgoingMessage],
        *,
        reference: discord.MessageReference | None = None,
    ) -> list[discord.Message]:
        target = self.client.get_partial_messageable(int(channel_id))
        sent = []
        for index, message in enumerate(messages):
            kwargs = message.kwargs()
            if reference is not None and index == 0:
                kwargs["reference"] = reference
                kwargs["mention_author"] = False
            await self.rest_limiter.acquire()
            sent.append(await target.send(**kwargs))
        return sent

    # --- ChatPort ---------------------------------------------------------------------------------------

    async def post_round(self, channel: ChannelRef, card: Card) -> str:
        await self.ensure_login()
        card = with_answer_button(card)
        label = _answer_label(card)
        note = "" if self.message_content else strings.ANSWER_BY_BUTTON.format(label=label)
        messages = render_card(card, note=note)
        # The buttons belong on the round message itself, however long the card.
        if len(messages) > 1:
            messages[0].view, messages[-1].view = messages[-1].view, None
        try:
            (message,) = await self._send(channel.channel_id, messages[:1])
        except discord.NotFound as exc:
            if exc.code == UNKNOWN_CHANNEL:
                raise ChannelUnreachable(f"channel {channel.channel_id} unknown", gone=True) from exc
            raise
        rest_target: int = message.id
        try:
            await self.rest_limiter.acquire()
            await self.client.http.start_thread_with_message(
                int(channel.channel_id),
                message.id,
                name=thread_name(card),
                auto_archive_duration=THREAD_ARCHIVE_MINUTES,
            )
        except discord.Forbidden:
            log.warning(
                "thread not created: missing permission; answers go by button",
                extra={"channel": channel.channel_id, "message_id": message.id},
            )
            rest_target = int(channel.channel_id)
            await self._tell_thread_forbidden(channel, message, label)
        except discord.HTTPException as exc:  # e.g. the message already has a thread: the round still stands
            log.warning(
                "thread not created",
                extra={"channel": channel.channel_id, "status": exc.status, "code": exc.code},
            )
            if exc.code != THREAD_ALREADY_EXISTS:
                rest_target = int(channel.channel_id)
        if len(messages) > 1:
            await self._send(rest_target, messages[1:])
        log.info("round message sent", extra={"channel": channel.channel_id, "message_id": message.id})
        return str(message.id)

    async def _tell_thread_forbidden(self, channel: ChannelRef, message: discord.Message, label: str) -> None:
        notice = render_text(strings.THREAD_FORBIDDEN.format(label=label))
        interaction = current_interaction.get()
        try:
            if interaction is not None:  # whoever clicked 'Post to channel' hears it privately
                await send_interaction(interaction, notice, ephemeral=True)
                return
            reference = discord.MessageReference(
                message_id=message.id, channel_id=int(channel.channel_id), fail_if_not_exists=False
            )
            await self._send(channel.channel_id, notice, reference=reference)
        except discord.HTTPException as exc:
            log.warning("could not explain the missing thread", extra={"status": exc.status})

    async def post_notice(self, channel: ChannelRef, card: Card) -> str:
        await self.ensure_login()
        try:
            sent = await self._send(channel.channel_id, render_card(card))
        except discord.NotFound as exc:
            if exc.code == UNKNOWN_CHANNEL:
                raise ChannelUnreachable(f"channel {channel.channel_id} unknown", gone=True) from exc
            raise
        return str(sent[0].id)

    async def post_in_thread(self, thread: ThreadRef, card: Card) -> str:
        await self.ensure_login()
        messages = render_card(card)
        try:
            sent = await self._send(thread.message_id, messages)
        except (discord.NotFound, discord.Forbidden) as exc:
            # No thread (it could not be created, or was deleted): answer the round message in the channel.
            log.warning(
                "thread unavailable; posting in the channel",
                extra={
                    "channel": thread.channel.channel_id,
                    "thread_id": thread.message_id,
                    "status": exc.status,
                },
            )
            reference = discord.MessageReference(
                message_id=int(thread.message_id),
                channel_id=int(thread.channel.channel_id),
                fail_if_not_exists=False,
            )
            sent = await self._send(thread.channel.channel_id, messages, reference=reference)
        return str(sent[0].id)

    async def send_private(self, channel: ChannelRef, member: MemberRef, card: Card) -> None:
        await self.ensure_login()
        messages = render_card(card)
        interaction = current_interaction.get()
        if interaction is not None and str(interaction.user.id) == member.user_id:
            await send_interaction(interaction, messages, ephemeral=True)
            return
        try:
            await self.rest_limiter.acquire()
            dm = await self.client.create_dm(discord.Object(id=int(member.user_id)))
            for message in messages:
                await self.rest_limiter.acquire()
                await dm.send(**message.kwargs())
        except discord.HTTPException as exc:  # DMs closed, or the member left: not worth failing a reveal
            log.info("private card not delivered", extra={"member": member.user_id, "status": exc.status})

    async def fetch_replies(self, thread: ThreadRef) -> Sequence[IncomingAnswer]:
        """Thread messages read back before a reveal. Without the Message Content intent Discord returns them
        with empty content, so they are not even read."""
        if not self.message_content:
            return []
        await self.ensure_login()
        target = self.client.get_partial_messageable(
            int(thread.message_id), guild_id=int(thread.channel.workspace_id)
        )
        replies: list[IncomingAnswer] = []
        await self.rest_limiter.acquire()  # the first page; a long thread's few more pages are not paced
        try:
            async for message in target.history(limit=HISTORY_LIMIT, oldest_first=True):
                answer = translate.answer_from_message(message, thread)
                if answer is not None:
                    replies.append(answer)
        except (discord.NotFound, discord.Forbidden) as exc:
            log.info("thread not readable", extra={"thread_id": thread.message_id, "status": exc.status})
            return []
        return replies

    async def find_posted(self, channel: ChannelRef, card: Card, since: dt.datetime) -> str | None:
        """After a crash between sending a round message and recording it: the bot's message since `since`
        whose Answer button names this round (`practice:answer_privately:<round id>`). Reveals go to a
        thread this port cannot name from the card alone, so for them it cannot tell (None)."""
        if card.kind is not CardKind.QUESTION or card.round_id is None:
            return None
        await self.ensure_login()
        marker = CUSTOM_ID.format(action=ANSWER_PRIVATELY.id, round_id=card.round_id)
        target = self.client.get_partial_messageable(int(channel.channel_id))
        me = self.client.user.id if self.client.user else None
        after = discord.Object(id=discord.utils.time_snowflake(since - dt.timedelta(seconds=5)))
        await self.rest_limiter.acquire()
        async for message in target.history(limit=FIND_POSTED_LIMIT, after=after, oldest_first=True):
            if message.author.id != me:
                continue
            ids = [
                getattr(c, "custom_id", None)
                for row in message.components
                for c in getattr(row, "children", ())
            ]
            if marker in ids:
                return str(message.id)
        return None
