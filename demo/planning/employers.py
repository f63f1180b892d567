"""Employers: their sites and contact persons, and when each is added to the program."""

from datetime import date, timedelta

from demo.planning.plan import SPECIALISTS, EmployerPlan, PersonPlan, SitePlan, ascii_slug, weighted
from demo.planning.rhythms import (
    CONTACT_CHANNELS,
    SECOND_PERSON_SHARE,
    SECOND_SITE_SHARE,
    SITE_LOCATED_TO_THE_STREET_SHARE,
)


class EmployerPlanner:
    """Employers: their sites and contact persons, and when each is added to the program."""

    # -- employers ---------------------------------------------------------------------------

    def plan_employers(self) -> None:
        towns = self.data.places["towns"]
        roles = self.data.people["roles"]
        for index, row in enumerate(self.data.employers):
            employer = EmployerPlan(
                index=index,
                name=row["name"],
                industry=row["industry"],
                nace_code=row.get("nace_code", ""),
                size=row["size"],
                postcode=row["postcode"],
                description=row["description"],
                jobs=[(job["title"], job["job_type"]) for job in row["jobs"]],
                sheltered=row["sheltered"],
            )
            employer.sites.append(self.site(self.towns[row["postcode"]], main=True))
            if self.rng.random() < SECOND_SITE_SHARE:
                other_town = self.rng.choice([town for town in towns if town["postcode"] != row["postcode"]])
                employer.sites.append(self.site(other_town, main=False))
            micro = employer.size == "micro"
            count = 1 if micro or self.rng.random() >= SECOND_PERSON_SHARE else 2
            domain = ascii_slug(employer.name, "-")
            for position in range(count):
                first_name, last_name, female = self.person_name()
                pool = (roles["hiring_micro"] if micro else roles["hiring_larger"]) if position == 0 else roles["other"]
                role = self.rng.choice(pool)["feminine" if female else "masculine"]
                site = 0 if position == 0 else self.rng.randrange(len(employer.sites))
                email = ""
                if self.rng.random() < 0.7:
                    email = f"{ascii_slug(first_name)}.{ascii_slug(last_name)}@{domain}.example"
                employer.people.append(
                    PersonPlan(
                        name=f"{first_name} {last_name}",
                        role=role,
                        site=site,
                        has_hiring_authority=position == 0 or self.rng.random() < 0.3,
                        preferred_channel=weighted(self.rng, CONTACT_CHANNELS),
                        phone=self.phone("04 91" if employer.sites[site].town == "Marseille" else "04 42"),
                        email=email,
                    )
                )
            self.employers.append(employer)

    def site(self, town: dict, *, main: bool) -> SitePlan:
        # Drawn as before every site was located (the story after it stays the same): it
        # now says how precisely the address was located.
        to_the_number = self.rng.random() >= SITE_LOCATED_TO_THE_STREET_SHARE
        address, street = self.address_and_street(town)
        offsets = (self.near(0), self.near(0)) if to_the_number else None
        point = self.point_on(town, street, offsets, 0.008)
        return SitePlan(
            name="" if main else self.data.job_development["site_name"].format(town=town["town"]),
            address=address,
            postcode=town["postcode"],
            town=town["town"],
            latitude=point["latitude"],
            longitude=point["longitude"],
            precision=point["precision"],
        )

    def plan_employer_creation(self) -> None:
        """Each employer is added to the program shortly before anyone needs it: the
        first visit planned or logged, the first offer; the others at the start."""
        first_use: dict[int, tuple[date, str]] = {}

        def use(index: int, day: date, username: str) -> None:
            if index not in first_use or day < first_use[index][0]:
                first_use[index] = (day, username)

        for contact in self.contacts:
            moment = contact.planned_at or contact.recorded_at
            use(contact.employer_index, moment.date(), contact.specialist)
        for plan in self.plans:
            for placement in plan.placements:
                use(placement.employer_index, placement.offer_date, plan.specialist)
        for opening in self.openings:
            use(opening.employer_index, opening.learned_on, opening.specialist)
        earliest = min(plan.referral_date for plan in self.plans)
        for employer in self.employers:
            if employer.index in first_use:
                day, username = first_use[employer.index]
                employer.created_on = max(min(earliest, day), day - timedelta(days=self.rng.randint(0, 6)))
                employer.created_by = username
            else:
                employer.created_on = earliest
                employer.created_by = self.rng.choice(SPECIALISTS)
