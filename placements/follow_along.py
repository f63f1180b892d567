"""The follow-along schedule (IPS fidelity, "time-unlimited follow-along supports"):
face to face within 3 days after the start, weekly through the first month, then at
least monthly, for as long as the worker wants it. The numbers are program settings
(Organisation.follow_along_*); a specialist may choose another rhythm for the person."""

import datetime

from crm.models import Organisation
from placements.models import FollowAlongPlan

INTERVAL_DAYS = {
    FollowAlongPlan.Frequency.WEEKLY: 7,
    FollowAlongPlan.Frequency.FORTNIGHTLY: 14,
    FollowAlongPlan.Frequency.MONTHLY: 30,
}


def next_due_date(
    *, program: Organisation, frequency: str, start_date: datetime.date, previous_due: datetime.date | None
) -> datetime.date:
    """The due date of the follow-along contact after `previous_due` (None: the first)."""
    if previous_due is None:
        return start_date + datetime.timedelta(days=program.follow_along_first_contact_days)
    if frequency == FollowAlongPlan.Frequency.STANDARD:
        weekly = [7 * week for week in range(1, program.follow_along_weekly_weeks + 1)]
        for offset in sorted({program.follow_along_first_contact_days, *weekly}):
            candidate = start_date + datetime.timedelta(days=offset)
            if candidate > previous_due:
                return candidate
        return previous_due + datetime.timedelta(days=program.follow_along_monthly_days)
    return previous_due + datetime.timedelta(days=INTERVAL_DAYS[frequency])


def next_due_on_or_after(
    *,
    program: Organisation,
    frequency: str,
    start_date: datetime.date,
    previous_due: datetime.date | None,
    earliest: datetime.date,
) -> datetime.date:
    due = next_due_date(program=program, frequency=frequency, start_date=start_date, previous_due=previous_due)
    while due < earliest:
        due = next_due_date(program=program, frequency=frequency, start_date=start_date, previous_due=due)
    return due
