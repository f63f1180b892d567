"""Support around jobs: job-end reports, benefits steps, workplace adjustments, changes
to follow-along and to a job's hours, tasks written by hand."""

from datetime import timedelta
from decimal import Decimal

from crm.models import JobSeeker
from demo.planning.plan import (
    AdjustmentPlan,
    BenefitsPlan,
    JobSeekerPlan,
    PlacementPlan,
    weekday_on_or_after,
    weekday_on_or_before,
)
from placements.models import Accommodation, BenefitsStep, Placement


class SupportPlanner:
    """Support around jobs: job-end reports, benefits steps, workplace adjustments, changes
    to follow-along and to a job's hours, tasks written by hand."""

    # -- support around jobs ---------------------------------------------------------------------

    def plan_support(self) -> None:
        """Job ends and their reports, benefits steps, workplace adjustments, changes to
        follow-along and to the terms of a job, tasks written by hand."""
        yesterday = self.today - timedelta(days=1)
        ended = [placement for plan in self.plans for placement in plan.placements if placement.end_date is not None]
        # The latest job end has no report yet: the task is still to do.
        unreported = max(ended, key=lambda placement: placement.end_date, default=None)
        for placement in ended:
            end = placement.end_date
            placement.contact_after_end_on = min(
                yesterday, weekday_on_or_before(end + timedelta(days=self.rng.randint(1, 3)))
            )
            placement.contact_after_end_on = max(end, placement.contact_after_end_on)
            if placement is not unreported:
                written = weekday_on_or_before(end + timedelta(days=self.rng.randint(4, 9)))
                placement.report_on = min(yesterday, max(placement.contact_after_end_on, written))
        for plan in self.plans:
            for placement in plan.placements:
                self.plan_benefits(plan, placement)
        self.plan_adjustments()
        self.plan_follow_along_changes()
        self.plan_terms_change()
        self.plan_own_tasks()

    def plan_benefits(self, plan: JobSeekerPlan, placement: PlacementPlan) -> None:
        """Work-incentives planning offered with the job (by the offer's handler, for those
        on benefits or not sure): referred, session held, plan in place, before the start."""
        yesterday = self.today - timedelta(days=1)
        offer = placement.offer_date
        referred_on = min(yesterday, weekday_on_or_after(offer + timedelta(days=self.rng.randint(1, 3))))
        session_on = min(yesterday, referred_on + timedelta(days=self.rng.randint(5, 12)))
        plan_on = min(yesterday, session_on + timedelta(days=self.rng.randint(1, 4)))
        steps = []
        if placement.start_date is None:
            if (self.today - offer).days >= 3 and self.rng.random() < 0.6 and referred_on > offer:
                steps = [(BenefitsStep.Status.REFERRED, referred_on)]
        else:
            steps = [(BenefitsStep.Status.REFERRED, referred_on), (BenefitsStep.Status.SESSION_HELD, session_on)]
            if self.rng.random() < 0.8:
                steps.append((BenefitsStep.Status.PLAN_IN_PLACE, plan_on))
        placement.benefits = BenefitsPlan(steps=[(status, day) for status, day in steps if offer < day < self.today])

    def plan_adjustments(self) -> None:
        """A few workplace adjustments at every stage on current jobs; from "requested"
        on, only where the worker consented to disclosure. One for an upcoming start."""
        support = self.data.support
        active = [
            placement
            for plan in self.plans
            for placement in plan.placements
            if placement.status(self.today) == Placement.Status.ACTIVE
            and (self.today - placement.start_date).days >= 14
        ]
        consenting = [
            placement
            for placement in active
            if self.plans[placement.job_seeker].disclosure in (JobSeeker.Disclosure.PARTIAL, JobSeeker.Disclosure.FULL)
        ]
        used: set[int] = set()
        for adjustment in support["accommodations"]:
            final = adjustment["final"]
            needs_consent = final not in (
                Accommodation.Status.IDENTIFIED,
                Accommodation.Status.DISCUSSED,
                Accommodation.Status.DROPPED,
            )
            candidates = [
                placement for placement in (consenting if needs_consent else active) if id(placement) not in used
            ]
            if not candidates:
                continue
            placement = self.rng.choice(candidates)
            used.add(id(placement))
            if final == Accommodation.Status.DROPPED:
                statuses = [Accommodation.Status.IDENTIFIED, Accommodation.Status.DISCUSSED, final]
            else:
                statuses = Accommodation.ORDER[: Accommodation.ORDER.index(final) + 1]
            gaps = [
                self.rng.randint(25, 35) if status == Accommodation.Status.REVIEWED else self.rng.randint(4, 12)
                for status in statuses[1:]
            ]
            last_day = self.today - timedelta(days=self.rng.randint(1, 6))
            day = max(placement.start_date + timedelta(days=1), last_day - timedelta(days=sum(gaps)))
            path = [(statuses[0], day)]
            for status, gap in zip(statuses[1:], gaps, strict=True):
                day = min(self.today - timedelta(days=1), day + timedelta(days=gap))
                path.append((status, day))
            placement.adjustments.append(
                AdjustmentPlan(
                    description=adjustment["description"], consents=needs_consent, path=path, note=adjustment["note"]
                )
            )
        upcoming = [
            placement
            for plan in self.plans
            for placement in plan.placements
            if placement.start_date is None and placement.offer_date < self.today - timedelta(days=1)
        ]
        if upcoming:
            placement = self.rng.choice(upcoming)
            added = placement.offer_date + timedelta(days=1)
            placement.adjustments.append(
                AdjustmentPlan(
                    description=support["upcoming_accommodation"]["description"],
                    consents=False,
                    path=[(Accommodation.Status.IDENTIFIED, added)],
                    note=support["upcoming_accommodation"]["note"],
                )
            )

    def plan_follow_along_changes(self) -> None:
        """Individualized follow-along: one worker chose monthly contacts early on,
        another paused follow-along lately, a long-standing worker agreed to a step-down."""
        support = self.data.support
        active = [
            placement
            for plan in self.plans
            for placement in plan.placements
            if placement.status(self.today) == Placement.Status.ACTIVE
        ]
        used: set[int] = set()
        for change, minimum_days in (("monthly", 45), ("pause", 25), ("step_down", 150)):
            candidates = [
                placement
                for placement in active
                if id(placement) not in used and (self.today - placement.start_date).days >= minimum_days
            ]
            if not candidates:
                continue
            placement = self.rng.choice(candidates)
            used.add(id(placement))
            if change == "monthly":
                day = weekday_on_or_after(placement.start_date + timedelta(days=self.rng.randint(15, 25)))
                arguments = {"frequency": "monthly", "reason": support["monthly_reason_note"]}
                placement.follow_along_changes.append((day, "frequency", arguments))
            elif change == "pause":
                day = weekday_on_or_before(self.today - timedelta(days=self.rng.randint(4, 12)))
                placement.follow_along_changes.append((day, "pause", {"reason": support["pause_reason"]}))
            else:
                day = weekday_on_or_before(self.today - timedelta(days=self.rng.randint(3, 10)))
                step_down = weekday_on_or_after(self.today + timedelta(days=self.rng.randint(21, 35)))
                arguments = {"step_down_date": step_down, "step_down_agreed": True, "reason": support["step_down_note"]}
                placement.follow_along_changes.append((day, "step_down", arguments))

    def plan_terms_change(self) -> None:
        """A worker on benefits got more hours lately: the handler offers a benefits re-check."""
        candidates = [
            placement
            for plan in self.plans
            for placement in plan.placements
            if placement.status(self.today) == Placement.Status.ACTIVE
            and (self.today - placement.start_date).days >= 60
            and not placement.follow_along_changes
        ]
        if not candidates:
            return
        placement = self.rng.choice(candidates)
        recorded = weekday_on_or_before(self.today - timedelta(days=self.rng.randint(8, 14)))
        effective = recorded + timedelta(days=3)
        hours = min(Decimal("35"), (placement.hours_per_week or Decimal("20")) + Decimal("5"))
        if hours == placement.hours_per_week:
            hours -= Decimal("5")
        placement.terms_change = (recorded, effective, hours)
        self.plans[placement.job_seeker].on_benefits = True

    def plan_own_tasks(self) -> None:
        """Tasks written by hand: talk about disclosure with those who have not decided,
        a benefits simulation for some on benefits and searching, an updated CV after a job."""
        yesterday = self.today - timedelta(days=1)
        for plan in self.plans:
            searching_now = plan.status == JobSeeker.Status.JOB_SEARCH
            if plan.disclosure == JobSeeker.Disclosure.UNDECIDED and searching_now:
                created = max(plan.enrolment_date, self.today - timedelta(days=self.rng.randint(3, 20)))
                due = created + timedelta(days=self.rng.randint(5, 15))
                plan.own_tasks.append((created, "disclosure", due, None))
            ended = [
                placement for placement in plan.placements if placement.end_date and placement.end_date < yesterday
            ]
            if ended and searching_now:
                end = ended[-1].end_date
                due = end + timedelta(days=10)
                done = (
                    min(yesterday, due + timedelta(days=self.rng.randint(-3, 2))) if self.rng.random() < 0.7 else None
                )
                plan.own_tasks.append((end + timedelta(days=1), "cv", due, done if done and done > end else None))
            if not (searching_now and not plan.placements and plan.story == "" and self.rng.random() < 0.5):
                continue
            # On benefits (or not sure) and searching: work-incentives planning without a job yet.
            offered = max(
                plan.enrolment_date + timedelta(days=7), self.today - timedelta(days=self.rng.randint(20, 60))
            )
            if offered >= yesterday:
                continue
            steps = []
            referred = offered + timedelta(days=self.rng.randint(2, 6))
            if referred < yesterday and self.rng.random() < 0.7:
                steps.append((BenefitsStep.Status.REFERRED, referred))
                session = referred + timedelta(days=self.rng.randint(7, 14))
                if session < yesterday and self.rng.random() < 0.6:
                    steps.append((BenefitsStep.Status.SESSION_HELD, session))
            plan.benefits_without_job = (offered, steps)
            plan.on_benefits = True
