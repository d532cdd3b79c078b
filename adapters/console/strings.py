"""Every line the console adapter itself prints (cards are worded by the core)."""

WELCOME = (
    "practicebot console · channel #{channel} · you are {user}\n"
    "Type /practice help for commands, /as NAME to switch user, /quit to leave. "
    "A plain line answers the open question; /vote NAME upvotes NAME's answer."
)
SWITCHED = "You are now {user}."
AS_USAGE = "Usage: /as NAME (letters, digits, '.', '_' or '-')"
NO_OPEN_QUESTION = "No open question to answer. Start one with /practice question."
ANSWER_SAVED = "{user}'s answer to round #{round} ({question}) saved ({chars} chars)."
ANSWER_UPDATED = "{user}'s answer to round #{round} ({question}) updated ({chars} chars in all)."
PRIVATE_ANSWER_SAVED = "{user}'s answer to {question} saved ({chars} chars in all), privately."
PRIVATE_QUESTION_HINT = "(a plain line answers this question, privately, until you reveal it)"
ANSWER_LATE = (
    "{user}'s late answer to round #{round} ({question}) saved ({chars} chars): feedback only, no points."
)
UNKNOWN_SLASH = "Unknown command {word}. Commands start with /practice; /as NAME switches user; /quit leaves."
PRIVATE_PREFIX = "only {user} sees this"
THREAD_PREFIX = "thread of question {message}"
CHANNEL_PREFIX = "#{channel}"
GOODBYE = "Bye."
RESUMED = "The question of thread {message} is still open: plain lines answer it."
VOTE_USAGE = "Usage: /vote NAME or /unvote NAME (whose answer in the open thread)"
VOTE_NO_ANSWER = "{user} has no answer in the open thread."
VOTE_RESULTS = {
    "added": "{user} upvoted {author}'s answer.",
    "removed": "{user} took back the vote for {author}'s answer.",
    "self_vote": "You cannot vote for your own answer.",
    "already": "Nothing changed: {user} had already voted that way.",
    "not_an_answer": "That answer can no longer be voted on (the question was revealed).",
}
ATTACHMENT_SAVED = "  (chart saved to {path})"
