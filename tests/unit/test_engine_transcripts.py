"""The engine through its public use cases, read like chat transcripts (fake chat, fixed clock)."""

from __future__ import annotations

import pytest
from conftest import CHANNEL, Transcript, make_transcript, member, text_of
from sqlalchemy import text

from bot.domain import CardKind, Visibility
from bot.events import Actor, FormSubmitted


async def test_question_answers_reveal_points_leaderboard(transcript: Transcript) -> None:
    await transcript.say("alice", "/practice question fundamentals")
    [question] = transcript.delivered("channel:")
    assert question.kind is CardKind.QUESTION
    assert "training/serving skew" in text_of(question)

    await transcript.say(
        "bob", "We keep one feature store so the shared feature code is identical, and log features."
    )
    await transcript.say("carol", "no idea honestly")
    assert await transcript.say("alice", "/practice reveal") == []

    [reveal] = transcript.delivered("thread:")
    body = text_of(reveal)
    assert "Model answer" in body and "Pitfalls" in body and "Follow-ups" in body
    assert "Bob: 2/3 key points" in body
    assert "Carol: 0/3 key points" in body

    bob_feedback = text_of(transcript.delivered("private:bob")[0])
    assert "Shared feature definitions" in bob_feedback.split("Missed")[0]
    assert "Point-in-time correctness" in bob_feedback.split("Missed")[1]

    # answered (2) + round(2/3 * 5) = 3 coverage -> 5; carol only answered -> 2
    [board] = await transcript.say("carol", "/practice leaderboard")
    assert text_of(board.card).splitlines()[1:] == ["1. Bob · 5 pts", "2. Carol · 2 pts"]
    [stats] = await transcript.say("bob", "/practice stats")
    assert "Points: 5" in text_of(stats.card) and "Rounds answered: 1" in text_of(stats.card)


async def test_a_list_of_names_earns_no_key_points_and_the_feedback_says_why(transcript: Transcript) -> None:
    await transcript.say("alice", "/practice question technical")
    await transcript.say("bob", "Argo Rollouts, Flagger, Istio, Prometheus and Grafana. Canary, rollback.")
    await transcript.say("alice", "/practice reveal")
    [reveal] = transcript.delivered("thread:")
    assert "Bob: 0/3 key points (mostly names, not explained)" in text_of(reveal)
    feedback = text_of(transcript.delivered("private:bob")[0])
    assert "Most of your answer names tools, techniques or buzzwords." in feedback


async def test_second_reveal_awards_nothing_twice(transcript: Transcript) -> None:
    await transcript.say("alice", "/practice question technical")
    await transcript.say("bob", "canary with a small percentage and rollback")
    await transcript.say("alice", "/practice reveal")
    [again] = await transcript.say("alice", "/practice reveal")
    assert "no open question" in text_of(again.card)
    round_ = await transcript.engine.open_round(CHANNEL)
    assert round_ is None
    reveal_again = await transcript.engine.reveal(1, by=None)
    assert "already revealed" in text_of(reveal_again[0].card)
    # A crash after scoring but before the status was saved: the retry must not pay out again.
    with transcript.engine.uow() as store:
        store.session.execute(text("UPDATE rounds SET status = 'open'"))
    await transcript.engine.reveal(1, by=None)
    [board] = await transcript.say("bob", "/practice leaderboard all")
    assert text_of(board.card).splitlines()[1:] == ["1. Bob · 5 pts"]  # 2 answered + round(2/3 * 5)


async def test_answers_after_reveal_are_late_kept_without_points(transcript: Transcript) -> None:
    await transcript.say("alice", "/practice question technical")
    await transcript.say("alice", "/practice reveal")
    [notice] = await transcript.say("dave", "canary rollout with rollback")
    assert "already revealed" in text_of(notice.card)
    [stats] = await transcript.say("dave", "/practice stats")
    assert "Points: 0" in text_of(stats.card)
    assert "Rounds answered: 1" in text_of(stats.card)


async def test_several_messages_make_one_answer_and_edits_replace_their_part(transcript: Transcript) -> None:
    await transcript.say("alice", "/practice question fundamentals")
    await transcript.say("bob", "first thought: a feature store")
    await transcript.say("bob", "and we log features at serving time")
    answers = transcript.engine.uow
    with answers() as store:
        [answer] = store.answers(1)
    assert answer.text == "first thought: a feature store\n\nand we log features at serving time"


async def test_empty_answer_ignored_and_long_answer_truncated_with_notice(transcript: Transcript) -> None:
    await transcript.say("alice", "/practice question technical")
    assert await transcript.say("bob", "   ") == []
    [notice] = await transcript.say("bob", "x" * 5000)
    assert "first 4000" in text_of(notice.card)
    with transcript.engine.uow() as store:
        [answer] = store.answers(1)
    assert len(answer.text) == 4000 and answer.truncated


async def test_only_requester_or_admin_reveals_early(transcript: Transcript) -> None:
    await transcript.say("bob", "/practice question technical")
    [refusal] = await transcript.say("carol", "/practice reveal")
    assert "Only whoever asked" in text_of(refusal.card)
    assert await transcript.say("bob", "/practice reveal") == []


async def test_answers_missed_while_down_are_read_back_at_reveal(transcript: Transcript) -> None:
    await transcript.say("alice", "/practice question technical")
    from bot.domain import IncomingAnswer

    assert transcript.thread is not None
    missed = IncomingAnswer(
        thread=transcript.thread, member=member("erin"), text="canary then rollback", message_id="r-missed"
    )
    transcript.chat.thread_history[transcript.thread.message_id] = [missed]  # the platform has it, we do not
    await transcript.say("alice", "/practice reveal")
    [reveal] = transcript.delivered("thread:")
    assert "Erin: 2/3 key points" in text_of(reveal) and "(late)" not in text_of(reveal)
    [board] = await transcript.say("erin", "/practice leaderboard")
    assert text_of(board.card).splitlines()[1:] == ["1. Erin · 5 pts"]  # sent in time: full points


async def test_a_missed_second_message_of_a_known_member_is_read_back(transcript: Transcript) -> None:
    from bot.domain import IncomingAnswer

    await transcript.say("alice", "/practice question technical")
    await transcript.say("bob", "a canary first")
    assert transcript.thread is not None
    history = transcript.chat.thread_history[transcript.thread.message_id]
    history.append(
        IncomingAnswer(
            thread=transcript.thread,
            member=member("bob"),
            text="and roll back on errors",
            message_id="r-second",
        )
    )
    await transcript.say("alice", "/practice reveal")
    assert "Bob: 2/3 key points" in text_of(transcript.delivered("thread:")[0])


async def test_private_question_is_revealed_to_the_asker(transcript: Transcript) -> None:
    [question] = await transcript.say("bob", "/practice question behavioral", visibility=Visibility.PRIVATE)
    assert question.visibility is Visibility.PRIVATE
    assert [a.id for a in question.card.actions] == ["post_to_channel", "answer_privately", "reveal"]
    assert transcript.delivered("channel:") == []
    replies = await transcript.say("bob", "/practice reveal")
    assert replies[0].card.kind is CardKind.REVEAL


async def test_no_repeat_until_the_pool_is_used_up(transcript: Transcript) -> None:
    seen = []
    for _ in range(3):
        await transcript.say("alice", "/practice question")
        seen.append(transcript.delivered("channel:")[-1].footer)
        await transcript.say("alice", "/practice reveal")
    assert len(set(seen)) == 3


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("/practice frobnicate", "unknown command 'frobnicate'"),
        ("/practice question impossible", "'impossible' is not a category or difficulty"),
        ("/practice leaderboard yesterday", "'yesterday' is not a period or scope"),
        ("/practice reveal now", "reveal takes at most a round number"),
        ("/practice schedule set 25:00", "'25:00' is not a time"),
    ],
)
async def test_bad_commands_get_a_usage_card(transcript: Transcript, line: str, expected: str) -> None:
    [reply] = await transcript.say("bob", line)
    assert reply.card.kind is CardKind.USAGE
    assert expected in text_of(reply.card)


async def test_schedule_changes_need_an_admin(transcript: Transcript) -> None:
    [refused] = await transcript.say("bob", "/practice schedule set 09:30 Europe/Berlin mon-fri")
    assert "Only channel admins" in text_of(refused.card)
    [shown] = await transcript.say("alice", "/practice schedule set 09:30 Europe/Berlin mon-fri")
    assert "Time: 09:30 Europe/Berlin, mon,tue,wed,thu,fri" in text_of(shown.card)
    await transcript.say("alice", "/practice schedule skip 2026-12-24")
    await transcript.say("alice", "/practice schedule reveal after 6h")
    [now] = await transcript.say("bob", "/practice schedule show")
    body = text_of(now.card)
    assert "Skipped dates: 2026-12-24" in body and "Reveal: after 6h" in body


async def test_channel_category_filter_limits_questions(transcript: Transcript) -> None:
    await transcript.say("alice", "/practice config categories behavioral")
    for _ in range(2):
        await transcript.say("alice", "/practice question")
        await transcript.say("alice", "/practice reveal")
    assert all(c.footer.startswith("question mini-conflict ") for c in transcript.delivered("channel:"))


async def test_leaderboard_ties_share_a_rank_and_week_resets(transcript: Transcript) -> None:
    await transcript.say("alice", "/practice question technical")
    await transcript.say("bob", "nothing useful")
    await transcript.say("carol", "nothing either")
    await transcript.say("alice", "/practice reveal")
    [board] = await transcript.say("bob", "/practice leaderboard week")
    assert text_of(board.card).splitlines()[1:] == ["1. Bob · 2 pts", "1. Carol · 2 pts"]
    transcript.clock.advance(days=7)
    [later] = await transcript.say("bob", "/practice leaderboard")
    assert "No points yet" in text_of(later.card)
    [alltime] = await transcript.say("bob", "/practice leaderboard all")
    assert "Bob · 2 pts" in text_of(alltime.card)


async def test_post_to_channel_turns_a_private_question_into_a_round(transcript: Transcript) -> None:
    [question] = await transcript.say("bob", "/practice question technical", visibility=Visibility.PRIVATE)
    round_id = question.card.round_id
    assert round_id is not None
    [refused] = await transcript.engine.publish_round(round_id, by=Actor(member("carol"), False))
    assert "Only whoever asked" in text_of(refused.card)
    [posted] = await transcript.engine.publish_round(round_id, by=Actor(member("bob"), False))
    assert "Posted to the channel" in text_of(posted.card)
    [again] = await transcript.engine.publish_round(round_id, by=Actor(member("bob"), False))
    assert "already posted" in text_of(again.card)
    [card] = transcript.delivered("channel:")
    assert card.actions == () and "Reply in this thread" in text_of(card)
    assert await transcript.engine.open_round(CHANNEL) is not None


async def test_modal_answers_name_their_round_and_stay_in_their_workspace(transcript: Transcript) -> None:
    from bot.domain import AnswerResult, IncomingAnswer, MemberRef, Platform

    [question] = await transcript.say("bob", "/practice question technical", visibility=Visibility.PRIVATE)
    round_id = question.card.round_id
    ok = await transcript.engine.record_answer(
        IncomingAnswer(round_id=round_id, member=member("bob"), text="canary")
    )
    assert ok.result is AnswerResult.RECORDED
    stranger = MemberRef(platform=Platform.CONSOLE, workspace_id="other", user_id="eve")
    foreign = await transcript.engine.record_answer(
        IncomingAnswer(round_id=round_id, member=stranger, text="hi")
    )
    assert foreign.result is AnswerResult.UNKNOWN_THREAD
    # Same workspace, someone else's private question: refused too (a forged or replayed form).
    forged = await transcript.engine.dispatch(
        FormSubmitted(IncomingAnswer(round_id=round_id, member=member("eve"), text="hijack"))
    )
    assert forged.result is AnswerResult.UNKNOWN_THREAD
    # A form naming another channel than its round's is refused as well.
    other = CHANNEL.model_copy(update={"channel_id": "elsewhere"})
    misplaced = await transcript.engine.dispatch(
        FormSubmitted(IncomingAnswer(round_id=round_id, member=member("bob"), text="x"), channel=other)
    )
    assert misplaced.result is AnswerResult.UNKNOWN_THREAD
    replies = await transcript.say("bob", "/practice reveal")
    assert "Bob: 1/3 key points" in text_of(replies[0].card)
    assert "Practice round: feedback only." in text_of(replies[1].card)  # private rounds earn no points


async def test_peer_votes_one_per_voter_no_self_votes_capped(transcript: Transcript) -> None:
    from bot.domain import VoteResult

    await transcript.say("alice", "/practice question technical")
    await transcript.say("bob", "nothing relevant")
    thread = transcript.thread
    assert thread is not None
    answer_message = transcript.chat.thread_history[thread.message_id][0].message_id
    assert answer_message is not None
    vote = transcript.engine.vote
    assert await vote(CHANNEL, answer_message, member("bob")) is VoteResult.SELF_VOTE
    assert await vote(CHANNEL, answer_message, member("carol")) is VoteResult.ADDED
    assert await vote(CHANNEL, answer_message, member("carol")) is VoteResult.ALREADY
    assert await vote(CHANNEL, "not-an-answer", member("carol")) is VoteResult.NOT_AN_ANSWER
    for voter in ("dave", "erin", "frank", "gina"):
        await vote(CHANNEL, answer_message, member(voter))
    assert await vote(CHANNEL, answer_message, member("gina"), add=False) is VoteResult.REMOVED
    await transcript.say("alice", "/practice reveal")
    [board] = await transcript.say("bob", "/practice leaderboard")
    assert text_of(board.card).splitlines()[1:] == ["1. Bob · 5 pts"]  # 2 answered + 3 votes (4 given, cap 3)


def test_members_are_equal_by_identity_not_display_name() -> None:
    from bot.domain import MemberRef, Platform

    a = MemberRef(platform=Platform.SLACK, workspace_id="T1", user_id="U1", display_name="Ana")
    renamed = MemberRef(platform=Platform.SLACK, workspace_id="T1", user_id="U1", display_name="Ana B.")
    other_workspace = MemberRef(platform=Platform.SLACK, workspace_id="T2", user_id="U1", display_name="Ana")
    assert a == renamed and hash(a) == hash(renamed) and {a, renamed} == {a}
    assert a != other_workspace


async def test_a_failed_post_to_channel_can_be_retried(transcript: Transcript) -> None:
    [question] = await transcript.say("bob", "/practice question technical", visibility=Visibility.PRIVATE)
    round_id = question.card.round_id
    assert round_id is not None
    transcript.chat.fail_next_post = True
    with pytest.raises(ConnectionError):
        await transcript.engine.publish_round(round_id, by=Actor(member("bob"), False))
    [posted] = await transcript.engine.publish_round(round_id, by=Actor(member("bob"), False))
    assert "Posted to the channel" in text_of(posted.card)


async def test_resume_reactivates_a_channel_the_bot_was_removed_from(transcript: Transcript) -> None:
    await transcript.say("alice", "/practice schedule set 09:30 Europe/Berlin")
    await transcript.engine.deactivate_channel(CHANNEL)
    assert (await transcript.engine.channel_settings(CHANNEL)).active is False
    await transcript.say("alice", "/practice schedule resume")
    assert (await transcript.engine.channel_settings(CHANNEL)).active is True


def test_coverage_points_round_half_up() -> None:
    from bot.coverage import Coverage
    from bot.scoring import ScoringRules, award_lines

    half = Coverage(covered=("a", "b", "c"), missed=("d", "e", "f"))
    assert dict(award_lines(half, late=False, rules=ScoringRules()))["coverage"] == 3  # 2.5 -> 3
    assert award_lines(half, late=True, rules=ScoringRules()) == []


async def test_leaderboard_attaches_a_chart_with_alt_text(memory_db, mini_library, clock) -> None:
    transcript = make_transcript(memory_db, mini_library, clock, charts=True)
    [empty] = await transcript.say("bob", "/practice leaderboard")
    assert empty.card.attachment is None  # nothing to draw
    await transcript.say("alice", "/practice question technical")
    await transcript.say("bob", "canary with rollback")
    await transcript.say("alice", "/practice reveal")
    [board] = await transcript.say("bob", "/practice leaderboard")
    chart = board.card.attachment
    assert chart is not None and chart.filename == "leaderboard.png"
    assert chart.content.startswith(b"\x89PNG\r\n\x1a\n") and len(chart.content) > 1000
    assert chart.description == "Bar chart: 1. Bob 5"


def test_chart_labels_that_look_like_numbers_or_dates() -> None:
    from bot.charts import leaderboard_png
    from bot.domain import LeaderboardRow, MemberRef, Platform

    rows = [
        LeaderboardRow(
            rank=i + 1,
            member=MemberRef(platform=Platform.DISCORD, workspace_id="1", user_id=uid),
            points=10 - i,
        )
        for i, uid in enumerate(["100000000000000002", "2026-11-25", "3.5"])
    ]
    assert leaderboard_png(rows, "t").startswith(b"\x89PNG")


async def test_skipping_a_date_that_has_passed_is_refused(transcript: Transcript) -> None:
    [card] = await transcript.say("alice", "/practice schedule skip 2020-01-01")
    assert "2020-01-01 has passed" in text_of(card.card)
    [ok] = await transcript.say("alice", "/practice schedule skip 2030-01-01")
    assert "2030-01-01" in text_of(ok.card) and "has passed" not in text_of(ok.card)


async def test_the_author_is_told_the_length_of_the_whole_answer_kept(transcript: Transcript) -> None:
    from bot.domain import AnswerResult, IncomingAnswer

    await transcript.say("alice", "/practice question technical")
    assert transcript.thread is not None
    first = await transcript.engine.record_answer(
        IncomingAnswer(thread=transcript.thread, member=member("bob"), text="x" * 30, message_id="m1")
    )
    second = await transcript.engine.record_answer(
        IncomingAnswer(thread=transcript.thread, member=member("bob"), text="y" * 16, message_id="m2")
    )
    assert (first.result, first.chars) == (AnswerResult.RECORDED, 30)
    assert (second.result, second.chars) == (AnswerResult.UPDATED, 30 + 2 + 16)  # both messages, not the last


async def test_a_second_open_round_is_named_and_reveal_takes_a_round_number(transcript: Transcript) -> None:
    await transcript.say("alice", "/practice question technical")
    [notice] = await transcript.say("alice", "/practice question fundamentals")
    assert "Round #1 (mini-canary) is still open" in text_of(notice.card)
    assert "plain answers now go to round #2" in text_of(notice.card)
    [missing] = await transcript.say("alice", "/practice reveal 9")
    assert "There is no round #9 in this channel." in text_of(missing.card)
    assert await transcript.say("alice", "/practice reveal 1") == []
    [reveal] = transcript.delivered("thread:")
    assert reveal.title == "Reveal · round #1" and reveal.footer == "question mini-canary · round #1"


async def test_ask_a_given_question_by_id_with_a_suggestion_for_a_near_miss(transcript: Transcript) -> None:
    await transcript.say("alice", "/practice question mini-conflict")
    [posted] = transcript.delivered("channel:")
    assert posted.footer.startswith("question mini-conflict ")
    [miss] = await transcript.say("alice", "/practice question mini-conflct")
    assert "There is no question 'mini-conflct' (did you mean mini-conflict?)" in text_of(miss.card)


async def test_skip_replaces_an_unanswered_question_and_answers_to_it_are_refused(
    transcript: Transcript,
) -> None:
    [nothing] = await transcript.say("bob", "/practice skip")
    assert "no open question here to skip" in text_of(nothing.card)
    await transcript.say("alice", "/practice question technical")
    old_thread = transcript.thread
    skipped, *_ = await transcript.say("alice", "/practice skip")
    assert "Skipped round #1 (mini-canary)." in text_of(skipped.card)
    assert "Skipped by Alice" in text_of(transcript.delivered("thread:")[-1])
    assert len(transcript.delivered("channel:")) == 2 and transcript.thread != old_thread
    transcript.thread = old_thread
    [refused] = await transcript.say("bob", "late answer to the skipped one")
    assert "was skipped before anyone answered it" in text_of(refused.card)

    await transcript.say("alice", "/practice question technical")
    await transcript.say("bob", "an answer")
    [kept] = await transcript.say("alice", "/practice skip")
    assert "Someone already answered that question" in text_of(kept.card)
