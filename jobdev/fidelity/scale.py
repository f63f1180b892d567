"""The IPS Supported Employment Fidelity Scale as data: its 25 items in the scale's order,
each with its 1-5 anchors, the numeric anchor boundaries of the items the product can
compute, and the bands of the total.

Source: the IPS Supported Employment Fidelity Scale (the 25-item scale of 2008, revised
2019) and its companion, the Supported Employment Fidelity Review Manual, 4th edition
(Becker, Swanson, Reese, Bond & McLeman; IPS Employment Center, 2019). The item names
follow the scale; the criteria and anchors are written in the project's own words, not
copied from the scale. docs/ips.md summarises the scale; docs/fidelity.md says how the
product measures each data-answerable item.

Which items the data answers, and on what value (the unit of ``ANCHOR_BOUNDS[key]``):

==  =============================  ===========================================================
 1  caseload_size                  active job seekers per full-time-equivalent specialist
12  work_incentives_planning       % of job starts (people on benefits) with planning done
                                   before the start; the re-check after a change of hours or
                                   pay caps the score at 4 (``work_incentives_score``)
13  disclosure                     % of people whose disclosure was discussed before the
                                   first employer contact on their behalf
15  rapid_job_search               mean days from enrolment to the first face-to-face
                                   employer contact about a competitive job
16  individualized_job_search      % of on-behalf employer contacts that fit the person's
                                   preferences
17  job_development_frequency      face-to-face employer contacts per specialist per week
                                   (``frequency_equivalent`` / ``frequency_score`` apply the
                                   scale's rule for small caseloads)
18  job_development_quality        quality criteria met, 0-4 (``quality_criteria_met``)
19  job_type_diversity             % of jobs obtained that are of different types
20  employer_diversity             % of jobs obtained that are with different employers
21  competitive_jobs               % of jobs obtained that are competitive
22  individualized_follow_along    mean number of support types per worker
23  time_unlimited_follow_along    % of face-to-face follow-along contacts held on time
24  community_based_services       % of recorded contacts held in the community
==  =============================  ===========================================================

Items 1, 15, 16, 17, 19, 20, 21 and 24 have numeric anchors on the scale; the table
encodes them. Items 12, 13, 18, 22 and 23 have qualitative anchors (or a count of
criteria the product cannot all see): the product maps a measured value to 1-5 through
a proxy, stated in the item's ``proxy`` with its reason, and set conservatively (a
reviewer's score on the worksheet overrides a computed one).

Fractions are never rounded up into a better anchor: a caseload of 20.5 (or 20.04) is
not "20 or fewer", 89.5 % (or 89.96 %) is not "90 % or more". The callers score the
unrounded figure and round only what they show (jobdev.dashboard.figures). The scale
rates items 17, 18 and 24 per specialist, then takes the average and the closest scale
point; where the anchors are single points (item 17's 2, 4, 5 and 6 contacts a week), a
value half-way between two points goes to the lower one.
"""

import math
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

# ---------------------------------------------------------------------------
# Types


@dataclass(frozen=True)
class Anchor:
    """One point of an item: ``score`` 1..5 and what it means (``text``, translated)."""

    score: int
    text: Promise


@dataclass(frozen=True)
class Item:
    """One item of the scale.

    ``number`` is its position 1..25 on the scale; ``key`` a stable identifier used in
    code, URLs and CSV files; ``section`` one of ``SECTION_KEYS``; ``name`` the scale's
    item name; ``criterion`` what a score of 5 asks, in the project's words; ``anchors``
    the five anchors, score 1 first; ``data_answerable`` whether the product computes a
    score from the records; ``proxy`` (data items with qualitative anchors only) what
    the product measures instead of the anchor's wording, and why."""

    number: int
    key: str
    section: str
    name: Promise
    criterion: Promise
    anchors: tuple[Anchor, ...]
    data_answerable: bool = False
    proxy: Promise | None = None

    def anchor(self, score: int) -> Anchor:
        """The anchor of ``score`` (1..5); ValueError otherwise."""
        for anchor in self.anchors:
            if anchor.score == score:
                return anchor
        raise ValueError(f"score {score!r} is not on the scale (1 to 5)")


@dataclass(frozen=True)
class Section:
    key: str
    name: Promise


@dataclass(frozen=True)
class Band:
    """A band of the total score: ``low``..``high`` inclusive."""

    key: str
    label: Promise
    low: int
    high: int


@dataclass(frozen=True)
class Bound:
    """The value an item's figure must reach for ``score``. For items where more is
    better the figure must be at least ``value`` (more than ``value`` when not
    ``inclusive``); where less is better, at most ``value`` (less than, when not
    ``inclusive``)."""

    score: int
    value: float
    inclusive: bool = True


@dataclass(frozen=True)
class AnchorBounds:
    """The numeric anchors of a data item: ``bounds`` for scores 5, 4, 3 and 2 (a
    figure reaching none of them scores 1), the figure's ``unit`` ("ratio", "percent",
    "days", "per_week", "types", "criteria") and its direction."""

    unit: str
    higher_is_better: bool
    bounds: tuple[Bound, Bound, Bound, Bound]

    def reaches(self, value: float, bound: Bound) -> bool:
        # A tolerance, so that a share computed as 0.9 * 100 still meets 90 %.
        tolerance = 1e-9
        if self.higher_is_better:
            return value >= bound.value - tolerance if bound.inclusive else value > bound.value + tolerance
        return value <= bound.value + tolerance if bound.inclusive else value < bound.value - tolerance


def _at_least(unit: str, five: float, four: float, three: float, two: float) -> AnchorBounds:
    return AnchorBounds(unit, True, (Bound(5, five), Bound(4, four), Bound(3, three), Bound(2, two)))


def _at_most(unit: str, five: float, four: float, three: float, two: float) -> AnchorBounds:
    return AnchorBounds(unit, False, (Bound(5, five), Bound(4, four), Bound(3, three), Bound(2, two)))


# ---------------------------------------------------------------------------
# Constants of the rules

#: Item 17, small caseloads: a specialist with fewer than this many people looking for
#: work on their caseload meets the score-5 pace with
#: ``SMALL_CASELOAD_CONTACTS_PER_PERSON`` face-to-face employer contacts a week for
#: each of them (the scale's example: a new program).
SMALL_CASELOAD_LOOKING = 3
SMALL_CASELOAD_CONTACTS_PER_PERSON = 2
#: Item 17: the weekly pace of the score-5 anchor.
FREQUENCY_PACE = 6

#: Item 12: a re-check share below this keeps the score at 4 at most.
WORK_INCENTIVES_RECHECK_PERCENT = 90
WORK_INCENTIVES_CAP_WITHOUT_RECHECK = 4

#: Item 18: the share (%) of contacts (or of employers) a quality criterion needs.
QUALITY_CRITERION_PERCENT = 50

# ---------------------------------------------------------------------------
# The numeric anchors (one table). Keys are Item.key; bounds for scores 5, 4, 3, 2.

ANCHOR_BOUNDS: dict[str, AnchorBounds] = {
    # Item 1: 20 or fewer / 21-25 / 26-30 / 31-40 / 41 or more per specialist.
    "caseload_size": _at_most("ratio", 20, 25, 30, 40),
    # Item 12 (proxy): planning delivered before the start, 90 / 75 / 50 / any / none.
    "work_incentives_planning": AnchorBounds(
        "percent", True, (Bound(5, 90), Bound(4, 75), Bound(3, 50), Bound(2, 0, inclusive=False))
    ),
    # Item 13 (proxy): discussed before the first on-behalf contact, 90 / 75 / 50 / 25.
    "disclosure": _at_least("percent", 90, 75, 50, 25),
    # Item 15: within 30 days / 31-60 / 61-150 / 151-270 / 271 or more, on average.
    "rapid_job_search": _at_most("days", 30, 60, 150, 270),
    # Item 16: 90-100 % / 75-89 / 50-74 / 25-49 / under 25 of employer contacts.
    "individualized_job_search": _at_least("percent", 90, 75, 50, 25),
    # Item 17: 6 or more / 5 / 4 / 2 / under 2 a week; closest point, half-way goes down.
    "job_development_frequency": AnchorBounds(
        "per_week",
        True,
        (
            Bound(5, 5.5, inclusive=False),
            Bound(4, 4.5, inclusive=False),
            Bound(3, 3, inclusive=False),
            Bound(2, 2),
        ),
    ),
    # Item 18 (proxy): criteria met 4 / 3 / 2 / 1 / 0; closest point, half-way goes down.
    "job_development_quality": AnchorBounds(
        "criteria",
        True,
        (
            Bound(5, 3.5, inclusive=False),
            Bound(4, 2.5, inclusive=False),
            Bound(3, 1.5, inclusive=False),
            Bound(2, 0.5, inclusive=False),
        ),
    ),
    # Items 19 and 20: 85-100 % / 70-84 / 60-69 / 50-59 / under 50.
    "job_type_diversity": _at_least("percent", 85, 70, 60, 50),
    "employer_diversity": _at_least("percent", 85, 70, 60, 50),
    # Item 21: 95 % or more / 85-94 / 75-84 / 64-74 / under 64.
    "competitive_jobs": _at_least("percent", 95, 85, 75, 64),
    # Item 22 (proxy): support types per worker, 3 / 2 / 1 / 0.5.
    "individualized_follow_along": _at_least("types", 3, 2, 1, 0.5),
    # Item 23 (proxy): face-to-face follow-along on time, 90 / 75 / 50 / 25.
    "time_unlimited_follow_along": _at_least("percent", 90, 75, 50, 25),
    # Item 24: 65 % or more / 50-64 / 40-49 / 30-39 / under 30 of the time in the community.
    "community_based_services": _at_least("percent", 65, 50, 40, 30),
}

# ---------------------------------------------------------------------------
# The scale


def _anchors(one, two, three, four, five) -> tuple[Anchor, ...]:
    return (Anchor(1, one), Anchor(2, two), Anchor(3, three), Anchor(4, four), Anchor(5, five))


def _five_elements() -> tuple[Anchor, ...]:
    """Anchors of an item scored by how many of its five elements are in place."""
    return _anchors(
        _("One element or none is in place."),
        _("Two elements are in place."),
        _("Three elements are in place."),
        _("Four elements are in place."),
        _("All five elements are in place."),
    )


SECTIONS: tuple[Section, ...] = (
    Section("staffing", _("Staffing")),
    Section("organization", _("Organization")),
    Section("services", _("Services")),
)
SECTION_KEYS = tuple(section.key for section in SECTIONS)

ITEMS: tuple[Item, ...] = (
    # --- Staffing -----------------------------------------------------------------
    Item(
        1,
        "caseload_size",
        "staffing",
        _("Caseload size"),
        _("Each employment specialist has their own caseload of no more than 20 people (per full-time post)."),
        _anchors(
            _("41 or more people per specialist."),
            _("31 to 40 people per specialist."),
            _("26 to 30 people per specialist."),
            _("21 to 25 people per specialist."),
            _("20 people or fewer per specialist."),
        ),
        data_answerable=True,
    ),
    Item(
        2,
        "employment_services_staff",
        "staffing",
        _("Employment services staff"),
        _("Employment specialists spend their working time on employment services only."),
        _anchors(
            _("Less than 60% of their time goes to employment services."),
            _("60% to 74% of their time goes to employment services."),
            _("75% to 89% of their time goes to employment services."),
            _("90% to 95% of their time goes to employment services."),
            _("96% or more of their time goes to employment services."),
        ),
    ),
    Item(
        3,
        "vocational_generalists",
        "staffing",
        _("Vocational generalists"),
        _(
            "Each specialist does every phase of the service for their caseload: intake, engagement, "
            "assessment, job development and placement, job coaching and follow-along support."
        ),
        _anchors(
            _("The specialist only refers people to other programs or providers."),
            _("The specialist keeps a caseload but sends people elsewhere for the employment services."),
            _("The specialist does one to four of the phases."),
            _("The specialist does five of the phases."),
            _("The specialist does all six phases."),
        ),
    ),
    # --- Organization -------------------------------------------------------------
    Item(
        4,
        "integration_team_assignment",
        "organization",
        _("Integration of rehabilitation with mental health treatment through team assignment"),
        _(
            "Each specialist belongs to one or two mental-health treatment teams, which between them "
            "account for at least 90% of the specialist's caseload."
        ),
        _anchors(
            _("The employment service runs apart from mental-health treatment."),
            _(
                "Specialists are linked to three or more teams, or to practitioners who do not work "
                "as teams, or to no team at all."
            ),
            _("Specialists belong to one or two teams that account for less than half of their caseload."),
            _("Specialists belong to one or two teams that account for 50% to 89% of their caseload."),
            _("Specialists belong to one or two teams that account for 90% or more of their caseload."),
        ),
    ),
    Item(
        5,
        "integration_team_contact",
        "organization",
        _("Integration of rehabilitation with mental health treatment through frequent team member contact"),
        _(
            "Specialists work closely with their treatment teams in five ways: they attend the weekly team "
            "meeting, share in decisions about people's care, write in the same records, have offices near "
            "the team, and help the team think about work for people not yet referred."
        ),
        _five_elements(),
    ),
    Item(
        6,
        "vr_collaboration",
        "organization",
        _("Collaboration between employment specialists and vocational rehabilitation counselors"),
        _(
            "Specialists and the public vocational rehabilitation counselors meet face to face at least "
            "monthly and talk about the people they share at least weekly."
        ),
        _anchors(
            _("They talk about shared people less than once a quarter, or not at all."),
            _("They talk about shared people at least once a quarter."),
            _("They talk about shared people at least once a month."),
            _("They meet face to face at least quarterly, or talk about shared people weekly."),
            _("They meet face to face at least monthly and talk about shared people at least weekly."),
        ),
    ),
    Item(
        7,
        "vocational_unit",
        "organization",
        _("Vocational unit"),
        _(
            "At least two full-time specialists and a team leader form a unit that meets weekly for "
            "group supervision about the people they serve, shares job leads and covers each other's "
            "caseloads."
        ),
        _anchors(
            _("Specialists are not part of an employment unit."),
            _("Specialists share a supervisor but do not meet as a group or cover for each other."),
            _("Specialists share a supervisor and discuss people together, but do not cover for each other."),
            _("Specialists form a unit, discuss people together and cover each other's caseloads when needed."),
            _(
                "A unit of at least two full-time specialists and a team leader meets weekly for group "
                "supervision, shares job leads and covers each other's caseloads."
            ),
        ),
    ),
    Item(
        8,
        "employment_supervisor_role",
        "organization",
        _("Role of employment supervisor"),
        _(
            "The team leader supervises no more than ten specialists and nothing else, leads weekly "
            "supervision, works with the treatment-team leaders, goes out with specialists to coach them, "
            "and reviews outcomes with the specialists to set goals."
        ),
        _five_elements(),
    ),
    Item(
        9,
        "zero_exclusion",
        "organization",
        _("Zero exclusion criteria"),
        _(
            "Everyone who wants to work can use the service, whatever their diagnosis, symptoms, substance "
            "use, history or presentation; referrals come from many sources."
        ),
        _anchors(
            _("A formal policy excludes people judged not ready for work."),
            _("Most people are kept out of the service by readiness criteria."),
            _("Some people are kept out of the service by readiness criteria."),
            _("Nobody is kept out, but referrals are not sought from a wide range of sources."),
            _("Everyone who wants to work has access, and referrals are sought from many sources."),
        ),
    ),
    Item(
        10,
        "agency_focus_competitive_employment",
        "organization",
        _("Agency focus on competitive employment"),
        _(
            "The agency promotes competitive work in five ways: it asks about work at intake and at each "
            "periodic review, displays information about the service, lets workers share their stories, "
            "and measures and shares its employment rate."
        ),
        _five_elements(),
    ),
    Item(
        11,
        "executive_team_support",
        "organization",
        _("Executive team support for supported employment"),
        _(
            "The agency's leaders know the model, review the service's fidelity regularly, take part in its "
            "steering group, state clear employment goals to all staff, and act on the barriers the program "
            "leader reports."
        ),
        _five_elements(),
    ),
    # --- Services -----------------------------------------------------------------
    Item(
        12,
        "work_incentives_planning",
        "services",
        _("Work incentives planning"),
        _(
            "Everyone is offered thorough, personal work incentives (benefits) planning before starting a "
            "new job, and again whenever a change of hours or pay calls for a decision."
        ),
        _anchors(
            _("Work incentives planning is hard to get for most people."),
            _("People are told where they could find work incentives planning."),
            _("The specialist talks with each person about how work changes their benefits."),
            _("People are offered thorough, personal planning by a trained person before starting a job."),
            _(
                "People are offered thorough, personal planning before starting a job and again when "
                "their hours or pay change."
            ),
        ),
        data_answerable=True,
        proxy=_(
            "The product sees whether planning was completed, not how thorough it was. Score: 5 when "
            "planning was completed before 90% or more of the job starts of people on benefits and the "
            "re-check was completed after 90% or more of the changes of hours or pay; 4 when 75% or more "
            "of the starts had it (or 90% with re-checks lagging); 3 from 50%; 2 when some did; 1 when "
            "none did. A step created but never acted on does not count."
        ),
    ),
    Item(
        13,
        "disclosure",
        "services",
        _("Disclosure"),
        _(
            "Specialists help each person make an informed choice about what, if anything, to tell "
            "employers about their condition: disclosure is never required, its pros and cons are "
            "discussed before any employer is approached, the words to use are worked out, and the "
            "subject comes back more than once."
        ),
        _anchors(
            _("None of the four disclosure practices is in place."),
            _("One of the four disclosure practices is in place."),
            _("Two of the four disclosure practices are in place."),
            _("Three of the four disclosure practices are in place."),
            _("All four disclosure practices are in place."),
        ),
        data_answerable=True,
        proxy=_(
            "The product sees one of the four practices: whether disclosure was discussed (a preference "
            "recorded) before the first employer contact made on the person's behalf. Score by the share "
            "of people with such a contact: 5 from 90%, 4 from 75%, 3 from 50%, 2 from 25%, 1 below. The "
            "reviewer confirms the other three practices."
        ),
    ),
    Item(
        14,
        "work_based_assessment",
        "services",
        _("Ongoing, work-based vocational assessment"),
        _(
            "The first assessment takes two or three meetings and builds a career profile that is updated "
            "after every job; it draws on the person, the team, records and, with consent, family and past "
            "employers, and it looks for solutions rather than readiness."
        ),
        _anchors(
            _("Assessment comes before any job search, through office tests and work samples."),
            _("Assessment goes through steps such as prevocational work, volunteering or set-aside jobs."),
            _("People are helped into jobs without a systematic look at their interests and experience."),
            _("An initial profile is gathered but not kept up to date with new work experience."),
            _("The career profile is built over two or three meetings and updated after every job."),
        ),
    ),
    Item(
        15,
        "rapid_job_search",
        "services",
        _("Rapid search for competitive job"),
        _(
            "The first face-to-face contact with an employer about a competitive job, by the person or the "
            "specialist, comes within 30 days of entering the program, on average."
        ),
        _anchors(
            _("On average 271 days or more after program entry."),
            _("On average 151 to 270 days after program entry."),
            _("On average 61 to 150 days after program entry."),
            _("On average 31 to 60 days after program entry."),
            _("On average within 30 days of program entry."),
        ),
        data_answerable=True,
    ),
    Item(
        16,
        "individualized_job_search",
        "services",
        _("Individualized job search"),
        _(
            "Employer contacts aim at a good match with each person's preferences and needs, not at "
            "whatever jobs are easy to find; a personal job search plan is kept up to date."
        ),
        _anchors(
            _("Under 25% of employer contacts follow the person's preferences."),
            _("25% to 49% of employer contacts follow the person's preferences."),
            _("50% to 74% of employer contacts follow the person's preferences."),
            _("75% to 89% of employer contacts follow the person's preferences."),
            _("90% or more of employer contacts follow the person's preferences."),
        ),
        data_answerable=True,
    ),
    Item(
        17,
        "job_development_frequency",
        "services",
        _("Job development—frequent employer contact"),
        _(
            "Each specialist has at least six face-to-face contacts a week with employers on behalf of "
            "people looking for work (two a week per person when fewer than three are looking), and keeps "
            "a log the team leader reviews every week."
        ),
        _anchors(
            _("Fewer than two face-to-face employer contacts a week."),
            _("About two face-to-face employer contacts a week, or no log of contacts."),
            _("About four face-to-face employer contacts a week, with a log reviewed monthly."),
            _("About five face-to-face employer contacts a week, with a log reviewed weekly."),
            _(
                "Six or more face-to-face employer contacts a week (or two per person looking for work "
                "when fewer than three are looking), with a log reviewed weekly."
            ),
        ),
        data_answerable=True,
    ),
    Item(
        18,
        "job_development_quality",
        "services",
        _("Job development—quality of employer contact"),
        _(
            "Specialists build relationships with employers through repeated, planned visits in person: "
            "they learn the employer's needs, explain what the service offers and put forward people whose "
            "strengths fit."
        ),
        _anchors(
            _("Specialists meet employers only when dropping off applications, or rarely contact them."),
            _("Specialists ask employers about openings and pass the leads on."),
            _("Specialists follow up advertised openings, present the service and ask for interviews."),
            _(
                "Specialists meet employers in person whether or not they are hiring, speak for people's "
                "strengths and ask for interviews."
            ),
            _(
                "Specialists build relationships through repeated planned visits to learn each employer's "
                "needs and offer well-matched people."
            ),
        ),
        data_answerable=True,
        proxy=_(
            "The product counts four criteria over the specialists' employer contacts: at least half are "
            "face to face; at least half of the face-to-face ones met someone who can hire; at least half "
            "of them recorded what was learned about the employer's needs; at least half of the employers "
            "met face to face were met more than once (a second or ongoing visit). The score is one more "
            "than the number of criteria met; no employer contact at all scores 1."
        ),
    ),
    Item(
        19,
        "job_type_diversity",
        "services",
        _("Diversity of job types"),
        _("Specialists help people into many different kinds of jobs."),
        _anchors(
            _("Under 50% of the jobs obtained are of different types."),
            _("50% to 59% of the jobs obtained are of different types."),
            _("60% to 69% of the jobs obtained are of different types."),
            _("70% to 84% of the jobs obtained are of different types."),
            _("85% to 100% of the jobs obtained are of different types."),
        ),
        data_answerable=True,
    ),
    Item(
        20,
        "employer_diversity",
        "services",
        _("Diversity of employers"),
        _("Specialists help people into jobs with many different employers."),
        _anchors(
            _("Under 50% of the jobs obtained are with different employers."),
            _("50% to 59% of the jobs obtained are with different employers."),
            _("60% to 69% of the jobs obtained are with different employers."),
            _("70% to 84% of the jobs obtained are with different employers."),
            _("85% to 100% of the jobs obtained are with different employers."),
        ),
        data_answerable=True,
    ),
    Item(
        21,
        "competitive_jobs",
        "services",
        _("Competitive jobs"),
        _(
            "Specialists offer competitive jobs: open to anyone, paying at least the minimum wage, not set "
            "aside for disabled people, and not time-limited placements run by the agency."
        ),
        _anchors(
            _("Under 64% of the jobs obtained are competitive."),
            _("64% to 74% of the jobs obtained are competitive."),
            _("75% to 84% of the jobs obtained are competitive."),
            _("85% to 94% of the jobs obtained are competitive."),
            _("95% or more of the jobs obtained are competitive."),
        ),
        data_answerable=True,
    ),
    Item(
        22,
        "individualized_follow_along",
        "services",
        _("Individualized follow-along supports"),
        _(
            "Workers get the kinds of support that suit their job, preferences and needs, from the "
            "specialist, the treatment team, family, friends and co-workers; the employer is supported "
            "when the worker asks; career development is offered."
        ),
        _anchors(
            _("Most workers get no support once they have started."),
            _("About half the workers get a narrow range of support, mostly from the specialist."),
            _("Most workers get a narrow range of support, mostly from the specialist."),
            _("Workers get different kinds of support suited to them, employer support included on request."),
            _(
                "Workers get varied support from several people, employer support on request, and help "
                "with career development."
            ),
        ),
        data_answerable=True,
        proxy=_(
            "The product counts the kinds of support recorded for each worker (on the job, with the "
            "employer, career development, benefits, family, travel...) and averages them over the workers, "
            "counting a worker with no support as none: 5 from three kinds, 4 from two, 3 from one, 2 from "
            "one half, 1 below."
        ),
    ),
    Item(
        23,
        "time_unlimited_follow_along",
        "services",
        _("Time-unlimited follow-along supports"),
        _(
            "Specialists see the worker face to face within a week before the start, within three days "
            "after it, weekly in the first month and at least monthly for a year or more, as the worker "
            "wishes; then a planned step-down; and within three days of learning that a job ended."
        ),
        _anchors(
            _("No face-to-face contact after the first month in the job."),
            _("Face-to-face contact for at least four months with fewer than half the workers."),
            _("Face-to-face contact for at least four months with at least half the workers."),
            _("Face to face weekly in the first month, then at least monthly for a year or more."),
            _(
                "Face to face before the start, within three days after, weekly then monthly for a year or "
                "more, a planned step-down, and within three days of a job ending."
            ),
        ),
        data_answerable=True,
        proxy=_(
            "The product measures the share of face-to-face follow-along contacts due in the period that "
            "were held on time (a missed contact stays missed; phone, video and messages do not count): "
            "5 from 90%, 4 from 75%, 3 from 50%, 2 from 25%, 1 below."
        ),
    ),
    Item(
        24,
        "community_based_services",
        "services",
        _("Community-based services"),
        _(
            "Specialists spend 65% or more of their working time out in the community, meeting people and "
            "employers where they are."
        ),
        _anchors(
            _("Under 30% of the time in the community."),
            _("30% to 39% of the time in the community."),
            _("40% to 49% of the time in the community."),
            _("50% to 64% of the time in the community."),
            _("65% or more of the time in the community."),
        ),
        data_answerable=True,
    ),
    Item(
        25,
        "assertive_engagement",
        "services",
        _("Assertive engagement and outreach by integrated treatment team"),
        _(
            "The service is never ended for missed appointments or after a fixed time; the integrated team "
            "reaches out repeatedly, in the community, together and with family where fitting, records its "
            "attempts, and stops only when the person no longer wants to work."
        ),
        _anchors(
            _("Two or fewer of the six outreach practices are in evidence."),
            _("Three of the six outreach practices are in evidence."),
            _("Four of the six outreach practices are in evidence."),
            _("Five of the six outreach practices are in evidence."),
            _("All six outreach practices are in evidence."),
        ),
    ),
)

ITEMS_BY_KEY: dict[str, Item] = {item.key: item for item in ITEMS}
ITEMS_BY_NUMBER: dict[int, Item] = {item.number: item for item in ITEMS}
DATA_ITEMS: tuple[Item, ...] = tuple(item for item in ITEMS if item.data_answerable)


def items_in(section: str) -> tuple[Item, ...]:
    """The items of ``section`` (a key of ``SECTION_KEYS``), in the scale's order."""
    if section not in SECTION_KEYS:
        raise ValueError(f"unknown section {section!r}")
    return tuple(item for item in ITEMS if item.section == section)


# ---------------------------------------------------------------------------
# Bands

BANDS: tuple[Band, ...] = (
    Band("exemplary", _("Exemplary fidelity"), 115, 125),
    Band("good", _("Good fidelity"), 100, 114),
    Band("fair", _("Fair fidelity"), 74, 99),
    Band("not_supported_employment", _("Not supported employment"), 0, 73),
)
MAX_TOTAL = 5 * len(ITEMS)


def band_for(total: int) -> Band:
    """The band of a total score (the 25 items' scores added up, 25..125): 115-125
    exemplary, 100-114 good, 74-99 fair, 73 and below not supported employment.
    ValueError for a total below 0 or above 125."""
    for band in BANDS:
        if band.low <= total <= band.high:
            return band
    raise ValueError(f"a total score is between 0 and {MAX_TOTAL}, not {total!r}")


# ---------------------------------------------------------------------------
# Scores


def _bounds(key: str) -> AnchorBounds:
    try:
        return ANCHOR_BOUNDS[key]
    except KeyError:
        raise KeyError(f"item {key!r} has no numeric anchors (it is not data-answerable)") from None


def score_for(key: str, value) -> int | None:
    """The 1..5 score of a data item's figure on its anchors.

    ``key`` is an ``Item.key`` of a data-answerable item (KeyError otherwise); ``value``
    the figure in the unit of ``ANCHOR_BOUNDS[key]`` (an int, float or Decimal), or None
    when there is no data, which gives None. ValueError for a value that is not a
    finite number."""
    bounds = _bounds(key)
    if value is None:
        return None
    number = float(value)
    if not math.isfinite(number):
        raise ValueError(f"{key}: {value!r} is not a number")
    for bound in bounds.bounds:
        if bounds.reaches(number, bound):
            return bound.score
    return 1


def next_anchor(key: str, value) -> tuple[int, float] | None:
    """How far a data item's figure is from the next anchor: ``(score, threshold)``,
    the next score up and the value the figure must reach for it (at least
    ``threshold`` where more is better, at most where less is better; strictly more or
    less when the bound is not inclusive, see ``ANCHOR_BOUNDS``). None when ``value``
    is None or already scores 5. KeyError for an item without numeric anchors."""
    bounds = _bounds(key)
    score = score_for(key, value)
    if score is None or score == 5:
        return None
    bound = next(bound for bound in bounds.bounds if bound.score == score + 1)
    return score + 1, bound.value


def work_incentives_score(before_start_percent, recheck_percent=None) -> int | None:
    """Item 12's score from its two shares: ``before_start_percent``, the share (0-100)
    of job starts by people on benefits whose planning was completed before the start,
    and ``recheck_percent``, the share of changes of hours or pay followed by a
    completed re-check (None when there was no such change). None when
    ``before_start_percent`` is None. The scale's score 5 needs the re-check as well:
    below ``WORK_INCENTIVES_RECHECK_PERCENT`` the score is 4 at most."""
    score = score_for("work_incentives_planning", before_start_percent)
    if score is None or recheck_percent is None:
        return score
    if float(recheck_percent) < WORK_INCENTIVES_RECHECK_PERCENT:
        return min(score, WORK_INCENTIVES_CAP_WITHOUT_RECHECK)
    return score


def quality_criteria_met(
    face_to_face_percent, hiring_authority_percent, needs_learned_percent, repeat_visit_percent
) -> int:
    """Item 18's proxy: how many of its four criteria (0-4) the employer contacts meet,
    each needing ``QUALITY_CRITERION_PERCENT`` % or more:

    - ``face_to_face_percent``: share of the specialists' employer contacts held face to face;
    - ``hiring_authority_percent``: share of the face-to-face ones that met someone who can hire;
    - ``needs_learned_percent``: share of the face-to-face ones recording the employer's needs;
    - ``repeat_visit_percent``: share of the employers met face to face who were met more than once.

    A share of None (nothing to divide: no employer contact, no face-to-face one) counts
    as not met, so specialists who made no employer contact meet none and score 1 (the
    scale's lowest anchor: employers rarely contacted). ``score_for`` turns the count (or
    an average of the specialists' counts) into the score: count + 1."""
    shares = (face_to_face_percent, hiring_authority_percent, needs_learned_percent, repeat_visit_percent)
    return sum(1 for share in shares if share is not None and float(share) >= QUALITY_CRITERION_PERCENT - 1e-9)


def frequency_equivalent(per_week, looking_for_work: int | None = None) -> float | None:
    """Item 17, one specialist: their weekly face-to-face employer contacts on the
    scale's pace. ``per_week`` is the specialist's average of face-to-face employer
    contacts per complete week (None: no data, gives None); ``looking_for_work`` the
    number of people on their caseload looking for work (None: not known, the plain
    rate is used).

    The scale's score-5 anchor accepts, from a specialist with fewer than
    ``SMALL_CASELOAD_LOOKING`` (3) people looking for work, two contacts a week per
    person looking (``SMALL_CASELOAD_CONTACTS_PER_PERSON``) instead of six. The product
    puts such a specialist's rate on the six-a-week pace in proportion:
    ``per_week * 6 / (2 * looking_for_work)``, so that two contacts a week for one
    person count as six, one as three. The rule only says when such a specialist is AT
    the pace; it does not multiply their contacts beyond it: the equivalent is capped at
    ``max(per_week, FREQUENCY_PACE)`` (one person looking and four contacts a week count
    as six, not twelve; eight a week count as eight), so a small-caseload specialist
    cannot make up in the team's average for a colleague below the pace. A specialist
    with nobody looking for work has no job development to rate: None (left out of the
    average). ValueError for a negative rate or count."""
    if per_week is None:
        return None
    rate = float(per_week)
    if rate < 0 or (looking_for_work is not None and looking_for_work < 0):
        raise ValueError("a rate and a count of people cannot be negative")
    if looking_for_work is None or looking_for_work >= SMALL_CASELOAD_LOOKING:
        return rate
    if looking_for_work == 0:
        return None
    scaled = rate * FREQUENCY_PACE / (SMALL_CASELOAD_CONTACTS_PER_PERSON * looking_for_work)
    return min(scaled, max(rate, FREQUENCY_PACE))


def frequency_score(specialists: Iterable[tuple[float | None, int | None]]) -> tuple[float | None, int | None]:
    """Item 17 for a team: ``specialists`` gives, for each specialist, ``(per_week,
    looking_for_work)`` as ``frequency_equivalent`` takes them. The scale rates each
    specialist, averages, and takes the closest scale point. Returns ``(average,
    score)``: the mean of the specialists' equivalent rates and its score, or ``(None,
    None)`` when no specialist has a rate."""
    rates = [rate for per_week, looking in specialists if (rate := frequency_equivalent(per_week, looking)) is not None]
    if not rates:
        return None, None
    average = sum(rates) / len(rates)
    return average, score_for("job_development_frequency", average)
