"""The sizes `seed_scale` builds: national (issue 13's figures), regional (a
twentieth) and tiny (about 1/2000, for tests)."""

from dataclasses import dataclass, replace

COUNT_NAMES = ("specialists", "job_seekers", "employers", "contacts", "placements", "tasks")


@dataclass(frozen=True)
class Profile:
    """Counts of what is generated. `specialists` excludes team leaders (one per team
    of about 10) and the program admin; `contacts` are employer contacts over 3 years;
    `tasks` are support tasks (follow-along and workflow steps)."""

    name: str
    organisation: str
    slug: str
    specialists: int
    job_seekers: int
    employers: int
    contacts: int
    placements: int
    tasks: int

    def with_counts(self, **counts: int | None) -> "Profile":
        """This profile with the given counts (None: keep the profile's)."""
        return replace(self, **{name: value for name, value in counts.items() if value is not None})

    @property
    def teams(self) -> int:
        return max(1, round(self.specialists / 10))

    def counts(self) -> dict[str, int]:
        return {name: getattr(self, name) for name in COUNT_NAMES}


PROFILES: dict[str, Profile] = {
    "national": Profile(
        "national", "IPS National", "ips-national", 2000, 40_000, 200_000, 2_000_000, 100_000, 1_000_000
    ),
    "regional": Profile("regional", "IPS Région", "ips-region", 100, 2_000, 10_000, 100_000, 5_000, 50_000),
    "tiny": Profile("tiny", "IPS Région", "ips-region", 2, 20, 100, 1_000, 50, 500),
}
