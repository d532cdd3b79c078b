"""Every line the console adapter itself prints (cards are worded by the core)."""

WELCOME = (
    "practicebot console · channel #{channel} · you are {user}\n"
    "Type /practice help for commands, /as NAME to switch user, /quit to leave. "
    "A plain line answers the open question."
)
SWITCHED = "You are now {user}."
AS_USAGE = "Usage: /as NAME (letters, digits, '.', '_' or '-')"
NO_OPEN_QUESTION = "No open question to answer. Start one with /practice question."
ANSWER_SAVED = "{user}'s answer saved ({chars} chars)."
ANSWER_UPDATED = "{user}'s answer updated ({chars} chars)."
ANSWER_LATE = "{user}'s late answer saved ({chars} chars): feedback only, no points."
UNKNOWN_SLASH = "Unknown command {word}. Commands start with /practice; /as NAME switches user; /quit leaves."
PRIVATE_PREFIX = "only {user} sees this"
THREAD_PREFIX = "thread of question {message}"
CHANNEL_PREFIX = "#{channel}"
GOODBYE = "Bye."
RESUMED = "The question of thread {message} is still open: plain lines answer it."
ACTION_HINTS = {
    "post_to_channel": "/practice question posts to the channel here",
    "answer_privately": "type your answer as a plain line",
    "reveal": "/practice reveal",
}
