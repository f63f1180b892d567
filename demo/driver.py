"""The one place where the demo touches the application: every service it calls,
the events it dispatches, the scheduler's jobs it runs, the clock it moves, and the
few reads it needs to decide what a team would do next.

The demo acts as a program would: staff act through their own access scope
(`crm.access.access_scope(user)`), so a specialist plans visits on behalf of their
own caseload only and a team leader reassigns within the teams they lead; the
scheduler's jobs and the event handlers act with the program's scope, as they do in
production. Each service call is followed by the dispatch of the events it wrote
(in this thread, as a worker would), so the handlers' work is there before the next
call, and a handler that fails stops the demo (a demo that hides a failing handler
would show data the live system never makes).

When a service changes its signature, this module is the one to adapt."""

import datetime
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal

import time_machine
from django.core.management.base import CommandError
from django.db import transaction
from django.db.models.signals import post_save
from django.utils import timezone

from crm import events
from crm import services as crm_services
from crm.access import access_scope
from crm.models import EventHandling, Industry, JobSeeker, JobType, Organisation, OutboxEvent, User
from employers import services as employer_services
from employers.models import ContactPerson, Employer, EmployerSite, JobOpening
from jobdev import services as jobdev_services
from jobdev import tasks as jobdev_tasks
from jobdev.fidelity import services as fidelity_services
from jobdev.models import EmployerContact, FidelityReview, JobSearchNudge, PaceNudge
from placements import services as placement_services
from placements import tasks as placement_tasks
from placements.models import (
    Accommodation,
    BenefitsStep,
    FollowAlongPlan,
    JobEndReport,
    Placement,
    PlacementMilestone,
    SupportTask,
)

# Rounds of dispatch after one call: a handler may emit events whose handlers emit more.
MAX_EVENT_ROUNDS = 10


@dataclass(frozen=True)
class OpenTask:
    """An open support task, as a specialist sees it in their list."""

    pk: int
    kind: str
    title_key: str
    due_date: datetime.date
    created_on: datetime.date
    job_seeker_id: int
    placement_id: int | None
    accommodation_id: int | None
    benefits_step_id: int | None
    owner: str  # username


class Clock:
    """A frozen clock that only moves forward (time-machine, tick=False): every
    timezone.now() in the services, handlers and scheduler's jobs reads it."""

    def __init__(self):
        self._traveller = None
        self.now: datetime.datetime | None = None

    @contextmanager
    def frozen(self, start: datetime.datetime) -> Iterator["Clock"]:
        with time_machine.travel(start, tick=False) as traveller:
            self._traveller, self.now = traveller, start
            try:
                yield self
            finally:
                self._traveller, self.now = None, None

    def at(self, moment: datetime.datetime) -> None:
        if self._traveller is None:
            raise RuntimeError("The demo moves time only inside Clock.frozen().")
        if moment < self.now:
            raise RuntimeError(f"The demo's clock only moves forward ({self.now} -> {moment}).")
        if moment != self.now:
            self._traveller.move_to(moment)
            self.now = moment


class Driver:
    """Drives one program: `staff` are its users by username."""

    def __init__(self, organisation: Organisation, staff: dict[str, User], clock: Clock):
        self.organisation = organisation
        self.staff = staff
        self.clock = clock
        self.job_types = {job_type.code: job_type for job_type in JobType.objects.order_by("code")}
        self.industries = {industry.code: industry for industry in Industry.objects.order_by("code")}
        self._sites: dict[int, EmployerSite] = {}
        self._events_written = True

    @contextmanager
    def watching_events(self) -> Iterator["Driver"]:
        """While the story plays, note each event written, so that handle_events() looks
        for pending events only after a call that wrote one."""

        def written(sender, instance, created, **kwargs):
            if created:
                self._events_written = True

        post_save.connect(written, sender=OutboxEvent, weak=False, dispatch_uid=f"demo-events-{id(self)}")
        try:
            yield self
        finally:
            post_save.disconnect(sender=OutboxEvent, dispatch_uid=f"demo-events-{id(self)}")

    def at(self, moment: datetime.datetime) -> None:
        self.clock.at(moment)

    def scope(self, username: str):
        return access_scope(self.staff[username])

    # Events and the scheduler ---------------------------------------------------------------

    def handle_events(self) -> int:
        """Dispatch every pending event in this thread, as a worker would (and the events
        their handlers emit in turn). Raises CommandError if a handler failed."""
        handled = 0
        for _round in range(MAX_EVENT_ROUNDS):
            if not self._events_written:
                return handled
            self._events_written = False
            pending = list(
                OutboxEvent.objects.filter(organisation=self.organisation, status=OutboxEvent.Status.PENDING)
                .order_by("pk")
                .values_list("pk", flat=True)
            )
            if not pending:
                return handled
            for event_id in pending:
                report = events.dispatch(event_id)
                if report.retrying or report.failed or report.status != OutboxEvent.Status.HANDLED:
                    raise CommandError(self._failure(event_id))
                handled += 1
        raise CommandError(f"Events still pending after {MAX_EVENT_ROUNDS} rounds of dispatch: do handlers loop?")

    @staticmethod
    def _failure(event_id: int) -> str:
        event = OutboxEvent.objects.get(pk=event_id)
        errors = [
            f"{handling.handler}: {handling.last_error.strip().splitlines()[-1] if handling.last_error else '?'}"
            for handling in EventHandling.objects.filter(event=event).exclude(status=EventHandling.Status.SUCCEEDED)
        ]
        detail = "; ".join(errors) or event.last_error or "unknown error"
        return f"Event {event.topic} #{event.pk} was not handled: {detail}"

    def run_scheduler(self, *, pace: bool = True) -> None:
        """The scheduler's periodic jobs that act on the program's dates: milestones due,
        the next follow-along contact of every active plan, rapid-job-search nudges and,
        with `pace`, the job-development pace nudges."""
        placement_tasks.emit_due_milestones()
        placement_tasks.ensure_next_follow_along()
        jobdev_tasks.nudge_rapid_job_search()
        if pace:
            jobdev_tasks.nudge_job_development_pace()
        self.handle_events()

    def _done(self, result):
        self.handle_events()
        return result

    # Job seekers (crm) ---------------------------------------------------------------------

    def _preference(self, preference: dict | None) -> dict | None:
        if not preference:
            return preference
        preference = dict(preference)
        for name in ("job_types", "avoid_job_types"):
            if name in preference:
                preference[name] = [self.job_types[code] for code in preference[name]]
        for name in ("industries", "avoid_industries"):
            if name in preference:
                preference[name] = [self.industries[code] for code in preference[name]]
        return preference

    def job_seeker_create(
        self,
        username: str,
        *,
        details: dict,
        profile: dict | None = None,
        preference: dict | None = None,
        location: dict | None = None,
    ) -> int:
        """A new job seeker; `location` (latitude, longitude, precision) is where their
        address was found, stored in the same transaction (nothing left to locate)."""
        with transaction.atomic():
            job_seeker = crm_services.job_seeker_create(
                scope=self.scope(username),
                details=details,
                profile=profile,
                preference=self._preference(preference),
            )
            if location:
                crm_services.job_seeker_set_location(
                    scope=self.scope(username), job_seeker_id=job_seeker.pk, **location
                )
        return self._done(job_seeker.pk)

    def job_seeker_update(
        self,
        username: str,
        job_seeker_id: int,
        *,
        details: dict | None = None,
        profile: dict | None = None,
        preference: dict | None = None,
        specialist: str | None = None,
    ) -> None:
        crm_services.job_seeker_update(
            scope=self.scope(username),
            job_seeker_id=job_seeker_id,
            details=details,
            specialist_id=self.staff[specialist].pk if specialist else None,
            profile=profile,
            preference=self._preference(preference),
        )
        self._done(None)

    def job_seeker_change_status(self, username: str, job_seeker_id: int, *, status: str, note: str) -> None:
        crm_services.job_seeker_change_status(
            scope=self.scope(username), job_seeker_id=job_seeker_id, status=status, note=note
        )
        self._done(None)

    # Employers --------------------------------------------------------------------------

    def _employer_details(self, details: dict) -> dict:
        details = dict(details)
        details["industry"] = self.industries[details["industry"]] if details.get("industry") else None
        return details

    def employer_create(
        self, username: str, *, details: dict, site: dict, contact_person: dict, site_location: dict | None = None
    ) -> tuple[int, int]:
        """A new employer with its main site (located where `site_location` says, in the
        same transaction) and first contact person: (employer, site) ids."""
        with transaction.atomic():
            employer = employer_services.employer_create(
                scope=self.scope(username),
                details=self._employer_details(details),
                site=site,
                contact_person=contact_person,
            )
            main_site = employer.sites.order_by("pk").first()
            if site_location:
                main_site = employer_services.employer_site_set_location(
                    scope=self.scope(username), employer_id=employer.pk, site_id=main_site.pk, **site_location
                )
        self._sites[main_site.pk] = main_site
        return self._done((employer.pk, main_site.pk))

    def employer_site_add(self, username: str, employer_id: int, *, details: dict, location: dict | None = None) -> int:
        with transaction.atomic():
            site = employer_services.employer_site_save(
                scope=self.scope(username), employer_id=employer_id, details=details
            )
            if location:
                site = employer_services.employer_site_set_location(
                    scope=self.scope(username), employer_id=employer_id, site_id=site.pk, **location
                )
        self._sites[site.pk] = site
        return self._done(site.pk)

    def contact_person_add(self, username: str, employer_id: int, *, details: dict, site_id: int | None) -> int:
        details = {**details, "site": self._sites[site_id] if site_id else None}
        person = employer_services.contact_person_save(
            scope=self.scope(username), employer_id=employer_id, details=details
        )
        return self._done(person.pk)

    @staticmethod
    def contact_person_ids(employer_id: int) -> list[int]:
        return list(ContactPerson.objects.filter(employer_id=employer_id).order_by("pk").values_list("pk", flat=True))

    def job_opening_save(
        self,
        username: str,
        employer_id: int,
        *,
        details: dict,
        opening_id: int | None = None,
    ) -> int:
        details = dict(details)
        if "job_type" in details:
            details["job_type"] = self.job_types[details["job_type"]] if details["job_type"] else None
        if "site_id" in details:
            site_id = details.pop("site_id")
            details["site"] = self._sites[site_id] if site_id else None
        opening = employer_services.job_opening_save(
            scope=self.scope(username), employer_id=employer_id, details=details, opening_id=opening_id
        )
        return self._done(opening.pk)

    # Employer contacts (jobdev) -------------------------------------------------------------

    def contact_plan(
        self,
        username: str,
        *,
        employer_id: int,
        starts_at: datetime.datetime,
        ends_at: datetime.datetime,
        mode: str,
        purpose: str,
        job_seeker_ids: list[int],
        site_id: int | None,
        contact_person_id: int | None,
        next_step: str = "",
        confirmed: bool = False,
        disclosure_confirmed: bool = False,
    ) -> int:
        contact = jobdev_services.employer_contact_plan(
            scope=self.scope(username),
            employer_id=employer_id,
            starts_at=starts_at,
            ends_at=ends_at,
            mode=mode,
            purpose=purpose,
            job_seeker_ids=job_seeker_ids,
            site_id=site_id,
            contact_person_id=contact_person_id,
            next_step=next_step,
            confirmed=confirmed,
            disclosure_confirmed=disclosure_confirmed,
        )
        return self._done(contact.pk)

    def contact_reschedule(
        self,
        username: str,
        contact_id: int,
        *,
        starts_at: datetime.datetime,
        ends_at: datetime.datetime,
        site_id: int | None,
        contact_person_id: int | None,
        confirmed: bool,
    ) -> None:
        jobdev_services.employer_contact_reschedule(
            scope=self.scope(username),
            contact_id=contact_id,
            starts_at=starts_at,
            ends_at=ends_at,
            site_id=site_id,
            contact_person_id=contact_person_id,
            confirmed=confirmed,
        )
        self._done(None)

    def contact_cancel(self, username: str, contact_id: int, *, reason: str) -> None:
        jobdev_services.employer_contact_cancel(scope=self.scope(username), contact_id=contact_id, reason=reason)
        self._done(None)

    def contact_hold(self, username: str, contact_id: int, *, outcome: dict, no_show: bool = False) -> None:
        jobdev_services.employer_contact_hold(
            scope=self.scope(username), contact_id=contact_id, outcome=self._outcome(outcome), no_show=no_show
        )
        self._done(None)

    def contact_log(
        self,
        username: str,
        *,
        employer_id: int,
        occurred_at: datetime.datetime,
        mode: str,
        purpose: str,
        job_seeker_ids: list[int],
        contact_person_id: int | None,
        outcome: dict,
    ) -> int:
        contact = jobdev_services.employer_contact_log(
            scope=self.scope(username),
            employer_id=employer_id,
            occurred_at=occurred_at,
            mode=mode,
            purpose=purpose,
            job_seeker_ids=job_seeker_ids,
            contact_person_id=contact_person_id,
            outcome=self._outcome(outcome),
        )
        return self._done(contact.pk)

    def _outcome(self, outcome: dict) -> dict:
        outcome = dict(outcome)
        if "learned_job_types" in outcome:
            outcome["learned_job_types"] = [self.job_types[code] for code in outcome["learned_job_types"]]
        return outcome

    # Placements and follow-along --------------------------------------------------------------

    def placement_offer_accept(self, username: str, *, job_seeker_id: int, employer_id: int, offer: dict) -> int:
        offer = dict(offer)
        if "job_type" in offer:
            code = offer.pop("job_type")
            offer["job_type_id"] = self.job_types[code].pk if code else None
        placement = placement_services.placement_offer_accept(
            scope=self.scope(username), job_seeker_id=job_seeker_id, employer_id=employer_id, offer=offer
        )
        return self._done(placement.pk)

    def placement_start(self, username: str, placement_id: int, *, start_date: datetime.date) -> None:
        placement_services.placement_start(scope=self.scope(username), placement_id=placement_id, start_date=start_date)
        self._done(None)

    def placement_change_terms(
        self,
        username: str,
        placement_id: int,
        *,
        hours_per_week: Decimal | None,
        hourly_pay: Decimal | None,
        effective_on: datetime.date,
    ) -> None:
        placement_services.placement_change_terms(
            scope=self.scope(username),
            placement_id=placement_id,
            hours_per_week=hours_per_week,
            hourly_pay=hourly_pay,
            effective_on=effective_on,
        )
        self._done(None)

    def placement_end(self, username: str, placement_id: int, *, end_date: datetime.date, end_reason: str) -> None:
        placement_services.placement_end(
            scope=self.scope(username), placement_id=placement_id, end_date=end_date, end_reason=end_reason
        )
        self._done(None)

    def job_end_report_save(self, username: str, placement_id: int, *, report: dict) -> None:
        placement_services.job_end_report_save(scope=self.scope(username), placement_id=placement_id, report=report)
        self._done(None)

    def follow_along_plan_change(self, username: str, placement_id: int, *, action: str, **change) -> None:
        placement_services.follow_along_plan_change(
            scope=self.scope(username), placement_id=placement_id, action=action, **change
        )
        self._done(None)

    def support_task_create(
        self, username: str, *, job_seeker_id: int, kind: str, title: str, due_date: datetime.date
    ) -> int:
        task = placement_services.support_task_create(
            scope=self.scope(username), job_seeker_id=job_seeker_id, kind=kind, title=title, due_date=due_date
        )
        return self._done(task.pk)

    def support_task_complete(
        self,
        username: str,
        task_id: int,
        *,
        completed_on: datetime.date,
        mode: str,
        note: str,
        place: str = "",
        support_type: str = "",
        given_by: str = "",
    ) -> None:
        placement_services.support_task_complete(
            scope=self.scope(username),
            task_id=task_id,
            completed_on=completed_on,
            mode=mode,
            note=note,
            place=place,
            support_type=support_type,
            given_by=given_by,
        )
        self._done(None)

    def support_task_schedule(
        self, username: str, task_id: int, *, due_date: datetime.date, due_time: datetime.time, minutes: int
    ) -> None:
        placement_services.support_task_schedule(
            scope=self.scope(username),
            task_id=task_id,
            due_date=due_date,
            due_time=due_time,
            duration_minutes=minutes,
        )
        self._done(None)

    def accommodation_add(self, username: str, placement_id: int, *, description: str, consents: bool) -> int:
        accommodation = placement_services.accommodation_add(
            scope=self.scope(username), placement_id=placement_id, description=description, consents=consents
        )
        return self._done(accommodation.pk)

    def accommodation_change_status(self, username: str, accommodation_id: int, *, status: str, note: str) -> None:
        placement_services.accommodation_change_status(
            scope=self.scope(username), accommodation_id=accommodation_id, status=status, note=note
        )
        self._done(None)

    def benefits_step_create(self, username: str, *, job_seeker_id: int, reason: str, offered_on: datetime.date) -> int:
        step = placement_services.benefits_step_create(
            scope=self.scope(username),
            job_seeker_id=job_seeker_id,
            placement_id=None,
            reason=reason,
            offered_on=offered_on,
        )
        return self._done(step.pk)

    def benefits_step_change_status(self, username: str, step_id: int, *, status: str, note: str) -> None:
        placement_services.benefits_step_change_status(
            scope=self.scope(username), step_id=step_id, status=status, note=note
        )
        self._done(None)

    # Fidelity reviews ------------------------------------------------------------------------

    def fidelity_review_create(
        self,
        username: str,
        *,
        review_date: datetime.date,
        period_from: datetime.date,
        period_to: datetime.date,
        reviewers: str,
        notes: str,
    ) -> int:
        review = fidelity_services.fidelity_review_create(
            scope=self.scope(username),
            review_date=review_date,
            period_from=period_from,
            period_to=period_to,
            reviewers=reviewers,
            notes=notes,
        )
        return self._done(review.pk)

    def fidelity_review_items_save(self, username: str, review_id: int, *, items: dict) -> None:
        fidelity_services.fidelity_review_items_save(scope=self.scope(username), review_id=review_id, items=items)
        self._done(None)

    # Reads: what the team sees before deciding -------------------------------------------------

    def open_tasks(self, *, due_by: datetime.date) -> list[OpenTask]:
        tasks = SupportTask.objects.filter(
            organisation=self.organisation, status=SupportTask.Status.OPEN, due_date__lte=due_by
        )
        return [_open_task(task) for task in tasks.select_related("owner").order_by("due_date", "pk")]

    @staticmethod
    def task_is_open(task_id: int) -> bool:
        return SupportTask.objects.filter(pk=task_id, status=SupportTask.Status.OPEN).exists()

    @staticmethod
    def open_task_of(
        *,
        accommodation_id: int | None = None,
        benefits_step_id: int | None = None,
        job_seeker_id: int | None = None,
        kind: str | None = None,
        placement_id: int | None = None,
    ) -> OpenTask | None:
        """The open task about an adjustment, a benefits step, or of a kind for a job
        seeker or a placement, if any (the first due)."""
        tasks = SupportTask.objects.filter(status=SupportTask.Status.OPEN)
        if accommodation_id is not None:
            tasks = tasks.filter(accommodation_id=accommodation_id)
        if benefits_step_id is not None:
            tasks = tasks.filter(benefits_step_id=benefits_step_id)
        if job_seeker_id is not None:
            tasks = tasks.filter(job_seeker_id=job_seeker_id)
        if kind is not None:
            tasks = tasks.filter(kind=kind)
        if placement_id is not None:
            tasks = tasks.filter(placement_id=placement_id)
        task = tasks.select_related("owner").order_by("due_date", "pk").first()
        return None if task is None else _open_task(task)

    @staticmethod
    def benefits_step_of(placement_id: int, reason: str = BenefitsStep.Reason.BEFORE_START) -> int | None:
        return (
            BenefitsStep.objects.filter(placement_id=placement_id, reason=reason)
            .order_by("pk")
            .values_list("pk", flat=True)
            .first()
        )

    @staticmethod
    def job_seeker_state(job_seeker_id: int) -> tuple[str, datetime.date | None, datetime.date | None]:
        """(status, in job search since, first face-to-face employer contact on)."""
        return JobSeeker.objects.filter(pk=job_seeker_id).values_list(
            "status", "job_search_since", "first_employer_contact_on"
        )[0]

    def counts(self) -> dict[str, int]:
        """What was made, for the command's summary."""
        organisation = self.organisation
        return {
            "users": User.objects.filter(organisation=organisation).count(),
            "job seekers": JobSeeker.objects.filter(organisation=organisation).count(),
            "employers": Employer.objects.filter(organisation=organisation).count(),
            "employer contacts": EmployerContact.objects.filter(organisation=organisation).count(),
            "job openings": JobOpening.objects.filter(employer__organisation=organisation).count(),
            "placements": Placement.objects.filter(organisation=organisation).count(),
            "milestones reached": PlacementMilestone.objects.filter(
                placement__organisation=organisation, reached_at__isnull=False
            ).count(),
            "follow-along plans": FollowAlongPlan.objects.filter(placement__organisation=organisation).count(),
            "workplace adjustments": Accommodation.objects.filter(organisation=organisation).count(),
            "benefits steps": BenefitsStep.objects.filter(organisation=organisation).count(),
            "job-end reports": JobEndReport.objects.filter(placement__organisation=organisation).count(),
            "support tasks": SupportTask.objects.filter(organisation=organisation).count(),
            "rapid-search nudges": JobSearchNudge.objects.filter(job_seeker__organisation=organisation).count(),
            "pace nudges": PaceNudge.objects.filter(organisation=organisation).count(),
            "fidelity reviews": FidelityReview.objects.filter(organisation=organisation).count(),
            "events handled": OutboxEvent.objects.filter(
                organisation=organisation, status=OutboxEvent.Status.HANDLED
            ).count(),
        }


def _open_task(task: SupportTask) -> OpenTask:
    return OpenTask(
        pk=task.pk,
        kind=task.kind,
        title_key=task.title_key,
        due_date=task.due_date,
        created_on=timezone.localdate(task.created_at),
        job_seeker_id=task.job_seeker_id,
        placement_id=task.placement_id,
        accommodation_id=task.accommodation_id,
        benefits_step_id=task.benefits_step_id,
        owner=task.owner.username,
    )
