# Each integration keeps its models in its sub-package; Django finds them here.
from integrations.calendar.models import CalendarFeed, CalendarPreference  # noqa: F401
