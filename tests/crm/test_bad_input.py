"""No 500, ever; refusals change nothing (issue 9): a property-based test (Hypothesis)
that sends generated bad values to every form field and every query parameter of every
page, as each role, and asserts no 5xx and no database change on refusal.

Nothing is listed by hand: the pages are found by walking the site's links from the
home page as a program admin and as a specialist (pages and forms of every app, new
ones included; the same form of another record counts once), each page's forms and
query parameters are read from its HTML, and every URL pattern with an id is tried
with ids no table holds (2^63, 2^65, 0, 2^31, -2^63-1; each role starts at another).

Each role (specialist, team leader, program admin, another program's user, platform
operator) then sends every form and query string:
- Hypothesis examples (BAD_INPUT_EXAMPLES per target, 2 in CI): one to three fields of
  the valid form mutated to huge, negative and non-numeric ids, dates at the edges of
  Python's range and malformed ones, huge strings, NUL bytes, unicode, empty values,
  lists where one value is expected, missing fields, plus a stray parameter;
- as the specialist and the program admin (the roles that reach every form), a sweep:
  each value that once gave a 500 (SWEEP_VALUES: "²", 2^63, 9999-12-31, 0001-W01, a
  `next` without "/", a NUL byte) in every field at once, so a field a view parses by
  hand meets each of them whatever Hypothesis draws.

Each request runs inside a savepoint rolled back afterwards, so every example starts
from the same database. A response is a refusal when it is a 4xx, shows a form with
errors, queues an error message, or answers a GET: then a fingerprint of the database
(every table's row count, latest `updated_at` and summed `sequence`) must not have
changed. Every failure is collected, then listed with its role.

Runs in `make test` (derandomized: the same examples on every run; about a minute).
Longer, with more examples per target:
BAD_INPUT_EXAMPLES=50 make test PYTEST_ARGS="tests/crm/test_bad_input.py -s"
(docs/development.md).
"""

import datetime
import os
import re
import time
from dataclasses import dataclass, field
from decimal import Decimal
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urlsplit

import pytest
from django.apps import apps
from django.conf import settings as django_settings
from django.contrib.messages import constants as message_levels
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from crm.access import access_scope
from crm.models import User
from tests.factories import (
    ContactPersonFactory,
    EmployerFactory,
    EmployerSiteFactory,
    JobSeekerFactory,
    PartnerFactory,
    UserFactory,
)

#: Hypothesis examples per (role, target): CI's default keeps the whole test near a minute.
EXAMPLES = int(os.environ.get("BAD_INPUT_EXAMPLES", "2"))
MAX_PAGES = 120
ROLES = ("specialist", "team_leader", "program_admin", "other_program", "operator")
HUGE = 2**63
BAD_IDS = (str(HUGE), str(HUGE * 4), "0", str(2**31), str(-(HUGE + 1)))
SKIPPED_PREFIXES = ("/admin/", "/static/")


# The world: one program with a bit of everything, made through the services ----------


@dataclass
class World:
    users: dict[str, User]
    ids: dict[str, int] = field(default_factory=dict)
    feed_token: str = ""


@pytest.fixture
def world(specialist_sam, leader_a, program_admin, specialist_louis, handle_events):
    from integrations.calendar import services as calendar_services
    from jobdev import services as jobdev_services
    from placements import services as placement_services

    sam = access_scope(specialist_sam)
    operator = UserFactory(username="operator", organisation=None, is_superuser=True, is_staff=True)
    today = timezone.localdate()
    nadia = JobSeekerFactory(specialist=specialist_sam, first_name="Nadia", receives_benefits="yes")
    omar = JobSeekerFactory(specialist=specialist_sam, first_name="Omar")
    employer = EmployerFactory(organisation=specialist_sam.organisation, name="Boulangerie du Port")
    site = EmployerSiteFactory(employer=employer)
    person = ContactPersonFactory(employer=employer)
    from employers import services as employer_services

    opening = employer_services.job_opening_save(
        scope=sam,
        employer_id=employer.pk,
        details={"title": "Vendeur", "learned_on": today, "site": site, "source": "employer_contact"},
    )

    def offer(job_seeker, on):
        return placement_services.placement_offer_accept(
            scope=sam,
            job_seeker_id=job_seeker.pk,
            employer_id=employer.pk,
            offer={
                "job_title": "Vendeuse",
                "is_competitive": True,
                "term": "permanent",
                "site_id": site.pk,
                "hours_per_week": Decimal("20"),
                "hourly_pay": Decimal("12.02"),
                "offer_date": on,
                "expected_start_date": on + datetime.timedelta(days=7),
            },
        )

    working = offer(nadia, today - datetime.timedelta(days=40))
    placement_services.placement_start(scope=sam, placement_id=working.pk, start_date=today - datetime.timedelta(33))
    accommodation = placement_services.accommodation_add(
        scope=sam, placement_id=working.pk, description="Quiet desk", consents=True
    )
    ended = offer(omar, today - datetime.timedelta(days=90))
    placement_services.placement_start(scope=sam, placement_id=ended.pk, start_date=today - datetime.timedelta(80))
    placement_services.placement_end(
        scope=sam, placement_id=ended.pk, end_date=today - datetime.timedelta(days=2), end_reason="laid_off"
    )
    handle_events()
    task = working.support_tasks.filter(status="open").order_by("due_date", "pk").first()
    placement_services.support_task_schedule(
        scope=sam, task_id=task.pk, due_date=today, due_time=datetime.time(10, 0), duration_minutes=60
    )
    start = timezone.now().replace(minute=0, second=0, microsecond=0)
    planned = jobdev_services.employer_contact_plan(
        scope=sam,
        employer_id=employer.pk,
        starts_at=start + datetime.timedelta(days=1),
        ends_at=start + datetime.timedelta(days=1, hours=1),
        site_id=site.pk,
        contact_person_id=person.pk,
        job_seeker_ids=[nadia.pk],
    )
    past = jobdev_services.employer_contact_plan(
        scope=sam,
        employer_id=employer.pk,
        starts_at=start - datetime.timedelta(days=1),
        ends_at=start - datetime.timedelta(days=1) + datetime.timedelta(hours=1),
        purpose="relationship",
    )
    jobdev_services.employer_contact_log(
        scope=sam,
        employer_id=employer.pk,
        occurred_at=start - datetime.timedelta(hours=3),
        mode="phone",
        purpose="relationship",
        outcome={"result": "Call back", "next_step": "Visit", "next_step_on": today},
    )
    _feed, token = calendar_services.calendar_feed_create(scope=sam, kind="personal")
    # Partners, consent, a key and a token: the pages that manage them are walked too.
    from crm import services as crm_services
    from integrations.api import services as api_services

    partner = PartnerFactory(organisation=specialist_sam.organisation, name="CMP Belsunce", referrals_to=specialist_sam)
    consent = crm_services.sharing_consent_record(
        scope=sam,
        job_seeker_id=nadia.pk,
        partner_id=partner.pk,
        consent={"consented_by": "Nadia", "consented_on": today, "shares_benefits": True},
    )
    key, _plaintext = api_services.api_key_create(
        scope=access_scope(program_admin), partner_id=partner.pk, name="Referrals", grants=["referrals:write"]
    )
    personal_token, _plaintext = api_services.personal_token_create(scope=sam, name="Scripts")
    step = placement_services.benefits_step_create(
        scope=sam, job_seeker_id=nadia.pk, placement_id=working.pk, reason="other", offered_on=today
    )
    handle_events()
    return World(
        users={
            "specialist": specialist_sam,
            "team_leader": leader_a,
            "program_admin": program_admin,
            "other_program": specialist_louis,
            "operator": operator,
        },
        ids={
            "job_seeker": nadia.pk,
            "employer": employer.pk,
            "site": site.pk,
            "contact_person": person.pk,
            "opening": opening.pk,
            "placement": working.pk,
            "ended_placement": ended.pk,
            "accommodation": accommodation.pk,
            "task": task.pk,
            "planned_contact": planned.pk,
            "past_contact": past.pk,
            "partner": partner.pk,
            "consent": consent.pk,
            "api_key": key.pk,
            "personal_token": personal_token.pk,
            "benefits_step": step.pk,
        },
        feed_token=token,
    )


# Finding the pages, their forms and their query parameters --------------------------


@dataclass
class FormField:
    name: str
    kind: str  # input type, "select", "select-multiple", "textarea"
    value: list[str]  # what the page would send as it is
    options: list[str] = field(default_factory=list)


@dataclass
class Target:
    method: str
    url: str
    fields: list[FormField]
    found_on: str

    @property
    def shape(self):
        # The same form of another record (task 4's and task 7's) is one shape.
        return (
            self.method,
            re.sub(r"\d+", "N", self.url),
            tuple(sorted(re.sub(r"\d+", "N", f.name) for f in self.fields)),
        )


class PageParser(HTMLParser):
    """The links, forms and form fields of one page."""

    def __init__(self, page_url: str):
        super().__init__(convert_charrefs=True)
        self.page_url = page_url
        self.links: list[str] = []
        self.forms: list[Target] = []
        self._form: Target | None = None
        self._select: FormField | None = None
        self._option_value: str | None = None
        self._option_text = ""
        self._option_selected = False
        self._textarea: FormField | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for name in ("href", "hx-get"):
            if attrs.get(name):
                self.links.append(attrs[name])
        if tag == "form":
            method = (attrs.get("method") or "get").upper()
            action = attrs.get("action") or attrs.get("hx-post") or self.page_url
            self._form = Target(method, action, [], self.page_url)
            self.forms.append(self._form)
        elif self._form is None:
            return
        elif tag == "input" and attrs.get("name"):
            kind = (attrs.get("type") or "text").lower()
            if kind in ("submit", "button", "image", "reset"):
                return
            value = attrs.get("value") or ""
            if kind in ("checkbox", "radio"):
                existing = next((f for f in self._form.fields if f.name == attrs["name"]), None)
                if existing is None:
                    existing = FormField(attrs["name"], kind, [])
                    self._form.fields.append(existing)
                existing.options.append(value or "on")
                if "checked" in attrs and (kind == "checkbox" or not existing.value):
                    existing.value.append(value or "on")
                return
            self._form.fields.append(FormField(attrs["name"], kind, [value] if kind != "file" else []))
        elif tag == "select" and attrs.get("name"):
            kind = "select-multiple" if "multiple" in attrs else "select"
            self._select = FormField(attrs["name"], kind, [])
            self._form.fields.append(self._select)
        elif tag == "option" and self._select is not None:
            self._option_value = attrs.get("value")
            self._option_text = ""
            self._option_selected = "selected" in attrs
        elif tag == "textarea" and attrs.get("name"):
            self._textarea = FormField(attrs["name"], "textarea", [""])
            self._form.fields.append(self._textarea)

    def handle_data(self, data):
        if self._select is not None and self._option_value is None:
            self._option_text += data
        if self._textarea is not None:
            self._textarea.value[0] += data

    def handle_endtag(self, tag):
        if tag == "option" and self._select is not None:
            value = self._option_value if self._option_value is not None else self._option_text.strip()
            self._select.options.append(value)
            if self._option_selected:
                self._select.value.append(value)
            self._option_value = None
        elif tag == "select" and self._select is not None:
            if self._select.kind == "select" and not self._select.value:
                # A browser sends the first option; a form made to be valid, the first real one.
                real = [option for option in self._select.options if option]
                self._select.value = real[:1] or self._select.options[:1]
            self._select = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "form":
            self._form = None


def _local(url: str, page: str) -> str | None:
    """A link of this site as a path with its query, or None (another site, an anchor,
    the admin)."""
    if not url or url.startswith(("#", "mailto:", "tel:", "javascript:", "webcal:")):
        return None
    parts = urlsplit(url)
    if parts.scheme and parts.netloc != "testserver":
        return None
    path = parts.path or urlsplit(page).path
    if not path.startswith("/") or path.startswith(SKIPPED_PREFIXES):
        return None
    return path + (f"?{parts.query}" if parts.query else "")


def _body(response) -> str:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return content.decode(errors="replace")


def crawl(client, user) -> tuple[list[Target], list[str]]:
    """Walk the site's links from the home page as `user`: every form found and every
    link with a query string, one of each shape (the same page of another record has
    the same forms)."""
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    queue, seen_shapes, pages = ["/"], set(), []
    targets: dict[tuple, Target] = {}
    while queue and len(pages) < MAX_PAGES:
        url = queue.pop(0)
        shape = re.sub(r"\d+", "N", url)
        if shape in seen_shapes:
            continue
        seen_shapes.add(shape)
        with transaction.atomic():
            response = client.get(url, follow=True)
            transaction.set_rollback(True)
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        page = response.wsgi_request.get_full_path()
        pages.append(page)
        parser = PageParser(page)
        parser.feed(_body(response))
        for link in parser.links:
            local = _local(link, page)
            if local is None:
                continue
            queue.append(local)
            path, _sep, query = local.partition("?")
            if query:
                query_fields = [FormField(name, "query", [value]) for name, value in parse_qsl(query, True)]
                target = Target("GET", path, query_fields, page)
                targets.setdefault(target.shape, target)
        for form in parser.forms:
            action = _local(form.url, page)
            if action is None or action.startswith("/logout/"):
                continue
            form.url = action
            targets.setdefault(form.shape, form)
    return list(targets.values()), pages


def id_routes() -> list[str]:
    """Every URL pattern with an id (the admin apart)."""

    def walk(patterns, prefix=""):
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                if not route.startswith("admin/"):
                    yield from walk(pattern.url_patterns, route)
            elif isinstance(pattern, URLPattern) and "<int:" in route:
                yield route

    return list(walk(get_resolver().url_patterns))


def id_targets(world: World, turn: int) -> list[Target]:
    """Every URL pattern with an id no table holds, GET and POST: one request each, the
    bad id taken in turn (each role starts at another one, so every route meets each)."""
    targets = []
    for index, route in enumerate(id_routes()):
        for offset, method in enumerate(("GET", "POST")):
            bad = BAD_IDS[(turn + index + offset) % len(BAD_IDS)]
            url = "/" + re.sub(r"<int:[^>]+>", bad, route).lstrip("^").rstrip("$")
            url = re.sub(r"<(str:)?[^>]+>", world.feed_token or "x", url)
            targets.append(Target(method, url, [], "url pattern"))
    return targets


# Bad values ------------------------------------------------------------------------

EDGE_VALUES = [
    "",
    " ",
    "0",
    "-1",
    str(2**31),
    str(HUGE - 1),
    str(HUGE),
    str(2**64),
    str(-(HUGE + 1)),
    "9" * 40,
    "1e3",
    "1.5",
    "0x10",
    "²",
    "١٢",
    "NaN",
    "Infinity",
    "0001-01-01",
    "9999-12-31",
    "9999-12-30",
    "1999-12-31",
    "2101-01-01",
    "2100-12-31",
    "2026-02-30",
    "31/12/9999",
    "9999-W52",
    "0001-W01",
    "2026-W53",
    "2026-W00",
    "00:00",
    "23:30",
    "24:00",
    "02:30",
    "99:99",
    "\x00",
    "a\x00b",
    "x" * 5000,
    "é" * 300,
    "😀",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "../../etc/passwd",
    "//evil.example",
    "javascript:alert(1)",
    "/login/",
    "true",
    "None",
    "[]",
]

#: The values that gave a 500 once (issue 9) and their kin: every target receives each
#: in every field at once, whatever Hypothesis draws (a field parsed by hand, such as
#: a query id, sees them all).
SWEEP_VALUES = ["²", str(HUGE), "9999-12-31", "0001-W01", "tasks", "a\x00b"]
#: The roles that reach every form (the others mostly meet 404s: Hypothesis suffices).
SWEEP_ROLES = ("specialist", "program_admin")

# Text the test client can encode (no lone surrogates), NUL bytes included.
texts = st.text(st.characters(blacklist_categories=("Cs",)), max_size=40)
scalars = st.one_of(
    st.sampled_from(EDGE_VALUES),
    texts,
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.dates().map(datetime.date.isoformat),
    st.decimals(allow_nan=True, allow_infinity=True, places=3).map(str),
)
values = st.one_of(scalars.map(lambda value: [value]), st.lists(scalars, min_size=0, max_size=4))
file_contents = st.one_of(
    st.binary(max_size=200), st.sampled_from([b"", b"\xff\xfe\x00", b"name\n" + b"x" * 300, b"name;x\n\x00;\x00"])
)


def _base_data(target: Target) -> dict[str, list[str]]:
    return {f.name: list(f.value) for f in target.fields if f.kind != "file"}


def _files(target: Target) -> dict[str, SimpleUploadedFile]:
    return {
        f.name: SimpleUploadedFile("employers.csv", b"name;town\nBoulangerie Test;Marseille\n", "text/csv")
        for f in target.fields
        if f.kind == "file"
    }


# The fingerprint of the database ----------------------------------------------------

IGNORED_TABLES = ("django_session", "axes_")


def _fingerprint_sql() -> str:
    parts = []
    for model in apps.get_models(include_auto_created=True):
        table = model._meta.db_table
        if table.startswith(IGNORED_TABLES) or model._meta.proxy or not model._meta.managed:
            continue
        quoted = connection.ops.quote_name(table)
        parts.append(f"(SELECT COUNT(*) FROM {quoted})")  # noqa: S608 - table names from the models
        names = {f.column for f in model._meta.concrete_fields}
        for column in ("updated_at", "sequence"):
            if column in names:
                function = "SUM" if column == "sequence" else "MAX"
                parts.append(f"(SELECT {function}({connection.ops.quote_name(column)}) FROM {quoted})")  # noqa: S608
    return "SELECT " + ", ".join(parts)


def fingerprint(sql: str) -> tuple:
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return tuple(cursor.fetchone())


def _is_refusal(method: str, response) -> bool:
    if method == "GET" or response.status_code >= 400:
        return True
    queued = getattr(response.wsgi_request, "_messages", None)
    if queued is not None and any(m.level >= message_levels.ERROR for m in getattr(queued, "_queued_messages", [])):
        return True
    for context in response.context or []:
        for value in context.flatten().values() if hasattr(context, "flatten") else []:
            for form in value if isinstance(value, tuple | list) else [value]:
                if getattr(form, "is_bound", False) and getattr(form, "_errors", None):
                    return True
    return False


# The property -----------------------------------------------------------------------


@dataclass
class Tally:
    requests: int = 0
    statuses: dict[int, int] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)


def send(client, user, target: Target, data, files, sql: str, tally: Tally) -> None:
    """One request in a savepoint rolled back afterwards. The user is logged in once per
    role; a request that gave the session a new key (a password change, a login) had
    its session row rolled back: log in again, or every later request would be anonymous."""
    session = client.cookies.get(django_settings.SESSION_COOKIE_NAME)
    try:
        _send(client, target, data, files, sql, tally)
    finally:
        if client.cookies.get(django_settings.SESSION_COOKIE_NAME) != session:
            client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")


def _send(client, target: Target, data, files, sql: str, tally: Tally) -> None:
    with transaction.atomic():
        before = fingerprint(sql)
        try:
            if target.method == "GET":
                response = client.get(target.url, data)
            else:
                response = client.post(target.url, {**data, **files})
        except Exception as error:  # noqa: BLE001 - the test client re-raises a view's exception: a 500
            raise AssertionError(f"{target.method} {target.url} {data!r}: {type(error).__name__}: {error}") from error
        tally.requests += 1
        tally.statuses[response.status_code] = tally.statuses.get(response.status_code, 0) + 1
        assert response.status_code < 500, (target.method, target.url, data, response.status_code)
        if _is_refusal(target.method, response):
            after = fingerprint(sql)
            assert before == after, (
                f"{target.method} {target.url} {data!r} answered {response.status_code} and changed the database"
            )
        transaction.set_rollback(True)


def probe(client, user, target: Target, sql: str, tally: Tally) -> None:
    names = [f.name for f in target.fields]
    file_names = [f.name for f in target.fields if f.kind == "file"]

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        phases=(Phase.explicit, Phase.generate, Phase.shrink),
        suppress_health_check=list(HealthCheck),
    )
    @given(st.data())
    def one_request(data):
        payload = _base_data(target)
        files = _files(target)
        if names:
            chosen = data.draw(st.lists(st.sampled_from(names), min_size=1, max_size=3, unique=True), label="fields")
            for name in chosen:
                if name in file_names:
                    content = data.draw(file_contents, label=name)
                    files[name] = SimpleUploadedFile(data.draw(texts, label="filename") or "x", content)
                elif data.draw(st.booleans(), label=f"omit {name}"):
                    payload.pop(name, None)
                else:
                    payload[name] = data.draw(values, label=name)
        if data.draw(st.booleans(), label="extra parameter"):
            payload[data.draw(st.sampled_from(["next", "page", "week", "id", "pk", "format"]))] = data.draw(values)
        send(client, user, target, payload, files, sql, tally)

    try:
        one_request()
    except AssertionError as failure:  # every target is tried; the failures are listed at the end
        tally.failures.append(str(failure).splitlines()[0][:2000])


def sweep(client, user, target: Target, sql: str, tally: Tally) -> None:
    """Each of SWEEP_VALUES in every field of `target` at once (a multiple choice keeps
    its valid choices and gains the bad one)."""
    for value in SWEEP_VALUES:
        payload = _base_data(target)
        for f in target.fields:
            if f.kind != "file":
                payload[f.name] = [*f.value, value] if f.kind == "select-multiple" else [value]
        try:
            send(client, user, target, payload, _files(target), sql, tally)
        except AssertionError as failure:
            tally.failures.append(str(failure).splitlines()[0][:2000])


def test_no_bad_input_gives_a_server_error_or_changes_anything_on_refusal(client, world):
    """One walk of the site (as a program admin and as a specialist), then every role
    sends every form and query string bad values, and every id URL an id no table holds."""
    started = time.monotonic()
    targets: dict[tuple, Target] = {}
    pages: list[str] = []
    for crawler in ("program_admin", "specialist"):
        found, crawled = crawl(client, world.users[crawler])
        pages += crawled
        for target in found:
            targets.setdefault(target.shape, target)
    found_forms = [t for t in targets.values() if t.fields]
    # The walk reached the pages of every app (a broken walk would test nothing).
    for prefix in (
        "/job-seekers/",
        "/employers/",
        "/placements/",
        "/tasks/",
        "/my-week/",
        "/employer-contacts/",
        "/matching/",
        "/dashboard/",
        "/settings/calendar/",
    ):
        assert any(page.startswith(prefix) for page in pages), (prefix, pages)
    assert len(found_forms) > 40, [t.url for t in found_forms]
    print(
        f"\n{len(pages)} pages walked in {time.monotonic() - started:.1f}s: {len(found_forms)} forms and query strings"
    )
    sql = _fingerprint_sql()
    failures = []
    for turn, role in enumerate(ROLES):
        role_started = time.monotonic()
        tally = Tally()
        user = world.users[role]
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        for target in found_forms:
            if role in SWEEP_ROLES:
                sweep(client, user, target, sql, tally)
            probe(client, user, target, sql, tally)
        for target in id_targets(world, turn):
            send_once(client, user, target, sql, tally)
        print(
            f"{role}: {tally.requests} requests in {time.monotonic() - role_started:.1f}s; "
            f"statuses {dict(sorted(tally.statuses.items()))}"
        )
        failures += [f"{role}: {failure}" for failure in tally.failures]
    print(f"total {time.monotonic() - started:.1f}s")
    assert not failures, "\n".join(failures)


def send_once(client, user, target: Target, sql: str, tally: Tally) -> None:
    try:
        send(client, user, target, {}, {}, sql, tally)
    except AssertionError as failure:
        tally.failures.append(str(failure).splitlines()[0][:2000])
