"""Where each role lands, the navigation each role sees, and the program overview."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from crm.models import User
from tests.factories import (
    EmployerContactFactory,
    EmployerFactory,
    JobSeekerFactory,
    PlacementFactory,
    SupportTaskFactory,
    TeamFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


# Landing ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "landing"),
    [("specialist_sam", "my_week"), ("leader_a", "team_dashboard"), ("program_admin", "program_overview")],
)
def test_each_role_lands_on_its_own_page(request, client_for, who, landing):
    client = client_for(request.getfixturevalue(who))
    response = client.get(reverse("home"), follow=True)
    assert response.redirect_chain == [(reverse(landing), 302)]
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("who", "landing"),
    [("specialist_sam", "my_week"), ("leader_a", "team_dashboard"), ("program_admin", "program_overview")],
)
def test_logging_in_lands_on_the_role_page(request, client, who, landing):
    user = request.getfixturevalue(who)
    response = client.post(reverse("login"), {"username": user.username, "password": "correct horse battery staple"})
    assert response["Location"] == reverse("home")
    assert client.get(reverse("home"))["Location"] == reverse(landing)


def test_a_next_parameter_still_wins_over_the_landing_page(client, specialist_sam):
    response = client.post(
        f"{reverse('login')}?next=/employers/",
        {"username": "sam", "password": "correct horse battery staple", "next": "/employers/"},
    )
    assert response["Location"] == "/employers/"


def test_an_operator_lands_on_the_admin(client):
    operator = UserFactory(username="olga", organisation=None, is_superuser=True, is_staff=True)
    client.force_login(operator)
    assert client.get(reverse("home"))["Location"] == reverse("admin:index")


def test_an_operator_who_may_not_use_the_admin_gets_a_page_not_a_loop(client):
    """Only operators (superusers) are outside any program (a check constraint); one
    without admin access (not staff) is told so on the start page itself: no redirect,
    no 404, no 500."""
    lost = UserFactory(username="lost", organisation=None, is_superuser=True, is_staff=False)
    client.force_login(lost)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert "not part of a program" in response.content.decode()
    # The header offers none of the program's pages.
    assert reverse("job_seeker_list") not in response.content.decode()


def test_an_anonymous_visitor_is_sent_to_log_in(client):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_every_role_has_a_landing_page():
    """A new role must say where it lands (crm.views.LANDING_PAGES, by the scope's
    dashboard label): the tests above cover each of User.Role."""
    assert set(User.Role.values) == {"specialist", "team_leader", "program_admin"}


# Navigation ----------------------------------------------------------------------


def nav(client) -> str:
    content = client.get(reverse("my_week")).content.decode()
    return content[content.index('<nav aria-label="Main">') : content.index("</nav>")]


def test_a_specialist_sees_my_figures_and_no_supervisor_links(client_for, specialist_sam):
    links = nav(client_for(specialist_sam))
    assert ">My figures</a>" in links
    assert "Team dashboard" not in links
    assert reverse("team_follow_along") not in links
    assert reverse("program_overview") not in links
    assert reverse("admin:index") not in links


def test_a_team_leader_reaches_team_follow_along_from_the_nav(client_for, leader_a):
    links = nav(client_for(leader_a))
    assert f'href="{reverse("team_follow_along")}"' in links
    assert ">Team dashboard</a>" in links
    assert reverse("program_overview") not in links


def test_a_program_admin_has_the_overview_and_the_admin_in_the_nav(client_for, program_admin):
    links = nav(client_for(program_admin))
    assert f'href="{reverse("program_overview")}"' in links
    assert f'href="{reverse("admin:index")}"' in links
    assert f'href="{reverse("team_follow_along")}"' in links
    assert ">Fidelity dashboard</a>" in links


def test_a_program_admin_without_admin_access_gets_no_admin_link(client_for, organisation):
    admin = UserFactory(username="adele", organisation=organisation, role=User.Role.PROGRAM_ADMIN, is_staff=False)
    assert reverse("admin:index") not in nav(client_for(admin))


def test_my_tasks_is_not_marked_current_on_team_follow_along(client_for, leader_a):
    content = client_for(leader_a).get(reverse("team_follow_along")).content.decode()
    assert f'<a href="{reverse("team_follow_along")}" aria-current="page">' in content
    assert f'<a href="{reverse("task_list")}" aria-current="page">' not in content


def test_the_header_has_a_menu_button_for_phones(client_for, specialist_sam):
    content = client_for(specialist_sam).get(reverse("my_week")).content.decode()
    # Hidden until app.js folds the menu: without JavaScript the menu shows.
    assert (
        '<button type="button" class="menu-toggle" aria-expanded="false" aria-controls="site-menu" hidden>' in content
    )
    assert 'id="site-menu"' in content


def test_the_overdue_tasks_figure_links_to_the_list_it_counts(client_for, specialist_sam, leader_a):
    today = timezone.localdate()
    job_seeker = JobSeekerFactory(specialist=specialist_sam, first_name="Nadia", last_name="Benali")
    SupportTaskFactory(job_seeker=job_seeker, title="Call the bakery", due_date=today - datetime.timedelta(days=4))
    SupportTaskFactory(job_seeker=job_seeker, title="Not yet due", due_date=today + datetime.timedelta(days=1))
    content = client_for(leader_a).get(reverse("team_dashboard")).content.decode()
    figure = content[content.index('id="figure-overdue_tasks"') :]
    figure = figure[: figure.index("</li>")]
    assert '<a href="#table-overdue-tasks" class="fidelity-value-link">1' in figure
    table = content[content.index('id="table-overdue-tasks"') :]
    table = table[: table.index("</table>")]
    assert "Call the bakery" in table and "Nadia Benali" in table
    assert "Not yet due" not in table


def test_the_overdue_tasks_table_is_exported(client_for, specialist_sam):
    SupportTaskFactory(
        job_seeker=JobSeekerFactory(specialist=specialist_sam),
        title="Call the bakery",
        due_date=timezone.localdate() - datetime.timedelta(days=2),
    )
    response = client_for(specialist_sam).get(reverse("team_dashboard_export", args=["overdue-tasks"]))
    assert response.status_code == 200
    assert "Call the bakery" in response.content.decode()


# The program overview ------------------------------------------------------------


def test_the_program_overview_is_for_program_admins_only(client_for, specialist_sam, leader_a, specialist_louis):
    for user in (specialist_sam, leader_a):
        assert client_for(user).get(reverse("program_overview")).status_code == 404


def test_the_program_overview_shows_each_team_its_people_and_figures(
    client_for, program_admin, team_a, team_b, leader_a, leader_b, specialist_sam, specialist_sofia, specialist_bob
):
    today = timezone.localdate()
    for _ in range(3):
        JobSeekerFactory(specialist=specialist_sam, status="job_search", job_search_since=today)
    JobSeekerFactory(specialist=specialist_bob, status="job_search", job_search_since=today)
    late = JobSeekerFactory(
        specialist=specialist_bob, status="job_search", job_search_since=today - datetime.timedelta(days=60)
    )
    SupportTaskFactory(job_seeker=late, due_date=today - datetime.timedelta(days=3))
    PlacementFactory(
        job_seeker=JobSeekerFactory(specialist=specialist_sofia, status="working"),
        employer=EmployerFactory(organisation=team_a.organisation),
        start_date=today - datetime.timedelta(days=10),
        offer_date=today - datetime.timedelta(days=14),
    )
    response = client_for(program_admin).get(reverse("program_overview"))
    assert response.status_code == 200
    overview = response.context["overview"]
    teams = {summary.team.name: summary for summary in overview.teams}
    assert set(teams) == {"Team A", "Team B"}
    assert teams["Team A"].leader == leader_a
    assert {person.first_name for person in teams["Team A"].members} == {"Sam", "Sofia"}
    assert teams["Team A"].figures.caseload == 4
    assert teams["Team A"].figures.job_starts == 1
    assert teams["Team A"].figures.overdue_tasks == 0
    assert teams["Team B"].figures.caseload == 2
    assert teams["Team B"].figures.overdue_tasks == 1
    assert teams["Team B"].figures.no_first_contact == 1
    assert overview.total.caseload == 6
    content = response.content.decode()
    assert f"{reverse('team_dashboard')}?team={team_b.pk}#table-overdue-tasks" in content
    assert f'{reverse("team_dashboard")}?team={team_a.pk}"' in content


def test_contacts_this_week_are_counted_per_specialist(
    client_for, program_admin, team_a, specialist_sam, specialist_sofia
):
    now = timezone.now()
    monday = timezone.localdate() - datetime.timedelta(days=timezone.localdate().weekday())
    this_week = timezone.make_aware(datetime.datetime.combine(monday, datetime.time(9)))
    if this_week > now:  # Monday before 9: the contact happened at midnight and a minute
        this_week = timezone.make_aware(datetime.datetime.combine(monday, datetime.time(0, 1)))
    person = JobSeekerFactory(specialist=specialist_sam)
    for _ in range(3):
        EmployerContactFactory(
            specialist=specialist_sam,
            starts_at=this_week,
            status="held",
            purpose="on_behalf",
            job_seekers=[person],
        )
    overview = client_for(program_admin).get(reverse("program_overview")).context["overview"]
    team = next(summary for summary in overview.teams if summary.team == team_a)
    assert team.figures.specialists == 2
    assert team.figures.contacts_this_week == 3
    assert team.figures.contacts_this_week_per_specialist == 1.5


def test_people_in_no_team_are_shown_apart(client_for, program_admin, organisation):
    loner = UserFactory(username="lou", first_name="Lou", organisation=organisation, team=None)
    JobSeekerFactory(specialist=loner)
    overview = client_for(program_admin).get(reverse("program_overview")).context["overview"]
    assert overview.teams[-1].team is None
    assert [person.first_name for person in overview.teams[-1].members] == ["Lou"]
    assert overview.teams[-1].figures.caseload == 1


def test_the_program_overview_query_count_does_not_grow_with_teams(
    client_for, program_admin, organisation, django_assert_num_queries, django_assert_max_num_queries
):
    def add_team(n):
        team = TeamFactory(organisation=organisation, name=f"Team {n}")
        leader = UserFactory(organisation=organisation, role=User.Role.TEAM_LEADER, team=team)
        team.leader = leader
        team.save()
        for _ in range(2):
            specialist = UserFactory(organisation=organisation, team=team)
            person = JobSeekerFactory(specialist=specialist, status="job_search")
            SupportTaskFactory(job_seeker=person, due_date=timezone.localdate() - datetime.timedelta(days=2))
            EmployerContactFactory(specialist=specialist, status="held", purpose="on_behalf", job_seekers=[person])

    client = client_for(program_admin)
    add_team(1)
    client.get(reverse("program_overview"))  # warm the caches (content types, sessions)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one_team:
        client.get(reverse("program_overview"))
    for n in range(2, 6):
        add_team(n)
    with django_assert_num_queries(len(one_team.captured_queries)):
        response = client.get(reverse("program_overview"))
    assert len(response.context["overview"].teams) == 5
    with django_assert_max_num_queries(25):
        client.get(reverse("program_overview"))
