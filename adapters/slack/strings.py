"""Every line the Slack adapter itself shows to people (cards are worded by the core)."""

# A message split across several posts: the fallback text of the later parts.
CONTINUED = "{title} (continued)"

# Something went wrong on our side: never a traceback, always this.
APOLOGY = "Sorry, something went wrong on my side. Please try again in a moment."
NOT_IN_CHANNEL = (
    "I can't post in this channel yet. Invite me with `/invite @practicebot`, then try again "
    "(and `/practice schedule resume` if the channel had a daily question)."
)

# The "Answer privately" modal (Slack limits: title, submit and close 24 characters).
MODAL_TITLE = "Your answer"
MODAL_SUBMIT = "Save answer"
MODAL_CLOSE = "Cancel"
MODAL_LABEL = "Answer"
MODAL_HINT = "Only you and the reveal see it. You can send a new one later; the parts are joined."
MODAL_PLACEHOLDER = "Explain it as you would in the interview."
MODAL_SAVED_TITLE = "Answer saved"
MODAL_SAVED = "Saved ({chars} characters). The model answer and your feedback come with the reveal."
MODAL_SAVED_LATE = "Saved ({chars} characters). This question was already revealed: feedback only, no points."
MODAL_EMPTY = "Write something first."
MODAL_UNKNOWN_ROUND = "That question no longer takes answers."
MODAL_DONE = "Close"
