"""The console loop: stdin lines become commands and answers; cards print to stdout."""

from __future__ import annotations

import asyncio
import contextlib
import re
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from rich.console import Console

from adapters.console import strings
from adapters.console.render import render_plain, render_rich
from bot.actions import ACTIONS, parse_action
from bot.domain import (
    AnswerResult,
    Attachment,
    Card,
    CardKind,
    ChannelRef,
    IncomingAnswer,
    MemberRef,
    Platform,
    Reply,
    ThreadRef,
    Visibility,
)
from bot.engine import Engine
from bot.events import AnswerPosted, CommandContext, CommandIssued, FormSubmitted, VoteChanged

WORKSPACE = "local"


def action_hint(action_id: str) -> str:
    """The console has no buttons: each action of the core's table says what to type instead."""
    action = parse_action(action_id)
    return ACTIONS[action].console_hint if action is not None else ""


_NAME = re.compile(r"^[\w.-]{1,40}$")


class ConsoleOutput:
    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.rich = Console(file=stream) if stream.isatty() else None

    def card(self, card: Card, where: str) -> None:
        if self.rich:
            self.rich.print(render_rich(card, where))
        else:
            print(render_plain(card, where), file=self.stream, flush=True)
        if card.attachment is not None:
            self.line(strings.ATTACHMENT_SAVED.format(path=self._save(card.attachment)))
        for action in card.actions:
            self.line(f"  [{action.label}] {action_hint(action.id)}")

    @staticmethod
    def _save(attachment: Attachment) -> Path:
        """A terminal cannot show an image: keep it in a temp folder and print where."""
        folder = Path(tempfile.gettempdir()) / "practicebot"
        folder.mkdir(exist_ok=True)
        path = folder / attachment.filename
        path.write_bytes(attachment.content)
        return path

    def line(self, text: str) -> None:
        if self.rich:
            self.rich.print(text, highlight=False, markup=False)
        else:
            print(text, file=self.stream, flush=True)


class ConsoleChat:
    """ChatPort for the terminal. Its own log of thread replies stands in for a platform's history."""

    platform = Platform.CONSOLE

    def __init__(self, output: ConsoleOutput) -> None:
        self.output = output
        self._next_id = 0
        self.replies: dict[str, list[IncomingAnswer]] = {}
        self.current_thread: ThreadRef | None = None

    def new_message_id(self) -> str:
        # Slack-style "seconds.sequence": unique across console runs that share one database.
        self._next_id += 1
        return f"{int(time.time())}.{self._next_id:06d}"

    async def post_round(self, channel: ChannelRef, card: Card) -> str:
        message_id = self.new_message_id()
        self.current_thread = ThreadRef(channel=channel, message_id=message_id)
        self.output.card(card, strings.CHANNEL_PREFIX.format(channel=channel.name or channel.channel_id))
        return message_id

    async def post_notice(self, channel: ChannelRef, card: Card) -> str:
        self.output.card(card, strings.CHANNEL_PREFIX.format(channel=channel.name or channel.channel_id))
        return self.new_message_id()  # no thread: plain lines keep answering the open question

    async def post_in_thread(self, thread: ThreadRef, card: Card) -> str:
        self.output.card(card, strings.THREAD_PREFIX.format(message=thread.message_id))
        return self.new_message_id()

    async def send_private(self, channel: ChannelRef, member: MemberRef, card: Card) -> None:
        self.output.card(card, strings.PRIVATE_PREFIX.format(user=member.label))

    async def fetch_replies(self, thread: ThreadRef) -> Sequence[IncomingAnswer]:
        return list(self.replies.get(thread.message_id, ()))


class ConsoleSession:
    def __init__(
        self, engine: Engine, chat: ConsoleChat, output: ConsoleOutput, *, channel: str, user: str
    ) -> None:
        self.engine = engine
        self.chat = chat
        self.output = output
        self.channel = ChannelRef(
            platform=Platform.CONSOLE, workspace_id=WORKSPACE, channel_id=channel, name=channel
        )
        self.member = self._member(user)
        # Each person's newest private question (a review, or one asked privately) still open: a plain line
        # answers it before the channel's round. user id -> (round id, question footer).
        self.private_open: dict[str, tuple[int, str]] = {}

    @staticmethod
    def _member(name: str) -> MemberRef:
        return MemberRef(
            platform=Platform.CONSOLE, workspace_id=WORKSPACE, user_id=name.lower(), display_name=name
        )

    async def welcome(self) -> None:
        self.output.line(strings.WELCOME.format(channel=self.channel.name, user=self.member.label))
        # Answers go to the open round of an earlier run too: the database, not this process, knows it.
        if self.chat.current_thread is None:
            open_round = await self.engine.open_round(self.channel)
            if open_round is not None and open_round.thread is not None:
                self.chat.current_thread = open_round.thread
                self.output.line(strings.RESUMED.format(message=open_round.message_id))

    async def handle_line(self, raw: str) -> bool:
        """Handle one input line; False means the user asked to leave."""
        line = raw.strip()
        if not line:
            return True
        if line.startswith("/"):
            word, _, rest = line.partition(" ")
            word = word.lower()
            if word in ("/quit", "/exit"):
                return False
            if word == "/as":
                name = rest.strip()
                if not _NAME.match(name):
                    self.output.line(strings.AS_USAGE)
                else:
                    self.member = self._member(name)
                    self.output.line(strings.SWITCHED.format(user=name))
                return True
            if word in ("/vote", "/unvote"):
                await self._vote(rest.strip(), add=word == "/vote")
                return True
            if word in ("/practice", "/help"):
                text = rest if word == "/practice" else "help"
                context = CommandContext(
                    channel=self.channel,
                    member=self.member,
                    is_admin=True,
                    question_visibility=Visibility.PUBLIC,
                )
                self._show(await self.engine.dispatch(CommandIssued(context, text)))
                return True
            self.output.line(strings.UNKNOWN_SLASH.format(word=word))
            return True
        await self._answer(line)
        return True

    async def _answer(self, text: str) -> None:
        private = self.private_open.get(self.member.user_id)
        if private is not None:
            await self._answer_privately(text, *private)
            return
        thread = self.chat.current_thread
        if thread is None:
            self.output.line(strings.NO_OPEN_QUESTION)
            return
        incoming = IncomingAnswer(
            thread=thread, member=self.member, text=text, message_id=self.chat.new_message_id()
        )
        self.chat.replies.setdefault(thread.message_id, []).append(incoming)
        recorded = await self.engine.dispatch(AnswerPosted(incoming))
        message = {
            AnswerResult.RECORDED: strings.ANSWER_SAVED,
            AnswerResult.UPDATED: strings.ANSWER_UPDATED,
            AnswerResult.LATE: strings.ANSWER_LATE,
        }.get(recorded.result)
        if message:
            self.output.line(
                message.format(
                    user=self.member.label,
                    chars=recorded.chars,
                    round=recorded.round_id,
                    question=recorded.question_id,
                )
            )
        if recorded.notice:
            self.output.card(recorded.notice, strings.PRIVATE_PREFIX.format(user=self.member.label))

    async def _answer_privately(self, text: str, round_id: int, question: str) -> None:
        incoming = IncomingAnswer(
            round_id=round_id, member=self.member, text=text, message_id=self.chat.new_message_id()
        )
        recorded = await self.engine.dispatch(FormSubmitted(incoming))
        if recorded.result is AnswerResult.UNKNOWN_THREAD:  # revealed or gone meanwhile: the channel's turn
            del self.private_open[self.member.user_id]
            await self._answer(text)
            return
        if recorded.result in (AnswerResult.RECORDED, AnswerResult.UPDATED):
            self.output.line(
                strings.PRIVATE_ANSWER_SAVED.format(
                    user=self.member.label, chars=recorded.chars, question=question
                )
            )
        if recorded.notice:
            self.output.card(recorded.notice, strings.PRIVATE_PREFIX.format(user=self.member.label))

    async def _vote(self, name: str, *, add: bool) -> None:
        """The console's stand-in for a reaction: vote for NAME's latest message in the open thread."""
        thread = self.chat.current_thread
        if not _NAME.match(name):
            self.output.line(strings.VOTE_USAGE)
            return
        replies = self.chat.replies.get(thread.message_id, []) if thread else []
        target = next((r for r in reversed(replies) if r.member.user_id == name.lower()), None)
        if thread is None or target is None or target.message_id is None:
            self.output.line(strings.VOTE_NO_ANSWER.format(user=name))
            return
        result = await self.engine.dispatch(VoteChanged(thread.channel, target.message_id, self.member, add))
        self.output.line(strings.VOTE_RESULTS[result.value].format(user=self.member.label, author=name))

    def _show(self, replies: Sequence[Reply]) -> None:
        for reply in replies:
            card = reply.card
            if reply.visibility is Visibility.PRIVATE and card.round_id is not None:
                if card.kind is CardKind.QUESTION:
                    self.private_open[self.member.user_id] = (card.round_id, card.footer)
                    self.output.line(strings.PRIVATE_QUESTION_HINT)
                elif card.kind is CardKind.REVEAL:
                    self.private_open.pop(self.member.user_id, None)
            where = (
                strings.PRIVATE_PREFIX.format(user=self.member.label)
                if reply.visibility is Visibility.PRIVATE
                else strings.CHANNEL_PREFIX.format(channel=self.channel.name)
            )
            self.output.card(reply.card, where)


def _read_lines(stdin: TextIO, loop: asyncio.AbstractEventLoop, lines: asyncio.Queue[str | None]) -> None:
    """Feed stdin's lines to the loop, from a daemon thread: a process told to stop (Ctrl-C) never waits for
    a line that is not coming. A terminal gets a line editor (readline: arrows, history), not raw escapes."""
    interactive = stdin is sys.stdin and stdin.isatty()
    if interactive:
        with contextlib.suppress(ImportError):  # not on every platform; the terminal works without it
            import readline  # noqa: F401  (its import gives input() line editing and history)
    while True:
        try:
            line: str | None = input("> ") + "\n" if interactive else stdin.readline() or None
        except EOFError:  # Ctrl-D
            line = None
        loop.call_soon_threadsafe(lines.put_nowait, line)
        if line is None:
            return


async def run_console(session: ConsoleSession, stdin: TextIO = sys.stdin) -> None:
    """Read until end of input (Ctrl-D) or /quit; Ctrl-C is handled by the caller, also saying "Bye."."""
    await session.welcome()
    loop = asyncio.get_running_loop()
    lines: asyncio.Queue[str | None] = asyncio.Queue()
    threading.Thread(target=_read_lines, args=(stdin, loop, lines), daemon=True, name="console-input").start()
    while (raw := await lines.get()) is not None:
        if not await session.handle_line(raw):
            break
    session.output.line(strings.GOODBYE)
