"""The figures: each a thing a user or a partner waits for (run in-process through
Django's test client, with the normal middleware) and its floor, measured in the same
run (demo.bench.timing.measure_pair).

Groups and their targets (docs/performance.md):
- page, api, dashboard: at most 3x the floor (hand-written SQL returning the same rows
  or counting the same things);
- search, matching: under 150 ms (absolute), and shown against the database's own time;
- feed: the full build and the 304 path against the same events formatted by f-strings;
- export: at most 2x `COPY (SELECT the same columns) TO STDOUT`, in bounded memory."""

from __future__ import annotations

import datetime
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from demo.bench import sql
from demo.bench.context import BenchContext

#: Targets: (kind, limit). "ratio": median / floor median at most `limit`; "ms": median
#: under `limit` milliseconds.
RATIO_3 = ("ratio", 3.0)
RATIO_2 = ("ratio", 2.0)
UNDER_150_MS = ("ms", 150.0)
#: An export's peak memory above the process's level before it ("bounded").
EXPORT_MEMORY_LIMIT_BYTES = 256 * 1024 * 1024


class BenchError(Exception):
    """A figure could not be measured (a page answered an unexpected status...)."""


@dataclass
class Spec:
    name: str
    group: str
    floor_name: str
    run: Callable[[], object]
    floor: Callable[[], object]
    target: tuple[str, float]
    #: The floor returns its own time in ms (the database's execution time).
    floor_self_timed: bool = False
    track_memory: bool = False
    after_each: Callable[[], object] | None = None
    teardown: Callable[[], object] | None = None
    per_request: bool = True
    notes: str = ""
    extra: dict = field(default_factory=dict)


def get(client, url: str, status: int = 200, **headers):
    """GET `url`, read the whole body (a streamed one too), check the status."""
    response = client.get(url, **headers)
    if response.status_code != status:
        raise BenchError(f"GET {url} answered {response.status_code}, not {status}")
    size = sum(len(chunk) for chunk in response.streaming_content) if response.streaming else len(response.content)
    response.close()
    return size


def _settled() -> datetime.datetime:
    return timezone.now() - datetime.timedelta(seconds=settings.API_SYNC_SETTLE_SECONDS)


def _params(ctx: BenchContext, **more) -> dict:
    params = {
        "org": ctx.organisation.pk,
        "leader": ctx.leader.pk,
        "specialist": ctx.specialist.pk,
        "partner": ctx.partner_id,
        "today": ctx.today,
        "team": ctx.team_id,
        "tz": str(ctx.tz),
    }
    params.update(more)
    return params


def _sql_floor(statements: list[str], params: Callable[[], dict]) -> Callable[[], object]:
    def floor():
        values = params()
        return [sql.rows(statement, values) for statement in statements]

    return floor


# Pages and API lists --------------------------------------------------------------------


def _employer_count_cap() -> int | None:
    """The employer list's count cap when it has one (it counts at most that many + 1)."""
    try:
        from employers.selectors import LIST_COUNT_CAP
    except ImportError:
        return None
    return LIST_COUNT_CAP


def page_specs(ctx: BenchContext) -> list[Spec]:
    cap = _employer_count_cap()
    leader = ctx.client(ctx.leader)
    specialist = ctx.client(ctx.specialist)
    fixed = _params(ctx)

    def search(word):
        return lambda: {**fixed, "like": f"%{word}%", "prefix": f"{word}%"}

    specs = [
        Spec(
            "page.job_seekers",
            "page",
            "sql.job_seekers_count+page",
            lambda: get(leader, "/job-seekers/"),
            _sql_floor([sql.JOB_SEEKERS_COUNT, sql.JOB_SEEKERS_PAGE], lambda: fixed),
            RATIO_3,
            notes="team leader's list, first page of 25 with the total",
        ),
        Spec(
            "page.employers",
            "page",
            "sql.employers_count+page",
            lambda: get(specialist, "/employers/"),
            _sql_floor([sql.employers_count(False, cap), sql.employers_page(False)], lambda: fixed),
            RATIO_3,
            notes="first page of 25 by name with site and contact-person counts, and the total",
        ),
        Spec(
            "search.employers_name",
            "search",
            "sql.employers_search_name",
            lambda: get(specialist, "/employers/?" + urlencode({"q": ctx.name_word})),
            _sql_floor([sql.employers_count(True, cap), sql.employers_page(True)], search(ctx.name_word)),
            UNDER_150_MS,
            notes=f"q={ctx.name_word!r} (a word of an employer's name)",
        ),
        Spec(
            "search.employers_town",
            "search",
            "sql.employers_search_town",
            lambda: get(specialist, "/employers/?" + urlencode({"q": ctx.town})),
            _sql_floor([sql.employers_count(True, cap), sql.employers_page(True)], search(ctx.town)),
            UNDER_150_MS,
            notes=f"q={ctx.town!r} (a site's town)",
        ),
        Spec(
            "page.placements",
            "page",
            "sql.placements_count+page",
            lambda: get(leader, "/placements/"),
            _sql_floor([sql.PLACEMENTS_COUNT, sql.PLACEMENTS_PAGE], lambda: fixed),
            RATIO_3,
            notes="team leader's list, first page of 25 with the total",
        ),
        Spec(
            "api.employer_contacts",
            "api",
            "sql.api_employer_contacts",
            lambda: get(leader, "/api/v1/employer-contacts/"),
            _sql_floor([sql.api_employer_contacts(False)], lambda: {**fixed, "settled": _settled()}),
            RATIO_3,
            notes="staff session (a team leader), first page of 50 by (updated_at, id)",
        ),
        Spec(
            "api.employer_contacts_filtered",
            "api",
            "sql.api_employer_contacts_filtered",
            lambda: get(leader, f"/api/v1/employer-contacts/?status=held&specialist={ctx.specialist.pk}&page_size=50"),
            _sql_floor([sql.api_employer_contacts(True)], lambda: {**fixed, "settled": _settled()}),
            RATIO_3,
            notes="a filtered page of 50: held contacts of one specialist",
        ),
        Spec(
            "api.employers",
            "api",
            "sql.api_employers",
            lambda: get(leader, "/api/v1/employers/"),
            _sql_floor([sql.API_EMPLOYERS], lambda: {**fixed, "settled": _settled()}),
            RATIO_3,
            notes="staff session, first page of 50 with sites and contact persons nested",
        ),
    ]
    if ctx.api_key and ctx.partner_id:
        partner = ctx.client(api_key=ctx.api_key)
        specs += [
            Spec(
                "api.job_seekers",
                "api",
                "sql.api_partner_job_seekers",
                lambda: get(partner, "/api/v1/job-seekers/"),
                _sql_floor([sql.API_PARTNER_JOB_SEEKERS], lambda: {**fixed, "settled": _settled()}),
                RATIO_3,
                notes="the partner key of dataset.json as Bearer, first page of 50",
            ),
            Spec(
                "api.placements",
                "api",
                "sql.api_partner_placements",
                lambda: get(partner, "/api/v1/placements/"),
                _sql_floor([sql.API_PARTNER_PLACEMENTS], lambda: {**fixed, "settled": _settled()}),
                RATIO_3,
                notes="the partner key as Bearer, first page of 50 with milestones",
            ),
        ]
    return specs


# Matching -------------------------------------------------------------------------------


def _execution_ms(queryset) -> float:
    """The database's own time for `queryset` (EXPLAIN ANALYZE's Execution Time), JIT off
    as the matching runs it."""
    from jobdev.matching import without_jit

    query, params = queryset.query.sql_with_params()
    with without_jit(), connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + query, params)
        plan = cursor.fetchone()[0]
    plan = json.loads(plan) if isinstance(plan, str) else plan
    return float(plan[0]["Execution Time"])


def matching_specs(ctx: BenchContext) -> list[Spec]:
    from jobdev import matching

    specs = []
    if ctx.job_seeker_id:
        client = ctx.client(ctx.specialist)
        scope = ctx.scope(ctx.specialist)

        def employer_candidates():
            job_seeker = matching.job_seeker_for_matching(scope, ctx.job_seeker_id)
            wishes = matching.wishes_for(job_seeker)
            now = timezone.now()
            return _execution_ms(
                matching.rank_employers(scope, wishes, now=now).values_list("pk", flat=True)[: matching.TOP]
            ) + _execution_ms(
                matching.rank_openings(scope, wishes, now=now).values_list("pk", flat=True)[: matching.TOP]
            )

        specs.append(
            Spec(
                "matching.job_seeker",
                "matching",
                "db.rank_employers+rank_openings",
                lambda: get(client, f"/matching/job-seeker/{ctx.job_seeker_id}/"),
                employer_candidates,
                UNDER_150_MS,
                floor_self_timed=True,
                notes="one job seeker against every employer; floor: EXPLAIN ANALYZE of the two ranking queries",
            )
        )
    if ctx.opening_id or ctx.employer_id:
        client = ctx.client(ctx.leader)
        scope = ctx.scope(ctx.leader)
        # For an opening when the data has one; else for an employer (the same ranking
        # of the caseload, without the opening's own job type and site).
        if ctx.opening_id:
            name, url = "matching.opening", f"/matching/opening/{ctx.opening_id}/"
        else:
            name, url = "matching.employer", f"/matching/employer/{ctx.employer_id}/"

        def caseload_candidates():
            from employers.models import Employer, JobOpening

            opening = None
            if ctx.opening_id:
                opening = JobOpening.objects.select_related("employer__industry", "job_type", "site").get(
                    pk=ctx.opening_id
                )
                employer = opening.employer
            else:
                employer = Employer.objects.select_related("industry").get(pk=ctx.employer_id)
            facts = matching.employer_facts(employer)
            ranked = matching.rank_job_seekers(scope, facts, opening, now=timezone.now())
            return _execution_ms(ranked.values_list("pk", flat=True)[: matching.TOP])

        specs.append(
            Spec(
                name,
                "matching",
                "db.rank_job_seekers",
                lambda: get(client, url),
                caseload_candidates,
                UNDER_150_MS,
                floor_self_timed=True,
                notes="a team leader's caseload ranked for one opening (or employer, when the data has no opening);"
                " floor: EXPLAIN ANALYZE of the ranking",
            )
        )
    return specs


# Dashboards -----------------------------------------------------------------------------


def _period_params(ctx: BenchContext, date_from: datetime.date, date_to: datetime.date) -> dict:
    start = datetime.datetime.combine(date_from, datetime.time.min, ctx.tz)
    end = datetime.datetime.combine(date_to + datetime.timedelta(days=1), datetime.time.min, ctx.tz)
    return _params(ctx, date_from=date_from, date_to=date_to, start=start, end=end)


def dashboard_specs(ctx: BenchContext) -> list[Spec]:
    from jobdev.dashboard import default_period

    specs = []
    twelve_weeks = default_period(ctx.today)
    year = (ctx.today - datetime.timedelta(days=364), ctx.today)
    if ctx.team_id:
        leader = ctx.client(ctx.leader)
        query = urlencode({"date_from": twelve_weeks[0].isoformat(), "date_to": twelve_weeks[1].isoformat()})
        specs.append(
            Spec(
                "dashboard.team",
                "dashboard",
                "sql.dashboard_aggregates(team, 12 weeks)",
                lambda: get(leader, f"/dashboard/?{query}"),
                _sql_floor(sql.dashboard_aggregates(sql.TEAM_STAFF), lambda: _period_params(ctx, *twelve_weeks)),
                RATIO_3,
                notes="a team leader's dashboard, one team, 12 ISO weeks",
            )
        )
    if ctx.admin is not None:
        admin = ctx.client(ctx.admin)
        specs.append(
            Spec(
                "dashboard.program_overview",
                "dashboard",
                "sql.dashboard_aggregates(program, 12 weeks)",
                lambda: get(admin, "/program/"),
                _sql_floor(sql.dashboard_aggregates(sql.PROGRAM_STAFF), lambda: _period_params(ctx, *twelve_weeks)),
                RATIO_3,
                notes="/program/: every team at a glance (its own period: the last 12 weeks)",
            )
        )
        query = urlencode({"date_from": year[0].isoformat(), "date_to": year[1].isoformat()})
        specs.append(
            Spec(
                "dashboard.program_year",
                "dashboard",
                "sql.dashboard_aggregates(program, 1 year)",
                lambda: get(admin, f"/dashboard/?{query}"),
                _sql_floor(sql.dashboard_aggregates(sql.PROGRAM_STAFF), lambda: _period_params(ctx, *year)),
                RATIO_3,
                notes="the program admin's dashboard: every team, one year",
            )
        )
        specs.append(_fidelity_spec(ctx, admin, year))
    return specs


def _csrf_token(client, url: str) -> str:
    get(client, url)
    return client.cookies["csrftoken"].value


def _fidelity_spec(ctx: BenchContext, admin, year) -> Spec:
    """A new fidelity review for the program over a year: the worksheet's computed items
    (the POST that pre-fills them), rolled back each time so the data stays as it was."""
    token = {}

    def create():
        if "value" not in token:
            token["value"] = _csrf_token(admin, "/fidelity/new/")
        data = {
            "review_date": ctx.today.isoformat(),
            "period_from": year[0].isoformat(),
            "period_to": year[1].isoformat(),
            "team": "",
            "reviewers": "Bench",
            "notes": "",
            "csrfmiddlewaretoken": token["value"],
        }
        with transaction.atomic():
            response = admin.post("/fidelity/new/", data)
            transaction.set_rollback(True)
        if response.status_code != 302:
            raise BenchError(f"POST /fidelity/new/ answered {response.status_code}, not 302")

    return Spec(
        "dashboard.fidelity_worksheet",
        "dashboard",
        "sql.dashboard_aggregates(program, 1 year)",
        create,
        _sql_floor(sql.dashboard_aggregates(sql.PROGRAM_STAFF), lambda: _period_params(ctx, *year)),
        RATIO_3,
        notes="POST /fidelity/new/ (program, one year): the worksheet's items computed from the records, rolled back",
    )


# Calendar feed --------------------------------------------------------------------------


def _ics_text(value) -> str:
    return str(value).replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def feed_specs(ctx: BenchContext) -> list[Spec]:
    from integrations.calendar import services as calendar_services
    from integrations.calendar.models import CalendarFeed

    scope = ctx.scope(ctx.specialist)
    calendar_feed, token = calendar_services.calendar_feed_create(scope=scope, kind=CalendarFeed.Kind.PERSONAL)
    client = ctx.client()
    url = f"/calendar/{token}.ics"
    etag = {}

    def invalidate():
        # What the feed last answered with is forgotten: the next fetch builds and
        # publishes it again, as after a change.
        CalendarFeed.objects.filter(pk=calendar_feed.pk).update(served_etag="", served_modified_at=None)

    def full():
        invalidate()
        response = client.get(url)
        if response.status_code != 200:
            raise BenchError(f"GET feed answered {response.status_code}")
        etag["value"] = response["ETag"]
        return len(response.content)

    def not_modified():
        if "value" not in etag:
            response = client.get(url)
            etag["value"] = response["ETag"]
        return get(client, url, status=304, HTTP_IF_NONE_MATCH=etag["value"])

    def formatted():
        today = ctx.today
        first = today - datetime.timedelta(days=settings.CALENDAR_PAST_DAYS)
        last = today + datetime.timedelta(days=settings.CALENDAR_FUTURE_DAYS)
        params = _period_params(ctx, first, last)
        params.update(first=first, last=last, grace=timezone.now() - datetime.timedelta(days=30))
        lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//bench//EN"]
        stamp = timezone.now().strftime("%Y%m%dT%H%M%SZ")
        for row in sql.rows(sql.FEED_VISITS, params):
            pk, starts_at, ends_at, status, sequence, updated_at, employer, address, postcode, town = row
            lines += [
                "BEGIN:VEVENT",
                f"UID:visit-{pk}@bench",
                f"DTSTAMP:{stamp}",
                f"DTSTART:{starts_at.astimezone(datetime.UTC):%Y%m%dT%H%M%SZ}",
                f"DTEND:{ends_at.astimezone(datetime.UTC):%Y%m%dT%H%M%SZ}",
                f"SEQUENCE:{sequence}",
                f"SUMMARY:{_ics_text(employer)}",
                f"LOCATION:{_ics_text(', '.join(part for part in (address, postcode, town) if part))}",
                f"STATUS:{'CANCELLED' if status == 'cancelled' else 'CONFIRMED'}",
                f"LAST-MODIFIED:{updated_at.astimezone(datetime.UTC):%Y%m%dT%H%M%SZ}",
                "END:VEVENT",
            ]
        for row in sql.rows(sql.FEED_APPOINTMENTS, params):
            pk, due_date, due_time, minutes, status, sequence, updated_at, kind, first_name, last_name = row
            lines += [
                "BEGIN:VEVENT",
                f"UID:task-{pk}@bench",
                f"DTSTAMP:{stamp}",
                f"DTSTART:{due_date:%Y%m%d}T{due_time:%H%M%S}",
                f"SUMMARY:{_ics_text(kind)} {_ics_text(first_name)} {_ics_text(last_name[:1])}.",
                f"SEQUENCE:{sequence}",
                "END:VEVENT",
            ]
        lines.append("END:VCALENDAR")
        return "\r\n".join(lines).encode()

    def teardown():
        calendar_services.calendar_feed_revoke(scope=scope, feed_id=calendar_feed.pk)

    count = sql.rows(
        f"SELECT count(*) FROM ({sql.FEED_VISITS}) v",  # noqa: S608 - constant SQL
        {
            **_period_params(
                ctx,
                ctx.today - datetime.timedelta(days=settings.CALENDAR_PAST_DAYS),
                ctx.today + datetime.timedelta(days=settings.CALENDAR_FUTURE_DAYS),
            ),
            "grace": timezone.now() - datetime.timedelta(days=30),
        },
    )[0][0]
    notes = f"{count} visits in the feed's window ({settings.CALENDAR_PAST_DAYS} days back, "
    notes += f"{settings.CALENDAR_FUTURE_DAYS} ahead)"
    return [
        Spec(
            "feed.full_build",
            "feed",
            "fstring.feed_events",
            full,
            formatted,
            RATIO_3,
            notes="after forgetting what the feed last served; " + notes,
            extra={"visits": count},
        ),
        Spec(
            "feed.not_modified",
            "feed",
            "fstring.feed_events",
            not_modified,
            formatted,
            RATIO_3,
            teardown=teardown,
            notes="If-None-Match with the current ETag: 304; " + notes,
            extra={"visits": count},
        ),
    ]


# Exports --------------------------------------------------------------------------------


def export_specs(ctx: BenchContext) -> list[Spec]:
    if ctx.admin is None:
        return []
    admin = ctx.client(ctx.admin)

    def copy():
        size = 0
        query = sql.EXPORT_SELECT.replace("%(tz)s", "'" + str(ctx.tz).replace("'", "") + "'").replace(
            "%(org)s", str(int(ctx.organisation.pk))
        )
        with (
            connection.cursor() as cursor,
            cursor.cursor.copy(f"COPY ({query}) TO STDOUT WITH (FORMAT csv, HEADER)") as stream,
        ):
            for chunk in stream:
                size += len(chunk)
        return size

    rows = sql.rows("SELECT count(*) FROM jobdev_employercontact WHERE organisation_id = %(org)s", _params(ctx))[0][0]
    return [
        Spec(
            "export.employer_contacts",
            "export",
            "copy.employer_contacts",
            lambda: get(admin, "/employer-contacts/export/"),
            copy,
            RATIO_2,
            track_memory=True,
            per_request=False,
            notes=f"the whole table as the program admin: {rows} rows",
            extra={"rows": rows},
        )
    ]


#: In this order; the dashboards last: the slowest per request.
GROUPS: dict[str, Callable[[BenchContext], list[Spec]]] = {
    "pages": page_specs,
    "matching": matching_specs,
    "feed": feed_specs,
    "exports": export_specs,
    "dashboards": dashboard_specs,
}
