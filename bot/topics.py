"""Which question an answer is about: each question's telling words (its question, model answer, labels
and terms, minus the words many questions share), and whether an answer's telling words fit another
question of the bank clearly better than its own (an answer to a neighbouring question that happens to
share some of its terms)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import TYPE_CHECKING

from bot.answer_words import tokens
from bot.questions import Question

if TYPE_CHECKING:
    from bot.coverage import Bank

# A stem in more than this share of the questions' vocabularies says little about which question an answer
# answers.
TOPIC_STEM_MAX_SHARE = 0.35
# An answer whose telling words fit another question's vocabulary this much better than its own (shares of
# its telling words, at least TOPIC_MIN_STEMS of them) is probably answering that other question: each key
# point then needs as many terms in one statement as after a mistake (bot/coverage.py). Measured on the
# development sets (stop 21): 27 false positives fewer (most of them in off-topic answers), 3 true positives
# fewer.
TOPIC_GAP = 0.10
TOPIC_MIN_STEMS = 5


def question_topics(questions: Sequence[Question]) -> dict[str, frozenset[str]]:
    own: dict[str, set[str]] = {}
    for q in questions:
        texts = [q.question, q.model_answer, *(t for p in q.key_points for t in (p.label, *p.terms))]
        own[q.id] = {stem for text in texts for stem, _ in tokens(text)}
    shared = Counter(stem for stems in own.values() for stem in stems)
    limit = TOPIC_STEM_MAX_SHARE * len(own)
    return {qid: frozenset(stem for stem in stems if shared[stem] <= limit) for qid, stems in own.items()}


def fits_another_question(answer: str, question_id: str, bank: Bank) -> bool:
    """Whether the answer's telling words (those few questions use) fit another question of the bank
    clearly better than this one: an answer to a neighbouring question that shares some of its terms."""
    stems = [stem for stem, _ in tokens(answer) if stem in bank.telling]
    mine = bank.topics.get(question_id)
    if mine is None or len(stems) < TOPIC_MIN_STEMS:
        return False
    fit = sum(stem in mine for stem in stems)
    best = max(
        (sum(stem in topic for stem in stems) for qid, topic in bank.topics.items() if qid != question_id),
        default=0,
    )
    return (best - fit) / len(stems) > TOPIC_GAP
