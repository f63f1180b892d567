"""The numbers of the demo's story: how many, how often, which share. The names, places
and words are in demo/data/; these say how the team works."""

from datetime import time

from crm.models import JobSeeker
from employers.models import ContactPerson, JobOpening
from jobdev.models import EmployerContact
from placements.models import Placement

JOB_SEEKER_COUNT = 40
REFERRAL_WINDOW_DAYS = 300  # about ten months of history
OTHER_EUROPEAN_SHARE = 0.2
SECOND_SITE_SHARE = 0.3
SITE_LOCATED_TO_THE_STREET_SHARE = 0.15  # the others to the street number
SECOND_PERSON_SHARE = 0.5  # small and larger employers: a second contact person
# Caseloads dealt in turn, in proportion to each specialist's time (specialist3 works
# half time: demo/data/program.json gives the FTE).
CASELOAD_DEAL = ["specialist1", "specialist2", "specialist3", "specialist1", "specialist2"]
# Two job seekers changed specialist (and team) at enrolment: (from, to).
REASSIGNMENTS = [("specialist2", "specialist3"), ("specialist3", "specialist1")]

CONTACT_CHANNELS = [
    (ContactPerson.Channel.IN_PERSON, 40),
    (ContactPerson.Channel.PHONE, 35),
    (ContactPerson.Channel.EMAIL, 20),
    (ContactPerson.Channel.VIDEO, 5),
]
REFERRAL_SOURCES = [
    (JobSeeker.ReferralSource.MENTAL_HEALTH_TEAM, 45),
    (JobSeeker.ReferralSource.SELF, 15),
    (JobSeeker.ReferralSource.FAMILY, 8),
    (JobSeeker.ReferralSource.SOCIAL_SERVICES, 12),
    (JobSeeker.ReferralSource.EMPLOYMENT_SERVICE, 14),
    (JobSeeker.ReferralSource.OTHER, 6),
]
BENEFITS = [(JobSeeker.Benefits.YES, 55), (JobSeeker.Benefits.NO, 25), (JobSeeker.Benefits.UNKNOWN, 20)]
# The preference chosen once disclosure is talked over (fidelity item 13).
DISCLOSURE = [
    (JobSeeker.Disclosure.NONE, 25),
    (JobSeeker.Disclosure.PARTIAL, 45),
    (JobSeeker.Disclosure.FULL, 30),
]
# Someone who does not want their condition disclosed often meets employers alone,
# prepared with the specialist.
ALONE_WITHOUT_DISCLOSURE_SHARE = 0.5
DISCLOSURE_AT_INTAKE_SHARE = 0.4  # talked over at the enrolment interview; the others within days
DISCLOSURE_TALK_DAYS = (2, 9)  # days after enrolment the enrolment's disclosure task is done
# People whose first employer contact was planned before the talk (the specialist went
# ahead, confirming it): the disclosure item is not 100 %.
LATE_DISCLOSURE_TALKS = 3
IN_EDUCATION = 3  # people studying alongside (a course, a diploma), for the "% in education" figure
DAY_CODES = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
SHIFT_PATTERNS = [
    ["morning"],
    ["morning", "afternoon"],
    ["afternoon"],
    ["afternoon", "evening"],
    ["morning", "afternoon", "evening"],
    ["morning"],
    ["morning", "afternoon"],
    ["evening", "night"],
]
MIN_HOURS_CHOICES = [8, 10, 12, 15, 15, 18, 20, 20, 24, 28]
TRAVEL_MINUTES_CHOICES = [20, 30, 30, 40, 45, 45, 60]
MIN_HOURLY_PAY_CHOICES = ["11.88", "11.88", "11.88", "12.00", "12.50", "13.00", "13.50", "14.00"]

# (story, minimum days since enrolment it needs). The other job seekers are searching.
STORIES = [
    ("ended_closed", 210),
    ("follow_along", 185),
    ("follow_along", 185),
    ("follow_along", 185),
    ("ended_searching", 180),
    ("ended_searching", 180),
    ("sheltered_then_searching", 180),  # left a reserved (non-competitive) job for an ordinary one
    ("better_job", 165),
    ("working", 60),
    ("working", 60),
    ("working", 60),
    ("working", 60),
    ("left_without_job", 60),
    ("left_without_job", 60),
    ("offer_accepted", 25),
    ("offer_accepted", 25),
    ("offer_accepted", 25),
]
FOLLOW_ALONG_AFTER_DAYS = 120  # an active worker moves to follow-along after about four months
END_REASONS_BACK_TO_SEARCH = [
    Placement.EndReason.TEMPORARY_ENDED,
    Placement.EndReason.FIRED,
    Placement.EndReason.LAID_OFF,
    Placement.EndReason.QUIT_HEALTH,
    Placement.EndReason.QUIT_OTHER,
]
TEMPORARY_JOB_SHARE = 0.2  # seasonal or fixed-term contracts among the jobs found
# Work-incentives planning of the jobs that started (fidelity item 12): delivered before
# the start, except for one job each of these (delivered only after the start, left at
# the session, declined by the worker).
BENEFITS_EXCEPTIONS = ["after_start", "unfinished", "declined"]
HOURS_CHOICES = ["10", "12", "15", "17.5", "20", "20", "24", "25", "28", "30", "35"]

# Job development.
CONTACT_WEEKS = 16  # weeks of employer contacts at the team's full rhythm before the current one
# The fidelity reviews' periods: the first 8 of those weeks, then the last 12 complete
# weeks (the dashboard's default, this week left out).
REVIEW_WEEKS = (8, 12)
# The specialist's own in-person contacts on behalf of job seekers, drawn for each week
# (fidelity item 17: 6 a week; specialist3 works half time). The job seekers' own visits
# come on top.
WEEKLY_VISITS = {
    "specialist1": [6, 6, 7, 7, 8],
    "specialist2": [5, 5, 6, 6, 7],
    "specialist3": [3, 3, 4, 4],
}
UPCOMING_VISITS = {"specialist1": 5, "specialist2": 4, "specialist3": 3}  # planned for next week
RELATIONSHIP_VISITS = [(0, 40), (1, 45), (2, 15)]  # a specialist's relationship-building visits a week
LEADER_RELATIONSHIP_VISITS = [(1, 60), (2, 40)]
CALL_MODES = [
    (EmployerContact.Mode.PHONE, 55),
    (EmployerContact.Mode.EMAIL, 35),
    (EmployerContact.Mode.VIDEO, 10),
]
JOB_SEEKER_MADE_CONTACT_SHARE = 0.08  # face-to-face contacts the job seeker made, prepared with the specialist
# Visits on someone's behalf to an employer the specialist knows, outside the person's
# wishes (fidelity item 16: individualized job search).
OFF_PREFERENCE_SHARE = 0.14
SECOND_JOB_SEEKER_SHARE = 0.3  # a visit on behalf of two job seekers
NEVER_CONTACTED_EMPLOYERS = 8
RESCHEDULED_SHARE = 0.15  # visits moved once after they were planned
CONFIRMED_SHARE = 0.6  # planned visits confirmed with the employer
# Days in job search of the few with no face-to-face employer contact yet: past the
# day-14 nudge, past the day-21 nudge, past the IPS 30-day mark.
WAITING_BANDS = [(15, 19), (22, 28), (31, 38)]
VISIT_STARTS = [
    time(9, 0),
    time(9, 30),
    time(10, 45),
    time(11, 0),
    time(14, 0),
    time(14, 30),
    time(15, 45),
    time(16, 0),
]
CALL_STARTS = [time(8, 45), time(12, 15), time(13, 30), time(17, 15), time(17, 30)]
VISIT_MINUTES = [30, 45, 45, 60, 60]
LOGGED_CALL_MINUTES = 15  # what the quick log records (jobdev.services.employer_contact_log)
PLANNING_LEAD_DAYS = [0, 1, 1, 2, 3, 3, 5, 7, 10]
PLANNING_TIME = time(16, 30)  # visits are planned at the end of a working day
JOB_OPENINGS = 25
OPENING_HOURS = [10, 15, 20, 20, 24, 28, 30, 35]
OPENING_SHIFTS = [
    ["morning"],
    ["morning"],
    ["afternoon"],
    ["morning", "afternoon"],
    ["evening"],
    ["afternoon", "evening"],
    ["night"],
]
OLDER_OPENING_STATUSES = [
    JobOpening.Status.CLOSED,
    JobOpening.Status.FILLED,
    JobOpening.Status.OPEN,
    JobOpening.Status.CLOSED,
    JobOpening.Status.FILLED,
]
RECENT_OPENING_STATUSES = [
    JobOpening.Status.OPEN,
    JobOpening.Status.OPEN,
    JobOpening.Status.FILLED,
    JobOpening.Status.OPEN,
]
OPENING_SOURCES = [
    (JobOpening.Source.EMPLOYER_CONTACT, 70),
    (JobOpening.Source.NETWORK, 10),
    (JobOpening.Source.JOB_SEEKER, 10),
    (JobOpening.Source.POSTING, 10),
]
