"""Cards -> Block Kit: structure, mrkdwn, and Slack's limits met by splitting (3,000 chars, 50 blocks)."""

from __future__ import annotations

import re

from adapters.slack import render
from adapters.slack.render import (
    BLOCKS_PER_MESSAGE,
    SECTION_TEXT_LIMIT,
    answer_modal,
    markdown_to_mrkdwn,
    render_card,
    split_text,
)
from bot import cards
from bot.domain import Action, Card, CardKind, Section


def section_texts(messages) -> list[str]:
    return [b["text"]["text"] for m in messages for b in m.blocks if b["type"] == "section"]


def test_a_question_card_has_header_body_footer_and_buttons_carrying_the_round_id():
    card = Card(
        kind=CardKind.QUESTION,
        title="Technical · easy",
        sections=(Section(body="How does a canary release work?"), Section(body="Answer privately.")),
        footer="question mini-canary",
        actions=(cards.POST_TO_CHANNEL, cards.ANSWER_PRIVATELY, cards.REVEAL),
        round_id=42,
    )
    (message,) = render_card(card)
    kinds = [b["type"] for b in message.blocks]
    assert kinds == ["header", "section", "section", "context", "actions"]
    assert message.blocks[0]["text"] == {"type": "plain_text", "text": "Technical · easy", "emoji": True}
    buttons = message.blocks[-1]["elements"]
    assert [(b["action_id"], b["value"], b["text"]["text"]) for b in buttons] == [
        ("post_to_channel", "42", "Post to channel"),
        ("answer_privately", "42", "Answer privately"),
        ("reveal", "42", "Reveal"),
    ]
    assert message.text.startswith("Technical · easy\nHow does a canary")  # the notification fallback


def test_cards_of_one_question_share_rendering_but_not_their_round_ids():
    def card(round_id: int | None) -> Card:
        return Card(
            kind=CardKind.QUESTION,
            title="Technical · easy",
            sections=(Section(body="How does a canary release work?"),),
            footer="question mini-canary",
            actions=(cards.ANSWER_PRIVATELY,),
            round_id=round_id,
        )

    (first,) = render_card(card(1))
    (second,) = render_card(card(2))
    (unrounded,) = render_card(card(None))
    assert first.blocks[:-1] == second.blocks[:-1]
    assert (first.blocks[-1]["block_id"], first.blocks[-1]["elements"][0]["value"]) == ("round-1", "1")
    assert (second.blocks[-1]["block_id"], second.blocks[-1]["elements"][0]["value"]) == ("round-2", "2")
    assert "block_id" not in unrounded.blocks[-1] and "value" not in unrounded.blocks[-1]["elements"][0]


def test_an_explicit_action_value_wins_over_the_round_id():
    card = Card(kind=CardKind.NOTICE, title="t", actions=(Action(id="x", label="X", value="v"),), round_id=3)
    (message,) = render_card(card)
    assert message.blocks[-1]["elements"][0]["value"] == "v"


def test_a_long_model_answer_is_split_into_sections_of_at_most_3000_characters():
    paragraph = "A canary sends a small share of traffic to the new model and compares metrics. " * 40
    body = "\n\n".join(f"{paragraph} (part {i})" for i in range(4))  # about 13,000 characters
    card = Card(kind=CardKind.REVEAL, title="Reveal", sections=(Section(heading="Model answer", body=body),))
    messages = render_card(card)
    texts = section_texts(messages)
    assert len(texts) >= 5
    assert all(len(t) <= SECTION_TEXT_LIMIT for t in texts)
    joined = re.sub(r"\s+", " ", " ".join(texts))
    for i in range(4):  # nothing lost, order kept
        assert f"(part {i})" in joined
    assert joined.index("(part 0)") < joined.index("(part 3)")
    assert texts[0].startswith("*Model answer*")


def test_a_single_line_longer_than_a_section_is_cut_at_spaces_and_never_inside_an_entity():
    line = ("word & " * 1000).strip()  # escaping turns each & into &amp;
    chunks = split_text(render.escape(line))
    assert all(len(c) <= SECTION_TEXT_LIMIT for c in chunks)
    for chunk in chunks:
        assert re.search(r"&(?!amp;)", chunk) is None  # every & still a whole &amp;
    unbroken = "x" * 7000
    assert "".join(split_text(unbroken)) == unbroken


def test_a_code_block_cut_in_two_is_closed_and_reopened():
    code = (
        "```\n"
        + "\n".join(f"kubectl rollout status deployment/model-v{i} --timeout=60s" for i in range(120))
        + "\n```"
    )
    chunks = split_text(markdown_to_mrkdwn(code))
    assert len(chunks) >= 2
    assert all(c.count("```") == 2 for c in chunks)


def test_more_than_50_blocks_continue_in_further_messages_with_the_buttons_on_the_last():
    sections = tuple(Section(heading=f"Point {i}", body="detail") for i in range(120))
    card = Card(
        kind=CardKind.REVEAL,
        title="Reveal",
        sections=sections,
        footer="question q",
        actions=(cards.REVEAL,),
        round_id=1,
    )
    messages = render_card(card)
    assert len(messages) == 3
    assert all(len(m.blocks) <= BLOCKS_PER_MESSAGE for m in messages)
    assert [b["type"] for b in messages[-1].blocks][-2:] == ["context", "actions"]
    assert all(b["type"] != "actions" for m in messages[:-1] for b in m.blocks)
    assert messages[1].text == "Reveal (continued)"
    headings = [t.split("\n")[0] for t in section_texts(messages)]
    assert headings == [f"*Point {i}*" for i in range(120)]


def test_a_full_last_page_pushes_footer_and_buttons_to_a_new_message():
    sections = tuple(Section(body=f"s{i}") for i in range(BLOCKS_PER_MESSAGE - 1))  # + header = 50 blocks
    card = Card(
        kind=CardKind.NOTICE, title="t", sections=sections, footer="f", actions=(cards.REVEAL,), round_id=1
    )
    first, second = render_card(card)
    assert len(first.blocks) == BLOCKS_PER_MESSAGE
    assert [b["type"] for b in second.blocks] == ["context", "actions"]


def test_markdown_becomes_mrkdwn_and_text_is_escaped_but_mentions_survive():
    text = markdown_to_mrkdwn(
        "## Plan\n- **Unit tests** on features\n* p99 < 100 ms & *fast*\nSee [docs](https://example.com/a)"
    )
    assert text.splitlines() == [
        "*Plan*",
        "• *Unit tests* on features",
        "• p99 &lt; 100 ms &amp; _fast_",
        "See <https://example.com/a|docs>",
    ]
    assert render.inline("<@U0PRIYA>: 2/3 & <b>") == "<@U0PRIYA>: 2/3 &amp; &lt;b&gt;"


def test_a_title_with_a_mention_is_a_bold_section_since_headers_are_plain_text():
    (message,) = render_card(Card(kind=CardKind.STATS, title="Stats · <@U0PRIYA>"))
    assert message.blocks[0] == {
        "type": "section",
        "text": {"type": "mrkdwn", "text": "*Stats · <@U0PRIYA>*"},
    }


def test_overlong_titles_and_labels_are_clipped_to_slack_limits():
    card = Card(kind=CardKind.NOTICE, title="T" * 400, actions=(Action(id="a", label="L" * 200),), round_id=1)
    (message,) = render_card(card)
    assert len(message.blocks[0]["text"]["text"]) <= 150
    assert len(message.blocks[-1]["elements"][0]["text"]["text"]) <= 75


def test_every_core_card_renders(mini_library):
    """The help and usage cards, with the whole command table, stay within the limits."""
    from bot.commands import parse

    for card in (cards.help_card(), cards.usage_card(parse("nope")), cards.notice_card("hi")):
        for message in render_card(card):
            assert 1 <= len(message.blocks) <= BLOCKS_PER_MESSAGE and message.text


def test_the_answer_modal_respects_modal_limits():
    view = answer_modal(7, "C1")
    assert len(view["title"]["text"]) <= 24 and len(view["submit"]["text"]) <= 24
    assert view["private_metadata"] == '{"round": 7, "channel": "C1"}'
    element = view["blocks"][0]["element"]
    assert element["type"] == "plain_text_input" and element["multiline"] is True
