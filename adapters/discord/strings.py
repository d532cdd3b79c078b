"""Every line the Discord adapter itself shows (cards are worded by the core), and its app-command texts.

Discord limits: command and option descriptions 100 chars, choice names 100, modal title and input label 45,
thread names 100, button labels 80.
"""

from __future__ import annotations

# --- app commands ---------------------------------------------------------------------------------------
GROUP_DESCRIPTION = "Daily MLOps interview practice"
QUESTION_DESCRIPTION = "Get a practice question, privately first"
REVEAL_DESCRIPTION = "Reveal the open question: model answer, feedback and points"
LEADERBOARD_DESCRIPTION = "Points ranking of this channel or the whole server"
STATS_DESCRIPTION = "Rounds answered, key-point coverage and points"
REVIEW_DESCRIPTION = "Your next spaced-repetition question, privately"
GRADE_DESCRIPTION = "Grade yourself on the review question you just revealed"
TOPICS_DESCRIPTION = "Categories and how many questions each has"
HELP_DESCRIPTION = "Every /practice command"
SCHEDULE_DESCRIPTION = "The channel's daily question (admins change it)"
CONFIG_DESCRIPTION = "What this channel is asked (admins change it)"

OPTION_CATEGORY = "Only questions of this category"
OPTION_DIFFICULTY = "Only questions of this difficulty"
OPTION_QUESTION_ID = "A given question, by its id (practicebot content list shows them)"
OPTION_PERIOD = "Which period to rank (default: this week)"
OPTION_SCOPE = "This channel or the whole server (default: channel)"
OPTION_MEMBER = "Whose stats (default: yours)"
OPTION_GRADE = "again: forgot it · hard · good · easy: knew it cold"
OPTION_HELP_COMMAND = "Help for one command only"
OPTION_SCHEDULE = "show | set 09:30 Europe/Berlin mon-fri | reveal after 6h | remind 1h | pause | skip DATE"
OPTION_CONFIG = "show | categories technical,cloud | difficulty easy | packs mlops | answers private"

PERIOD_CHOICES = {"week": "this week", "month": "this month", "all": "all time"}
SCOPE_CHOICES = {"channel": "this channel", "server": "the whole server"}

# Suggestions offered while typing the free-text options; whatever is typed still goes through the grammar.
SCHEDULE_SUGGESTIONS = (
    "show",
    "set 09:00 UTC mon-fri",
    "set 09:30 Europe/Berlin weekdays",
    "reveal after 6h",
    "reveal at 17:00",
    "pause",
    "resume",
    "skip 2026-12-24",
    "remind 1h",
    "remind off",
    "preview",
)
CONFIG_SUGGESTIONS = (
    "show",
    "categories technical,cloud-infrastructure",
    "categories all",
    "difficulty easy,medium",
    "difficulty all",
    "packs mlops",
    "packs mlops,llmops",
    "packs all",
    "answers thread",
    "answers private",
    "recap weekly",
    "recap off",
)

# --- buttons and the answer modal ----------------------------------------------------------------------
# The button on a channel round (a private question keeps the core's "Answer privately").
ANSWER_BUTTON_LABEL = "Answer"
ANSWER_MODAL_TITLE = "Your answer"
ANSWER_INPUT_LABEL = "Answer"
ANSWER_INPUT_PLACEHOLDER = "Write your answer. The reveal tells you which key points you covered."

# --- replies to whoever acted ---------------------------------------------------------------------------
ANSWER_SAVED = "Your answer is saved ({chars} chars). Send it again to replace it."
ANSWER_UPDATED = "Your answer is updated ({chars} chars in all)."
ANSWER_LATE = "Your late answer is saved ({chars} chars): feedback only, no points."
ANSWER_EMPTY = "That answer was empty, so nothing was saved."
ANSWER_UNKNOWN_ROUND = "That question is no longer taking answers."
DONE = "Done."
BUTTON_UNKNOWN = "That button belongs to an older version of this bot. Use /practice instead."
APOLOGY = "Sorry, something went wrong on my side. Please try again in a moment."
NOT_READY = "I am still starting up. Please try again in a few seconds."
CANNOT_POST = (
    "I can't post in this channel. I need the View Channel, Send Messages, Embed Links and "
    "Create Public Threads permissions here."
)

# --- rounds ---------------------------------------------------------------------------------------------
THREAD_NAME = "{title} · answers"
THREAD_FORBIDDEN = (
    "I could not open a thread for this question: I am missing the Create Public Threads permission "
    "in this channel. Answer with the **{label}** button on the question instead."
)
ANSWER_BY_BUTTON = "Answer with the **{label}** button: this bot does not read thread replies on this server."
CONTINUED = "{title} (continued)"
