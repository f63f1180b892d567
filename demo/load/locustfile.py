"""The load test's workload (`manage.py loadtest` runs it; see docs/performance.md).

Run by locust in its own process, without Django: everything it needs comes from the
plan file named by LOADTEST_PLAN (demo/load/plan.py writes it): the accounts and
their password, the partner's API key and its endpoints, a second key that goes over
its rate, and calendar feed tokens. Who does what:

- Specialist: signs in once, then browses My week, the job seekers list, a job
  seeker, the employers list, an employer, an employer search, a job seeker's
  matching and My tasks (ids and search words taken from the pages it saw).
- TeamLeader: signs in once, then the team dashboard, the team's follow-along and
  the job seekers list.
- PartnerSync: the partner's sync client, at a steady rate under its limit: each list
  its grants allow, page after page through `next` (the cursor), and a detail.
- CalendarReader: a calendar app refreshing a feed, with and without If-None-Match
  (the ETag it was given: 304 expected).
- OverRatePartner: a partner whose script polls faster than its rate: its 429s are
  expected (with Retry-After) and named apart, never failures.

Any other status than the one expected, a 5xx or a connection error, is a failure.
Requests are named by kind ("page: My week", "api: job-seekers list (cursor)"...),
which is what the report's rows are.

The server runs with DEBUG off, so its cookies are Secure and plain HTTP is
redirected to HTTPS: every request says it came through a TLS-terminating proxy
(X-Forwarded-Proto: https, as nginx in front of gunicorn does), and the users send
their Secure cookies back over loopback HTTP.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re
from collections import Counter
from urllib.parse import urlsplit

from locust import HttpUser, between, constant_throughput, events, task

#: The suffix of the request name under which an over-rate partner's 429s are counted.
THROTTLED = "429 (expected)"
#: HTTP status 0: locust's code for a request that got no response (connection error).
NO_RESPONSE = 0

_JOB_SEEKER_LINK = re.compile(r'href="/job-seekers/(\d+)/"')
_EMPLOYER_LINK = re.compile(r'href="/employers/(\d+)/"[^>]*>\s*([^<]+?)\s*<')
_CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
_WORD = re.compile(r"[^\W\d_]{4,}")
#: Search words when no employer name was seen yet (kept short: typed prefixes).
_FALLBACK_TERMS = ("bou", "rest", "serv", "garage", "hotel")


def _load_plan() -> dict:
    path = os.environ.get("LOADTEST_PLAN")
    if not path:
        return {}
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)


PLAN = _load_plan()
_random = random.Random(PLAN.get("seed", 13))
_accounts = {role: itertools.cycle(PLAN.get(role) or [None]) for role in ("specialists", "team_leaders")}
_feed_tokens = list(PLAN.get("feeds", []))
_wait = PLAN.get("wait_seconds", [0.5, 2.0])


def expect(response, *statuses: int) -> bool:
    """Mark a catch_response request: success for an expected status, failure
    otherwise (a 5xx, another 4xx, a redirect not asked for, or no response)."""
    if response.status_code in statuses and response.status_code != NO_RESPONSE:
        response.success()
        return True
    if response.status_code == NO_RESPONSE:
        response.failure(f"no response: {response.error!r}")
    else:
        response.failure(f"HTTP {response.status_code} (expected {', '.join(map(str, statuses))})")
    return False


def local_path(url: str) -> str:
    """The path and query of an absolute link: the API writes its `next` links with the
    https scheme the proxy header claims, while the test talks HTTP to gunicorn."""
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


class _Client(HttpUser):
    abstract = True

    def on_start(self):
        self.client.headers["X-Forwarded-Proto"] = "https"

    def send_secure_cookies(self) -> None:
        """Let the Secure cookies go back over loopback HTTP: the pretend proxy in front
        is the TLS end, as in production. (requests copies the session's cookies into
        a fresh jar for each request, so a cookie policy would not do.)"""
        for cookie in self.client.cookies:
            cookie.secure = False


class _SignedIn(_Client):
    abstract = True
    wait_time = between(*_wait)
    role = ""

    def on_start(self):
        super().on_start()
        self.username = next(_accounts[self.role])
        self.job_seekers: list[str] = []
        self.employers: list[str] = []
        self.terms: list[str] = []
        self.signed_in = self.username is not None and self.sign_in()

    def sign_in(self) -> bool:
        with self.client.get("/login/", name="sign in: form", catch_response=True) as response:
            if not expect(response, 200):
                return False
            token = _CSRF_FIELD.search(response.text)
        self.send_secure_cookies()
        origin = "https://" + urlsplit(self.host).netloc
        data = {
            "username": self.username,
            "password": PLAN["password"],
            "csrfmiddlewaretoken": token.group(1) if token else "",
        }
        headers = {"Referer": f"{origin}/login/", "Origin": origin}
        with self.client.post(
            "/login/", data=data, headers=headers, name="sign in", allow_redirects=False, catch_response=True
        ) as response:
            # A wrong password answers 200 with the form again: a failure here.
            return expect(response, 302)

    def page(self, path: str, name: str):
        """GET a page of the app; its HTML, or None when it failed."""
        self.send_secure_cookies()
        with self.client.get(path, name=name, catch_response=True) as response:
            return response.text if expect(response, 200) else None

    def see_job_seekers(self, html: str | None) -> None:
        if html:
            self.job_seekers = list(dict.fromkeys(_JOB_SEEKER_LINK.findall(html))) or self.job_seekers

    def job_seeker_id(self) -> str | None:
        if not self.job_seekers:
            self.see_job_seekers(self.page("/job-seekers/", "page: job seekers"))
        return _random.choice(self.job_seekers) if self.job_seekers else None


class Specialist(_SignedIn):
    weight = 6
    role = "specialists"

    @task(3)
    def my_week(self):
        if self.signed_in:
            self.page("/my-week/", "page: My week")

    @task(3)
    def job_seekers(self):
        if self.signed_in:
            self.see_job_seekers(self.page("/job-seekers/", "page: job seekers"))

    @task(2)
    def job_seeker(self):
        if self.signed_in and (pk := self.job_seeker_id()):
            self.page(f"/job-seekers/{pk}/", "page: a job seeker")

    @task(2)
    def employers(self):
        if not self.signed_in:
            return
        html = self.page("/employers/", "page: employers")
        if html:
            found = _EMPLOYER_LINK.findall(html)
            self.employers = [pk for pk, _name in found] or self.employers
            words = [word.lower() for _pk, name in found for word in _WORD.findall(name)]
            self.terms = [word[: _random.randint(3, max(3, len(word)))] for word in words] or self.terms

    @task(1)
    def employer(self):
        if self.signed_in and self.employers:
            self.page(f"/employers/{_random.choice(self.employers)}/", "page: an employer")

    @task(2)
    def employer_search(self):
        if self.signed_in:
            term = _random.choice(self.terms or _FALLBACK_TERMS)
            self.page(f"/employers/?q={term}", "page: employers search")

    @task(1)
    def matching(self):
        if self.signed_in and (pk := self.job_seeker_id()):
            self.page(f"/matching/job-seeker/{pk}/", "page: matching for a job seeker")

    @task(2)
    def my_tasks(self):
        if self.signed_in:
            self.page("/tasks/", "page: My tasks")


class TeamLeader(_SignedIn):
    weight = 1
    role = "team_leaders"

    @task(3)
    def dashboard(self):
        if self.signed_in:
            self.page("/dashboard/", "page: team dashboard")

    @task(1)
    def team_follow_along(self):
        if self.signed_in:
            self.page("/tasks/team/", "page: team follow-along")

    @task(1)
    def job_seekers(self):
        if self.signed_in:
            self.page("/job-seekers/", "page: job seekers")


class _Partner(_Client):
    abstract = True
    key_name = ""

    def on_start(self):
        super().on_start()
        self.client.headers["Authorization"] = f"Bearer {PLAN[self.key_name]}"
        self.client.headers["Accept"] = "application/json"


class PartnerSync(_Partner):
    """One request per task run, so constant_throughput paces every request."""

    fixed_count = 1
    key_name = "api_key"
    wait_time = constant_throughput(PLAN.get("partner_rps", 1.0))

    def on_start(self):
        super().on_start()
        self.resources = itertools.cycle(PLAN.get("api_resources") or ["job-seekers"])
        self.resource = next(self.resources)
        self.next_path: str | None = None
        self.pages = 0
        self.ids: list[int] = []

    @task(4)
    def sync(self):
        if self.next_path is None:
            self.resource = next(self.resources)
            path, name = f"/api/v1/{self.resource}/?page_size=50", f"api: {self.resource} list (first page)"
        else:
            path, name = self.next_path, f"api: {self.resource} list (cursor)"
        with self.client.get(path, name=name, catch_response=True) as response:
            if not expect(response, 200):
                self.next_path = None
                return
            body = response.json()
        self.pages += 1
        rows = body.get("results", [])
        if self.resource == "job-seekers" and rows:
            self.ids = [row["id"] for row in rows]
        # A sync reads a few pages, then starts over on the next list.
        self.next_path = local_path(body["next"]) if body.get("next") and self.pages % 4 else None

    @task(1)
    def detail(self):
        if not self.ids:
            return self.sync()
        pk = _random.choice(self.ids)
        with self.client.get(f"/api/v1/job-seekers/{pk}/", name="api: a job seeker", catch_response=True) as response:
            expect(response, 200)


class CalendarReader(_Client):
    """A calendar app: a full fetch, then revalidations with the ETag it was given."""

    weight = 2
    wait_time = between(*_wait)

    def on_start(self):
        super().on_start()
        self.etags: dict[str, str] = {}

    @task
    def refresh(self):
        if not _feed_tokens:
            return
        token = _random.choice(_feed_tokens)
        etag = self.etags.get(token)
        if etag is None or _random.random() < 0.3:
            with self.client.get(f"/calendar/{token}.ics", name="feed: full", catch_response=True) as response:
                if expect(response, 200):
                    self.etags[token] = response.headers.get("ETag", "")
            return
        headers = {"If-None-Match": etag}
        with self.client.get(
            f"/calendar/{token}.ics", name="feed: conditional", headers=headers, catch_response=True
        ) as response:
            # 200 when the feed changed since (a fetch that published a change): its new ETag.
            if expect(response, 304, 200) and response.status_code == 200:
                self.etags[token] = response.headers.get("ETag", "")


class OverRatePartner(_Partner):
    """Polls faster than API_THROTTLE_RATE allows its key."""

    fixed_count = 1
    key_name = "over_rate_key"
    wait_time = constant_throughput(PLAN.get("over_rate_rps", 10.0))

    @task
    def poll(self):
        with self.client.get(
            "/api/v1/job-seekers/?page_size=10", name="api over rate: allowed", catch_response=True
        ) as response:
            if response.status_code == 429:
                response.request_meta["name"] = f"api over rate: {THROTTLED}"
                if response.headers.get("Retry-After"):
                    response.success()
                else:
                    response.failure("429 without Retry-After")
                return
            expect(response, 200)


@events.quitting.add_listener
def write_served_times(environment, **_kwargs):
    """Every response time but the expected 429s, merged (locust's rounded buckets),
    for the report's overall percentiles: LOADTEST_SERVED names the file."""
    path = os.environ.get("LOADTEST_SERVED")
    if not path:
        return
    merged: Counter = Counter()
    for entry in environment.stats.entries.values():
        if not entry.name.endswith(THROTTLED):
            merged.update(entry.response_times)
    with open(path, "w", encoding="utf-8") as handle:
        json.dump(
            {"num_requests": sum(merged.values()), "response_times": {str(k): v for k, v in merged.items()}}, handle
        )
