"""Personal spaced repetition (fsrs) and daily streaks, with a fixed clock."""

from __future__ import annotations

import datetime as dt

from conftest import CHANNEL, Transcript, member, text_of

from bot.domain import CardKind, RoundKind, RoundStatus, Visibility
from bot.scoring import streaks

D = dt.date(2026, 11, 23)  # a Monday


def day(n: int) -> dt.date:
    return D + dt.timedelta(days=n)


def test_streak_counts_rounds_that_happened_and_ignores_the_open_one() -> None:
    # newest first: today's round open and unanswered, then three answered days (with a weekend gap
    # between Friday and Monday that had no round), then a miss, then two answered.
    history = [
        (day(7), False, False),
        (day(4), True, True),
        (day(3), True, True),
        (day(0), True, True),
        (day(-3), False, True),
        (day(-4), True, True),
        (day(-5), True, True),
    ]
    assert streaks(history) == (3, 3)
    assert streaks([(day(1), False, True), *history[1:]]) == (0, 3)  # a revealed miss breaks it
    assert streaks([]) == (0, 0)


async def test_review_queue_grading_and_missed_points(transcript: Transcript) -> None:
    # A channel round where bob misses key points puts that question in his queue, due tomorrow.
    await transcript.say("alice", "/practice question technical")
    await transcript.say("bob", "a canary first")
    await transcript.say("alice", "/practice reveal")

    [first] = await transcript.say("bob", "/practice review")  # nothing due yet: a question he has not seen
    assert first.visibility is Visibility.PRIVATE and first.card.kind is CardKind.QUESTION
    assert [a.id for a in first.card.actions] == ["answer_privately", "reveal"]
    assert not first.card.footer.startswith("question mini-canary")
    # T0 is 10:00 UTC: the missed question is due tomorrow 10:00, after today
    summary = "none due now (this one is new to you), 0 more later today; the next one after today: "
    assert summary + "Thu 2026-11-26 10:00 UTC." in text_of(first.card)
    [premature] = await transcript.say("bob", "/practice grade good")
    assert "Reveal the answer first" in text_of(premature.card)  # not "already graded" (issue 16)
    [reveal] = await transcript.say("bob", "/practice reveal")
    assert reveal.card.kind is CardKind.REVEAL
    assert [a.id for a in reveal.card.actions] == ["grade_again", "grade_hard", "grade_good", "grade_easy"]
    [graded] = await transcript.say("bob", "/practice grade good")
    assert "Graded good" in text_of(graded.card)
    [again] = await transcript.say("bob", "/practice grade easy")
    assert "already graded" in text_of(again.card)

    transcript.clock.advance(days=1, hours=1)
    [due] = await transcript.say("bob", "/practice review")
    assert due.card.footer.startswith("question mini-canary ")  # the one he missed key points on
    assert "1 due now, 0 more later today" in text_of(due.card)
    with transcript.engine.uow() as store:
        latest = store.latest_round(
            CHANNEL,
            statuses=list(RoundStatus),
            kinds=[RoundKind.REVIEW],
            requested_by=member("bob"),
        )
    assert latest is not None and latest.kind is RoundKind.REVIEW


async def test_grade_is_scheduled_by_fsrs_in_days(transcript: Transcript) -> None:
    await transcript.say("bob", "/practice review")
    await transcript.say("bob", "/practice reveal")
    [hard] = await transcript.say("bob", "/practice grade again")
    # "again" on a new card: one learning step of a day, not minutes
    assert "again on 2026-11-26" in text_of(hard.card)


async def test_stats_show_topics_and_streak(transcript: Transcript) -> None:
    await transcript.say("alice", "/practice question technical")
    await transcript.say("bob", "no idea")
    await transcript.say("alice", "/practice reveal")
    [stats] = await transcript.say("bob", "/practice stats")
    assert "Strongest" not in text_of(stats.card)  # one answer at 0% is no evidence of strength or weakness
    for category in ("technical", "fundamentals", "fundamentals"):
        await transcript.say("alice", f"/practice question {category}")
        await transcript.say("bob", "canary with rollback, a feature store and logged features")
        await transcript.say("alice", "/practice reveal")
    [stats] = await transcript.say("bob", "/practice stats")
    body = text_of(stats.card)
    assert "Daily streak: 0 (best 0)" in body  # on-demand rounds do not make a daily streak
    strongest = next(line for line in body.splitlines() if line.startswith("Strongest:"))
    weakest = next(line for line in body.splitlines() if line.startswith("To work on:"))
    assert not set(strongest[10:].split(", ")) & set(weakest[12:].split(", "))  # never both


async def test_a_review_card_whose_question_was_removed_is_passed_over(transcript: Transcript) -> None:
    now = transcript.clock.now()
    with transcript.engine.uow() as store:
        store.save_review_card(member("bob"), "gone-question", card={}, due_at=now, now=now)
    [question] = await transcript.say("bob", "/practice review")
    assert question.card.kind is CardKind.QUESTION and question.card.footer.startswith("question mini-")
