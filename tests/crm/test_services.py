"""The core's services own their rules: called directly, as the API will call them."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from crm import services
from crm.access import OutOfScope, ProgramScope, access_scope
from crm.models import JobPreference, JobSeeker, JobType, OutboxEvent
from tests.factories import JobPreferenceFactory, JobSeekerFactory


def details(**overrides):
    return {
        "first_name": "Nadia",
        "last_name": "Benali",
        "referral_date": datetime.date(2026, 10, 1),
        "enrolment_date": datetime.date(2026, 10, 5),
        **overrides,
    }


def test_create_puts_the_person_on_the_actors_caseload_and_starts_the_clock(specialist_sam):
    job_seeker = services.job_seeker_create(scope=access_scope(specialist_sam), details=details())
    assert job_seeker.specialist == specialist_sam and job_seeker.organisation_id == specialist_sam.organisation_id
    assert job_seeker.job_search_since == datetime.date(2026, 10, 5)
    assert OutboxEvent.objects.get().topic == "jobseeker.enrolled"


def test_unknown_fields_are_a_programming_error_not_a_silent_write(specialist_sam):
    with pytest.raises(ValueError, match="status"):
        services.job_seeker_create(scope=access_scope(specialist_sam), details=details(status="working"))
    assert not JobSeeker.objects.exists()


def test_a_job_type_cannot_be_both_wanted_and_avoided(specialist_sam):
    baker = JobType.objects.get(code="baker")
    with pytest.raises(ValidationError) as error:
        services.job_seeker_create(
            scope=access_scope(specialist_sam),
            details=details(),
            preference={"job_types": [baker], "avoid_job_types": [baker.pk]},
        )
    assert "avoid_job_types" in error.value.error_dict
    assert not JobSeeker.objects.exists()


def test_avoiding_a_job_type_already_wanted_is_refused_on_update(specialist_sam):
    job_seeker = JobSeekerFactory(specialist=specialist_sam)
    preference = JobPreferenceFactory(job_seeker=job_seeker)
    baker = JobType.objects.get(code="baker")
    preference.job_types.set([baker])
    with pytest.raises(ValidationError) as error:
        services.job_seeker_update(
            scope=access_scope(specialist_sam), job_seeker_id=job_seeker.pk, preference={"avoid_job_types": [baker]}
        )
    assert "avoid_job_types" in error.value.error_dict
    assert not JobPreference.objects.get().avoid_job_types.exists()


def test_hours_range_and_enrolment_order_are_checked_by_the_service(specialist_sam):
    scope = access_scope(specialist_sam)
    with pytest.raises(ValidationError) as error:
        services.job_seeker_create(scope=scope, details=details(enrolment_date=datetime.date(2026, 9, 1)))
    assert "enrolment_date" in error.value.error_dict
    with pytest.raises(ValidationError) as error:
        services.job_seeker_create(
            scope=scope, details=details(), preference={"min_hours_per_week": 30, "max_hours_per_week": 20}
        )
    assert "max_hours_per_week" in error.value.error_dict


def test_assigning_outside_the_scope_is_a_field_error(specialist_sam, specialist_bob, specialist_louis):
    for other in (specialist_bob, specialist_louis):
        with pytest.raises(ValidationError) as error:
            services.job_seeker_create(scope=access_scope(specialist_sam), specialist_id=other.pk, details=details())
        assert "specialist" in error.value.error_dict


def test_updating_someone_out_of_scope_is_a_404(specialist_sam, specialist_sofia, specialist_louis):
    team_mate = JobSeekerFactory(specialist=specialist_sofia)  # readable, not editable
    foreign = JobSeekerFactory(specialist=specialist_louis)
    for job_seeker in (team_mate, foreign):
        with pytest.raises(OutOfScope):
            services.job_seeker_update(
                scope=access_scope(specialist_sam), job_seeker_id=job_seeker.pk, details={"town": "Aix"}
            )
        with pytest.raises(OutOfScope):
            services.job_seeker_change_status(
                scope=access_scope(specialist_sam), job_seeker_id=job_seeker.pk, status="closed"
            )


def test_reassignment_is_an_event(leader_a, specialist_sam, specialist_sofia):
    job_seeker = JobSeekerFactory(specialist=specialist_sam)
    services.job_seeker_update(
        scope=access_scope(leader_a), job_seeker_id=job_seeker.pk, specialist_id=specialist_sofia.pk
    )
    event = OutboxEvent.objects.get(topic="jobseeker.reassigned")
    assert event.payload == {
        "job_seeker_id": job_seeker.pk,
        "from_specialist_id": specialist_sam.pk,
        "to_specialist_id": specialist_sofia.pk,
    }
    assert event.actor == leader_a
    # Saving without a change of specialist is not a reassignment.
    services.job_seeker_update(scope=access_scope(leader_a), job_seeker_id=job_seeker.pk, details={"town": "Aix"})
    assert OutboxEvent.objects.filter(topic="jobseeker.reassigned").count() == 1


def test_back_to_job_search_by_hand_restarts_the_rapid_search_clock(specialist_sam):
    job_seeker = JobSeekerFactory(
        specialist=specialist_sam,
        status=JobSeeker.Status.FOLLOW_ALONG,
        job_search_since=datetime.date(2026, 1, 5),
        first_employer_contact_on=datetime.date(2026, 1, 20),
    )
    services.job_seeker_change_status(
        scope=access_scope(specialist_sam), job_seeker_id=job_seeker.pk, status="job_search", note="Wants a new job"
    )
    job_seeker.refresh_from_db()
    assert job_seeker.status == "job_search"
    assert job_seeker.job_search_since == timezone.localdate()
    assert job_seeker.first_employer_contact_on is None
    event = OutboxEvent.objects.get(topic="jobseeker.enrolled")
    assert event.payload["reentry"] is True
    assert job_seeker.status_changes.get().note == "Wants a new job"


def test_setting_job_search_again_while_in_job_search_changes_nothing(specialist_sam):
    job_seeker = JobSeekerFactory(specialist=specialist_sam, job_search_since=datetime.date(2026, 1, 5))
    services.job_seeker_change_status(
        scope=access_scope(specialist_sam), job_seeker_id=job_seeker.pk, status="job_search"
    )
    job_seeker.refresh_from_db()
    assert job_seeker.job_search_since == datetime.date(2026, 1, 5)
    assert not OutboxEvent.objects.exists()


def test_unknown_status_is_refused(specialist_sam):
    job_seeker = JobSeekerFactory(specialist=specialist_sam)
    with pytest.raises(ValidationError):
        services.job_seeker_change_status(scope=access_scope(specialist_sam), job_seeker_id=job_seeker.pk, status="x")


def test_the_program_scope_acts_without_a_user(organisation, specialist_sam):
    job_seeker = JobSeekerFactory(specialist=specialist_sam, status=JobSeeker.Status.WORKING)
    services.job_seeker_reenter_job_search(
        scope=ProgramScope(organisation), job_seeker_id=job_seeker.pk, on=datetime.date(2026, 11, 2)
    )
    job_seeker.refresh_from_db()
    assert (job_seeker.status, job_seeker.job_search_since) == ("job_search", datetime.date(2026, 11, 2))
    assert job_seeker.status_changes.get().changed_by is None


def test_full_clean_trusts_a_related_row_the_instance_holds(organisation, django_assert_num_queries):
    """LoadedRelations: no query to re-check a foreign key whose row a service already
    fetched; a bare id is still checked, and a missing row is still refused."""
    from employers.models import ContactPerson
    from tests.factories import EmployerFactory

    employer = EmployerFactory(organisation=organisation)
    with django_assert_num_queries(0):
        ContactPerson(employer=employer, name="Inès").full_clean()
    with django_assert_num_queries(1):
        ContactPerson(employer_id=employer.pk, name="Inès").full_clean()
    with pytest.raises(ValidationError) as error:
        ContactPerson(employer_id=10**9, name="Inès").full_clean()
    assert "employer" in error.value.error_dict


def test_the_first_employer_contact_of_the_current_job_search_is_kept(organisation, specialist_sam):
    job_seeker = JobSeekerFactory(specialist=specialist_sam, job_search_since=datetime.date(2026, 3, 2))
    scope = ProgramScope(organisation)

    def record(day):
        services.job_seeker_record_first_employer_contact(scope=scope, job_seeker_id=job_seeker.pk, on=day)
        job_seeker.refresh_from_db()
        return job_seeker.first_employer_contact_on

    assert record(datetime.date(2026, 2, 20)) is None  # before this job search began
    assert record(datetime.date(2026, 3, 20)) == datetime.date(2026, 3, 20)
    assert record(datetime.date(2026, 3, 25)) == datetime.date(2026, 3, 20)  # a later one changes nothing
    assert record(datetime.date(2026, 3, 10)) == datetime.date(2026, 3, 10)  # an earlier one, handled late


@pytest.mark.parametrize("value", ["abc,,-3", "14;21", "0", "400", "14, x", "²", "14,١٤"])
def test_a_programs_nudge_days_are_whole_days_separated_by_commas(organisation, value):
    organisation.rapid_search_nudge_days = value
    with pytest.raises(ValidationError) as error:
        organisation.full_clean()
    assert "rapid_search_nudge_days" in error.value.error_dict


def test_valid_nudge_days_pass(organisation):
    organisation.rapid_search_nudge_days = "7, 14,21"
    organisation.full_clean()
    assert organisation.nudge_days == [7, 14, 21]


def test_nudge_days_saved_before_the_rule_are_read_leniently(organisation):
    organisation.rapid_search_nudge_days = "7, ², 10"
    assert organisation.nudge_days == [7, 10]
