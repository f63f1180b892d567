"""What the load test's locust users act as: accounts, API keys and calendar feed
tokens, read from the data set `seed_scale` described (var/bench/dataset.json) and
the database it filled.

`prepare` writes what the run needs and `LoadPlan.clean_up` removes it again: the
calendar feeds made for the run (their published events go with them) and the API
keys it issued (the over-rate partner's, and the partner's own when the data set
names none). Secrets (the keys, the feed tokens) only ever sit in the plan file,
which the runner writes to a private temporary directory."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.core.management.base import CommandError
from django.db.models import ProtectedError
from django.utils import timezone

from crm.access import access_scope
from crm.models import Organisation, Partner, Team, User
from integrations.api import grants as api_grants
from integrations.api.models import ApiKey
from integrations.calendar.models import CalendarFeed
from integrations.calendar.services import calendar_feed_create

#: seed_scale's shared password (documented in its interface) when the data set does not say.
SCALE_PASSWORD = "scale-password"  # noqa: S105 - the published password of generated test users
#: What each read grant lets the partner's sync client list, in the order it syncs them.
RESOURCES_BY_GRANT = {
    api_grants.JOBSEEKERS_READ: "job-seekers",
    api_grants.PLACEMENTS_READ: "placements",
    api_grants.SUPPORT_READ: "support-tasks",
    api_grants.EVENTS_READ: "events",
}
OVER_RATE_KEY_NAME = "Load test: a partner over its rate"


@dataclass
class LoadPlan:
    """What locust's users use (`as_json`), and what to remove afterwards."""

    organisation: str
    password: str
    specialists: list[str]
    team_leaders: list[str]
    api_key: str
    api_resources: list[str]
    over_rate_key: str
    feeds: list[str]
    created_feed_ids: list[int] = field(default_factory=list)
    created_key_ids: list[int] = field(default_factory=list)
    throttled_key_ids: list[int] = field(default_factory=list)

    def as_json(self, **settings) -> dict:
        """The plan file's content; `settings` adds the pacing (partner_rps,
        over_rate_rps, wait_seconds, seed)."""
        return {
            "organisation": self.organisation,
            "password": self.password,
            "specialists": self.specialists,
            "team_leaders": self.team_leaders,
            "api_key": self.api_key,
            "api_resources": self.api_resources,
            "over_rate_key": self.over_rate_key,
            "feeds": self.feeds,
            **settings,
        }

    def write(self, path: Path, **settings) -> None:
        path.write_text(json.dumps(self.as_json(**settings), indent=1), encoding="utf-8")
        path.chmod(0o600)

    def forget_throttle_history(self) -> None:
        """Start the run with empty rate-limit windows for both keys (a run a minute
        earlier would otherwise count against this one)."""
        cache.delete_many([f"api-throttle:key:{pk}" for pk in self.throttled_key_ids])

    def clean_up(self) -> None:
        """Remove the feeds and keys made for the run (a key something now refers to
        is revoked instead)."""
        CalendarFeed.objects.filter(pk__in=self.created_feed_ids).delete()
        for key in ApiKey.objects.filter(pk__in=self.created_key_ids):
            try:
                key.delete()
            except ProtectedError:
                key.revoked_at = key.revoked_at or timezone.now()
                key.save(update_fields=["revoked_at"])
        self.forget_throttle_history()
        self.created_feed_ids, self.created_key_ids = [], []


def read_dataset(path: Path) -> dict:
    """var/bench/dataset.json as seed_scale wrote it; {} when there is none. Raises
    CommandError when it is not JSON."""
    if not path.exists():
        return {}
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except ValueError as error:
        raise CommandError(f"{path} is not JSON: {error}") from error


def describes_database(dataset: dict) -> bool:
    """Whether the data set's program and partner key are in this database (the file
    is shared by every database seeded from this checkout)."""
    database = dataset.get("database")
    if database and database != settings.DATABASES["default"]["NAME"]:
        return False
    try:
        organisation = _organisation(dataset, None)
    except CommandError:
        return False
    plaintext = dataset.get("api_key")
    parsed = ApiKey.parse(plaintext) if plaintext else None
    if parsed is None:
        return False
    key = ApiKey.objects.filter(public_id=parsed[0], partner__organisation=organisation).first()
    return key is not None and key.matches(parsed[1]) and key.is_usable()


def _organisation(dataset: dict, program: str | None) -> Organisation:
    slug = program or dataset.get("organisation")
    if slug is None and dataset.get("profile"):
        from demo.scale.profiles import PROFILES  # seed's table; only when the data set names a profile

        profile = PROFILES.get(dataset["profile"])
        slug = profile.slug if profile else None
    if slug:
        organisation = Organisation.objects.filter(slug=slug).first()
        if organisation is None:
            raise CommandError(f"No program {slug!r} in this database: seed it (--profile) or name one (--program).")
        return organisation
    programs = list(Organisation.objects.all()[:2])
    if len(programs) != 1:
        raise CommandError("Name the program to load (--program SLUG): the database holds none or several.")
    return programs[0]


def _spread(items: list, count: int) -> list:
    """`count` items taken evenly across the list (so accounts come from every team)."""
    if count >= len(items):
        return items
    step = len(items) / count
    return [items[int(index * step)] for index in range(count)]


def _partner_key(dataset: dict, organisation: Organisation, plan_keys: list[int]) -> tuple[ApiKey, str]:
    """The data set's partner key (checked against this database), or one issued for
    the program's first active partner when the data set has none."""
    plaintext = dataset.get("api_key")
    if plaintext:
        parsed = ApiKey.parse(plaintext)
        key = ApiKey.objects.filter(public_id=parsed[0]).select_related("partner").first() if parsed else None
        if key is None or not key.matches(parsed[1]) or not key.is_usable():
            raise CommandError(
                "The data set's api_key is not a usable key of this database: the data set describes another "
                "database (seed this one with --profile)."
            )
        return key, plaintext
    partner = Partner.objects.filter(organisation=organisation, is_active=True).order_by("pk").first()
    if partner is None:
        raise CommandError(f"{organisation.slug} has no active partner to call the API as.")
    grants = sorted(RESOURCES_BY_GRANT)
    key, plaintext = ApiKey.issue(partner=partner, name="Load test: partner sync", grants=grants, expires_at=None)
    key.save()
    plan_keys.append(key.pk)
    return key, plaintext


def prepare(*, dataset: dict, program: str | None, password: str | None, accounts: int, feeds: int) -> LoadPlan:
    """Pick `accounts` specialists (and up to a tenth as many team leaders, at least
    one), make `feeds` calendar feeds (personal ones for specialists, one in five a
    team feed for a leader) and the over-rate partner's key. The caller must call
    `clean_up()` on the result, whatever happens next.

    Raises CommandError when the database holds no such program, no specialist, or
    a partner key other than the data set's."""
    database = dataset.get("database")
    if database and database != settings.DATABASES["default"]["NAME"]:
        raise CommandError(
            f"The data set describes the database {database}, not {settings.DATABASES['default']['NAME']}: seed this "
            "one (--profile) or point DATABASE_URL at that one."
        )
    organisation = _organisation(dataset, program)
    staff = User.objects.filter(organisation=organisation, is_active=True).order_by("username")
    specialists = list(staff.filter(role=User.Role.SPECIALIST))
    leader_ids = Team.objects.filter(organisation=organisation).values("leader_id")
    leaders = list(staff.filter(pk__in=leader_ids))
    if not specialists:
        raise CommandError(f"{organisation.slug} has no active specialist to sign in as.")
    chosen = _spread(specialists, accounts)
    chosen_leaders = _spread(leaders, max(1, accounts // 10))

    created_keys: list[int] = []
    feed_ids: list[int] = []
    tokens: list[str] = []
    try:
        key, plaintext = _partner_key(dataset, organisation, created_keys)
        resources = [resource for grant, resource in RESOURCES_BY_GRANT.items() if grant in key.grants]
        if not resources:
            raise CommandError(f"The partner key {key.masked} has no read grant ({', '.join(RESOURCES_BY_GRANT)}).")
        over_rate, over_rate_plaintext = ApiKey.issue(
            partner=key.partner, name=OVER_RATE_KEY_NAME, grants=[api_grants.JOBSEEKERS_READ], expires_at=None
        )
        over_rate.save()
        created_keys.append(over_rate.pk)
        team_feeds = min(len(chosen_leaders), feeds // 5)
        for user in chosen[: feeds - team_feeds]:
            feed, token = calendar_feed_create(scope=access_scope(user), kind=CalendarFeed.Kind.PERSONAL)
            feed_ids.append(feed.pk)
            tokens.append(token)
        for user in chosen_leaders[:team_feeds]:
            feed, token = calendar_feed_create(scope=access_scope(user), kind=CalendarFeed.Kind.TEAM)
            feed_ids.append(feed.pk)
            tokens.append(token)
    except BaseException:
        CalendarFeed.objects.filter(pk__in=feed_ids).delete()
        ApiKey.objects.filter(pk__in=created_keys).delete()
        raise
    return LoadPlan(
        organisation=organisation.slug,
        password=password or dataset.get("password") or SCALE_PASSWORD,
        specialists=[user.username for user in chosen],
        team_leaders=[user.username for user in chosen_leaders],
        api_key=plaintext,
        api_resources=resources,
        over_rate_key=over_rate_plaintext,
        feeds=tokens,
        created_feed_ids=feed_ids,
        created_key_ids=created_keys,
        throttled_key_ids=[key.pk, over_rate.pk],
    )
