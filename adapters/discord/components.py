"""Buttons and the answer modal. Buttons are discord.py DynamicItems: their state (action, round id) lives in
the custom_id, so they keep working after a restart and no per-message view is kept in memory."""

from __future__ import annotations

import uuid
from typing import Any, Protocol

import discord

from adapters.discord import strings

CUSTOM_ID = "practice:{action}:{round_id}"
MODAL_CUSTOM_ID = "practice:answer_modal:{round_id}:{nonce}"
MODAL_KEEP_SECONDS = 600  # how long discord.py keeps the (passive) modal object of a form left open
TEMPLATE = r"practice:(?P<action>[a-z][a-z0-9_]{0,39}):(?P<round_id>[0-9]{1,18})"
ANSWER_MAX_CHARS = 4000  # Discord's limit for a text input

STYLES = {
    "post_to_channel": discord.ButtonStyle.primary,
    "answer_privately": discord.ButtonStyle.success,
    "reveal": discord.ButtonStyle.secondary,
}


class InteractionRouter(Protocol):
    """What buttons and answer forms call: the adapter's handlers (see handlers.py)."""

    async def on_button(self, interaction: discord.Interaction, action: str, round_id: int) -> None: ...

    async def on_answer_submitted(
        self, interaction: discord.Interaction, round_id: int, text: str
    ) -> None: ...


def router_of(interaction: discord.Interaction) -> InteractionRouter | None:
    return getattr(interaction.client, "practice_router", None)


class PracticeButton(discord.ui.DynamicItem[discord.ui.Button], template=TEMPLATE):
    def __init__(self, action: str, round_id: int, label: str) -> None:
        super().__init__(
            discord.ui.Button(
                label=label[:80],
                style=STYLES.get(action, discord.ButtonStyle.secondary),
                custom_id=CUSTOM_ID.format(action=action, round_id=round_id),
            )
        )
        self.action = action
        self.round_id = round_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Button, match: Any, /
    ) -> PracticeButton:
        return cls(match["action"], int(match["round_id"]), item.label or match["action"])

    async def callback(self, interaction: discord.Interaction) -> None:
        router = router_of(interaction)
        if router is not None:
            await router.on_button(interaction, self.action, self.round_id)


class AnswerModal(discord.ui.Modal):
    """The answer form. Its submission is handled from the raw interaction (see `translate.modal_submission`
    and the client's `on_interaction`), not from this object, so an answer typed for an hour, or sent after a
    restart, still arrives. This object only describes the form."""

    answer: discord.ui.TextInput = discord.ui.TextInput(
        label=strings.ANSWER_INPUT_LABEL,
        style=discord.TextStyle.paragraph,
        placeholder=strings.ANSWER_INPUT_PLACEHOLDER[:100],
        min_length=1,
        max_length=ANSWER_MAX_CHARS,
    )

    def __init__(self, round_id: int) -> None:
        # One custom id per opening: two people answering the same round never share a modal.
        super().__init__(
            title=strings.ANSWER_MODAL_TITLE[:45],
            custom_id=MODAL_CUSTOM_ID.format(round_id=round_id, nonce=uuid.uuid4().hex[:12]),
            timeout=MODAL_KEEP_SECONDS,
        )
        self.round_id = round_id

    async def on_submit(self, interaction: discord.Interaction) -> None:
        """Nothing here: the client's `on_interaction` records the answer."""
