"""Job seekers: who they are, where they live, what they want, and what happens to
them (their story: enrolment, jobs, ends, closing)."""

from datetime import date, timedelta
from decimal import Decimal

from django.core.management.base import CommandError

from crm.models import JobSeeker
from demo.planning.plan import (
    SPECIALISTS,
    JobSeekerPlan,
    PlacementPlan,
    ascii_slug,
    weekday_on_or_after,
    weighted,
)
from demo.planning.rhythms import (
    BENEFITS,
    CASELOAD_DEAL,
    DAY_CODES,
    DISCLOSURE,
    DISCLOSURE_AT_INTAKE_SHARE,
    DISCLOSURE_TALK_DAYS,
    END_REASONS_BACK_TO_SEARCH,
    FOLLOW_ALONG_AFTER_DAYS,
    HOURS_CHOICES,
    IN_EDUCATION,
    JOB_SEEKER_COUNT,
    LATE_DISCLOSURE_TALKS,
    MIN_HOURLY_PAY_CHOICES,
    MIN_HOURS_CHOICES,
    OTHER_EUROPEAN_SHARE,
    REASSIGNMENTS,
    REFERRAL_SOURCES,
    REFERRAL_WINDOW_DAYS,
    SHIFT_PATTERNS,
    STORIES,
    TEMPORARY_JOB_SHARE,
    TRAVEL_MINUTES_CHOICES,
    WAITING_BANDS,
)
from placements.models import Placement

SIX_PLACES = Decimal("0.000001")


class PeoplePlanner:
    """Job seekers: who they are, where they live, what they want, and what happens to
    them (their story: enrolment, jobs, ends, closing)."""

    # -- small draws -----------------------------------------------------------------------

    def days_ago(self, days: int) -> date:
        return self.today - timedelta(days=days)

    def phone(self, prefix: str) -> str:
        return prefix + " " + " ".join(f"{self.rng.randint(0, 99):02d}" for _ in range(4 - prefix.count(" ")))

    def person_name(self) -> tuple[str, str, bool]:
        """A first and last name not used yet, and whether the first name is female."""
        people = self.data.people
        while True:
            female = self.rng.random() < 0.5
            if self.rng.random() < OTHER_EUROPEAN_SHARE:
                names = self.rng.choice(people["other_european"])
            else:
                names = people["french"]
            name = (self.rng.choice(names["female"] if female else names["male"]), self.rng.choice(names["last"]))
            if name not in self.used_names:
                self.used_names.add(name)
                return name[0], name[1], female

    def address(self, town: dict) -> str:
        return self.address_and_street(town)[0]

    def address_and_street(self, town: dict) -> tuple[str, int]:
        """A street address in `town`, and which of its streets (the same draws as a
        choice of street, so the story that follows is unchanged)."""
        number = self.rng.randint(1, 180)
        street = self.rng.randrange(len(town["streets"]))
        return f"{number} {town['streets'][street]}", street

    def point_on(self, town: dict, street: int, offsets: tuple[Decimal, Decimal] | None, spread: float) -> dict:
        """Where an address of `town` on its street `street` is: the street's point in
        data/places.json, to the street number when the story drew `offsets` (moved along
        the street by at most about 100 m), otherwise to the street. Every demo address
        is located."""
        latitude, longitude = (Decimal(f"{value:.6f}") for value in town["street_points"][street])
        if offsets is None:
            return {"latitude": latitude, "longitude": longitude, "precision": "street"}
        factor = Decimal("0.001") / Decimal(str(spread))
        return {
            "latitude": (latitude + offsets[0] * factor).quantize(SIX_PLACES),
            "longitude": (longitude + offsets[1] * factor).quantize(SIX_PLACES),
            "precision": "housenumber",
        }

    def near(self, value: float, spread: float = 0.008) -> Decimal:
        return Decimal(f"{value + self.rng.uniform(-spread, spread):.6f}")

    # -- job seekers and their stories ----------------------------------------------------

    def plan_job_seekers(self) -> None:
        towns = self.data.places["towns"]
        home_towns = [town for town in towns if town["home_weight"]]
        home_weights = [town["home_weight"] for town in home_towns]
        for index in range(JOB_SEEKER_COUNT):
            # Spread referrals evenly over the window so every story finds someone enrolled long enough.
            referred_days_ago = 5 + int((index + self.rng.random()) * REFERRAL_WINDOW_DAYS / JOB_SEEKER_COUNT)
            referral = self.days_ago(referred_days_ago)
            enrolment = referral + timedelta(days=self.rng.randint(0, min(20, referred_days_ago - 1)))
            first_name, last_name, female = self.person_name()
            self.plans.append(
                JobSeekerPlan(
                    index=index,
                    first_name=first_name,
                    last_name=last_name,
                    female=female,
                    town=self.rng.choices(home_towns, weights=home_weights)[0],
                    referral_date=referral,
                    enrolment_date=enrolment,
                    archetype=self.rng.choice(self.data.job_seekers["archetypes"]),
                )
            )
        # Caseloads: shuffle, then deal in proportion to each specialist's time (16, 16, 8:
        # the third works half time).
        order = list(range(len(self.plans)))
        self.rng.shuffle(order)
        for position, index in enumerate(order):
            specialist = CASELOAD_DEAL[position % len(CASELOAD_DEAL)]
            self.plans[index].specialist = self.plans[index].referred_by = specialist
        for story, minimum_days in STORIES:
            candidates = [
                plan
                for plan in self.plans
                if not plan.story and (self.today - plan.enrolment_date).days >= minimum_days
            ]
            if not candidates:
                raise CommandError(f"No job seeker has been enrolled long enough for the story {story!r}.")
            self.rng.choice(candidates).story = story
        self.choose_waiting()
        for plan in self.plans:
            plan.status_changes = [(plan.enrolment_date, JobSeeker.Status.JOB_SEARCH, "", False)]
            getattr(self, f"story_{plan.story or 'searching'}")(plan)
        # Two upcoming starts, at least, come with work-incentives planning to show.
        for plan in [plan for plan in self.plans if plan.story == "offer_accepted"][:2]:
            plan.on_benefits = True
        for plan in self.plans:
            self.draw_preferences(plan)
        self.caseloads = {
            username: [plan.index for plan in self.plans if plan.specialist == username] for username in SPECIALISTS
        }

    def choose_waiting(self) -> None:
        """A few searching job seekers with no employer contact yet, one past each
        rapid-search mark: their enrolment is moved into the band if need be."""
        searching = [plan for plan in self.plans if not plan.story]
        for low, high in WAITING_BANDS:
            candidates = [plan for plan in searching if not plan.waiting]
            if not candidates:
                return

            def distance(plan, low=low, high=high):
                days = (self.today - plan.enrolment_date).days
                return max(low - days, days - high, 0)

            plan = min(candidates, key=lambda plan: (distance(plan), plan.enrolment_date))
            plan.waiting = True
            if distance(plan):
                plan.enrolment_date = self.days_ago(self.rng.randint(low, high))
                if plan.referral_date > plan.enrolment_date:
                    plan.referral_date = plan.enrolment_date - timedelta(days=self.rng.randint(0, 10))

    def draw_preferences(self, plan: JobSeekerPlan) -> None:
        """The job wanted and the disclosure preference: job development follows them."""
        plan.disclosure = weighted(self.rng, DISCLOSURE)
        archetype = plan.archetype
        drawn = self.rng.sample(archetype["job_types"], k=self.rng.randint(1, min(3, len(archetype["job_types"]))))
        # The jobs they got are jobs they wanted.
        wanted = list(dict.fromkeys([placement.job_type_code for placement in plan.placements] + drawn))
        plan.wanted_job_types = wanted[:3]
        industry_count = self.rng.randint(0, min(2, len(archetype["industries"])))
        plan.wanted_industries = self.rng.sample(archetype["industries"], k=industry_count)
        if self.rng.random() < 0.5:
            often = self.data.job_seekers["often_avoided_job_types"]
            avoidable = [code for code in often if code not in plan.wanted_job_types]
            plan.avoided_job_types = self.rng.sample(avoidable, k=self.rng.randint(1, 2))

    def pick_job(self, plan: JobSeekerPlan, *, sheltered: bool = False) -> tuple[int, str, str]:
        """An employer (by index) not used yet, preferably with a job the person wants."""
        wanted = plan.archetype["job_types"]
        employers = self.data.employers
        unused = [
            index
            for index, employer in enumerate(employers)
            if index not in self.used_employers and employer["sheltered"] == sheltered
        ]
        matching = [index for index in unused if any(job["job_type"] in wanted for job in employers[index]["jobs"])]
        index = self.rng.choice(matching or unused)
        self.used_employers.add(index)
        jobs = [(job["title"], job["job_type"]) for job in employers[index]["jobs"]]
        title, code = self.rng.choice([job for job in jobs if job[1] in wanted] or jobs)
        return index, title, code

    def new_placement(self, plan: JobSeekerPlan, offer_date: date, start_date: date | None, **extra) -> PlacementPlan:
        employer_index, title, code = self.pick_job(plan, sheltered=not extra.get("is_competitive", True))
        if start_date is not None and "expected_start_date" not in extra:
            # The start date planned at the offer; now and then the start slipped by a few days.
            slipped = self.rng.random() < 0.25
            expected = start_date - timedelta(days=self.rng.randint(1, 4)) if slipped else start_date
            extra["expected_start_date"] = max(offer_date, expected)
        if "term" not in extra:
            # Seasonal and fixed-term contracts are common first jobs; a job that ended as
            # "temporary job ended" was one.
            temporary = extra.get("end_reason") == Placement.EndReason.TEMPORARY_ENDED
            extra["term"] = (
                Placement.Term.TEMPORARY
                if temporary or self.rng.random() < TEMPORARY_JOB_SHARE
                else Placement.Term.PERMANENT
            )
        placement = PlacementPlan(
            job_seeker=plan.index,
            employer_index=employer_index,
            job_title=title,
            job_type_code=code,
            offer_date=offer_date,
            start_date=start_date,
            hours_per_week=Decimal(self.rng.choice(HOURS_CHOICES)),
            hourly_pay=Decimal(self.rng.randint(1188, 1500)) / 100,
            **extra,
        )
        plan.placements.append(placement)
        return placement

    def start_and_maybe_follow_along(self, plan: JobSeekerPlan, placement: PlacementPlan, note_key: str) -> None:
        plan.status_changes.append((placement.start_date, JobSeeker.Status.WORKING, "", False))
        if (self.today - placement.start_date).days >= FOLLOW_ALONG_AFTER_DAYS:
            moved_on = placement.start_date + timedelta(days=self.rng.randint(90, FOLLOW_ALONG_AFTER_DAYS))
            note = self.data.support[note_key]
            plan.status_changes.append((moved_on, JobSeeker.Status.FOLLOW_ALONG, note, True))

    def ended_job(self, plan: JobSeekerPlan, *, is_competitive: bool = True, reasons=None) -> PlacementPlan:
        offer = plan.enrolment_date + timedelta(days=self.rng.randint(15, 60))
        start = offer + timedelta(days=self.rng.randint(2, 10))
        placement = self.new_placement(
            plan,
            offer,
            start,
            end_date=start + timedelta(days=self.rng.randint(20, 100)),
            end_reason=self.rng.choice(reasons or END_REASONS_BACK_TO_SEARCH),
            is_competitive=is_competitive,
        )
        plan.status_changes.append((start, JobSeeker.Status.WORKING, "", False))
        plan.status_changes.append((placement.end_date, JobSeeker.Status.JOB_SEARCH, "", False))
        return placement

    def story_searching(self, plan: JobSeekerPlan) -> None:
        """Still looking: nothing more to plan."""

    def story_offer_accepted(self, plan: JobSeekerPlan) -> None:
        offer = self.days_ago(self.rng.randint(1, 10))
        # The start agreed with the employer, a few days to two weeks ahead.
        expected = self.today + timedelta(days=self.rng.randint(3, 14))
        self.new_placement(plan, offer, None, expected_start_date=expected)

    def story_working(self, plan: JobSeekerPlan) -> None:
        tenure = (self.today - plan.enrolment_date).days
        start = self.days_ago(self.rng.randint(7, min(110, tenure - 25)))
        offer = start - timedelta(days=self.rng.randint(3, 14))
        self.start_and_maybe_follow_along(plan, self.new_placement(plan, offer, start), "follow_along_status_note")

    def story_follow_along(self, plan: JobSeekerPlan) -> None:
        offer = plan.enrolment_date + timedelta(days=self.rng.randint(20, 45))
        start = offer + timedelta(days=self.rng.randint(3, 14))
        self.start_and_maybe_follow_along(plan, self.new_placement(plan, offer, start), "follow_along_status_note")

    def story_ended_searching(self, plan: JobSeekerPlan) -> None:
        self.ended_job(plan)

    def story_sheltered_then_searching(self, plan: JobSeekerPlan) -> None:
        self.ended_job(plan, is_competitive=False, reasons=[Placement.EndReason.QUIT_OTHER])

    def story_ended_closed(self, plan: JobSeekerPlan) -> None:
        placement = self.ended_job(plan, reasons=[Placement.EndReason.TEMPORARY_ENDED, Placement.EndReason.QUIT_HEALTH])
        closed = placement.end_date + timedelta(days=self.rng.randint(7, 30))
        note = self.rng.choice(self.data.job_seekers["closing_notes"])
        plan.status_changes.append((closed, JobSeeker.Status.CLOSED, note, True))

    def story_better_job(self, plan: JobSeekerPlan) -> None:
        offer = plan.enrolment_date + timedelta(days=self.rng.randint(20, 40))
        start = offer + timedelta(days=self.rng.randint(3, 10))
        first = self.new_placement(
            plan,
            offer,
            start,
            end_date=start + timedelta(days=self.rng.randint(40, 90)),
            end_reason=Placement.EndReason.QUIT_BETTER_JOB,
        )
        # The new offer came before the first job ended; a few days between the jobs.
        second_offer = first.end_date - timedelta(days=self.rng.randint(3, 10))
        second = self.new_placement(plan, second_offer, first.end_date + timedelta(days=self.rng.randint(1, 7)))
        plan.status_changes.append((start, JobSeeker.Status.WORKING, "", False))
        plan.status_changes.append((first.end_date, JobSeeker.Status.JOB_SEARCH, "", False))
        self.start_and_maybe_follow_along(plan, second, "better_job_status_note")

    def story_left_without_job(self, plan: JobSeekerPlan) -> None:
        tenure = (self.today - plan.enrolment_date).days
        closed = plan.enrolment_date + timedelta(days=self.rng.randint(30, tenure - 3))
        note = self.rng.choice(self.data.job_seekers["closing_notes"])
        plan.status_changes.append((closed, JobSeeker.Status.CLOSED, note, True))

    def draw_details(self, plan: JobSeekerPlan) -> None:
        """What the specialist records at referral and enrolment."""
        rng, town, texts = self.rng, plan.town, self.data.job_seekers
        # Drawn as before coordinates were stored for everyone (the story after it stays
        # the same): it now says how precisely the address was located.
        to_the_number = rng.random() < 0.6
        email = ""
        if rng.random() < 0.6:
            email = f"{ascii_slug(plan.first_name)}.{ascii_slug(plan.last_name)}{rng.randint(1, 99)}@example.org"
        benefits = weighted(rng, BENEFITS)
        if plan.on_benefits and benefits == JobSeeker.Benefits.NO:
            benefits = JobSeeker.Benefits.YES
        phone = self.phone(rng.choice(["06", "07"]))
        address, street = self.address_and_street(town)
        offsets = (self.near(0, 0.01), self.near(0, 0.01)) if to_the_number else None
        plan.location = self.point_on(town, street, offsets, 0.01)
        plan.details = {
            "first_name": plan.first_name,
            "last_name": plan.last_name,
            "email": email,
            "phone": phone,
            "address": address,
            "postcode": town["postcode"],
            "town": town["town"],
            "referral_date": plan.referral_date,
            "referral_source": weighted(rng, REFERRAL_SOURCES),
            "receives_benefits": benefits,
        }
        archetype = plan.archetype
        history = rng.sample(archetype["history"], k=rng.randint(1, 2))
        plan.profile = {
            "work_goal": rng.choice(archetype["goals"]),
            "work_history": "\n".join(history),
            "education": rng.choice(archetype["education"]),
            "interests": rng.choice(texts["interests"]),
            "strengths": " ".join(rng.sample(texts["strengths"], k=rng.randint(2, 3))),
            "skills": rng.choice(archetype["skills"]),
            "coping_strategies": rng.choice(texts["coping_strategies"]) if rng.random() < 0.7 else "",
            "networking_contacts": rng.choice(texts["networking_contacts"]),
        }
        min_hours = rng.choice(MIN_HOURS_CHOICES)
        days = [day for day in DAY_CODES[:5] if rng.random() < 0.85] or ["mon", "tue", "thu"]
        days += [day for day, share in (("sat", 0.3), ("sun", 0.1)) if rng.random() < share]
        plan.preference = {
            "job_types": plan.wanted_job_types,
            "industries": plan.wanted_industries,
            "avoid_job_types": plan.avoided_job_types,
            "min_hours_per_week": min_hours,
            "max_hours_per_week": min(35, min_hours + rng.choice([0, 5, 10, 12, 15])),
            "days": days,
            "shifts": list(rng.choice(SHIFT_PATTERNS)),
            "places": rng.choice(self.data.places["places_wanted"]).format(town=town["town"]),
            "max_travel_minutes": rng.choice(TRAVEL_MINUTES_CHOICES),
            "max_distance_km": rng.choice([None, None, 10, 15, 20, 30]),
            "min_hourly_pay": Decimal(rng.choice(MIN_HOURLY_PAY_CHOICES)),
            "things_to_avoid": rng.choice(texts["things_to_avoid"]) if rng.random() < 0.4 else "",
        }

    def plan_disclosure_talks(self) -> None:
        """Fidelity item 13: disclosure is talked over before any employer is approached
        on someone's behalf. Some talk it over at intake (the preference is recorded at
        enrolment); the others within days, when the specialist does the enrolment's
        "talk about disclosure" task. Whoever had a contact written on their behalf before
        that day had the talk at intake, except LATE_DISCLOSURE_TALKS people met by an
        employer in the last ten weeks for whom the specialist went ahead first and had
        the talk a few days after that visit (confirming the visits planned before it;
        only planned visits, since a contact logged after the fact cannot be confirmed).
        Needs the contacts' timing."""
        written: dict[int, list] = {}
        for contact in self.contacts:
            moment = contact.planned_at or contact.recorded_at
            for index in contact.job_seekers:
                written.setdefault(index, []).append((moment.date(), contact))
        late = 0
        for plan in self.plans:
            if self.rng.random() < DISCLOSURE_AT_INTAKE_SHARE:
                plan.disclosure_at_enrolment = plan.disclosure
                continue
            contacts = written.get(plan.index, [])
            met = [contact.day for _day, contact in contacts if contact.counts_for_rapid_search]
            if late < LATE_DISCLOSURE_TALKS and met and (self.today - min(met)).days <= 70:
                talk = weekday_on_or_after(min(met) + timedelta(days=self.rng.randint(1, 4)))
                before = [contact for day, contact in contacts if day <= talk]
                if talk < self.today and all(not contact.logged for contact in before):
                    late += 1
                    plan.disclosure_talk_on = talk
                    for contact in before:
                        contact.disclosure_confirmed = True
                    continue
            talk = weekday_on_or_after(plan.enrolment_date + timedelta(days=self.rng.randint(*DISCLOSURE_TALK_DAYS)))
            if any(day <= talk for day, _contact in contacts):
                plan.disclosure_at_enrolment = plan.disclosure  # a contact came first: talked over at intake
            elif talk < self.today:
                plan.disclosure_talk_on = talk
            else:  # not yet: the task is open, the preference "not yet discussed"
                plan.disclosure = JobSeeker.Disclosure.UNDECIDED

    def plan_education(self) -> None:
        """A few people study alongside their job search or job (a course, a diploma),
        from some day after their enrolment (the "% in education" of the monthly view)."""
        candidates = [
            plan
            for plan in self.plans
            if plan.status != JobSeeker.Status.CLOSED and (self.today - plan.enrolment_date).days > 30
        ]
        for plan in self.rng.sample(candidates, k=min(IN_EDUCATION, len(candidates))):
            days = (self.today - plan.enrolment_date).days
            plan.in_education = weekday_on_or_after(plan.enrolment_date + timedelta(days=self.rng.randint(7, days - 7)))

    def plan_reassignments(self) -> list[tuple[int, str, str]]:
        """A job seeker referred to one specialist and handed to a colleague of the other
        team at enrolment (a move across town): the referral is recorded by the first."""
        reassignments = []
        for source, target in REASSIGNMENTS:
            candidates = [
                plan for plan in self.plans if plan.specialist == target and plan.referred_by == target and plan.story
            ]
            if candidates:
                plan = self.rng.choice(candidates)
                plan.referred_by = source
                reassignments.append((plan.index, source, target))
        return reassignments
