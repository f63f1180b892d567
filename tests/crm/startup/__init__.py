"""Apps that are wrong on purpose, installed only by the settings modules here, to show
that a mistake with topics stops a process at start-up (tests/crm/test_event_topics.py)."""
