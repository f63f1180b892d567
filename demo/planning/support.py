"""Support around jobs: job-end reports, benefits steps, workplace adjustments, changes
to follow-along and to a job's hours, tasks written by hand."""

from datetime import date, timedelta
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
from demo.planning.rhythms import BENEFITS_EXCEPTIONS
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
        # Seen face to face within 3 days of the end (IPS), but one person only after a
        # week: away at their family's (fidelity item 23).
        late = [placement for placement in ended if placement.end_reason != "quit_better_job"]
        late = self.rng.choice(late) if late else None
        for placement in ended:
            end = placement.end_date
            days = self.rng.randint(5, 7) if placement is late else self.rng.randint(1, 3)
            seen = end + timedelta(days=days)
            seen = weekday_on_or_after(seen) if placement is late else weekday_on_or_before(seen)
            placement.contact_after_end_on = max(end, min(yesterday, seen))
            if placement is not unreported:
                written = weekday_on_or_before(end + timedelta(days=self.rng.randint(4, 9)))
                placement.report_on = min(yesterday, max(placement.contact_after_end_on, written))
        # Work-incentives planning of the jobs that started: mostly delivered before the
        # start, but one only after it, one left at the session, one declined (those three
        # people are on benefits, so the offer's handler offers the step).
        started = [placement for plan in self.plans for placement in plan.placements if placement.start_date]
        outcomes = [*BENEFITS_EXCEPTIONS, *["before_start"] * max(0, len(started) - len(BENEFITS_EXCEPTIONS))]
        self.rng.shuffle(outcomes)
        self.benefits_outcomes = {id(placement): outcome for placement, outcome in zip(started, outcomes, strict=False)}
        for placement in started:
            if self.benefits_outcomes[id(placement)] != "before_start":
                self.plans[placement.job_seeker].on_benefits = True
        for plan in self.plans:
            for placement in plan.placements:
                self.plan_benefits(plan, placement)
        self.plan_adjustments()
        self.plan_follow_along_changes()
        self.plan_terms_change()
        self.plan_own_tasks()

    def plan_benefits(self, plan: JobSeekerPlan, placement: PlacementPlan) -> None:
        """Work-incentives planning offered with the job (by the offer's handler, for those
        on benefits or not sure): referred, session held, plan in place. Fidelity item
        12 counts planning delivered before the start: most plans are in place (or the
        worker declined) before the first day, some only after it, a few never."""
        yesterday = self.today - timedelta(days=1)
        offer = placement.offer_date
        steps = []
        if placement.start_date is None:  # an upcoming start: referred, or not yet
            referred_on = min(yesterday, weekday_on_or_after(offer + timedelta(days=self.rng.randint(1, 3))))
            if (self.today - offer).days >= 3 and self.rng.random() < 0.6 and referred_on > offer:
                steps = [(BenefitsStep.Status.REFERRED, referred_on)]
        else:
            start = placement.start_date
            outcome = self.benefits_outcomes.get(id(placement), "before_start")
            if outcome in ("before_start", "declined") and (start - offer).days < 1:
                outcome = "after_start"  # a start the next morning leaves no time
            if outcome == "before_start":
                # The three steps between the offer and the eve of the start.
                days = sorted(self.working_day_between(offer, start - timedelta(days=1)) for _ in range(3))
                steps = list(zip(BenefitsStep.ORDER[1:], days, strict=True))
            elif outcome == "declined":
                steps = [(BenefitsStep.Status.DECLINED, self.working_day_between(offer, start - timedelta(days=1)))]
            else:
                referred_on = weekday_on_or_after(offer + timedelta(days=self.rng.randint(0, 2)))
                session_on = weekday_on_or_after(referred_on + timedelta(days=self.rng.randint(5, 12)))
                steps = [(BenefitsStep.Status.REFERRED, referred_on), (BenefitsStep.Status.SESSION_HELD, session_on)]
                if outcome == "after_start":
                    later = max(start, session_on) + timedelta(days=self.rng.randint(1, 6))
                    steps.append((BenefitsStep.Status.PLAN_IN_PLACE, weekday_on_or_after(later)))
        last = min(self.today, placement.end_date or self.today)
        placement.benefits = BenefitsPlan(steps=[(status, day) for status, day in steps if offer <= day < last])

    def working_day_between(self, low: date, high: date) -> date:
        """A day from `low` to `high`, a weekday when the span has one."""
        days = [low + timedelta(days=offset) for offset in range((high - low).days + 1)]
        return self.rng.choice([day for day in days if day.weekday() < 5] or days)

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
        another paused follow-along lately, a long-standing worker agreed to a step-down,
        and one stepped down weeks ago (time-unlimited follow-along ends with a planned
        step-down the worker agreed to)."""
        support = self.data.support
        active = [
            placement
            for plan in self.plans
            for placement in plan.placements
            if placement.status(self.today) == Placement.Status.ACTIVE
        ]
        used: set[int] = set()
        # Agreed five or six weeks ago, done three or four weeks later.
        agreed = weekday_on_or_before(self.today - timedelta(days=self.rng.randint(35, 45)))
        for change, minimum_days in (("step_down_done", 110), ("monthly", 45), ("pause", 25), ("step_down", 150)):
            candidates = [
                placement
                for placement in active
                if id(placement) not in used
                and (self.today - placement.start_date).days >= minimum_days
                # No later change of status by hand (the step-down closes the person).
                and (change != "step_down_done" or self.plans[placement.job_seeker].status_changes[-1][0] < agreed)
            ]
            if not candidates:
                continue
            placement = self.rng.choice(candidates)
            used.add(id(placement))
            if change == "monthly":
                day = weekday_on_or_after(placement.start_date + timedelta(days=self.rng.randint(15, 25)))
                arguments = {"frequency": "monthly", "reason": support["monthly_reason_note"]}
                placement.follow_along_changes.append((day, "frequency", arguments))
            elif change == "step_down_done":
                # The mental-health team took over; the person left the active caseload.
                step_down = weekday_on_or_after(agreed + timedelta(days=self.rng.randint(21, 28)))
                arguments = {
                    "step_down_date": step_down,
                    "step_down_agreed": True,
                    "reason": support["step_down_early_note"],
                }
                placement.follow_along_changes.append((agreed, "step_down", arguments))
                plan = self.plans[placement.job_seeker]
                plan.status_changes.append((step_down, JobSeeker.Status.CLOSED, support["step_down_done_note"], False))
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
        # The re-check the handler offers is done within the week (fidelity item 12).
        session = weekday_on_or_after(recorded + timedelta(days=self.rng.randint(1, 3)))
        done = weekday_on_or_after(session + timedelta(days=self.rng.randint(1, 2)))
        placement.recheck = [
            (status, day)
            for status, day in (
                (BenefitsStep.Status.REFERRED, recorded),
                (BenefitsStep.Status.SESSION_HELD, session),
                (BenefitsStep.Status.PLAN_IN_PLACE, done),
            )
            if day < self.today
        ]

    def plan_own_tasks(self) -> None:
        """Tasks written by hand: a benefits simulation for some on benefits and
        searching, an updated CV after a job. (The disclosure talk is the enrolment's
        task, made by its handler.)"""
        yesterday = self.today - timedelta(days=1)
        for plan in self.plans:
            searching_now = plan.status == JobSeeker.Status.JOB_SEARCH
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
