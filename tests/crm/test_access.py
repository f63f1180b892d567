"""Access rules, proven per role at each boundary: pages and admin."""

from django.urls import reverse

from crm.access import access_scope
from crm.selectors import job_seekers_editable, job_seekers_visible
from employers.selectors import employers_visible
from placements.selectors import placements_visible
from tests.factories import (
    ContactPersonFactory,
    EmployerFactory,
    EmployerSiteFactory,
    PlacementFactory,
)


def names(queryset):
    return sorted(job_seeker.first_name for job_seeker in queryset)


def test_specialist_reads_own_and_team_caseload(caseloads, specialist_sam):
    assert names(job_seekers_visible(access_scope(specialist_sam))) == ["Léonie", "Samia", "Sofiane"]


def test_specialist_edits_only_own_caseload(caseloads, specialist_sam):
    assert names(job_seekers_editable(access_scope(specialist_sam))) == ["Samia"]


def test_team_cover_off_limits_specialist_to_own_caseload(caseloads, specialist_sam, organisation):
    organisation.team_cover = False
    organisation.save()
    specialist_sam.refresh_from_db()
    assert names(job_seekers_visible(access_scope(specialist_sam))) == ["Samia"]


def test_team_leader_sees_and_edits_whole_team(caseloads, leader_a):
    assert names(job_seekers_visible(access_scope(leader_a))) == ["Léonie", "Samia", "Sofiane"]
    assert names(job_seekers_editable(access_scope(leader_a))) == ["Léonie", "Samia", "Sofiane"]


def test_program_admin_sees_whole_program_only(caseloads, program_admin):
    assert names(job_seekers_visible(access_scope(program_admin))) == ["Bobette", "Léonie", "Samia", "Sofiane"]


def test_other_organisation_sees_nothing_of_ours(caseloads, specialist_louis):
    assert names(job_seekers_visible(access_scope(specialist_louis))) == ["Louise"]


def test_anonymous_sees_nothing(caseloads, django_user_model):
    from django.contrib.auth.models import AnonymousUser

    assert not job_seekers_visible(access_scope(AnonymousUser())).exists()


def test_specialist_gets_404_on_another_teams_job_seeker(caseloads, specialist_sam, client_for):
    client = client_for(specialist_sam)
    response = client.get(reverse("job_seeker_detail", args=[caseloads["bob"].pk]))
    assert response.status_code == 404


def test_specialist_gets_404_on_another_organisations_job_seeker(caseloads, specialist_sam, client_for):
    client = client_for(specialist_sam)
    assert client.get(reverse("job_seeker_detail", args=[caseloads["louis"].pk])).status_code == 404
    assert client.get(reverse("job_seeker_edit", args=[caseloads["louis"].pk])).status_code == 404
    assert client.get(reverse("job_seeker_placements", args=[caseloads["louis"].pk])).status_code == 404


def test_specialist_reads_team_mate_but_cannot_edit(caseloads, specialist_sam, client_for):
    client = client_for(specialist_sam)
    page = client.get(reverse("job_seeker_detail", args=[caseloads["sofia"].pk]))
    assert page.status_code == 200
    assert reverse("job_seeker_edit", args=[caseloads["sofia"].pk]) not in page.content.decode()
    assert client.get(reverse("job_seeker_edit", args=[caseloads["sofia"].pk])).status_code == 404
    response = client.post(reverse("job_seeker_status", args=[caseloads["sofia"].pk]), {"status": "closed"})
    assert response.status_code == 404
    caseloads["sofia"].refresh_from_db()
    assert caseloads["sofia"].status == "job_search"


def test_team_leader_gets_404_on_other_team(caseloads, leader_a, client_for):
    client = client_for(leader_a)
    assert client.get(reverse("job_seeker_detail", args=[caseloads["bob"].pk])).status_code == 404
    assert client.get(reverse("job_seeker_detail", args=[caseloads["sofia"].pk])).status_code == 200


def test_program_admin_gets_404_on_other_organisation(caseloads, program_admin, client_for):
    client = client_for(program_admin)
    assert client.get(reverse("job_seeker_detail", args=[caseloads["bob"].pk])).status_code == 200
    assert client.get(reverse("job_seeker_detail", args=[caseloads["louis"].pk])).status_code == 404


def test_job_seeker_list_shows_only_visible(caseloads, specialist_sam, client_for):
    content = client_for(specialist_sam).get(reverse("job_seeker_list")).content.decode()
    assert "Samia" in content and "Sofiane" in content
    assert "Bobette" not in content and "Louise" not in content


def test_employers_are_shared_across_the_program_but_not_beyond(
    specialist_sam, specialist_bob, specialist_louis, client_for
):
    ours = EmployerFactory(organisation=specialist_sam.organisation, name="Boulangerie du Port")
    EmployerSiteFactory(employer=ours)
    ContactPersonFactory(employer=ours)
    theirs = EmployerFactory(organisation=specialist_louis.organisation, name="Bouchon Lyonnais")
    assert list(employers_visible(access_scope(specialist_bob))) == [ours]
    client = client_for(specialist_sam)
    assert client.get(reverse("employer_detail", args=[ours.pk])).status_code == 200
    assert client.get(reverse("employer_detail", args=[theirs.pk])).status_code == 404
    assert client.get(reverse("employer_edit", args=[theirs.pk])).status_code == 404
    assert client.get(reverse("employer_site_create", args=[theirs.pk])).status_code == 404
    assert "Bouchon" not in client.get(reverse("employer_list")).content.decode()


def test_site_of_another_employer_answers_404(specialist_sam, client_for):
    employer = EmployerFactory(organisation=specialist_sam.organisation)
    other_site = EmployerSiteFactory(employer=EmployerFactory(organisation=specialist_sam.organisation))
    url = reverse("employer_site_edit", args=[employer.pk, other_site.pk])
    assert client_for(specialist_sam).get(url).status_code == 404


def test_placements_follow_the_caseload_rules(caseloads, specialist_sam, leader_b):
    ours = PlacementFactory(job_seeker=caseloads["sam"])
    PlacementFactory(job_seeker=caseloads["bob"])
    PlacementFactory(job_seeker=caseloads["louis"])
    assert list(placements_visible(access_scope(specialist_sam))) == [ours]
    assert [p.job_seeker.first_name for p in placements_visible(access_scope(leader_b))] == ["Bobette"]


def test_pages_require_login(client, caseloads):
    for url in [
        reverse("job_seeker_list"),
        reverse("employer_list"),
        reverse("placement_list"),
        reverse("job_seeker_detail", args=[caseloads["sam"].pk]),
        reverse("my_week"),
    ]:
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))


class TestAdmin:
    def test_program_admin_sees_own_program_in_admin(self, caseloads, program_admin, client_for):
        client = client_for(program_admin)
        response = client.get(reverse("admin:crm_jobseeker_changelist"))
        assert response.status_code == 200
        content = response.content.decode()
        assert "Samia" in content and "Bobette" in content and "Louise" not in content

    def test_other_program_record_answers_404_in_admin(self, caseloads, program_admin, client_for):
        client = client_for(program_admin)
        louise = caseloads["louis"]
        assert client.get(reverse("admin:crm_jobseeker_change", args=[louise.pk])).status_code == 404
        assert client.get(reverse("admin:crm_jobseeker_history", args=[louise.pk])).status_code == 404

    def test_specialists_have_no_admin(self, caseloads, specialist_sam, client_for):
        specialist_sam.is_staff = True  # even if someone ticks the box by mistake
        specialist_sam.save()
        response = client_for(specialist_sam).get(reverse("admin:crm_jobseeker_changelist"))
        assert response.status_code == 403
