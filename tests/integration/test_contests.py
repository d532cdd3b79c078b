"""Contests through the engine's public use cases, on SQLite and PostgreSQL: an author disputes a missed
point; it changes nothing until a channel admin decides; accepted, the point counts and the ledger
says why, once."""

from __future__ import annotations

import pytest
from conftest import Transcript, make_transcript, member, text_of
from sqlalchemy import Engine, text

from bot.actions import ActionId
from bot.events import ActionClicked, Actor
from content.library import QuestionLibrary


@pytest.fixture
def t(db: Engine, mini_library: QuestionLibrary, clock) -> Transcript:  # type: ignore[no-untyped-def]
    return make_transcript(db, mini_library, clock)


async def _answered_and_revealed(t: Transcript) -> str:
    await t.say("alice", "/practice question technical")  # mini-canary: 3 key points
    await t.say("bob", "Send a small percentage of traffic to the new model first.")
    await t.say("alice", "/practice reveal")
    return text_of(t.delivered("private:bob")[-1])


def _points(db: Engine) -> list[tuple[str, int]]:
    with db.connect() as conn:
        return [tuple(r) for r in conn.execute(text("SELECT reason, points FROM points ORDER BY id"))]


async def test_a_contest_changes_nothing_until_an_admin_accepts_it(t: Transcript, db: Engine) -> None:
    feedback = await _answered_and_revealed(t)
    assert "33% of key points" in feedback and "#2 Automatic rollback" in feedback
    [before] = [c for c in t.delivered("private:bob")[-1:]]
    assert [a.id for a in before.actions] == ["contest_2", "contest_3"]
    assert _points(db) == [("answered", 2), ("coverage", 2)]

    [opened] = await t.say("bob", "/practice contest 2")
    assert "Contest #1 recorded" in text_of(opened.card)
    [again] = await t.say("bob", "/practice contest 2")
    assert "already contested" in text_of(again.card)
    [wrong] = await t.say("bob", "/practice contest 1")
    assert "not one you can contest" in text_of(wrong.card)  # point 1 was covered
    assert _points(db) == [("answered", 2), ("coverage", 2)]  # nothing changed yet

    [listed] = await t.say("alice", "/practice contests")
    assert "#1 · Bob · mini-canary" in text_of(listed.card) and "Automatic rollback" in text_of(listed.card)
    [refused] = await t.say("bob", "/practice contest accept 1")
    assert "Only channel admins" in text_of(refused.card)

    [accepted] = await t.say("alice", "/practice contest accept 1 said widen, i.e. roll back if worse")
    body = text_of(accepted.card)
    # 2/3 of the key points is worth 3 coverage points where 1/3 was worth 2: the ledger gets the difference
    assert "accepted" in body and "+1 point to Bob" in body and "Reason: said widen, i.e." in body
    assert _points(db) == [("answered", 2), ("coverage", 2), ("contest-1", 1)]
    [twice] = await t.say("alice", "/practice contest reject 1")
    assert "already accepted" in text_of(twice.card)
    [stats] = await t.say("bob", "/practice stats")
    assert "Points: 5" in text_of(stats.card)


async def test_a_rejected_contest_stays_on_record_and_pays_nothing(t: Transcript, db: Engine) -> None:
    await _answered_and_revealed(t)
    await t.say("bob", "/practice contest 3")
    [rejected] = await t.say("alice", "/practice contest reject 1 no comparison of metrics")
    assert "rejected" in text_of(rejected.card)
    assert [r for r, _ in _points(db)] == ["answered", "coverage"]
    [listed] = await t.say("alice", "/practice contests")
    assert "No open contests" in text_of(listed.card)


async def test_the_feedback_button_contests_the_point_it_names(t: Transcript) -> None:
    await _answered_and_revealed(t)
    card = t.delivered("private:bob")[-1]
    answer_id = int(card.actions[0].value)
    replies = await t.engine.dispatch(
        ActionClicked(ActionId.CONTEST_3, answer_id, Actor(member("bob"), False), t.channel)
    )
    assert "Contest #1 recorded" in text_of(replies[0].card) and "Compare metrics" in text_of(replies[0].card)
    # someone else's answer cannot be contested by them
    replies = await t.engine.dispatch(
        ActionClicked(ActionId.CONTEST_2, answer_id, Actor(member("carol"), False), t.channel)
    )
    assert "no graded answer of yours" in text_of(replies[0].card)
