"""A pack's files (DESIGN §6): a folder with `pack.yaml` plus question files. The question model itself is the
core's (bot/questions.py); it is re-exported here for pack tooling."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from bot.questions import (
    ID_PATTERN,
    MAX_ITEM_CHARS,
    MAX_KEY_POINTS,
    MAX_LABEL_CHARS,
    MAX_MODEL_ANSWER_CHARS,
    MAX_QUESTION_CHARS,
    Category,
    Difficulty,
    KeyPoint,
    Question,
    unwrap_paragraphs,
)

__all__ = [
    "ID_PATTERN",
    "MAX_ITEM_CHARS",
    "MAX_KEY_POINTS",
    "MAX_LABEL_CHARS",
    "MAX_MODEL_ANSWER_CHARS",
    "MAX_QUESTION_CHARS",
    "PLACEHOLDER",
    "Category",
    "Difficulty",
    "KeyPoint",
    "PackManifest",
    "Question",
    "unwrap_paragraphs",
]

# What `practicebot content import` writes where a spreadsheet or Markdown list left a field out. The loader
# rejects any text that still starts with it, so a half-finished pack never reaches a channel.
PLACEHOLDER = "TODO"


class PackManifest(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

    name: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    version: str = Field(min_length=1)
    description: str = Field(min_length=1)
    license: str = Field(min_length=1)
    language: str = Field(default="en", min_length=2)
