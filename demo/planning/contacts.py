"""Job development: every employer contact (visits on behalf of job seekers, relationship
visits, calls, the coming weeks' visits), when it is planned, moved, cancelled and
recorded, what was learned at it, and the job openings."""

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from itertools import zip_longest

from crm.models import JobSeeker
from demo.planning.plan import (
    LEADER,
    SPECIALISTS,
    ContactPlan,
    OpeningPlan,
    lower_first,
    of_job,
    weekday_on_or_after,
    weekday_on_or_before,
    weighted,
)
from demo.planning.rhythms import (
    ALONE_WITHOUT_DISCLOSURE_SHARE,
    CALL_MODES,
    CALL_STARTS,
    CONFIRMED_SHARE,
    CONTACT_WEEKS,
    JOB_OPENINGS,
    JOB_SEEKER_MADE_CONTACT_SHARE,
    LEADER_RELATIONSHIP_VISITS,
    LOGGED_CALL_MINUTES,
    NEVER_CONTACTED_EMPLOYERS,
    OFF_PREFERENCE_SHARE,
    OLDER_OPENING_STATUSES,
    OPENING_HOURS,
    OPENING_SHIFTS,
    OPENING_SOURCES,
    PLANNING_LEAD_DAYS,
    PLANNING_TIME,
    RECENT_OPENING_STATUSES,
    RELATIONSHIP_VISITS,
    RESCHEDULED_SHARE,
    SECOND_JOB_SEEKER_SHARE,
    UPCOMING_VISITS,
    VISIT_MINUTES,
    VISIT_STARTS,
    WEEKLY_VISITS,
)
from employers.models import JobOpening
from jobdev.models import EmployerContact


def initials(person) -> str:
    """ "Nadia Benali" -> "N.B." """
    return "".join(part[0].upper() + "." for part in (person.first_name, person.last_name) if part)


class ContactPlanner:
    """Job development: every employer contact, when it is planned, moved, cancelled and
    recorded, what was learned at it, and the job openings."""

    # -- job development: employer contacts ----------------------------------------------

    def plan_employer_contacts(self) -> None:
        self.stretches = [plan.search_stretches() for plan in self.plans]
        with_placement = {placement.employer_index for plan in self.plans for placement in plan.placements}
        sheltered = {employer.index for employer in self.employers if employer.sheltered}
        others = [employer.index for employer in self.employers if employer.index not in with_placement | sheltered]
        never = set(self.rng.sample(others, k=min(NEVER_CONTACTED_EMPLOYERS, len(others))))
        # Job development looks for ordinary jobs: not the sheltered employer's reserved posts.
        self.prospects = [employer.index for employer in self.employers if employer.index not in never | sheltered]
        for plan in self.plans:
            self.placement_visits(plan.index)
        for plan in self.plans:
            self.first_visits(plan.index)
        self.weekly_contacts()
        self.upcoming_contacts()
        self.contacts.sort(key=lambda contact: contact.starts_at)  # stable: ties keep their planning order
        self.choose_openings()
        for contact in self.contacts:
            self.fill_outcome(contact)

    def first_face_to_face(self, index: int, since: date) -> ContactPlan | None:
        for contact in self.contacts:  # sorted by start
            if contact.counts_for_rapid_search and index in contact.job_seekers and contact.day >= since:
                return contact
        return None

    @staticmethod
    def weekdays(low: date, high: date) -> list[date]:
        days = (low + timedelta(days=offset) for offset in range((high - low).days + 1))
        return [day for day in days if day.weekday() < 5]

    def this_monday(self) -> date:
        return self.today - timedelta(days=self.today.weekday())

    def is_free(self, user: str, start: datetime, end: datetime, visit: bool) -> bool:
        """No overlap with the user's other contacts that day, with time to travel between visits."""
        for other_start, other_end, other_visit in self.busy.get((user, start.date()), []):
            margin = timedelta(minutes=45 if visit and other_visit else 15)
            if start < other_end + margin and other_start < end + margin:
                return False
        return True

    def reserve(self, user: str, day: date, start_time: time, minutes: int, *, visit: bool):
        start = datetime.combine(day, start_time, self.zone)
        end = start + timedelta(minutes=minutes)
        self.busy.setdefault((user, day), []).append((start, end, visit))
        return start, end

    def book(self, user: str, days: list[date], minutes: int, *, visit: bool, future: bool = False):
        """A free slot on the first of `days` that has one: before today (a past contact)
        or from today on (a planned one)."""
        starts = VISIT_STARTS if visit else CALL_STARTS
        for day in days:
            if (day < self.today) if future else (day >= self.today):
                continue
            for start_time in self.rng.sample(starts, k=len(starts)):
                start = datetime.combine(day, start_time, self.zone)
                end = start + timedelta(minutes=minutes)
                if self.is_free(user, start, end, visit):
                    return self.reserve(user, day, start_time, minutes, visit=visit)
        return None

    @staticmethod
    def nearest_first(days: list[date], day: date) -> list[date]:
        return sorted(days, key=lambda other: (abs((other - day).days), other))

    def fit(self, index: int, employer_index: int) -> int:
        """How well an employer's jobs fit job seeker `index`'s preference: 3 a wanted job
        type, 1 a wanted industry, 0 otherwise or when all its jobs are ones to avoid."""
        plan = self.plans[index]
        employer = self.employers[employer_index]
        codes = employer.job_type_codes
        if codes <= set(plan.avoided_job_types):
            return 0
        if codes & set(plan.wanted_job_types):
            return 3
        return 1 if employer.industry in plan.wanted_industries else 0

    def fitting_employer(self, user: str, indices: list[int], pool: list[int] | None = None, *, around=None) -> int:
        """An employer whose jobs fit the job seekers, preferably one the user already knows,
        and not one the user sees within two days of `around` anyway. Now and then
        (OFF_PREFERENCE_SHARE) an employer the user knows, whatever the person's wishes
        (fidelity item 16 is then not 100 %)."""
        pool = pool or self.prospects
        if around is not None:
            pool = [employer for employer in pool if not self.seen_around(user, employer, around)] or pool
        if indices and self.rng.random() < OFF_PREFERENCE_SHARE:
            outside = [employer for employer in pool if not any(self.fit(index, employer) for index in indices)]
            known = [employer for employer in outside if (user, employer) in self.visited]
            if outside:
                return self.rng.choice(known or outside)
        weights = [
            max((self.fit(index, employer) for index in indices), default=0)
            * (2 if (user, employer) in self.visited else 1)
            for employer in pool
        ]
        if not any(weights):
            return self.rng.choice(pool)
        return self.rng.choices(pool, weights=weights)[0]

    def seen_around(self, user: str, employer: int, day: date) -> bool:
        return any(abs((other - day).days) <= 2 for other in self.contact_days.get((user, employer), []))

    def in_job_search(self, index: int, day: date, *, held_visit: bool) -> bool:
        """Whether job development goes on for job seeker `index` on `day`: in job search
        for two days at least, no offer accepted yet. A held visit comes after the first
        visit planned for the stretch, and never for those still waiting for one."""
        plan = self.plans[index]
        if held_visit and plan.waiting:
            return False
        for start, until in self.stretches[index]:
            if start + timedelta(days=2) <= day and (until is None or day < until):
                first = plan.first_visits.get(start)
                return not held_visit or first is None or day > first
        return False

    def face_to_face_mode(self, index: int, *, held: bool = True) -> str:
        """Someone who does not want their condition disclosed meets employers themselves,
        prepared with the specialist; others now and then too."""
        undisclosed = self.plans[index].disclosure == JobSeeker.Disclosure.NONE
        if undisclosed and self.rng.random() < ALONE_WITHOUT_DISCLOSURE_SHARE:
            return EmployerContact.Mode.JOB_SEEKER
        if held and self.rng.random() < JOB_SEEKER_MADE_CONTACT_SHARE:
            return EmployerContact.Mode.JOB_SEEKER
        return EmployerContact.Mode.IN_PERSON

    def second_job_seeker(self, candidates: list[int], primary: int, employer: int, share: float) -> list[int]:
        """A visit on behalf of two job seekers whose wishes fit the employer, when both
        agree to the specialist speaking for them."""
        if self.rng.random() >= share:
            return [primary]
        others = [
            index
            for index in candidates
            if index != primary
            and self.fit(index, employer)
            and self.plans[index].disclosure != JobSeeker.Disclosure.NONE
        ]
        if not others or self.plans[primary].disclosure == JobSeeker.Disclosure.NONE:
            return [primary]
        return [primary, self.rng.choice(others)]

    def searching_now(self, index: int) -> bool:
        return self.plans[index].status == JobSeeker.Status.JOB_SEARCH and self.stretches[index][-1][1] is None

    def add_contact(
        self,
        user: str,
        employer_index: int,
        when: tuple[datetime, datetime],
        *,
        mode: str = EmployerContact.Mode.IN_PERSON,
        purpose: str = EmployerContact.Purpose.ON_BEHALF,
        status: str = EmployerContact.Status.HELD,
        job_seekers: list[int] | None = None,
        main_site: bool = False,
        **extra,
    ) -> ContactPlan:
        employer = self.employers[employer_index]
        site = None  # a call or an email has no place
        if mode in EmployerContact.FACE_TO_FACE_MODES:
            site = 0 if main_site or len(employer.sites) == 1 or self.rng.random() < 0.8 else 1
        person = None
        if employer.people and (mode != EmployerContact.Mode.JOB_SEEKER or self.rng.random() < 0.5):
            person = 0 if len(employer.people) == 1 or self.rng.random() < 0.7 else 1
        contact = ContactPlan(
            specialist=user,
            employer_index=employer_index,
            site=site,
            person=person,
            starts_at=when[0],
            ends_at=when[1],
            mode=mode,
            purpose=purpose,
            status=status,
            job_seekers=list(job_seekers or []),
            **extra,
        )
        if status == EmployerContact.Status.CANCELLED and not contact.cancel_reason:
            contact.cancel_reason = self.rng.choice(self.data.job_development["cancel_reasons"])
        self.contacts.append(contact)
        for index in contact.job_seekers:
            self.contact_counts[index] = self.contact_counts.get(index, 0) + 1
        self.visited.add((user, employer_index))
        self.contacted.add(employer_index)
        self.contact_days.setdefault((user, employer_index), []).append(contact.day)
        return contact

    def placement_visits(self, index: int) -> None:
        """One or two visits to the employer on the job seeker's behalf before each offer:
        no job without employer contacts."""
        plan = self.plans[index]
        user = plan.specialist
        yesterday = self.today - timedelta(days=1)
        for placement in plan.placements:
            offer = placement.offer_date
            stretch = next(
                (
                    start
                    for start, until in self.stretches[index]
                    if start <= offer and (until is None or offer <= until)
                ),
                None,
            )
            if stretch is not None:
                low = max(offer - timedelta(days=35), stretch + timedelta(days=1))
            else:  # a better job found while working
                started = [
                    other.start_date for other in plan.placements if other.start_date and other.start_date < offer
                ]
                low = max(offer - timedelta(days=35), max(started, default=offer) + timedelta(days=7))
            high = min(offer - timedelta(days=1), yesterday)
            days = self.weekdays(min(low, high), high) or [weekday_on_or_before(high)]
            count = 2 if len(days) >= 5 and self.rng.random() < 0.65 else 1
            chosen = sorted(self.rng.sample(days, k=count))
            for position, day in enumerate(chosen):
                when = self.book(user, self.nearest_first(days, day), self.rng.choice(VISIT_MINUTES), visit=True)
                if when is None:
                    continue
                self.add_contact(
                    user,
                    placement.employer_index,
                    when,
                    mode=self.face_to_face_mode(index),
                    job_seekers=[index],
                    main_site=True,
                    placement=placement,
                    offer_coming=position == count - 1,
                )

    def first_visits(self, index: int) -> None:
        """The first face-to-face employer contact of each job-search stretch: mostly
        within the IPS 30 days, now and then later for the specialist with less time."""
        plan = self.plans[index]
        if plan.waiting:
            return
        user = plan.specialist
        yesterday = self.today - timedelta(days=1)
        for start, until in self.stretches[index]:
            earlier = [
                contact.day
                for contact in self.contacts
                if index in contact.job_seekers
                and contact.counts_for_rapid_search
                and start <= contact.day
                and (until is None or contact.day < until)
            ]
            last = yesterday if until is None else min(until - timedelta(days=1), yesterday)
            if (last - start).days < 3:
                if earlier:
                    plan.first_visits[start] = min(earlier)
                continue
            late = user == "specialist3" and self.rng.random() < 0.3
            target = start + timedelta(days=self.rng.randint(25, 38) if late else self.rng.randint(4, 20))
            if target > last:
                target = start + timedelta(days=self.rng.randint(3, min(13, (last - start).days)))
            if earlier and min(earlier) <= target:  # a visit towards the job offered came first
                plan.first_visits[start] = min(earlier)
                continue
            days = self.weekdays(start + timedelta(days=2), last)
            when = self.book(user, self.nearest_first(days, target), self.rng.choice(VISIT_MINUTES), visit=True)
            if when is None:
                continue
            employer = self.fitting_employer(user, [index], around=when[0].date())
            contact = self.add_contact(user, employer, when, mode=self.face_to_face_mode(index), job_seekers=[index])
            plan.first_visits[start] = contact.day

    def weekly_contacts(self) -> None:
        """Sixteen weeks and the current one, up to yesterday; everyone takes a week off."""
        weeks = [self.this_monday() - timedelta(weeks=count) for count in range(CONTACT_WEEKS, -1, -1)]
        for user in [*SPECIALISTS, LEADER]:
            week_off = self.rng.choice(weeks[1:-4])
            for monday in weeks:
                if monday == week_off:
                    continue
                days = [monday + timedelta(days=offset) for offset in range(5)]
                if user == LEADER:
                    self.leader_week(user, days)
                else:
                    self.specialist_week(user, days)

    def specialist_week(self, user: str, days: list[date]) -> None:
        target = self.rng.choice(WEEKLY_VISITS[user])

        def own_visits() -> int:
            return sum(
                1
                for contact in self.contacts
                if contact.specialist == user
                and contact.counts_for_rapid_search
                and contact.mode == EmployerContact.Mode.IN_PERSON
                and days[0] <= contact.day <= days[-1]
            )

        # The specialist's own visits up to the week's number; a job seeker's own visit
        # drawn on the way comes on top.
        for _ in range(3 * target):
            if own_visits() >= target:
                break
            self.visit_on_behalf(user, self.rng.choice(days))
        for _ in range(weighted(self.rng, RELATIONSHIP_VISITS)):
            self.relationship_visit(user, self.rng.choice(days))
        for _ in range(self.rng.randint(1, 3)):
            self.call(user, self.rng.choice(days))
        if self.rng.random() < 0.3:
            self.visit_on_behalf(user, self.rng.choice(days), status=EmployerContact.Status.CANCELLED)
        if self.rng.random() < 0.12:
            self.visit_on_behalf(user, self.rng.choice(days), status=EmployerContact.Status.NO_SHOW)

    def leader_week(self, user: str, days: list[date]) -> None:
        """The team leader builds relationships with employers for the team."""
        for _ in range(weighted(self.rng, LEADER_RELATIONSHIP_VISITS)):
            self.relationship_visit(user, self.rng.choice(days))
        if self.rng.random() < 0.5:
            self.call(user, self.rng.choice(days))
        if self.rng.random() < 0.1:
            self.relationship_visit(user, self.rng.choice(days), status=EmployerContact.Status.CANCELLED)

    def visit_on_behalf(self, user: str, day: date, *, status: str = EmployerContact.Status.HELD) -> None:
        if day >= self.today:
            return
        held = status == EmployerContact.Status.HELD
        eligible = [index for index in self.caseloads[user] if self.in_job_search(index, day, held_visit=held)]
        if not eligible:
            return
        weights = [1 / (1 + self.contact_counts.get(index, 0)) for index in eligible]
        primary = self.rng.choices(eligible, weights=weights)[0]
        employer = self.fitting_employer(user, [primary], around=day)
        mode = self.face_to_face_mode(primary, held=held)
        job_seekers = [primary]
        if mode == EmployerContact.Mode.IN_PERSON:
            job_seekers = self.second_job_seeker(eligible, primary, employer, SECOND_JOB_SEEKER_SHARE)
        if not held:
            mode = EmployerContact.Mode.IN_PERSON  # a cancelled or missed visit was the specialist's
        when = self.book(user, [day], self.rng.choice(VISIT_MINUTES), visit=True)
        if when is not None:
            self.add_contact(user, employer, when, mode=mode, status=status, job_seekers=job_seekers)

    def relationship_visit(self, user: str, day: date, *, status: str = EmployerContact.Status.HELD) -> None:
        if day >= self.today:
            return
        new = [employer for employer in self.prospects if employer not in self.contacted]
        pool = new if new and self.rng.random() < 0.5 else self.prospects
        employer = self.rng.choice([other for other in pool if not self.seen_around(user, other, day)] or pool)
        when = self.book(user, [day], self.rng.choice(VISIT_MINUTES[1:]), visit=True)
        if when is None:
            return
        reasons = self.data.job_development["cancel_reasons"]
        reason = self.rng.choice(reasons[:-1]) if status == EmployerContact.Status.CANCELLED else ""
        self.add_contact(
            user, employer, when, purpose=EmployerContact.Purpose.RELATIONSHIP, status=status, cancel_reason=reason
        )

    def call(self, user: str, day: date) -> None:
        """A phone call, email or video call, logged after the fact (15 minutes)."""
        if day >= self.today:
            return
        mode = weighted(self.rng, CALL_MODES)
        job_seekers = []
        if self.rng.random() < 0.55:
            eligible = [
                index
                for index in self.caseloads.get(user, [])
                if self.in_job_search(index, day, held_visit=False)
                and self.plans[index].disclosure != JobSeeker.Disclosure.NONE
            ]
            if eligible:
                job_seekers = [self.rng.choice(eligible)]
        if job_seekers:
            known = [
                employer
                for employer in self.prospects
                if (user, employer) in self.visited and self.fit(job_seekers[0], employer)
            ]
            employer = self.rng.choice(known) if known else self.fitting_employer(user, job_seekers)
        else:
            known = [employer for employer in self.prospects if employer in self.contacted]
            employer = self.rng.choice(known or self.prospects)
        when = self.book(user, [day], LOGGED_CALL_MINUTES, visit=False)
        if when is None:
            return
        purpose = EmployerContact.Purpose.ON_BEHALF if job_seekers else EmployerContact.Purpose.RELATIONSHIP
        self.add_contact(user, employer, when, mode=mode, purpose=purpose, job_seekers=job_seekers)

    def upcoming_contacts(self) -> None:
        """What is planned for the rest of this week and the next: visits on behalf of the
        job seekers searching now (first those still waiting for one), a few
        relationship visits, one visit already cancelled."""
        next_monday = self.this_monday() + timedelta(weeks=1)
        days = self.weekdays(self.today, next_monday + timedelta(days=4))
        this_week = [day for day in days if day < next_monday]
        next_week = [day for day in days if day >= next_monday]
        self.planner_warnings(SPECIALISTS[0], days)
        for position, user in enumerate(SPECIALISTS):
            searching = [index for index in self.caseloads[user] if self.searching_now(index)]
            if not searching:
                continue
            per_day = [(1, 2), (0, 2), (0, 1)][position]
            visit_days = [day for day in this_week for _ in range(self.rng.randint(*per_day))]
            coming = UPCOMING_VISITS[user] + self.rng.randint(-1, 1)
            visit_days += [self.rng.choice(next_week) for _ in range(coming)]
            waiting = [index for index in searching if self.plans[index].waiting]
            for count, day in enumerate(sorted(visit_days)):
                if count < len(waiting):
                    primary = waiting[count]
                else:
                    weights = [1 / (1 + self.contact_counts.get(index, 0)) for index in searching]
                    primary = self.rng.choices(searching, weights=weights)[0]
                employer = self.fitting_employer(user, [primary], around=day)
                mode = self.face_to_face_mode(primary, held=False)
                if mode == EmployerContact.Mode.JOB_SEEKER:
                    mode = EmployerContact.Mode.IN_PERSON  # planned with the specialist, who goes along
                job_seekers = self.second_job_seeker(searching, primary, employer, 0.2)
                minutes = self.rng.choice(VISIT_MINUTES)
                when = self.book(user, self.nearest_first(days, day)[:3], minutes, visit=True, future=True)
                if when is not None:
                    self.add_contact(
                        user, employer, when, mode=mode, status=EmployerContact.Status.PLANNED, job_seekers=job_seekers
                    )
            if self.rng.random() < 0.5:
                self.planned_relationship_visit(user, next_week)
            if position == 1:  # the employer asked to move a visit; a new date is to be found
                weights = [1 / (1 + self.contact_counts.get(index, 0)) for index in searching]
                primary = self.rng.choices(searching, weights=weights)[0]
                when = self.book(user, next_week, 45, visit=True, future=True)
                if when is not None:
                    self.add_contact(
                        user,
                        self.fitting_employer(user, [primary]),
                        when,
                        status=EmployerContact.Status.CANCELLED,
                        job_seekers=[primary],
                        cancel_reason=self.data.job_development["cancel_reasons"][0],
                    )
        for day in this_week:
            if self.rng.random() < 0.3:
                self.planned_relationship_visit(LEADER, [day])
        for _ in range(2):
            self.planned_relationship_visit(LEADER, next_week)

    def planned_relationship_visit(self, user: str, days: list[date]) -> None:
        if not days:
            return
        new = [employer for employer in self.prospects if employer not in self.contacted]
        employer = self.rng.choice(new or self.prospects)
        when = self.book(user, self.rng.sample(days, k=len(days)), 60, visit=True, future=True)
        if when is not None and not self.seen_around(user, employer, when[0].date()):
            self.add_contact(
                user,
                employer,
                when,
                purpose=EmployerContact.Purpose.RELATIONSHIP,
                status=EmployerContact.Status.PLANNED,
            )

    def planner_warnings(self, user: str, days: list[date]) -> None:
        """Specialist 1's coming days show what the week planner warns about: two visits
        in different towns with too little time to travel between them, and an overlap."""
        searching = [
            index
            for index in self.caseloads[user]
            if self.searching_now(index) and self.plans[index].disclosure != JobSeeker.Disclosure.NONE
        ]
        in_town = [index for index in self.prospects if self.employers[index].postcode.startswith("130")]
        out_of_town = [index for index in self.prospects if not self.employers[index].postcode.startswith("130")]

        def visit(day, start, minutes, pool):
            job_seekers = [self.rng.choice(searching)] if searching else []
            employer = self.fitting_employer(user, job_seekers, pool, around=day)
            self.add_contact(
                user,
                employer,
                self.reserve(user, day, start, minutes, visit=True),
                purpose=EmployerContact.Purpose.ON_BEHALF if job_seekers else EmployerContact.Purpose.RELATIONSHIP,
                status=EmployerContact.Status.PLANNED,
                job_seekers=job_seekers,
                main_site=True,
            )

        if not days:
            return
        travel_day = days[0]
        visit(travel_day, time(9, 30), 60, in_town)  # ends 10:30 in Marseille...
        visit(travel_day, time(10, 45), 45, out_of_town)  # ...15 minutes to reach another town
        afternoons = [day for day in days if day > travel_day]
        if not afternoons:
            return
        overlap_day = afternoons[0]
        visit(overlap_day, time(14), 60, self.prospects)
        known = [
            employer
            for employer in self.prospects
            if employer in self.contacted and not self.seen_around(user, employer, overlap_day)
        ]
        self.add_contact(
            user,
            self.rng.choice(known or self.prospects),
            self.reserve(user, overlap_day, time(14, 30), 30, visit=False),
            mode=EmployerContact.Mode.VIDEO,
            purpose=EmployerContact.Purpose.RELATIONSHIP,
            status=EmployerContact.Status.PLANNED,
        )

    # -- what was learned at each contact -----------------------------------------------

    def choose_openings(self) -> None:
        """About 25 job openings, each learned of at or after a held contact with the
        employer in the last sixteen weeks: the jobs our job seekers got (filled when the
        offer was accepted), and others, open, filled or closed."""
        texts = self.data.job_development
        window = self.this_monday() - timedelta(weeks=CONTACT_WEEKS)
        taken: set[int] = set()
        for contact in self.contacts:
            placement = contact.placement
            if (
                placement is None
                or not contact.offer_coming
                or not placement.is_competitive
                or contact.day < window
                or contact.status != EmployerContact.Status.HELD
                or contact.employer_index in taken
            ):
                continue
            taken.add(contact.employer_index)
            person = self.person_named(contact)
            opening = OpeningPlan(
                employer_index=contact.employer_index,
                specialist=contact.specialist,
                title=placement.job_title,
                code=placement.job_type_code,
                hours=int(placement.hours_per_week),
                shifts=self.rng.choice(OPENING_SHIFTS),
                pay=placement.hourly_pay,
                source=JobOpening.Source.EMPLOYER_CONTACT,
                learned_on=contact.day,
                note=self.rng.choice(texts["opening_notes"]["open"]).format(person=person),
                later=(placement.offer_date, JobOpening.Status.FILLED, texts["our_hire_note"]),
                placement=placement,
            )
            contact.opening = opening
            self.openings.append(opening)
        candidates = [
            contact
            for contact in self.contacts
            if contact.status == EmployerContact.Status.HELD
            and contact.mode in EmployerContact.FACE_TO_FACE_MODES
            and contact.day >= window
            and contact.placement is None
        ]
        # Half of them learned of in the last six weeks, most still open.
        recent = [contact for contact in candidates if (self.today - contact.day).days <= 42]
        older = [contact for contact in candidates if (self.today - contact.day).days > 42]
        self.rng.shuffle(recent)
        self.rng.shuffle(older)
        candidates = [contact for pair in zip_longest(recent, older) for contact in pair if contact is not None]
        drawn = {True: 0, False: 0}
        yesterday = self.today - timedelta(days=1)
        for contact in candidates:
            if len(self.openings) >= JOB_OPENINGS:
                break
            if contact.employer_index in taken:
                continue
            taken.add(contact.employer_index)
            jobs = self.employers[contact.employer_index].jobs
            wanted = {code for index in contact.job_seekers for code in self.plans[index].wanted_job_types}
            title, code = self.rng.choice([job for job in jobs if job[1] in wanted] or jobs)
            source = weighted(self.rng, OPENING_SOURCES)
            learned_on = contact.day
            if source != JobOpening.Source.EMPLOYER_CONTACT:  # heard of later, elsewhere
                learned_on = min(yesterday, contact.day + timedelta(days=self.rng.randint(1, 10)))
            is_older = (self.today - learned_on).days > 42
            statuses = OLDER_OPENING_STATUSES if is_older else RECENT_OPENING_STATUSES
            status = statuses[drawn[is_older] % len(statuses)]
            drawn[is_older] += 1
            person = self.person_named(contact)
            later = None
            if status != JobOpening.Status.OPEN:
                since = min(yesterday, learned_on + timedelta(days=self.rng.randint(7, 35)))
                if since > learned_on:
                    later = (since, status, self.rng.choice(texts["opening_notes"][status]))
            opening = OpeningPlan(
                employer_index=contact.employer_index,
                specialist=contact.specialist,
                title=title,
                code=code,
                hours=self.rng.choice(OPENING_HOURS),
                shifts=self.rng.choice(OPENING_SHIFTS),
                pay=Decimal(self.rng.randint(1188, 1450)) / 100,
                source=source,
                learned_on=learned_on,
                note=self.rng.choice(texts["opening_notes"]["open"]).format(person=person),
                later=later,
            )
            if source == JobOpening.Source.EMPLOYER_CONTACT:
                contact.opening = opening
            self.openings.append(opening)

    def person_named(self, contact: ContactPlan) -> str:
        if contact.person is None:
            return "la direction"
        return self.employers[contact.employer_index].people[contact.person].name

    def fill_outcome(self, contact: ContactPlan) -> None:
        """What the specialist records: the outcome of a held contact (hiring needs,
        process, best time to apply, result, next step), a no-show's, or the aim of a
        planned visit."""
        rng, texts = self.rng, self.data.job_development
        # The contact log is read across the program: its free text names the people a
        # contact was for by their initials only, as calendars do.
        names = " et ".join(initials(self.plans[index]) for index in contact.job_seekers)
        person = self.person_named(contact)
        employer = self.employers[contact.employer_index]
        de_job = of_job(rng.choice(employer.jobs)[0])
        if contact.job_seekers:
            contact.aim = texts["planned_next_step"].format(names=names)
        outcome = {}
        if contact.status == EmployerContact.Status.NO_SHOW:
            step = texts["no_show_next_step"]
            outcome.update(
                result=rng.choice(texts["no_show_results"]).format(person=person),
                next_step=step["text"],
                next_step_on=weekday_on_or_after(contact.day + timedelta(days=step["days"])),
            )
        elif contact.status == EmployerContact.Status.HELD:
            face_to_face = contact.mode in EmployerContact.FACE_TO_FACE_MODES
            on_behalf = contact.purpose == EmployerContact.Purpose.ON_BEHALF
            if contact.person is not None:
                outcome["met_hiring_authority"] = employer.people[contact.person].has_hiring_authority
            opening = contact.opening
            learned_job_types: list[str] = []
            if opening is not None:
                outcome["learned_hiring_needs"] = texts["opening_needs"].format(
                    de_job=of_job(opening.title),
                    hours=opening.hours,
                    shifts=" et ".join(texts["shift_words"][shift] for shift in opening.shifts),
                )
                learned_job_types = [opening.code]
            elif face_to_face or rng.random() < 0.4:
                outcome["learned_hiring_needs"] = rng.choice(texts["hiring_needs"]).format(de_job=de_job)
            if face_to_face and rng.random() < 0.4:
                codes = list(dict.fromkeys(code for _title, code in employer.jobs))
                extra = rng.sample(codes, k=rng.randint(1, len(codes)))
                learned_job_types = list(dict.fromkeys(learned_job_types + extra))
            if learned_job_types:
                outcome["learned_job_types"] = learned_job_types
            if face_to_face and rng.random() < 0.6:
                role = (
                    lower_first(employer.people[contact.person].role) if contact.person is not None else "la direction"
                )
                outcome["learned_hiring_process"] = rng.choice(texts["hiring_processes"]).format(
                    role=f"{person} ({role})"
                )
            if face_to_face and rng.random() < 0.5:
                outcome["best_time_to_apply"] = rng.choice(texts["best_times"])
            if contact.offer_coming:
                result = texts["offer_coming_result"].format(names=names, de_job=of_job(contact.placement.job_title))
            elif contact.mode == EmployerContact.Mode.JOB_SEEKER:
                result = rng.choice(texts["job_seeker_made_contact_results"])
            elif contact.mode == EmployerContact.Mode.IN_PERSON and on_behalf:
                result = rng.choice(texts["on_behalf_results"])
            elif contact.mode == EmployerContact.Mode.IN_PERSON:
                first = contact.employer_index not in {
                    other.employer_index
                    for other in self.contacts
                    if other.starts_at < contact.starts_at and other.status == EmployerContact.Status.HELD
                }
                result = rng.choice(texts["first_relationship_results"] if first else texts["relationship_results"])
            else:
                pool = texts["call_results"][contact.mode] if on_behalf else texts["relationship_call_results"]
                result = rng.choice(pool)
            outcome["result"] = result.format(names=names, person=person)
            step = None
            if contact.offer_coming:
                step = texts["offer_coming_next_step"]
            elif rng.random() < 0.7:
                step = rng.choice(texts["on_behalf_next_steps"] if on_behalf else texts["relationship_next_steps"])
            if step is not None:
                first = initials(self.plans[contact.job_seekers[0]]) if contact.job_seekers else ""
                outcome["next_step"] = step["text"].format(person=person, name=first)
                outcome["next_step_on"] = weekday_on_or_after(contact.day + timedelta(days=step["days"]))
        contact.outcome = outcome

    def plan_contact_timing(self) -> None:
        """When each contact is written: a visit is planned at the end of an earlier
        working day (or that morning), now and then moved once, cancelled some hours or
        a day before, and its outcome recorded just after it; calls and the job seeker's
        own visits are logged after the fact."""
        for contact in self.contacts:
            past = contact.status != EmployerContact.Status.PLANNED
            by_job_seeker = contact.mode == EmployerContact.Mode.JOB_SEEKER
            if past and (contact.mode not in EmployerContact.FACE_TO_FACE_MODES or by_job_seeker):
                # Logged after the fact: a call when it ends, the job seeker's visit that evening.
                later = timedelta(minutes=5) if contact.mode != EmployerContact.Mode.JOB_SEEKER else timedelta(hours=2)
                contact.recorded_at = contact.ends_at + later
                continue
            earliest = self.earliest_planning(contact)
            if contact.day >= self.today:  # planned (or already cancelled) for the coming days
                lead = self.rng.randint(1, 7)
                day = max(earliest, weekday_on_or_before(self.today - timedelta(days=lead)))
            else:
                day = max(
                    earliest, weekday_on_or_before(contact.day - timedelta(days=self.rng.choice(PLANNING_LEAD_DAYS)))
                )
            day = min(day, contact.day)
            if day < contact.day:
                contact.planned_at = datetime.combine(day, PLANNING_TIME, self.zone)
            else:
                contact.planned_at = contact.starts_at - timedelta(minutes=45)
            contact.confirmed = self.rng.random() < CONFIRMED_SHARE
            if day < contact.day and self.rng.random() < RESCHEDULED_SHARE:
                # First planned a day or two later, then moved (the employer asked for it).
                shift = timedelta(days=1 if contact.starts_at.weekday() < 4 else 3)
                contact.first_starts_at = contact.starts_at + shift
                contact.rescheduled_at = contact.planned_at + timedelta(hours=1)
            if contact.status == EmployerContact.Status.CANCELLED:
                before = contact.starts_at - timedelta(hours=self.rng.choice([2, 3, 18, 20, 26]))
                contact.cancelled_at = max(before, (contact.rescheduled_at or contact.planned_at) + timedelta(hours=1))
                if contact.cancelled_at >= contact.starts_at or contact.starts_at.date() >= self.today:
                    # Cancelled last thing on a past day (planned visits ahead are cancelled before today).
                    contact.cancelled_at = min(
                        contact.starts_at - timedelta(minutes=30),
                        datetime.combine(self.today - timedelta(days=1), time(18, 0), self.zone),
                    )
            elif contact.status in (EmployerContact.Status.HELD, EmployerContact.Status.NO_SHOW):
                contact.recorded_at = contact.ends_at + timedelta(minutes=10)

    def earliest_planning(self, contact: ContactPlan) -> date:
        """Nobody plans a visit for a job seeker before enrolling them."""
        days = [self.plans[index].enrolment_date for index in contact.job_seekers]
        return max(days, default=contact.day - timedelta(days=30))
