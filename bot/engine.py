"""The core's entry: `Engine.dispatch(event)` runs the use case an incoming event calls for. Adapters
translate and render; every rule of the game lives here or below (rounds, answers, standings)."""

from __future__ import annotations

import logging
import time
from typing import overload

from bot import cards
from bot.actions import ACTIONS, ActionId
from bot.commands import (
    ConfigAction,
    ConfigCmd,
    ContestCmd,
    ContestsCmd,
    DecideContestCmd,
    GradeCmd,
    HelpCmd,
    LeaderboardCmd,
    QuestionCmd,
    RevealCmd,
    ReviewCmd,
    ScheduleAction,
    ScheduleCmd,
    SkipCmd,
    StatsCmd,
    TopicsCmd,
    UsageProblem,
    parse,
)
from bot.contests import Contests
from bot.core import EngineConfig
from bot.domain import Card, ChannelRef, ChannelSettings, RecordedAnswer, Reply, VoteResult
from bot.events import (
    ActionClicked,
    AnswerDeleted,
    AnswerPosted,
    ChannelGone,
    CommandContext,
    CommandIssued,
    Event,
    FormSubmitted,
    VoteChanged,
    WorkspaceGone,
)
from bot.ports import Store
from bot.questions import Category
from bot.review import Grade
from bot.timing import local_date, next_slots

__all__ = ["CommandContext", "Engine", "EngineConfig"]

log = logging.getLogger("practicebot.engine")

# How long a channel seen active by a command is not checked again (see Engine._reactivate).
ACTIVE_CHECK_SECONDS = 300.0


class Engine(Contests):
    # --- the one entry for incoming events ----------------------------------------------------------------

    @overload
    async def dispatch(self, event: CommandIssued | ActionClicked) -> list[Reply]: ...
    @overload
    async def dispatch(self, event: AnswerPosted | FormSubmitted) -> RecordedAnswer: ...
    @overload
    async def dispatch(self, event: AnswerDeleted) -> bool: ...
    @overload
    async def dispatch(self, event: VoteChanged) -> VoteResult: ...
    @overload
    async def dispatch(self, event: ChannelGone | WorkspaceGone) -> None: ...

    async def dispatch(self, event: Event) -> list[Reply] | RecordedAnswer | bool | VoteResult | None:
        match event:
            case CommandIssued(ctx=ctx, text=text):
                return await self.handle_command(ctx, text)
            case AnswerPosted(answer=answer):
                return await self.record_answer(answer)
            case FormSubmitted(answer=answer, channel=channel):
                return await self.record_answer(answer, form_channel=channel)
            case AnswerDeleted(thread=thread, message_id=message_id, member=member):
                return await self.withdraw_answer(thread, member, message_id)
            case VoteChanged(channel=channel, message_id=message_id, voter=voter, added=added):
                return await self.vote(channel, message_id, voter, add=added)
            case ActionClicked():
                return await self.click(event)
            case ChannelGone(channel=channel):
                await self.deactivate_channel(channel)
                return None
            case WorkspaceGone(platform=platform, workspace_id=workspace_id):
                self._active_checked = {
                    k: t for k, t in self._active_checked.items() if k[:2] != (platform.value, workspace_id)
                }
                count = await self.tx(lambda store: store.deactivate_workspace(platform, workspace_id))
                log.info("workspace removed; its channels are inactive", extra={"channels": count})
                return None
        raise AssertionError(f"unhandled event {event!r}")

    async def _reactivate(self, channel: ChannelRef) -> None:
        """A command from a channel marked inactive (the bot was removed, the app uninstalled) shows the bot
        is back there: its daily question resumes. Checked at most every few minutes per channel (a write
        per command doubled the latency of every command); this process forgets the check when it marks
        the channel or its workspace inactive itself."""
        now = time.monotonic()
        key = channel.key
        if now - self._active_checked.get(key, -ACTIVE_CHECK_SECONDS) < ACTIVE_CHECK_SECONDS:
            return
        if await self.tx(lambda store: store.reactivate_channel(channel)):
            log.info("channel active again", extra={"channel": channel.channel_id})
        self._active_checked[key] = now

    async def click(self, event: ActionClicked) -> list[Reply]:
        """A card button. Form-opening actions never get here: the adapter shows the form."""
        spec = ACTIONS[event.action]
        if spec.contest_point is not None:  # the action's value is the answer's id
            return [await self.contest(event.actor.member, spec.contest_point, answer_id=event.round_id)]
        if spec.grade is not None:
            member = event.actor.member
            return [await self.review_grade(member, event.channel, Grade(spec.grade), event.round_id)]
        if event.action is ActionId.POST_TO_CHANNEL:
            return await self.publish_round(event.round_id, by=event.actor)
        if event.action is ActionId.REVEAL:
            return await self.reveal(event.round_id, by=event.actor)
        raise AssertionError(f"action {event.action} opens a form; the adapter handles it")

    # --- commands ---------------------------------------------------------------------------------------

    async def handle_command(self, ctx: CommandContext, text: str) -> list[Reply]:
        """Run one `/practice ...` line. Bad input yields a usage card; nothing here raises to a user."""
        await self._reactivate(ctx.channel)
        command = parse(text)
        match command:
            case UsageProblem():
                return [Reply(card=cards.usage_card(command))]
            case HelpCmd(topic=topic):
                return [Reply(card=cards.help_card(topic))]
            case QuestionCmd(category=category, difficulty=difficulty, question_id=question_id):
                return await self.ask(
                    ctx.channel,
                    requested_by=ctx.member,
                    category=category,
                    difficulty=difficulty,
                    visibility=ctx.question_visibility,
                    question_id=question_id,
                )
            case SkipCmd():
                return await self.skip(ctx)
            case RevealCmd(round_id=round_id):
                return await self.reveal_latest(ctx, round_id)
            case LeaderboardCmd(period=period, workspace=workspace):
                return [Reply(card=await self.leaderboard_card(ctx, period, workspace=workspace))]
            case StatsCmd(member=who):
                return [await self.stats_reply(ctx, who)]
            case TopicsCmd():
                counts = {c.value: 0 for c in Category}
                packs: dict[str, int] = {}
                for q in self.questions.all():
                    counts[q.category.value] += 1
                    packs[q.pack or "custom"] = packs.get(q.pack or "custom", 0) + 1
                return [Reply(card=cards.topics_card(counts, len(self.questions.all()), packs))]
            case ContestCmd(point=point):
                return [await self.contest(ctx.member, point, ctx=ctx)]
            case DecideContestCmd(contest_id=contest_id, accept=accept, reason=reason):
                return [await self.decide_contest(ctx, contest_id, accept=accept, reason=reason)]
            case ContestsCmd():
                return [await self.list_contests(ctx)]
            case ReviewCmd():
                return await self.review_next(ctx)
            case GradeCmd(grade=how):
                return [await self.review_grade(ctx.member, ctx.channel, Grade(how))]
            case ScheduleCmd() | ConfigCmd():
                return [Reply(card=await self.configure(ctx, command))]
        raise AssertionError(f"unhandled command {command!r}")

    # --- configure --------------------------------------------------------------------------------------

    async def channel_settings(self, channel: ChannelRef) -> ChannelSettings:
        defaults = self.defaults(channel)
        return await self.tx(lambda store: store.channel(channel, defaults))

    async def configure(self, ctx: CommandContext, command: ScheduleCmd | ConfigCmd) -> Card:
        if command.changes_config and not ctx.is_admin:
            return cards.notice_card("Only channel admins can change this channel's settings.")
        changes: dict[str, object] = {}
        match command:
            case ScheduleCmd(action=ScheduleAction.SET):
                # Setting a schedule also brings back a channel marked inactive (the bot was removed). The
                # new schedule counts from now: no slot before this instant is posted, in either zone.
                changes = {
                    "schedule_enabled": True,
                    "paused": False,
                    "active": True,
                    "post_time": command.time,
                    "schedule_since": self.clock.now(),
                }
                if command.timezone:
                    changes["timezone"] = command.timezone
                if command.days:
                    changes["days"] = command.days
            case ScheduleCmd(action=ScheduleAction.REVEAL):
                changes = {
                    "reveal_after_minutes": command.reveal_after_minutes,
                    "reveal_at_time": command.reveal_at,
                }
            case ScheduleCmd(action=ScheduleAction.REMIND):
                changes = {"reminder_minutes": command.remind_minutes}
            case ScheduleCmd(action=ScheduleAction.PAUSE):
                changes = {"paused": True}
            case ScheduleCmd(action=ScheduleAction.RESUME):
                # Days that passed while paused are not caught up: the schedule is in force from now.
                changes = {"paused": False, "active": True, "schedule_since": self.clock.now()}
            case ScheduleCmd(action=ScheduleAction.SKIP):
                current = await self.channel_settings(ctx.channel)
                assert command.date is not None
                today = local_date(self.clock.now(), current.timezone)
                if command.date < today:
                    problem = f"{command.date.isoformat()} has passed (today is {today.isoformat()} here)"
                    return cards.usage_card(UsageProblem(problem, "schedule"))
                changes = {"skip_dates": tuple(sorted({*current.skip_dates, command.date}))}
            case ScheduleCmd(action=ScheduleAction.PREVIEW):
                settings = await self.channel_settings(ctx.channel)
                return cards.preview_card(settings, next_slots(settings, self.clock.now(), count=5))
            case ConfigCmd(action=ConfigAction.CATEGORIES):
                changes = {"categories": command.values}
            case ConfigCmd(action=ConfigAction.DIFFICULTY):
                changes = {"difficulties": command.values}
            case ConfigCmd(action=ConfigAction.PACKS):
                known = {q.pack for q in self.questions.all()}
                unknown = [p for p in command.values if p not in known]
                if unknown:
                    return cards.usage_card(
                        UsageProblem(f"unknown pack: {', '.join(unknown)}", "config", tuple(sorted(known)))
                    )
                changes = {"packs": command.values}
            case ConfigCmd(action=ConfigAction.ANSWERS):
                changes = {"answer_mode": command.values[0]}
            case ConfigCmd(action=ConfigAction.RECAP):
                changes = {"recap_weekly": command.values[0] == "weekly"}
        defaults = self.defaults(ctx.channel)

        def work(store: Store) -> ChannelSettings:
            if changes:
                return store.update_channel(ctx.channel, defaults, **changes)
            return store.channel(ctx.channel, defaults)

        settings = await self.tx(work)
        if changes:
            for listener in self.schedule_listeners:
                await listener()
        return cards.channel_card(settings)
