"""Plays the plan (demo/planning/) day by day under a frozen clock that moves forward.

Each day of the story, from the first referral to today:

- 00:05, the scheduler's jobs of the day (milestones due, the next follow-along
  contact of every active plan, rapid-job-search nudges), as in production;
- through the working day, what the team does, each at its moment: referrals and
  enrolments, employers added, visits planned, moved, cancelled and recorded, calls
  logged, job openings, offers, starts and ends, reports, adjustments and benefits
  steps, changes to follow-along;
- 19:30 on working days, each specialist goes through their open tasks: a task is
  done around its due date (a follow-along contact now and then missed lately, a
  nudge done once the person met an employer), and some stay open, as in real lists.

Every call goes through demo/driver.py, which dispatches the events it wrote before
the next one, so each handler's work (tasks, plans, clocks, relationship stages) is
there when the team looks. A second Random, seeded from the seed, makes the task
decisions: the same seed gives the same data."""

import heapq
import itertools
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from crm.models import JobSeeker
from demo.catalogue import Catalogue
from demo.driver import Driver, OpenTask
from demo.planning import (
    AdjustmentPlan,
    ContactPlan,
    EmployerPlan,
    JobSeekerPlan,
    OpeningPlan,
    PlacementPlan,
    Plan,
    ReviewPlan,
    weekday_on_or_after,
    weekday_on_or_before,
    weighted,
)
from demo.planning.rhythms import CONTACT_WEEKS
from employers.models import JobOpening
from jobdev.models import EmployerContact
from placements.models import Accommodation, BenefitsStep, SupportTask, TaskTitle

SCHEDULER_RUN = time(0, 5)
TASK_ROUND = time(19, 30)
LAST_ACTION = time(19, 0)  # the day's work is over before the task round
MISSED_CONTACT_SHARE = 0.3  # a recent follow-along contact still open: a missed meeting to catch up on
APPOINTMENT_SHARE = 0.6  # coming follow-along contacts given a time (they show in calendars)
APPOINTMENT_TIMES = [time(9, 30), time(10, 0), time(11, 30), time(13, 30), time(15, 0), time(16, 30)]
# How a follow-along contact after the first took place (the scale's schedule is face to face).
COMPLETION_MODES = [
    (SupportTask.Mode.IN_PERSON, 85),
    (SupportTask.Mode.PHONE, 10),
    (SupportTask.Mode.VIDEO, 2),
    (SupportTask.Mode.MESSAGE, 3),
]
LATE_CONTACT_SHARE = 0.1  # follow-along contacts done a few days after their due date
# Individualized follow-along: the kinds of support a worker gets (how many kinds per
# worker, weighted), where an in-person contact of each kind takes place, and who gives
# it when not the specialist.
SUPPORT_TYPES = [
    SupportTask.SupportType.ON_THE_JOB,
    SupportTask.SupportType.EMPLOYER,
    SupportTask.SupportType.COPING,
    SupportTask.SupportType.CAREER,
    SupportTask.SupportType.BENEFITS,
    SupportTask.SupportType.HEALTH_TEAM,
    SupportTask.SupportType.FAMILY,
    SupportTask.SupportType.TRAVEL,
    SupportTask.SupportType.SOCIAL,
]
SUPPORT_TYPE_COUNTS = [(1, 5), (2, 20), (3, 40), (4, 35)]
SUPPORT_PLACES = {
    SupportTask.SupportType.ON_THE_JOB: [("workplace", 90), ("community", 10)],
    SupportTask.SupportType.EMPLOYER: [("workplace", 85), ("office", 15)],
    SupportTask.SupportType.COPING: [("community", 60), ("office", 40)],
    SupportTask.SupportType.CAREER: [("office", 60), ("community", 40)],
    SupportTask.SupportType.BENEFITS: [("office", 70), ("community", 30)],
    SupportTask.SupportType.HEALTH_TEAM: [("office", 80), ("community", 20)],
    SupportTask.SupportType.FAMILY: [("community", 100)],
    SupportTask.SupportType.TRAVEL: [("community", 100)],
    SupportTask.SupportType.SOCIAL: [("community", 100)],
}
SUPPORT_GIVERS = {
    SupportTask.SupportType.ON_THE_JOB: [(SupportTask.GivenBy.SPECIALIST, 75), (SupportTask.GivenBy.WORKPLACE, 25)],
    SupportTask.SupportType.BENEFITS: [
        (SupportTask.GivenBy.SPECIALIST, 60),
        (SupportTask.GivenBy.BENEFITS_COUNSELLOR, 40),
    ],
    SupportTask.SupportType.HEALTH_TEAM: [(SupportTask.GivenBy.SPECIALIST, 50), (SupportTask.GivenBy.HEALTH_TEAM, 50)],
    SupportTask.SupportType.FAMILY: [(SupportTask.GivenBy.SPECIALIST, 30), (SupportTask.GivenBy.FAMILY, 70)],
    SupportTask.SupportType.SOCIAL: [(SupportTask.GivenBy.SPECIALIST, 40), (SupportTask.GivenBy.PEER, 60)],
}
OWN_TASK_KINDS = {
    "disclosure": SupportTask.Kind.DISCLOSURE_CONVERSATION,
    "cv": SupportTask.Kind.OTHER,
}
# Tasks moved on by their own workflow, not by the evening round.
WORKFLOW_KINDS = (SupportTask.Kind.BENEFITS_PLANNING, SupportTask.Kind.JOB_END_REPORT, SupportTask.Kind.OTHER)


@dataclass(frozen=True)
class Decision:
    """What the specialist does with a task: done on `day` (None: left open), how (`mode`,
    and `place` for a contact in person), and for a follow-along contact what support
    was given and by whom."""

    day: date | None
    mode: str = ""
    note: str = ""
    place: str = ""
    support_type: str = ""
    given_by: str = ""


LEFT_OPEN = Decision(None)


class Story:
    def __init__(self, driver: Driver, plan: Plan, *, seed: int, catalogue: Catalogue):
        self.driver = driver
        self.plan = plan
        self.data = catalogue
        self.rng = random.Random(f"{seed}:tasks")
        self.today = plan.today
        self.zone = plan.zone
        self.agenda: list[tuple[datetime, int, Callable[[], None]]] = []
        self._order = itertools.count()
        self.employer_ids: dict[int, int] = {}
        self.site_ids: dict[int, list[int]] = {}
        self.person_ids: dict[int, list[int]] = {}
        self.placements: dict[int, PlacementPlan] = {}  # by placement id
        self.own_tasks: set[int] = set()
        self.decisions: dict[int, Decision] = {}
        self.follow_along_done: dict[int, int] = {}  # placement id -> contacts done
        self.missed: set[int] = set()  # placement ids with a missed follow-along contact
        self.support_profiles: dict[int, list[tuple[str, int]]] = {}  # placement id -> (support type, weight)
        this_monday = self.today - timedelta(days=self.today.weekday())
        self.pace_from = this_monday - timedelta(weeks=CONTACT_WEEKS)

    # The agenda ---------------------------------------------------------------------------

    def on(self, day: date, at: time, action: Callable[[], None], *, minutes: int = 0) -> None:
        self.at(datetime.combine(day, at, self.zone) + timedelta(minutes=minutes), action)

    def at(self, moment: datetime, action: Callable[[], None]) -> None:
        if moment.date() >= self.today:
            raise ValueError(f"The demo's story ends before today; {moment} is too late.")
        if moment.timetz().replace(tzinfo=None) > LAST_ACTION:
            moment = datetime.combine(moment.date(), LAST_ACTION, self.zone)
        heapq.heappush(self.agenda, (moment, next(self._order), action))

    def play(self) -> None:
        self.schedule()
        day = self.plan.start
        while day <= self.today:
            self.driver.at(datetime.combine(day, SCHEDULER_RUN, self.zone))
            # The pace nudges only from the weeks the story plays every employer contact
            # (before them, only the visits that led to jobs are played).
            self.driver.run_scheduler(pace=day >= self.pace_from)
            if day == self.today:
                break
            while self.agenda and self.agenda[0][0].date() == day:
                moment, _order, action = heapq.heappop(self.agenda)
                self.driver.at(moment)
                action()
            if day.weekday() < 5:
                self.driver.at(datetime.combine(day, TASK_ROUND, self.zone))
                self.task_round(day)
            if day == self.today - timedelta(days=1):
                self.driver.at(datetime.combine(day, TASK_ROUND, self.zone) + timedelta(minutes=20))
                self.give_appointment_times(day)
            day += timedelta(days=1)
        if self.agenda:
            raise RuntimeError(f"{len(self.agenda)} actions were left unplayed, the first at {self.agenda[0][0]}.")

    def schedule(self) -> None:
        for employer in self.plan.employers:
            self.on(employer.created_on, time(8, 0), lambda employer=employer: self.add_employer(employer))
        for plan in self.plan.job_seekers:
            self.schedule_job_seeker(plan)
        for job_seeker_index, _source, target in self.plan.reassignments:
            plan = self.plan.job_seekers[job_seeker_index]
            self.on(plan.enrolment_date, time(10, 45), lambda plan=plan, target=target: self.reassign(plan, target))
        for contact in self.plan.contacts:
            self.schedule_contact(contact)
        for opening in self.plan.openings:
            self.schedule_opening(opening)
        for review in self.plan.reviews:
            self.on(review.review_date, time(16, 30), lambda review=review: self.fidelity_review(review))

    def fidelity_review(self, review: ReviewPlan) -> None:
        """The program admin opens the review worksheet (the data items pre-filled from
        the records) and enters the reviewers' scores of the other items."""
        review_id = self.driver.fidelity_review_create(
            "admin",
            review_date=review.review_date,
            period_from=review.period_from,
            period_to=review.period_to,
            reviewers=review.reviewers,
            notes=review.notes,
        )
        items = {number: {"score": score, "notes": notes} for number, (score, notes) in review.items.items()}
        self.driver.fidelity_review_items_save("admin", review_id, items=items)

    # Job seekers ---------------------------------------------------------------------------

    def schedule_job_seeker(self, plan: JobSeekerPlan) -> None:
        self.on(plan.referral_date, time(10, 0), lambda: self.refer(plan))
        if plan.enrolment_date != plan.referral_date:
            self.on(plan.enrolment_date, time(10, 30), lambda: self.enrol(plan))
        for day, status, note, by_hand in plan.status_changes[1:]:
            if by_hand:
                self.on(day, time(12, 0), lambda status=status, note=note: self.change_status(plan, status, note))
        if plan.disclosure_talk_on is not None:
            self.on(plan.disclosure_talk_on, time(9, 15), lambda: self.disclosure_talk(plan))
        if plan.in_education is not None:
            self.on(plan.in_education, time(12, 15), lambda: self.start_education(plan))
        for placement in plan.placements:
            self.schedule_placement(plan, placement)
        for created, key, due, done in plan.own_tasks:
            holder: dict[str, int] = {}
            self.on(
                created, time(10, 15), lambda key=key, due=due, holder=holder: self.own_task(plan, key, due, holder)
            )
            if done is not None:
                self.on(done, time(16, 0), lambda key=key, holder=holder: self.own_task_done(plan, key, holder))
        if plan.benefits_without_job is not None:
            offered, steps = plan.benefits_without_job
            holder = {}
            self.on(offered, time(14, 0), lambda: self.offer_benefits_planning(plan, offered, holder))
            for status, day in steps:
                self.on(day, time(14, 30), lambda status=status: self.move_benefits_without_job(plan, status, holder))

    def refer(self, plan: JobSeekerPlan) -> None:
        details = dict(plan.details)
        enrolled_now = plan.enrolment_date == plan.referral_date
        profile = preference = None
        if enrolled_now:
            details.update(enrolment_date=plan.enrolment_date, disclosure_preference=plan.disclosure_at_enrolment)
            profile, preference = plan.profile, plan.preference
        plan.job_seeker_id = self.driver.job_seeker_create(
            plan.referred_by, details=details, profile=profile, preference=preference, location=plan.location
        )

    def enrol(self, plan: JobSeekerPlan) -> None:
        self.driver.job_seeker_update(
            plan.referred_by,
            plan.job_seeker_id,
            details={"enrolment_date": plan.enrolment_date, "disclosure_preference": plan.disclosure_at_enrolment},
            profile=plan.profile,
            preference=plan.preference,
        )

    def disclosure_talk(self, plan: JobSeekerPlan) -> None:
        """The enrolment's "talk about disclosure" task done, the preference recorded
        (which dates the talk: JobSeeker.disclosure_discussed_on)."""
        self.driver.job_seeker_update(
            plan.specialist, plan.job_seeker_id, details={"disclosure_preference": plan.disclosure}
        )
        task = self.driver.open_task_of(job_seeker_id=plan.job_seeker_id, kind=SupportTask.Kind.DISCLOSURE_CONVERSATION)
        if task is not None:
            note = self.data.support["disclosure_talk_note"]
            self.complete(plan.specialist, task.pk, SupportTask.Mode.IN_PERSON, note, place="office")

    def start_education(self, plan: JobSeekerPlan) -> None:
        self.driver.job_seeker_update(plan.specialist, plan.job_seeker_id, details={"in_education": True})

    def reassign(self, plan: JobSeekerPlan, target: str) -> None:
        self.driver.job_seeker_update("leader", plan.job_seeker_id, specialist=target)

    def change_status(self, plan: JobSeekerPlan, status: str, note: str) -> None:
        self.driver.job_seeker_change_status(plan.specialist, plan.job_seeker_id, status=status, note=note)

    def own_task(self, plan: JobSeekerPlan, key: str, due: date, holder: dict) -> None:
        holder["task"] = self.driver.support_task_create(
            plan.specialist,
            job_seeker_id=plan.job_seeker_id,
            kind=OWN_TASK_KINDS[key],
            title=self.data.job_seekers["hand_written_tasks"][key],
            due_date=due,
        )
        self.own_tasks.add(holder["task"])

    def own_task_done(self, plan: JobSeekerPlan, key: str, holder: dict) -> None:
        if self.driver.task_is_open(holder["task"]):
            note = self.data.job_seekers["hand_written_task_notes"][key]
            self.complete(plan.specialist, holder["task"], SupportTask.Mode.IN_PERSON, note)

    def offer_benefits_planning(self, plan: JobSeekerPlan, offered: date, holder: dict) -> None:
        holder["step"] = self.driver.benefits_step_create(
            plan.specialist, job_seeker_id=plan.job_seeker_id, reason=BenefitsStep.Reason.OTHER, offered_on=offered
        )

    def move_benefits_without_job(self, plan: JobSeekerPlan, status: str, holder: dict) -> None:
        note = self.data.job_seekers["benefits_without_job"][status]
        self.driver.benefits_step_change_status(plan.specialist, holder["step"], status=status, note=note)

    # Employers -----------------------------------------------------------------------------

    def add_employer(self, employer: EmployerPlan) -> None:
        username = employer.created_by
        main_person = employer.people[0]
        employer_id, site_id = self.driver.employer_create(
            username,
            details=employer.details(),
            site=employer.sites[0].details(),
            site_location=employer.sites[0].location(),
            contact_person=main_person.details(),
        )
        self.employer_ids[employer.index] = employer_id
        self.site_ids[employer.index] = [site_id]
        for site in employer.sites[1:]:
            self.site_ids[employer.index].append(
                self.driver.employer_site_add(username, employer_id, details=site.details(), location=site.location())
            )
        for person in employer.people[1:]:
            self.driver.contact_person_add(
                username, employer_id, details=person.details(), site_id=self.site_ids[employer.index][person.site]
            )
        self.person_ids[employer.index] = self.driver.contact_person_ids(employer_id)

    def schedule_opening(self, opening: OpeningPlan) -> None:
        if opening.source != JobOpening.Source.EMPLOYER_CONTACT:
            self.on(opening.learned_on, time(14, 0), lambda: self.learn_opening(opening))
        if opening.later is not None:
            day, status, note = opening.later
            at = time(11, 45) if opening.placement is not None else time(11, 0)
            self.on(day, at, lambda: self.update_opening(opening, status, note))

    def learn_opening(self, opening: OpeningPlan) -> None:
        opening.opening_id = self.driver.job_opening_save(
            opening.specialist,
            self.employer_ids[opening.employer_index],
            details={
                "title": opening.title,
                "job_type": opening.code,
                "site_id": self.site_ids[opening.employer_index][0],
                "hours_per_week": opening.hours,
                "shifts": opening.shifts,
                "hourly_pay": opening.pay,
                "status": JobOpening.Status.OPEN,
                "source": opening.source,
                "learned_on": opening.learned_on,
                "note": opening.note,
            },
        )

    def update_opening(self, opening: OpeningPlan, status: str, note: str) -> None:
        self.driver.job_opening_save(
            opening.specialist,
            self.employer_ids[opening.employer_index],
            details={"status": status, "note": note},
            opening_id=opening.opening_id,
        )

    # Employer contacts ---------------------------------------------------------------------

    def schedule_contact(self, contact: ContactPlan) -> None:
        if contact.logged:
            self.at(contact.recorded_at, lambda: self.log_contact(contact))
            return
        self.at(contact.planned_at, lambda: self.plan_contact(contact))
        if contact.rescheduled_at is not None:
            self.at(contact.rescheduled_at, lambda: self.reschedule_contact(contact))
        if contact.cancelled_at is not None:
            self.at(contact.cancelled_at, lambda: self.cancel_contact(contact))
        if contact.recorded_at is not None:
            self.at(contact.recorded_at, lambda: self.record_contact(contact))

    def _site_id(self, contact: ContactPlan) -> int | None:
        return None if contact.site is None else self.site_ids[contact.employer_index][contact.site]

    def _person_id(self, contact: ContactPlan) -> int | None:
        return None if contact.person is None else self.person_ids[contact.employer_index][contact.person]

    def _job_seeker_ids(self, contact: ContactPlan) -> list[int]:
        return [self.plan.job_seekers[index].job_seeker_id for index in contact.job_seekers]

    def plan_contact(self, contact: ContactPlan) -> None:
        starts_at = contact.first_starts_at or contact.starts_at
        contact.contact_id = self.driver.contact_plan(
            contact.specialist,
            employer_id=self.employer_ids[contact.employer_index],
            starts_at=starts_at,
            ends_at=starts_at + (contact.ends_at - contact.starts_at),
            mode=contact.mode,
            purpose=contact.purpose,
            job_seeker_ids=self._job_seeker_ids(contact),
            site_id=self._site_id(contact),
            contact_person_id=self._person_id(contact),
            # The aim of the visit (contact.aim) is not sent: employer_contact_plan() takes a
            # next step but no next_step_on, which EmployerContact.clean() requires with it.
            next_step="",
            confirmed=contact.confirmed and contact.first_starts_at is None,
            disclosure_confirmed=contact.disclosure_confirmed,
        )

    def reschedule_contact(self, contact: ContactPlan) -> None:
        self.driver.contact_reschedule(
            contact.specialist,
            contact.contact_id,
            starts_at=contact.starts_at,
            ends_at=contact.ends_at,
            site_id=self._site_id(contact),
            contact_person_id=self._person_id(contact),
            confirmed=contact.confirmed,
        )

    def cancel_contact(self, contact: ContactPlan) -> None:
        self.driver.contact_cancel(contact.specialist, contact.contact_id, reason=contact.cancel_reason)

    def record_contact(self, contact: ContactPlan) -> None:
        outcome = dict(contact.outcome)
        if contact.person is not None:
            outcome["contact_person_id"] = self._person_id(contact)
        no_show = contact.status == EmployerContact.Status.NO_SHOW
        self.driver.contact_hold(contact.specialist, contact.contact_id, outcome=outcome, no_show=no_show)
        self.after_contact(contact)

    def log_contact(self, contact: ContactPlan) -> None:
        contact.contact_id = self.driver.contact_log(
            contact.specialist,
            employer_id=self.employer_ids[contact.employer_index],
            occurred_at=contact.starts_at,
            mode=contact.mode,
            purpose=contact.purpose,
            job_seeker_ids=self._job_seeker_ids(contact),
            contact_person_id=self._person_id(contact),
            outcome=contact.outcome,
        )
        self.after_contact(contact)

    def after_contact(self, contact: ContactPlan) -> None:
        """A job opening learned of at this contact is recorded right after it."""
        if contact.opening is not None and contact.status == EmployerContact.Status.HELD:
            self.learn_opening(contact.opening)

    # Placements ----------------------------------------------------------------------------

    def schedule_placement(self, plan: JobSeekerPlan, placement: PlacementPlan) -> None:
        self.on(placement.offer_date, time(11, 30), lambda: self.accept_offer(plan, placement))
        for status, day in placement.benefits.steps if placement.benefits else []:
            self.on(day, time(14, 30), lambda status=status: self.move_benefits(plan, placement, status))
        if placement.start_date is not None and placement.start_date < self.today:
            self.on(placement.start_date, time(9, 15), lambda: self.start(plan, placement))
        for adjustment in placement.adjustments:
            self.schedule_adjustment(plan, placement, adjustment)
        for day, action, arguments in placement.follow_along_changes:
            self.on(
                day,
                time(18, 45),
                lambda action=action, arguments=arguments: self.driver.follow_along_plan_change(
                    plan.specialist, placement.placement_id, action=action, **arguments
                ),
            )
        for status, day in placement.recheck:
            self.on(day, time(14, 45), lambda status=status: self.move_recheck(plan, placement, status))
        if placement.terms_change is not None:
            recorded, effective, hours = placement.terms_change
            self.on(
                recorded,
                time(12, 30),
                lambda: self.driver.placement_change_terms(
                    plan.specialist,
                    placement.placement_id,
                    hours_per_week=hours,
                    hourly_pay=placement.hourly_pay,
                    effective_on=effective,
                ),
            )
        if placement.end_date is not None and placement.end_date < self.today:
            self.on(placement.end_date, time(17, 0), lambda: self.end(plan, placement))
            if placement.report_on is not None:
                self.on(placement.report_on, time(15, 0), lambda: self.write_report(plan, placement))

    def accept_offer(self, plan: JobSeekerPlan, placement: PlacementPlan) -> None:
        placement.placement_id = self.driver.placement_offer_accept(
            plan.specialist,
            job_seeker_id=plan.job_seeker_id,
            employer_id=self.employer_ids[placement.employer_index],
            offer={
                "site_id": self.site_ids[placement.employer_index][0],
                "job_title": placement.job_title,
                "job_type": placement.job_type_code,
                "hours_per_week": placement.hours_per_week,
                "hourly_pay": placement.hourly_pay,
                "is_competitive": placement.is_competitive,
                "term": placement.term,
                "offer_date": placement.offer_date,
                "expected_start_date": placement.expected_start_date,
            },
        )
        self.placements[placement.placement_id] = placement

    def start(self, plan: JobSeekerPlan, placement: PlacementPlan) -> None:
        self.driver.placement_start(plan.specialist, placement.placement_id, start_date=placement.start_date)

    def end(self, plan: JobSeekerPlan, placement: PlacementPlan) -> None:
        self.driver.placement_end(
            plan.specialist, placement.placement_id, end_date=placement.end_date, end_reason=placement.end_reason
        )

    def write_report(self, plan: JobSeekerPlan, placement: PlacementPlan) -> None:
        support = self.data.support
        closed = plan.status == JobSeeker.Status.CLOSED
        texts = dict(support["job_end_reports"][placement.end_reason])
        later = [other for other in plan.placements if other.offer_date > placement.offer_date]
        if placement.end_reason == "quit_better_job" and later:
            next_job = support["better_job_next_job"].format(title=later[0].job_title)
        elif closed:
            next_job = ""
            texts["next_steps"] = support["closed_next_steps"]
        else:
            next_job = self.driver.job_types[self.rng.choice(plan.archetype["job_types"])].label_fr
        disclosed = {JobSeeker.Disclosure.NONE: False, JobSeeker.Disclosure.UNDECIDED: None}.get(plan.disclosure, True)
        self.driver.job_end_report_save(
            plan.specialist,
            placement.placement_id,
            report={
                "disclosed": disclosed,
                "face_to_face_contact_on": placement.contact_after_end_on,
                "wants_another_job": not closed,
                "next_job_wanted": next_job,
                "disclosure_next_time": support["disclosure_next_time"][plan.disclosure],
                **texts,
            },
        )
        # The career profile is updated from each job experience.
        line = self.data.job_seekers["work_history_after_job"].format(
            title=placement.job_title,
            employer=self.plan.employers[placement.employer_index].name,
            start=placement.start_date.strftime("%m/%Y"),
            end=placement.end_date.strftime("%m/%Y"),
        )
        plan.profile = {**plan.profile, "work_history": f"{line}\n{plan.profile['work_history']}"}
        self.driver.job_seeker_update(
            plan.specialist, plan.job_seeker_id, profile={"work_history": plan.profile["work_history"]}
        )

    def move_benefits(self, plan: JobSeekerPlan, placement: PlacementPlan, status: str) -> None:
        """Work-incentives planning moves on: the task of the step before is done first."""
        step_id = self.driver.benefits_step_of(placement.placement_id)
        if step_id is None:  # not on benefits: the offer's handler offered none
            return
        notes = self.data.support["benefits_task_notes"]
        task = self.driver.open_task_of(benefits_step_id=step_id)
        if task is not None and status == BenefitsStep.Status.REFERRED:
            self.complete(plan.specialist, task.pk, SupportTask.Mode.IN_PERSON, notes["referral"])
        elif task is not None and status == BenefitsStep.Status.SESSION_HELD:
            self.complete(plan.specialist, task.pk, SupportTask.Mode.PHONE, notes["session"])
        note = self.data.support["benefits_notes"][status]
        self.driver.benefits_step_change_status(plan.specialist, step_id, status=status, note=note)

    def move_recheck(self, plan: JobSeekerPlan, placement: PlacementPlan, status: str) -> None:
        """The benefits re-check after a change of hours or pay moves on (its task is
        closed by the handler when the plan is in place)."""
        step_id = self.driver.benefits_step_of(placement.placement_id, BenefitsStep.Reason.TERMS_CHANGED)
        if step_id is None:
            return
        note = self.data.support["benefits_notes"][status]
        self.driver.benefits_step_change_status(plan.specialist, step_id, status=status, note=note)

    def schedule_adjustment(self, plan: JobSeekerPlan, placement: PlacementPlan, adjustment: AdjustmentPlan) -> None:
        holder: dict[str, int] = {}
        (first_status, first_day), *later = adjustment.path
        self.on(first_day, time(15, 30), lambda: self.add_adjustment(plan, placement, adjustment, holder))
        previous = first_status
        for position, (status, day) in enumerate(later):
            last = position == len(later) - 1
            self.on(
                day,
                time(15, 40),
                lambda status=status, previous=previous, last=last: self.move_adjustment(
                    plan, adjustment, holder, status, previous, last
                ),
                minutes=position,
            )
            previous = status

    def add_adjustment(self, plan, placement: PlacementPlan, adjustment: AdjustmentPlan, holder: dict) -> None:
        holder["id"] = self.driver.accommodation_add(
            plan.specialist, placement.placement_id, description=adjustment.description, consents=adjustment.consents
        )

    def move_adjustment(self, plan, adjustment: AdjustmentPlan, holder: dict, status: str, previous: str, last: bool):
        """The task of the step before is done first (an adjustment dropped leaves it to
        the handler, which cancels it)."""
        support = self.data.support
        task = self.driver.open_task_of(accommodation_id=holder["id"])
        if task is not None and status != Accommodation.Status.DROPPED:
            mode = SupportTask.Mode.PHONE if previous == Accommodation.Status.REQUESTED else SupportTask.Mode.IN_PERSON
            note = support["accommodation_task_notes"].get(previous, support["accommodation_step_notes"][status])
            self.complete(plan.specialist, task.pk, mode, note)
        note = adjustment.note if last and adjustment.note else support["accommodation_step_notes"][status]
        self.driver.accommodation_change_status(plan.specialist, holder["id"], status=status, note=note)

    # The evening round of tasks ----------------------------------------------------------------

    def complete(self, username: str, task_id: int, mode: str, note: str, **details: str) -> None:
        """Done today, `details` the place, type of support and who gave it."""
        self.driver.support_task_complete(
            username, task_id, completed_on=self.driver_today(), mode=mode, note=note, **details
        )

    def driver_today(self) -> date:
        return self.driver.clock.now.astimezone(self.zone).date()

    def task_round(self, day: date) -> None:
        tasks = self.driver.open_tasks(due_by=day + timedelta(days=3))
        for task in tasks:
            if task.pk in self.own_tasks or task.kind in WORKFLOW_KINDS or task.accommodation_id:
                continue
            if task.kind == SupportTask.Kind.JOB_SEARCH_NUDGE:
                self.nudge_round(task, day, tasks)
                continue
            decision = self.decisions.get(task.pk)
            if decision is None:
                decision = self.decisions[task.pk] = self.decide(task)
            if decision.day is not None and decision.day <= day and self.driver.task_is_open(task.pk):
                self.complete(
                    task.owner,
                    task.pk,
                    decision.mode,
                    decision.note,
                    place=decision.place,
                    support_type=decision.support_type,
                    given_by=decision.given_by,
                )
                if task.kind == SupportTask.Kind.FOLLOW_ALONG and task.placement_id:
                    self.follow_along_done[task.placement_id] = self.follow_along_done.get(task.placement_id, 0) + 1

    def around(self, due: date, task: OpenTask, *, early: int = -1, late: int = 2) -> date:
        """A working day near the due date, not before the task existed."""
        day = weekday_on_or_before(due + timedelta(days=self.rng.randint(early, late)))
        return max(day, weekday_on_or_after(task.created_on))

    def decide(self, task: OpenTask) -> Decision:
        support = self.data.support
        placement = self.placements.get(task.placement_id) if task.placement_id else None
        if placement is None:
            return LEFT_OPEN
        before_start = placement.start_date is None or task.created_on < placement.start_date
        kind = task.kind
        if kind == SupportTask.Kind.JOB_END_CONTACT:
            day = max(placement.contact_after_end_on, task.created_on)
            if placement.end_reason == "quit_better_job":
                return Decision(day, SupportTask.Mode.IN_PERSON, support["better_job_end_note"], place="workplace")
            if (day - placement.end_date).days > 3:
                return Decision(day, SupportTask.Mode.IN_PERSON, support["job_end_late_note"], place="community")
            note = self.rng.choice(support["job_end_notes"])
            return Decision(day, SupportTask.Mode.IN_PERSON, note["text"], place=note["place"])
        if before_start and kind in (
            SupportTask.Kind.FOLLOW_ALONG,
            SupportTask.Kind.DISCLOSURE_CONVERSATION,
            SupportTask.Kind.ACCOMMODATION,
        ):
            return self.decide_before_start(task, placement)
        if kind == SupportTask.Kind.FOLLOW_ALONG:
            return self.decide_follow_along(task, placement)
        if task.title_key == TaskTitle.STEP_DOWN_HANDOVER:
            # The hand-over meeting with the mental-health team, on the agreed day: done,
            # it completes the step-down (the person leaves the active caseload).
            if task.due_date >= self.today:
                return LEFT_OPEN
            day = max(weekday_on_or_after(task.due_date), weekday_on_or_after(task.created_on))
            return Decision(day, SupportTask.Mode.IN_PERSON, support["step_down_done_note"], place="office")
        if kind in (
            SupportTask.Kind.ACCOMMODATION,
            SupportTask.Kind.RETENTION_CHECK,
            SupportTask.Kind.STEP_DOWN_REVIEW,
        ):
            day = self.around(task.due_date, task)
            if placement.end_date is not None and placement.end_date < day:
                return Decision(day, SupportTask.Mode.PHONE, support["task_after_job_end_note"])
            if kind == SupportTask.Kind.RETENTION_CHECK:
                return Decision(day, SupportTask.Mode.PHONE, support["milestone_task_notes"][kind])
            place = self.rng.choice(["workplace", "community"])
            return Decision(day, SupportTask.Mode.IN_PERSON, support["milestone_task_notes"][kind], place=place)
        return LEFT_OPEN

    def decide_before_start(self, task: OpenTask, placement: PlacementPlan) -> Decision:
        """What the offer's handler planned before the start: mostly done in time; a
        pre-start contact still open is overtaken by the start."""
        support = self.data.support
        notes = {
            SupportTask.Kind.FOLLOW_ALONG: support["pre_start_notes"],
            SupportTask.Kind.DISCLOSURE_CONVERSATION: [{"text": support["disclosure_talk_note"], "place": "office"}],
            SupportTask.Kind.ACCOMMODATION: [
                {"text": text, "place": "office"} for text in support["adjustment_talk_notes"]
            ],
        }[task.kind]
        if placement.start_date is None:  # an upcoming start
            if task.due_date < self.today and self.rng.random() < 0.8:
                day = min(self.around(task.due_date, task), self.today - timedelta(days=1))
                return self.before_start_decision(day, self.rng.choice(notes))
            return LEFT_OPEN
        if task.kind == SupportTask.Kind.FOLLOW_ALONG and self.rng.random() < 0.15:
            return LEFT_OPEN
        day = min(self.around(task.due_date, task), placement.start_date - timedelta(days=1))
        return self.before_start_decision(max(day, task.created_on), self.rng.choice(notes))

    @staticmethod
    def before_start_decision(day: date, note: dict) -> Decision:
        return Decision(
            day,
            SupportTask.Mode.IN_PERSON,
            note["text"],
            place=note["place"],
            support_type=note.get("support_type", ""),
        )

    def decide_follow_along(self, task: OpenTask, placement: PlacementPlan) -> Decision:
        first = not self.follow_along_done.get(task.placement_id)
        recent = 0 <= (self.today - task.due_date).days < 10
        if recent and not first and task.placement_id not in self.missed and self.rng.random() < MISSED_CONTACT_SHARE:
            self.missed.add(task.placement_id)  # missed: the scheduler plans the next one
            return LEFT_OPEN
        mode = SupportTask.Mode.IN_PERSON if first else weighted(self.rng, COMPLETION_MODES)
        # Mostly on or just before the due day, now and then a few days late.
        late = self.rng.random() < LATE_CONTACT_SHARE
        day = self.around(task.due_date, task, early=1, late=3) if late else self.around(task.due_date, task, late=0)
        support_type = weighted(self.rng, self.support_profile(task.placement_id))
        place = weighted(self.rng, SUPPORT_PLACES[support_type]) if mode == SupportTask.Mode.IN_PERSON else ""
        givers = SUPPORT_GIVERS.get(support_type)
        given_by = weighted(self.rng, givers) if givers else SupportTask.GivenBy.SPECIALIST
        return Decision(
            day,
            mode,
            self.rng.choice(self.data.support["follow_along_notes"][support_type]),
            place=place,
            support_type=support_type,
            given_by=given_by,
        )

    def support_profile(self, placement_id: int) -> list[tuple[str, int]]:
        """Individualized follow-along: the kinds of support this worker gets, drawn once
        per job, (type, weight). Most get three or four kinds, some one or two."""
        profile = self.support_profiles.get(placement_id)
        if profile is None:
            count = weighted(self.rng, SUPPORT_TYPE_COUNTS)
            types = self.rng.sample(SUPPORT_TYPES, k=count)
            profile = self.support_profiles[placement_id] = [
                (support_type, weight) for support_type, weight in zip(types, (4, 3, 2, 2), strict=False)
            ]
        return profile

    def nudge_round(self, task: OpenTask, day: date, tasks: list[OpenTask]) -> None:
        """A nudge is done once the person met an employer face to face, or left job
        search, or when a later nudge came while the specialist had checked in."""
        texts = self.data.job_development
        plan = next(plan for plan in self.plan.job_seekers if plan.job_seeker_id == task.job_seeker_id)
        status, _since, first_contact = self.driver.job_seeker_state(task.job_seeker_id)
        if first_contact is not None and first_contact <= day:
            employer = self.first_employer_met(plan, first_contact)
            note = texts["nudge_done_note"].format(employer=employer, name=plan.first_name)
        elif status != JobSeeker.Status.JOB_SEARCH:
            note = texts["nudge_left_note"]
        elif any(
            other.kind == SupportTask.Kind.JOB_SEARCH_NUDGE
            and other.job_seeker_id == task.job_seeker_id
            and other.pk > task.pk
            and other.due_date <= day
            for other in tasks
        ):
            note = texts["nudge_checked_note"].format(name=plan.first_name)
        else:
            return
        self.complete(task.owner, task.pk, SupportTask.Mode.IN_PERSON, note)

    def first_employer_met(self, plan: JobSeekerPlan, day: date) -> str:
        for contact in self.plan.contacts:
            if plan.index in contact.job_seekers and contact.counts_for_rapid_search and contact.day == day:
                return self.plan.employers[contact.employer_index].name
        return "l'employeur"

    def give_appointment_times(self, day: date) -> None:
        """Coming follow-along contacts mostly have a time agreed with the worker: the
        next one of all, and most of those in the next two weeks."""
        coming = [
            task
            for task in self.driver.open_tasks(due_by=day + timedelta(days=45))
            if task.kind == SupportTask.Kind.FOLLOW_ALONG and task.due_date > day
        ]
        for position, task in enumerate(coming):
            soon = task.due_date <= day + timedelta(days=14)
            if position == 0 or (soon and self.rng.random() < APPOINTMENT_SHARE):
                self.driver.support_task_schedule(
                    task.owner, task.pk, due_date=task.due_date, due_time=self.rng.choice(APPOINTMENT_TIMES), minutes=45
                )
