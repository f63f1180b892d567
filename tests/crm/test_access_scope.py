"""The one access scope (crm/access.py): built once per principal, the only place that
knows roles, compiled to index-friendly SQL, and answered 404 when out of scope."""

import datetime
import re
from pathlib import Path

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.http import Http404

from crm.access import NO_ACCESS, OutOfScope, ProgramScope, StaffScope, access_scope
from crm.models import JobSeeker, User
from tests.factories import UserFactory

ROOT = Path(__file__).resolve().parents[2]


def names(queryset):
    return sorted(job_seeker.first_name for job_seeker in queryset)


def test_scope_is_built_once_per_user_object(specialist_sam):
    assert access_scope(specialist_sam) is access_scope(specialist_sam)
    assert isinstance(access_scope(specialist_sam), StaffScope)


def test_anonymous_inactive_and_operators_outside_programs_see_nothing(caseloads, specialist_sam):
    operator = UserFactory(organisation=None, is_superuser=True, is_staff=True)
    specialist_sam.is_active = False
    for principal in (AnonymousUser(), specialist_sam, operator, None):
        scope = access_scope(principal)
        assert not scope.in_program
        assert not scope.job_seekers().exists()
    assert access_scope(AnonymousUser()) is NO_ACCESS
    assert access_scope(operator).uses_admin and access_scope(operator).is_operator


def test_program_scope_sees_its_program_only(caseloads, organisation):
    assert names(ProgramScope(organisation).job_seekers()) == ["Bobette", "Léonie", "Samia", "Sofiane"]
    assert ProgramScope(organisation).user is None


@pytest.mark.parametrize(
    ("who", "read", "edit"),
    [
        ("specialist_sam", ["Léonie", "Samia", "Sofiane"], ["Samia"]),
        ("leader_a", ["Léonie", "Samia", "Sofiane"], ["Léonie", "Samia", "Sofiane"]),
        ("program_admin", ["Bobette", "Léonie", "Samia", "Sofiane"], ["Bobette", "Léonie", "Samia", "Sofiane"]),
        ("specialist_louis", ["Louise"], ["Louise"]),
    ],
)
def test_each_role_reads_and_edits_its_caseloads(caseloads, request, who, read, edit):
    scope = access_scope(request.getfixturevalue(who))
    assert names(scope.job_seekers()) == read
    assert names(scope.job_seekers(edit=True)) == edit


def test_what_each_role_may_do(specialist_sam, leader_a, program_admin):
    sam, lea, ada = access_scope(specialist_sam), access_scope(leader_a), access_scope(program_admin)
    assert (sam.sees_audit_history, lea.sees_audit_history, ada.sees_audit_history) == (False, True, True)
    assert (sam.supervises, lea.supervises, ada.supervises) == (False, True, True)
    assert (sam.chooses_team, lea.chooses_team, ada.chooses_team) == (False, False, True)
    assert (sam.uses_admin, lea.uses_admin, ada.uses_admin) == (False, False, True)
    assert (sam.dashboard_label, lea.dashboard_label, ada.dashboard_label) == ("own", "team", "program")


def test_assignable_and_dashboard_staff(specialist_sam, specialist_sofia, specialist_bob, leader_a, program_admin):
    def usernames(queryset):
        return sorted(user.username for user in queryset)

    assert usernames(access_scope(specialist_sam).assignable_specialists()) == ["sam"]
    assert usernames(access_scope(leader_a).assignable_specialists()) == ["lea", "sam", "sofia"]
    assert usernames(access_scope(program_admin).assignable_specialists()) == ["bob", "lea", "sam", "sofia"]
    assert usernames(access_scope(specialist_sam).dashboard_staff()) == ["sam"]
    assert usernames(access_scope(leader_a).dashboard_staff()) == ["lea", "sam", "sofia"]
    assert usernames(access_scope(specialist_sam).staff()) == ["lea", "sam", "sofia"]


def test_get_answers_out_of_scope_as_a_404(caseloads, specialist_sam):
    scope = access_scope(specialist_sam)
    assert scope.get(scope.job_seekers(), pk=caseloads["sofia"].pk).first_name == "Sofiane"
    for pk in (caseloads["bob"].pk, caseloads["louis"].pk, 10**9, "not a number"):
        with pytest.raises(OutOfScope):
            scope.get(scope.job_seekers(), pk=pk)
    assert issubclass(OutOfScope, Http404)
    with pytest.raises(OutOfScope):
        scope.get(scope.job_seekers(edit=True), pk=caseloads["sofia"].pk)


def _sql(queryset) -> str:
    return str(queryset.query).upper()


@pytest.mark.parametrize("who", ["specialist_sam", "leader_a"])
def test_caseload_compiles_to_an_index_friendly_in_subquery(caseloads, request, who):
    """ "Specialist is me OR the specialist's team is mine" was an OR across a join,
    which scanned every job seeker; the scope asks `specialist_id IN (SELECT ...)`."""
    sql = _sql(access_scope(request.getfixturevalue(who)).job_seekers().select_related(None))
    where = sql.split(" WHERE ", 1)[1]
    assert '"CRM_JOBSEEKER"."SPECIALIST_ID" IN (SELECT' in where
    assert "JOIN" not in sql.split(" WHERE ", 1)[0]
    assert not re.search(r'\) OR "CRM_JOBSEEKER"', where)


def test_own_caseload_is_a_plain_equality(caseloads, specialist_sam):
    sql = _sql(access_scope(specialist_sam).job_seekers(edit=True).select_related(None))
    assert f'"CRM_JOBSEEKER"."SPECIALIST_ID" = {specialist_sam.pk}' in sql
    assert "SELECT" not in sql.split(" WHERE ", 1)[1]


def test_reading_a_caseload_is_one_query(caseloads, specialist_sam, leader_a, django_assert_num_queries):
    for user in (specialist_sam, leader_a):
        user = type(user).objects.select_related("organisation").get(pk=user.pk)
        scope = access_scope(user)
        with django_assert_num_queries(1):
            list(scope.job_seekers())


@pytest.mark.services
@pytest.mark.skipif(connection.vendor != "postgresql", reason="query plans are PostgreSQL's")
def test_postgresql_reaches_a_caseload_through_the_specialist_index(organisation, team_a, leader_a, specialist_sam):
    """At a national program's scale (200 specialists, 20,000 job seekers), the planner
    reaches a team leader's and a specialist's caseload through an index on the
    specialist, never by scanning every job seeker of the program as the OR across a
    join did (10.6 ms against 0.5 ms at that size)."""
    others = User.objects.bulk_create(
        User(username=f"specialist{n}", organisation=organisation, role=User.Role.SPECIALIST) for n in range(199)
    )
    specialists = [specialist_sam, *others]
    JobSeeker.objects.bulk_create(
        JobSeeker(
            organisation=organisation,
            specialist=specialists[n % len(specialists)],
            first_name=f"P{n}",
            last_name="Test",
            referral_date=datetime.date(2026, 1, 1),
        )
        for n in range(20_000)
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE crm_jobseeker")
        cursor.execute("ANALYZE crm_user")
    for user in (leader_a, specialist_sam):
        queryset = access_scope(user).job_seekers().select_related(None).order_by()
        sql, params = queryset.query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN " + sql, params)
            plan = "\n".join(row[0] for row in cursor.fetchall())
        assert "Seq Scan on crm_jobseeker" not in plan, plan
        assert re.search(r"Index.* on crm_jobseeker\w*special", plan) or re.search(
            r"Index.*crm_jobseek\w*special\w* on crm_jobseeker", plan
        ), plan


ROLE_TEST = re.compile(
    r"\.role\s*(==|!=|\bin\b|\bnot\s+in\b)"  # user.role == ..., role in (...)
    r"|\brole__(in|exact)\b"  # .filter(role__in=...)
    r"|getattr\([^)]*[\"']role[\"']"  # getattr(user, "role")
    r"|\bRole\.(SPECIALIST|TEAM_LEADER|PROGRAM_ADMIN)\b"  # any use of a role's value
    r"|(?<!scope)\.(is_team_leader|is_program_admin|is_specialist|sees_audit_history)\b"
)
# Where roles are defined (the model), decided (the scope), given (the demo's and the
# scale tools' staff) and picked as personas by the benchmark and the load test.
ROLE_HOMES = {
    "crm/access.py",
    "crm/models.py",
    "demo/build.py",
    "demo/scale/world.py",
    "demo/chaos/program.py",
    "demo/bench/context.py",
    "demo/load/plan.py",
}


def test_no_role_test_outside_the_access_module():
    """The scope is the only place that knows roles: pages, templates, admin, exports,
    feeds and services ask it (`scope.supervises`, `scope.sees_audit_history`...)."""
    offenders = []
    for path in ROOT.rglob("*"):
        if path.suffix not in (".py", ".html") or any(
            part in (".venv", "tests", "migrations", "node_modules", ".git") for part in path.parts
        ):
            continue
        relative = path.relative_to(ROOT).as_posix()
        if relative in ROLE_HOMES:
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if ROLE_TEST.search(line):
                offenders.append(f"{relative}:{number}: {line.strip()}")
    assert offenders == []


def test_the_role_grep_catches_the_ways_a_role_is_tested():
    caught = [
        'if request.scope.user.role == "specialist":',
        "if user.role != User.Role.PROGRAM_ADMIN:",
        "if person.role not in (1, 2):",
        "staff = User.objects.filter(role__in=roles)",
        'if getattr(user, "role") == x:',
        "elif user.is_team_leader:",
        "{% if user.is_program_admin %}",
    ]
    allowed = ["if scope.sees_audit_history:", "{{ user.get_role_display }}", "role = models.CharField(...)"]
    assert all(ROLE_TEST.search(line) for line in caught)
    assert not any(ROLE_TEST.search(line) for line in allowed)


def test_the_user_model_no_longer_answers_role_questions():
    from crm.models import User

    for name in ("is_specialist", "is_team_leader", "is_program_admin", "sees_audit_history"):
        assert not hasattr(User, name)


def test_job_seeker_list_thresholds_come_from_the_program(client_for, specialist_sam, organisation):
    organisation.rapid_search_nudge_days = "10"
    organisation.days_to_first_employer_contact = 45
    organisation.save()
    JobSeeker.objects.all().delete()
    page = client_for(specialist_sam).get("/job-seekers/").content.decode()
    assert "No employer contact after 10 days" in page and "No employer contact after 45 days" in page
    assert "after 14 days" not in page and "after 30 days" not in page
