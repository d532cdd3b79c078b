"""practicebot's platform-neutral core: every rule lives here; no chat-platform imports."""
