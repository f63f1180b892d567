"""The follow-along schedule (IPS fidelity, "time-unlimited follow-along supports"):
face to face within 3 days after the start, weekly through the first month, then at
least monthly, for as long as the worker wants it. A specialist may choose another
rhythm for the person."""

import datetime

from placements.models import FollowAlongPlan

FIRST_CONTACT_DAYS = 3
STANDARD_FIRST_MONTH_DAYS = [3, 7, 14, 21, 28]
INTERVAL_DAYS = {
    FollowAlongPlan.Frequency.WEEKLY: 7,
    FollowAlongPlan.Frequency.FORTNIGHTLY: 14,
    FollowAlongPlan.Frequency.MONTHLY: 30,
}
STANDARD_AFTER_FIRST_MONTH_DAYS = 30


def next_due_date(*, frequency: str, start_date: datetime.date, previous_due: datetime.date | None) -> datetime.date:
    """The due date of the follow-along contact after `previous_due` (None: the first)."""
    if previous_due is None:
        return start_date + datetime.timedelta(days=FIRST_CONTACT_DAYS)
    if frequency == FollowAlongPlan.Frequency.STANDARD:
        for offset in STANDARD_FIRST_MONTH_DAYS:
            candidate = start_date + datetime.timedelta(days=offset)
            if candidate > previous_due:
                return candidate
        return previous_due + datetime.timedelta(days=STANDARD_AFTER_FIRST_MONTH_DAYS)
    return previous_due + datetime.timedelta(days=INTERVAL_DAYS[frequency])


def next_due_on_or_after(
    *, frequency: str, start_date: datetime.date, previous_due: datetime.date | None, earliest: datetime.date
) -> datetime.date:
    due = next_due_date(frequency=frequency, start_date=start_date, previous_due=previous_due)
    while due < earliest:
        due = next_due_date(frequency=frequency, start_date=start_date, previous_due=due)
    return due
