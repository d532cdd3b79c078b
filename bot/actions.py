"""The one table of card actions (buttons). Cards carry these ids; every adapter handles every one of them.

An action either opens the answer form (the adapter shows its own modal, the form's submission then
arrives as `FormSubmitted`) or is worked by the core (`ActionClicked` through `Engine.dispatch`).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class ActionId(StrEnum):
    POST_TO_CHANNEL = "post_to_channel"
    ANSWER_PRIVATELY = "answer_privately"
    REVEAL = "reveal"
    GRADE_AGAIN = "grade_again"
    GRADE_HARD = "grade_hard"
    GRADE_GOOD = "grade_good"
    GRADE_EASY = "grade_easy"
    # "I covered this" on a missed point of one's feedback; the number is the key point's on the card.
    CONTEST_1 = "contest_1"
    CONTEST_2 = "contest_2"
    CONTEST_3 = "contest_3"
    CONTEST_4 = "contest_4"
    CONTEST_5 = "contest_5"
    CONTEST_6 = "contest_6"
    CONTEST_7 = "contest_7"
    CONTEST_8 = "contest_8"


@dataclass(frozen=True)
class ActionSpec:
    label: str
    opens_form: bool = False  # the adapter opens the answer form; nothing reaches the core until it is sent
    slow: bool = False  # may post, read a thread back or send DMs: adapters defer before working it
    console_hint: str = ""  # the console has no buttons: what to type instead
    grade: str | None = None  # a self-grade of a revealed review question
    # Whether the clicker's rights matter (an admin may post or reveal someone else's question); adapters
    # ask the platform only then.
    needs_rights: bool = False
    # A contest of this key point (1-based); the action's value is then the answer's id, not a round's.
    contest_point: int | None = None


ACTIONS: dict[ActionId, ActionSpec] = {
    ActionId.POST_TO_CHANNEL: ActionSpec(
        "Post to channel",
        slow=True,
        needs_rights=True,
        console_hint="/practice question posts to the channel here",
    ),
    ActionId.ANSWER_PRIVATELY: ActionSpec(
        "Answer privately", opens_form=True, console_hint="type your answer as a plain line"
    ),
    ActionId.REVEAL: ActionSpec("Reveal", slow=True, needs_rights=True, console_hint="/practice reveal"),
    **{
        ActionId(f"grade_{g}"): ActionSpec(g.title(), grade=g, console_hint=f"/practice grade {g}")
        for g in ("again", "hard", "good", "easy")
    },
    **{
        ActionId(f"contest_{n}"): ActionSpec(
            f"I covered #{n}", contest_point=n, console_hint=f"/practice contest {n}"
        )
        for n in range(1, 9)
    },
}


def contest_action(point: int) -> ActionId:
    return ActionId(f"contest_{point}")


def parse_action(action_id: str) -> ActionId | None:
    try:
        return ActionId(action_id)
    except ValueError:
        return None
