"""Cards as Discord messages: every message inside Discord's limits, however long the card, nothing lost."""

from __future__ import annotations

import re

from conftest import T0

from adapters.discord.render import (
    CONTENT_LIMIT,
    DESCRIPTION_LIMIT,
    EMBEDS_PER_MESSAGE,
    FIELD_NAME_LIMIT,
    FIELD_VALUE_LIMIT,
    FIELDS_PER_EMBED,
    MESSAGE_EMBED_CHARS,
    TITLE_LIMIT,
    OutgoingMessage,
    embed_chars,
    render_card,
    render_text,
    split_text,
)
from bot import cards
from bot.domain import (
    Card,
    CardKind,
    ChannelRef,
    Platform,
    Round,
    RoundKind,
    RoundStatus,
    Section,
    Visibility,
)
from content.library import QuestionLibrary


def assert_within_limits(messages: list[OutgoingMessage]) -> None:
    assert messages
    for message in messages:
        assert len(message.content or "") <= CONTENT_LIMIT
        assert len(message.embeds) <= EMBEDS_PER_MESSAGE
        assert sum(embed_chars(e) for e in message.embeds) <= MESSAGE_EMBED_CHARS
        for embed in message.embeds:
            assert len(embed.title or "") <= TITLE_LIMIT
            assert len(embed.description or "") <= DESCRIPTION_LIMIT
            assert len(embed.fields) <= FIELDS_PER_EMBED
            for f in embed.fields:
                assert 0 < len(f.value or "") <= FIELD_VALUE_LIMIT and len(f.name or "") <= FIELD_NAME_LIMIT
            embed.to_dict()  # serialisable as Discord expects


def words_of(messages: list[OutgoingMessage]) -> list[str]:
    text = []
    for message in messages:
        text.append(message.content or "")
        for embed in message.embeds:
            text.append(embed.description or "")
            text += [f"{f.name}\n{f.value}" for f in embed.fields]
    return re.findall(r"w\d+", "\n".join(text))


def _round(round_id: int = 7) -> Round:
    channel = ChannelRef(platform=Platform.DISCORD, workspace_id="1", channel_id="2")
    return Round(
        id=round_id,
        channel=channel,
        question_id="mini-skew",
        category="fundamentals",
        kind=RoundKind.DAILY,
        status=RoundStatus.OPEN,
        visibility=Visibility.PUBLIC,
        created_at=T0,
    )


async def test_a_very_long_model_answer_is_split_over_embeds_and_messages(
    mini_library: QuestionLibrary,
) -> None:
    question = mini_library.get("mini-skew")
    assert question is not None
    paragraphs = "\n\n".join(" ".join(f"w{p * 100 + i}" for i in range(100)) for p in range(60))  # ~35k chars
    long_question = question.model_copy(
        update={"model_answer": paragraphs, "pitfalls": tuple(f"pitfall {i} " * 20 for i in range(40))}
    )
    card = cards.reveal_card(_round(), long_question, [])
    messages = render_card(card)

    assert len(messages) >= 6  # 35k chars cannot fit in fewer messages of 6,000
    assert_within_limits(messages)
    assert words_of(messages) == [f"w{p * 100 + i}" for p in range(60) for i in range(100)]  # all, in order
    assert messages[0].embeds[0].title.startswith("Reveal · round #")
    assert all(m.embeds[0].title == f"{card.title} (continued)" for m in messages[1:])
    assert messages[-1].embeds[-1].footer.text.startswith("question mini-skew · round #")
    footers = [e.footer.text for m in messages for e in m.embeds]
    assert footers[-1].startswith("question mini-skew") and not any(footers[:-1])


async def test_sections_over_a_field_become_descriptions_and_many_fields_spill_over() -> None:
    sections = tuple(Section(heading=f"Heading {i}", body="x" * 900) for i in range(40))
    sections += (Section(heading="H" * 400, body="y" * 3000),)
    card = Card(kind=CardKind.NOTICE, title="T" * 300, sections=sections, footer="f" * 3000)
    messages = render_card(card)
    assert_within_limits(messages)
    fields = [f for m in messages for e in m.embeds for f in e.fields]
    assert len(fields) == 40
    assert messages[-1].embeds[-1].description.startswith("**" + "H" * (FIELD_NAME_LIMIT - 1) + "…**")


async def test_a_split_code_block_is_closed_and_reopened() -> None:
    code = "```python\n" + "\n".join(f"line_{i} = {i}" for i in range(600)) + "\n```"
    chunks = split_text(code, 1000)
    assert len(chunks) > 5
    assert all(len(c) <= 1000 and c.count("```") % 2 == 0 for c in chunks)
    assert all(c.startswith("```") for c in chunks)


async def test_buttons_carry_the_round_id_and_go_on_the_last_message(mini_library: QuestionLibrary) -> None:
    question = mini_library.get("mini-canary")
    assert question is not None
    card = cards.question_card(_round(42), question, private=True)
    [message] = render_card(card)
    assert message.view is not None
    ids = [c["custom_id"] for row in message.view.to_components() for c in row["components"]]
    assert ids == ["practice:post_to_channel:42", "practice:answer_privately:42", "practice:reveal:42"]
    assert message.view.timeout is None


async def test_plain_lines_are_split_at_2000_chars() -> None:
    messages = render_text("word " * 1000)
    assert len(messages) == 3 and all(len(m.content or "") <= CONTENT_LIMIT for m in messages)
    assert messages[0].kwargs()["allowed_mentions"].to_dict() == {"parse": []}  # never pings anyone
