"""The daily question: APScheduler triggers, the database as the ledger (see the scheduler issue)."""
