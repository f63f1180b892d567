"""Rules of the employer contact log that once lived only in forms, now in the
services and the model, so every interface (pages, admin, API) gets them."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from crm.access import OutOfScope, ProgramScope, access_scope
from crm.models import OutboxEvent
from employers import services as employer_services
from employers.models import Employer
from jobdev import services
from jobdev.models import EmployerContact
from tests.factories import EmployerContactFactory, EmployerFactory, EmployerSiteFactory, JobSeekerFactory


@pytest.fixture
def employer(organisation):
    return EmployerFactory(organisation=organisation, name="Boulangerie du Port")


@pytest.fixture
def job_seeker(specialist_sam):
    return JobSeekerFactory(specialist=specialist_sam)


def plan(user, employer, job_seeker, starts_at, ends_at, **kwargs):
    return services.employer_contact_plan(
        scope=access_scope(user),
        employer_id=employer.pk,
        starts_at=starts_at,
        ends_at=ends_at,
        job_seeker_ids=[job_seeker.pk],
        **kwargs,
    )


def test_a_planned_contact_ends_after_it_starts(specialist_sam, employer, job_seeker):
    start = timezone.now() + datetime.timedelta(days=1)
    with pytest.raises(ValidationError) as error:
        plan(specialist_sam, employer, job_seeker, start, start)
    assert "ends_at" in error.value.error_dict
    contact = plan(specialist_sam, employer, job_seeker, start, start + datetime.timedelta(hours=1))
    with pytest.raises(ValidationError):
        services.employer_contact_reschedule(
            scope=access_scope(specialist_sam), contact_id=contact.pk, starts_at=start, ends_at=start
        )
    assert not EmployerContact.objects.filter(ends_at=start).exists()


def test_a_contact_lasts_at_most_twelve_hours(specialist_sam, employer, job_seeker):
    start = timezone.now() + datetime.timedelta(days=1)
    with pytest.raises(ValidationError):
        plan(specialist_sam, employer, job_seeker, start, start + datetime.timedelta(hours=13))


def test_a_future_contact_cannot_be_held(specialist_sam, employer, job_seeker):
    """It would count in the fidelity figures and set the first employer contact to a
    date that has not come."""
    start = timezone.now() + datetime.timedelta(days=2)
    contact = plan(specialist_sam, employer, job_seeker, start, start + datetime.timedelta(hours=1))
    with pytest.raises(ValidationError):
        services.employer_contact_hold(scope=access_scope(specialist_sam), contact_id=contact.pk, outcome={})
    contact.refresh_from_db()
    assert contact.status == "planned" and not OutboxEvent.objects.exists()


def test_a_future_contact_cannot_be_held_from_the_page(client_for, specialist_sam, employer, job_seeker):
    start = timezone.now() + datetime.timedelta(days=2)
    contact = plan(specialist_sam, employer, job_seeker, start, start + datetime.timedelta(hours=1))
    response = client_for(specialist_sam).post(
        reverse("contact_outcome", args=[contact.pk]), {"outcome-happened": "held", "outcome-nature": "first"}
    )
    assert response.status_code == 200 and "has not taken place yet" in response.content.decode()
    job_seeker.refresh_from_db()
    assert job_seeker.first_employer_contact_on is None


def test_a_next_step_needs_a_date(specialist_sam, employer, job_seeker):
    start = timezone.now() - datetime.timedelta(hours=2)
    contact = plan(specialist_sam, employer, job_seeker, start, start + datetime.timedelta(hours=1))
    with pytest.raises(ValidationError) as error:
        services.employer_contact_hold(
            scope=access_scope(specialist_sam), contact_id=contact.pk, outcome={"next_step": "Send a CV"}
        )
    assert "next_step_on" in error.value.error_dict


def test_a_planned_visit_has_an_aim_without_a_date_which_the_outcome_replaces(specialist_sam, employer, job_seeker):
    start = timezone.now() - datetime.timedelta(hours=2)
    contact = plan(
        specialist_sam, employer, job_seeker, start, start + datetime.timedelta(hours=1), next_step="Present Nadia"
    )
    assert contact.next_step == "Present Nadia" and contact.next_step_on is None
    held = services.employer_contact_hold(scope=access_scope(specialist_sam), contact_id=contact.pk, outcome={})
    assert (held.next_step, held.next_step_on) == ("", None)


def test_another_employers_site_or_person_is_refused(specialist_sam, employer, job_seeker, organisation):
    other_site = EmployerSiteFactory(employer=EmployerFactory(organisation=organisation))
    start = timezone.now() + datetime.timedelta(days=1)
    with pytest.raises(ValidationError) as error:
        plan(specialist_sam, employer, job_seeker, start, start + datetime.timedelta(hours=1), site_id=other_site.pk)
    assert "site" in error.value.error_dict


def test_the_program_scope_cannot_plan_a_visit(organisation, employer, job_seeker):
    start = timezone.now() + datetime.timedelta(days=1)
    with pytest.raises(OutOfScope):
        services.employer_contact_plan(
            scope=ProgramScope(organisation),
            employer_id=employer.pk,
            starts_at=start,
            ends_at=start + datetime.timedelta(hours=1),
            job_seeker_ids=[job_seeker.pk],
        )


def test_face_to_face_on_behalf_is_one_definition(specialist_sam, employer, job_seeker):
    kinds = [
        ("in_person", "on_behalf", True),
        ("job_seeker", "on_behalf", True),
        ("phone", "on_behalf", False),
        ("in_person", "relationship", False),
    ]
    for mode, purpose, _expected in kinds:
        EmployerContactFactory(specialist=specialist_sam, employer=employer, mode=mode, purpose=purpose)
    chosen = set(EmployerContact.objects.face_to_face_on_behalf().values_list("mode", "purpose"))
    assert chosen == {(mode, purpose) for mode, purpose, expected in kinds if expected}
    assert {c.is_face_to_face_on_behalf for c in EmployerContact.objects.all()} == {True, False}


class TestRelationshipStage:
    """employers.services.employer_relationship_set is the one writer of the stage."""

    def test_events_move_the_stage_forward_only(self, organisation, employer):
        scope = ProgramScope(organisation)
        assert employer_services.employer_relationship_set(scope=scope, employer_id=employer.pk, stage="has_hired")
        assert not employer_services.employer_relationship_set(scope=scope, employer_id=employer.pk, stage="introduced")
        employer.refresh_from_db()
        assert employer.relationship_stage == "has_hired"

    def test_a_person_may_set_it_back(self, specialist_sam, employer):
        scope = access_scope(specialist_sam)
        employer_services.employer_relationship_set(scope=scope, employer_id=employer.pk, stage="relationship")
        employer_services.employer_update(
            scope=scope, employer_id=employer.pk, details={"name": employer.name}, relationship_stage="introduced"
        )
        employer.refresh_from_db()
        assert employer.relationship_stage == "introduced"

    def test_unknown_stage_and_another_programs_employer(self, specialist_sam, specialist_louis, employer):
        with pytest.raises(ValidationError):
            employer_services.employer_relationship_set(
                scope=access_scope(specialist_sam), employer_id=employer.pk, stage="married"
            )
        with pytest.raises(OutOfScope):
            employer_services.employer_relationship_set(
                scope=access_scope(specialist_louis), employer_id=employer.pk, stage="introduced"
            )
        assert Employer.objects.get(pk=employer.pk).relationship_stage == "not_contacted"

    def test_a_held_contact_moves_it_through_the_same_writer(self, specialist_sam, employer, job_seeker, handle_events):
        job_seeker.job_search_since = timezone.localdate() - datetime.timedelta(days=10)
        job_seeker.save()
        start = timezone.now() - datetime.timedelta(hours=3)
        contact = plan(specialist_sam, employer, job_seeker, start, start + datetime.timedelta(hours=1))
        services.employer_contact_hold(scope=access_scope(specialist_sam), contact_id=contact.pk, outcome={})
        handle_events()
        employer.refresh_from_db()
        job_seeker.refresh_from_db()
        assert employer.relationship_stage == "introduced"
        assert job_seeker.first_employer_contact_on == timezone.localdate(start)


def test_the_model_rules_checked_in_clean_are_not_asked_of_the_database_again(
    specialist_sam, employer, django_assert_num_queries
):
    start = timezone.now() + datetime.timedelta(days=1)
    contact = EmployerContact(
        organisation=specialist_sam.organisation,
        specialist=specialist_sam,
        employer=employer,
        starts_at=start,
        ends_at=start,
    )
    with django_assert_num_queries(0), pytest.raises(ValidationError) as error:
        contact.full_clean()
    assert "ends_at" in error.value.error_dict
    names = {c.name for _model, constraints in contact.get_constraints() for c in constraints}
    assert not names & EmployerContact.CHECKED_IN_CLEAN


def test_the_database_refuses_a_contact_of_no_length(specialist_sam, employer):
    from django.db import IntegrityError, transaction

    start = timezone.now()
    with pytest.raises(IntegrityError), transaction.atomic():
        EmployerContactFactory(specialist=specialist_sam, employer=employer, starts_at=start, ends_at=start)
