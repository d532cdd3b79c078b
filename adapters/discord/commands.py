"""The `/practice` application-command group. Every subcommand becomes one line of the core's grammar
(bot/commands.py), so Discord and the other platforms share one parser and one set of usage cards."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import discord
from discord import app_commands

from adapters.discord import strings
from adapters.discord.translate import command_line
from bot.commands import USAGE
from bot.questions import Category, Difficulty
from bot.review import Grade

Route = Callable[[discord.Interaction, str], Awaitable[None]]

CATEGORY_CHOICES = [app_commands.Choice(name=c.value.replace("-", " "), value=c.value) for c in Category]
DIFFICULTY_CHOICES = [app_commands.Choice(name=d.value, value=d.value) for d in Difficulty]
PERIOD_CHOICES = [app_commands.Choice(name=label, value=v) for v, label in strings.PERIOD_CHOICES.items()]
SCOPE_CHOICES = [app_commands.Choice(name=label, value=v) for v, label in strings.SCOPE_CHOICES.items()]
GRADE_CHOICES = [app_commands.Choice(name=g.value, value=g.value) for g in Grade]
HELP_CHOICES = [app_commands.Choice(name=name, value=name) for name in USAGE]
MAX_SUGGESTIONS = 25


def _suggest(options: tuple[str, ...], current: str) -> list[app_commands.Choice[str]]:
    typed = current.strip().lower()
    matches = [o for o in options if o.startswith(typed) or typed in o] if typed else list(options)
    if typed and typed not in matches:
        matches.insert(0, current.strip())  # what was typed stays selectable; the grammar judges it
    return [app_commands.Choice(name=m[:100], value=m[:100]) for m in matches[:MAX_SUGGESTIONS]]


async def _schedule_suggestions(
    interaction: discord.Interaction, current: str
) -> list[app_commands.Choice[str]]:
    return _suggest(strings.SCHEDULE_SUGGESTIONS, current)


async def _config_suggestions(
    interaction: discord.Interaction, current: str
) -> list[app_commands.Choice[str]]:
    return _suggest(strings.CONFIG_SUGGESTIONS, current)


@app_commands.allowed_contexts(guilds=True, dms=False, private_channels=False)
@app_commands.allowed_installs(guilds=True, users=False)
class PracticeGroup(
    app_commands.Group, name="practice", description=strings.GROUP_DESCRIPTION, guild_only=True
):
    def __init__(self, route: Route) -> None:
        super().__init__()
        self.route = route
        # Every command of the core's table is offered: one without a typed subcommand below gets a
        # free-text one, so a command added to the grammar reaches Discord without an edit here.
        declared = {command.name for command in self.commands}
        for name, (syntax, meaning) in USAGE.items():
            if name not in declared:
                self.add_command(_free_text_command(name, syntax, meaning, route))

    @app_commands.command(name="question", description=strings.QUESTION_DESCRIPTION)
    @app_commands.describe(
        category=strings.OPTION_CATEGORY, difficulty=strings.OPTION_DIFFICULTY, id=strings.OPTION_QUESTION_ID
    )
    @app_commands.choices(category=CATEGORY_CHOICES, difficulty=DIFFICULTY_CHOICES)
    async def question(
        self,
        interaction: discord.Interaction,
        category: str | None = None,
        difficulty: str | None = None,
        id: str | None = None,  # the option name users see
    ) -> None:
        if id:  # a given question: the filters do not apply
            await self.route(interaction, command_line("question", id))
            return
        await self.route(interaction, command_line("question", category, difficulty))

    @app_commands.command(name="reveal", description=strings.REVEAL_DESCRIPTION)
    async def reveal(self, interaction: discord.Interaction) -> None:
        await self.route(interaction, "reveal")

    @app_commands.command(name="leaderboard", description=strings.LEADERBOARD_DESCRIPTION)
    @app_commands.describe(period=strings.OPTION_PERIOD, scope=strings.OPTION_SCOPE)
    @app_commands.choices(period=PERIOD_CHOICES, scope=SCOPE_CHOICES)
    async def leaderboard(
        self, interaction: discord.Interaction, period: str | None = None, scope: str | None = None
    ) -> None:
        await self.route(interaction, command_line("leaderboard", period, scope))

    @app_commands.command(name="stats", description=strings.STATS_DESCRIPTION)
    @app_commands.describe(member=strings.OPTION_MEMBER)
    async def stats(self, interaction: discord.Interaction, member: discord.User | None = None) -> None:
        await self.route(interaction, command_line("stats", member.id if member else None))

    @app_commands.command(name="review", description=strings.REVIEW_DESCRIPTION)
    async def review(self, interaction: discord.Interaction) -> None:
        await self.route(interaction, "review")

    @app_commands.command(name="grade", description=strings.GRADE_DESCRIPTION)
    @app_commands.describe(how=strings.OPTION_GRADE)
    @app_commands.choices(how=GRADE_CHOICES)
    async def grade(self, interaction: discord.Interaction, how: str) -> None:
        await self.route(interaction, command_line("grade", how))

    @app_commands.command(name="topics", description=strings.TOPICS_DESCRIPTION)
    async def topics(self, interaction: discord.Interaction) -> None:
        await self.route(interaction, "topics")

    @app_commands.command(name="help", description=strings.HELP_DESCRIPTION)
    @app_commands.describe(command=strings.OPTION_HELP_COMMAND)
    @app_commands.choices(command=HELP_CHOICES)
    async def help(self, interaction: discord.Interaction, command: str | None = None) -> None:
        await self.route(interaction, command_line("help", command))

    @app_commands.command(name="schedule", description=strings.SCHEDULE_DESCRIPTION)
    @app_commands.describe(settings=strings.OPTION_SCHEDULE)
    @app_commands.autocomplete(settings=_schedule_suggestions)
    async def schedule(self, interaction: discord.Interaction, settings: str | None = None) -> None:
        await self.route(interaction, command_line("schedule", settings))

    @app_commands.command(name="config", description=strings.CONFIG_DESCRIPTION)
    @app_commands.describe(settings=strings.OPTION_CONFIG)
    @app_commands.autocomplete(settings=_config_suggestions)
    async def config(self, interaction: discord.Interaction, settings: str | None = None) -> None:
        await self.route(interaction, command_line("config", settings))


def _free_text_command(
    name: str, syntax: str, meaning: str, route: Route
) -> app_commands.Command[Any, Any, None]:
    @app_commands.describe(arguments=syntax[:100])
    async def run(interaction: discord.Interaction, arguments: str | None = None) -> None:
        await route(interaction, command_line(name, arguments))

    return app_commands.Command(name=name, description=meaning[:100], callback=run)


def build_tree(client: discord.Client, route: Route) -> app_commands.CommandTree:
    tree = app_commands.CommandTree(client)
    tree.add_command(PracticeGroup(route))
    return tree
