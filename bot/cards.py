"""Every card the core produces, worded in one place. Adapters only render them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from zoneinfo import ZoneInfo

from bot.actions import ACTIONS, ActionId, contest_action
from bot.commands import USAGE, UsageProblem
from bot.domain import (
    Action,
    Attachment,
    Card,
    CardKind,
    ChannelSettings,
    Contest,
    ContestStatus,
    LeaderboardPeriod,
    LeaderboardRow,
    MemberStats,
    RecapData,
    Round,
    RoundKind,
    Section,
    StoredAnswer,
)
from bot.grading import Assessment
from bot.questions import Question
from bot.timing import Slot


def _action(action_id: ActionId) -> Action:
    return Action(id=action_id.value, label=ACTIONS[action_id].label)


POST_TO_CHANNEL = _action(ActionId.POST_TO_CHANNEL)
ANSWER_PRIVATELY = _action(ActionId.ANSWER_PRIVATELY)
REVEAL = _action(ActionId.REVEAL)
GRADE_ACTIONS = tuple(_action(a) for a, spec in ACTIONS.items() if spec.grade)


def question_card(
    round_: Round, question: Question, *, private: bool, answer_button: bool = False, review: bool = False
) -> Card:
    """`answer_button` puts 'Answer privately' on a channel round (daily rounds; platforms without a
    readable thread, like Discord without the message-content intent, rely on it)."""
    if review:
        actions: tuple[Action, ...] = (ANSWER_PRIVATELY, REVEAL)
        how = "Your review question. Answer it (or just think it through), then reveal and grade yourself."
    elif private:
        actions = (POST_TO_CHANNEL, ANSWER_PRIVATELY, REVEAL)
        how = "Answer privately, or post it to the channel to start a round."
    else:
        actions = (ANSWER_PRIVATELY,) if answer_button else ()
        how = "Reply in this thread with your answer. The model answer comes with the reveal."
    return Card(
        kind=CardKind.QUESTION,
        title=f"{question.category.value.replace('-', ' ').title()} · {question.difficulty.value}",
        sections=(Section(body=question.question), Section(body=how)),
        footer=f"question {question.id} · round #{round_.id}",
        actions=tuple(a.model_copy(update={"value": str(round_.id)}) for a in actions),
        round_id=round_.id,
    )


def daily_question_card(round_: Round, question: Question, answer_mode: str) -> Card:
    """The scheduled question: always with the answer button; in private mode the thread is not the way."""
    card = question_card(round_, question, private=False, answer_button=True)
    if answer_mode != "private":
        return card
    how = Section(body="Answer with the Answer privately button: answers stay hidden until the reveal.")
    return card.model_copy(update={"sections": (card.sections[0], how)})


NAME_DROP_TIP = (
    "Most of your answer names tools, techniques or buzzwords. A key point counts when you say what you "
    "would do with one and why, the way you would in an interview."
)


def _percent(value: float) -> str:
    return f"{round(value * 100)}%"


def reveal_card(
    round_: Round, question: Question, feedback: Sequence[tuple[StoredAnswer, Assessment]]
) -> Card:
    sections = [
        Section(heading="Question", body=question.question),
        Section(heading="Model answer", body=question.model_answer.strip()),
        Section(heading="Key points", bullets=tuple(kp.label for kp in question.key_points)),
        Section(heading="Pitfalls", bullets=question.pitfalls),
        Section(heading="Follow-ups", bullets=question.follow_ups),
    ]
    if question.example:
        sections.insert(2, Section(heading="Example", body=question.example.strip()))
    if feedback:
        lines = tuple(
            f"{answer.member.label}: {len(cov.covered)}/{len(cov.covered) + len(cov.missed)} key points"
            + (" (late)" if answer.late else "")
            + (" (mostly names, not explained)" if cov.name_dropping else "")
            for answer, cov in feedback
        )
        sections.append(Section(heading=f"Answers ({len(feedback)})", bullets=lines))
    elif round_.kind is not RoundKind.REVIEW:
        sections.append(Section(heading="Answers", body="Nobody answered this one."))
    actions: tuple[Action, ...] = ()
    if round_.kind is RoundKind.REVIEW:
        sections.append(
            Section(
                heading="How well did you know it?",
                body="Grade yourself: /practice grade again|hard|good|easy",
            )
        )
        actions = tuple(a.model_copy(update={"value": str(round_.id)}) for a in GRADE_ACTIONS)
    return Card(
        kind=CardKind.REVEAL,
        title=f"Reveal · round #{round_.id}",
        sections=tuple(sections),
        footer=f"question {question.id} · round #{round_.id}",
        actions=actions,
        round_id=round_.id,
    )


def _quoted(label: str, evidence: str) -> str:
    return f"{label}: \u201c{evidence}\u201d" if evidence else label


def feedback_card(question: Question, answer: StoredAnswer, assessment: Assessment, awarded: int) -> Card:
    """What one author sees privately: each point with the words of theirs that earned it, what is missing,
    what they got wrong, one tip, and which grader said so."""
    points = {p.label: p for p in assessment.points}
    number = {p.label: n for n, p in enumerate(assessment.points, start=1)}
    covered = tuple(_quoted(label, points[label].evidence) for label in assessment.covered)
    sections = [Section(heading="Covered", bullets=covered or ("none of the key points yet",))]
    if assessment.partial:
        partial = tuple(
            f"#{number[label]} " + _quoted(label, points[label].evidence) for label in assessment.partial
        )
        sections.append(Section(heading="Partly covered (half credit)", bullets=partial))
    missed = tuple(f"#{number[label]} {label}" for label in assessment.missed)
    sections.append(Section(heading="Missed", bullets=missed or ("nothing: every key point covered",)))
    if assessment.misconceptions:
        sections.append(Section(heading="Check these statements", bullets=assessment.misconceptions))
    if assessment.name_dropping:
        sections.insert(0, Section(heading="Tip", body=NAME_DROP_TIP))
    elif assessment.tip:
        sections.append(Section(heading="Tip", body=assessment.tip))
    if assessment.model:  # a model graded it: say which, as the default grader goes unnamed
        sections.append(Section(heading="Graded by", body=f"{assessment.grader} ({assessment.model})"))
    if assessment.fallback:
        sections.append(
            Section(
                heading="Graded by",
                body=f"the default grader; the model grader was not used: {assessment.fallback}",
            )
        )
    if answer.late:
        footer = "Answered after the reveal: feedback only, no points."
    elif awarded:
        footer = f"+{awarded} points"
    else:
        footer = "Practice round: feedback only."
    # "I covered this": one button per missed or partial point, carrying the answer's id.
    contestable = [number[label] for label in (*assessment.partial, *assessment.missed)]
    actions = tuple(
        Action(id=contest_action(n).value, label=ACTIONS[contest_action(n)].label, value=str(answer.id))
        for n in sorted(contestable)
    )
    if contestable:
        sections.append(
            Section(
                heading="Think the grader missed something?",
                body="Contest a point and a channel admin will look: /practice contest N "
                "(N from the list above).",
            )
        )
    return Card(
        kind=CardKind.NOTICE,
        title=f"Your feedback: {_percent(assessment.score)} of key points",
        sections=tuple(sections),
        footer=footer,
        actions=actions,
        round_id=answer.round_id,
    )


def local_time(when: dt.datetime, zone: ZoneInfo) -> str:
    return when.astimezone(zone).strftime("%a %Y-%m-%d %H:%M %Z")


def review_summary(due_now: int, later_today: int, next_at: dt.datetime | None, zone: ZoneInfo) -> str:
    """How many reviews are due now (this one included) and later today, and when the next one is after."""
    now_part = f"{due_now} due now" if due_now else "none due now (this one is new to you)"
    after = f"the next one after today: {local_time(next_at, zone)}." if next_at else "none after today."
    return f"{now_part}, {later_today} more later today; {after}"


def still_open_card(older: Round, newer: Round) -> Card:
    text = (
        f"Round #{older.id} ({older.question_id}) is still open: answers in its thread stay with it, and "
        f"plain answers now go to round #{newer.id}. /practice reveal {older.id} reveals the older one."
    )
    return notice_card(text, title="Two open rounds here")


def contest_opened_card(contest: Contest, *, created: bool) -> Card:
    if not created:
        text = (
            f"You already contested \u201c{contest.point}\u201d "
            f"(contest #{contest.id}, {contest.status.value})."
        )
    else:
        text = (
            f"Contest #{contest.id} recorded: \u201c{contest.point}\u201d. It changes nothing on its own: a "
            "channel admin accepts it (the point then counts) or rejects it."
        )
    return notice_card(text, title="Contest")


def contests_card(contests: Sequence[Contest]) -> Card:
    if not contests:
        return notice_card("No open contests in this channel.", title="Contests")
    sections = tuple(
        Section(
            heading=f"#{c.id} \u00b7 {c.member.label} \u00b7 {c.question_id}",
            body=f"Point: {c.point}\nAnswer: {_clip(c.answer_text, 600)}",
        )
        for c in contests
    )
    return Card(
        kind=CardKind.NOTICE,
        title=f"Open contests ({len(contests)})",
        sections=sections,
        footer="Decide with /practice contest accept ID [reason] or /practice contest reject ID [reason].",
    )


def contest_decided_card(contest: Contest, awarded: int) -> Card:
    verdict = "accepted: the point now counts" if contest.status is ContestStatus.ACCEPTED else "rejected"
    text = f"Contest #{contest.id} ({contest.member.label}, \u201c{contest.point}\u201d) {verdict}."
    if awarded:
        text += f" +{awarded} point{'' if awarded == 1 else 's'} to {contest.member.label}."
    if contest.reason:
        text += f" Reason: {contest.reason}"
    return notice_card(text, title="Contest decided")


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"


def leaderboard_card(
    rows: Sequence[LeaderboardRow],
    own: LeaderboardRow | None,
    *,
    period: LeaderboardPeriod,
    scope: str,
    chart: bytes | None = None,
) -> Card:
    label = {"week": "this week", "month": "this month", "all": "all time"}[period.value]
    if not rows:
        return Card(
            kind=CardKind.LEADERBOARD,
            title=f"Leaderboard · {scope} · {label}",
            sections=(Section(body="No points yet. Answer a question to get on the board."),),
        )
    bullets = tuple(f"{r.rank}. {r.member.label} · {r.points} pts" for r in rows)
    sections = [Section(bullets=bullets)]
    if own is not None and all(r.member != own.member for r in rows):
        sections.append(Section(body=f"You: {own.rank}. {own.points} pts"))
    title = f"Leaderboard · {scope} · {label}"
    attachment = None
    if chart is not None:
        described = "; ".join(f"{r.rank}. {r.member.label} {r.points}" for r in rows)
        attachment = Attachment(
            filename="leaderboard.png", content=chart, description=f"Bar chart: {described}"
        )
    return Card(kind=CardKind.LEADERBOARD, title=title, sections=tuple(sections), attachment=attachment)


MIN_TOPIC_ANSWERS = 2  # answers on a topic before stats call it strong or weak


def stats_card(stats: MemberStats) -> Card:
    coverage = "-" if stats.average_coverage is None else _percent(stats.average_coverage)
    bullets = [
        f"Points: {stats.points}",
        f"Rounds answered: {stats.rounds_answered}",
        f"Average key-point coverage: {coverage}",
        f"Daily streak: {stats.current_streak} (best {stats.best_streak})",
    ]
    sections = [Section(bullets=tuple(bullets))]
    if stats.by_category:
        ranked = sorted(stats.by_category.items(), key=lambda kv: (-kv[1], kv[0]))
        sections.append(
            Section(heading="By category (coverage)", bullets=tuple(f"{c}: {_percent(v)}" for c, v in ranked))
        )
    # Strongest and weakest topics need evidence (a few answers each) and never name a topic twice; a
    # topic that is neither clearly strong nor weak is left out rather than put on both lists.
    known = {t: v for t, v in stats.by_topic.items() if stats.answers_by_topic.get(t, 0) >= MIN_TOPIC_ANSWERS}
    if len(known) >= 2 and max(known.values()) > min(known.values()):
        ranked_topics = sorted(known.items(), key=lambda kv: (-kv[1], kv[0]))
        half = min(3, len(ranked_topics) // 2)
        top, bottom = ranked_topics[:half], ranked_topics[-half:]
        strong = ", ".join(t for t, v in top if v > bottom[0][1])
        weak = ", ".join(t for t, v in reversed(bottom) if v < top[-1][1])
        topic_lines = tuple(
            line
            for line in (f"Strongest: {strong}" * bool(strong), f"To work on: {weak}" * bool(weak))
            if line
        )
        if topic_lines:
            sections.append(Section(heading="Topics", bullets=topic_lines))
    return Card(kind=CardKind.STATS, title=f"Stats · {stats.member.label}", sections=tuple(sections))


def usage_card(problem: UsageProblem) -> Card:
    sections = [Section(body=f"Sorry, {problem.problem}.")]
    if problem.choices:
        sections.append(Section(heading="Valid choices", body=", ".join(problem.choices)))
    if problem.command and problem.command in USAGE:
        syntax, meaning = USAGE[problem.command]
        sections.append(Section(heading="Usage", body=f"/practice {syntax}\n{meaning}"))
    else:
        sections.append(Section(heading="Usage", body="/practice help lists every command."))
    return Card(kind=CardKind.USAGE, title="That command did not work", sections=tuple(sections))


def help_card(topic: str | None = None) -> Card:
    items = [topic] if topic else list(USAGE)
    bullets = tuple(f"/practice {USAGE[name][0]}: {USAGE[name][1]}" for name in items)
    return Card(
        kind=CardKind.HELP,
        title="practicebot: daily MLOps interview practice",
        sections=(Section(bullets=bullets), Section(body="Answer a question by replying in its thread.")),
    )


def notice_card(text: str, *, title: str = "practicebot") -> Card:
    return Card(kind=CardKind.NOTICE, title=title, sections=(Section(body=text),))


def topics_card(counts: dict[str, int], total: int, packs: dict[str, int] | None = None) -> Card:
    bullets = tuple(f"{name}: {_questions(n)}" for name, n in sorted(counts.items()))
    sections = [Section(heading="Categories", bullets=bullets)]
    if packs:
        pack_lines = tuple(f"{name}: {_questions(n)}" for name, n in sorted(packs.items()))
        sections.insert(0, Section(heading="Packs (/practice config packs LIST)", bullets=pack_lines))
    return Card(kind=CardKind.TOPICS, title=f"Topics ({_questions(total)})", sections=tuple(sections))


def _questions(n: int) -> str:
    return f"{n} question" if n == 1 else f"{n} questions"


def channel_card(settings: ChannelSettings) -> Card:
    if settings.reveal_at_time:
        reveal = f"at {settings.reveal_at_time}"
    else:
        minutes = settings.reveal_after_minutes or 0
        reveal = f"after {minutes // 60}h" if minutes % 60 == 0 else f"after {minutes}m"
    state = "paused" if settings.paused else ("on" if settings.schedule_enabled else "off (use schedule set)")
    bullets = (
        f"Daily question: {state}",
        f"Time: {settings.post_time} {settings.timezone}, {','.join(settings.days) or 'no days'}",
        f"Reveal: {reveal}",
        "Reminder: "
        + (
            f"{settings.reminder_minutes // 60}h"
            if settings.reminder_minutes and settings.reminder_minutes % 60 == 0
            else f"{settings.reminder_minutes}m"
            if settings.reminder_minutes
            else "off"
        )
        + (" before the reveal" if settings.reminder_minutes else ""),
        f"Skipped dates: {', '.join(d.isoformat() for d in settings.skip_dates) or 'none'}",
        f"Categories: {', '.join(settings.categories) or 'all'}",
        f"Difficulty: {', '.join(settings.difficulties) or 'all'}",
        f"Packs: {', '.join(settings.packs) or 'all'}",
        f"Answers: {'privately, with the button' if settings.answer_mode == 'private' else 'in the thread'}",
        f"Weekly recap: {'on Mondays at ' + settings.post_time if settings.recap_weekly else 'off'}",
    )
    return Card(kind=CardKind.SCHEDULE, title="Channel settings", sections=(Section(bullets=bullets),))


def recap_card(data: RecapData) -> Card:
    """Last week in the channel: its best-liked answers, who moved on the leaderboard, what to work on."""
    sections = [Section(body=f"{data.answers} answer{'' if data.answers == 1 else 's'} last week.")]
    if data.top_answers:
        bullets = tuple(
            f"{t.member.label} on {t.question_id} ({t.votes} vote{'' if t.votes == 1 else 's'})"
            for t in data.top_answers
        )
        sections.append(Section(heading="Most upvoted answers", bullets=bullets))
    if data.movers:
        movers = []
        for member, rank, before in data.movers:
            if before is None:
                change = "new on the board"
            elif before > rank:
                change = f"up from #{before}"
            elif before < rank:
                change = f"down from #{before}"
            else:
                change = "holding"
            movers.append(f"{rank}. {member.label} ({change})")
        sections.append(Section(heading="Leaderboard for the week", bullets=tuple(movers)))
    if data.weakest:
        weak = tuple(f"{cat}: {_percent(avg)} of key points over {n} answers" for cat, avg, n in data.weakest)
        sections.append(Section(heading="Topics to work on", bullets=weak))
    return Card(
        kind=CardKind.RECAP,
        title=f"Weekly recap · {data.week}",
        sections=tuple(sections),
        footer="/practice config recap off stops these recaps.",
    )


def _local(instant: dt.datetime, timezone: str) -> str:
    return instant.astimezone(ZoneInfo(timezone)).strftime("%a %Y-%m-%d %H:%M %Z")


def preview_card(settings: ChannelSettings, slots: Sequence[Slot]) -> Card:
    title = f"Next daily questions ({settings.timezone})"
    if not settings.schedule_enabled:
        body = "No daily question yet: an admin starts one with /practice schedule set 09:30 Europe/Berlin"
        return Card(kind=CardKind.SCHEDULE, title=title, sections=(Section(body=body),))
    bullets = tuple(
        f"{_local(s.post_at, settings.timezone)} → reveal {_local(s.reveal_at, settings.timezone)}"
        for s in slots
    )
    sections = [Section(bullets=bullets or ("none in the next year",))]
    if settings.paused:
        sections.insert(0, Section(body="Paused: nothing is posted until /practice schedule resume."))
    return Card(kind=CardKind.SCHEDULE, title=title, sections=tuple(sections))


def reminder_card(minutes_left: int, answers: int) -> Card:
    """A nudge in the round's thread. It mentions nobody: reminders must not ping people."""
    when = (
        f"{minutes_left // 60} h" if minutes_left >= 60 and minutes_left % 60 == 0 else f"{minutes_left} min"
    )
    so_far = {0: "No answers yet", 1: "1 answer so far"}.get(answers, f"{answers} answers so far")
    return Card(
        kind=CardKind.NOTICE,
        title="Reminder",
        sections=(Section(body=f"The answer is revealed in {when}. {so_far}: reply in this thread."),),
    )
