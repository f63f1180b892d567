"""The one date policy (crm.dates): the years 2000 to 2100, at every door."""

import datetime
from decimal import Decimal

import pytest
from django import forms
from django.core.exceptions import ValidationError

from crm import dates
from crm.access import access_scope
from crm.forms import SaneDateField
from crm.models import OutboxEvent

FAR_PAST = datetime.date(1, 1, 1)
FAR_FUTURE = datetime.date(9999, 12, 31)


class TestPolicy:
    def test_the_range_is_the_years_2000_to_2100(self):
        assert (datetime.date(2000, 1, 1), datetime.date(2100, 12, 31)) == (dates.EARLIEST, dates.LATEST)

    @pytest.mark.parametrize("day", [dates.EARLIEST, dates.LATEST, datetime.date(2026, 3, 29)])
    def test_dates_within_are_sane(self, day):
        assert dates.is_sane(day)
        dates.check_sane_dates(day=day)

    @pytest.mark.parametrize(
        "day",
        [FAR_PAST, FAR_FUTURE, datetime.date(1999, 12, 31), datetime.date(2101, 1, 1), datetime.date(9999, 12, 30)],
    )
    def test_dates_outside_are_refused_keyed_by_field(self, day):
        assert not dates.is_sane(day)
        with pytest.raises(ValidationError) as error:
            dates.check_sane_dates(start_date=day, other=dates.EARLIEST, missing=None)
        assert set(error.value.error_dict) == {"start_date"}
        assert error.value.error_dict["start_date"][0].code == dates.CODE
        assert "2000" in error.value.messages[0] and "2100" in error.value.messages[0]

    def test_a_datetime_is_judged_by_its_date(self):
        assert not dates.is_sane(datetime.datetime(9999, 12, 31, 23, 30, tzinfo=datetime.UTC))
        assert dates.is_sane(datetime.datetime(2100, 12, 31, 23, 30, tzinfo=datetime.UTC))

    @pytest.mark.parametrize(
        "value, expected",
        [
            ("2026-03-02", datetime.date(2026, 3, 2)),
            ("2100-12-31", dates.LATEST),
            ("9999-12-31", None),
            ("0001-01-01", None),
            ("1999-12-31", None),
            ("2026-02-30", None),
            ("", None),
            (None, None),
            (["2026-03-02"], None),
            ("2026-03-02" * 1000, None),
            ("２０２６-03-02", None),
        ],
    )
    def test_a_query_date_is_a_sane_date_or_none(self, value, expected):
        assert dates.parse_iso_date(value) == expected

    @pytest.mark.parametrize(
        "value, expected",
        [
            ("2026-W48", datetime.date(2026, 11, 23)),
            ("2026-w48", datetime.date(2026, 11, 23)),
            ("1999-W52", datetime.date(1999, 12, 27)),  # holds 2000-01-01
            ("2100-W52", datetime.date(2100, 12, 27)),  # holds 2100-12-31
            ("9999-W52", None),
            ("0001-W01", None),
            ("1999-W51", None),
            ("2101-W01", None),
            ("2026-W54", None),
            ("2026-W00", None),
            ("²⁰²⁶-W01", None),
            ("2026-W1²", None),
            ("-2026-W01", None),
            ("2026W01", None),
            ("99999999999-W01", None),
            (None, None),
            (["2026-W01"], None),
        ],
    )
    def test_a_query_week_is_a_week_holding_a_sane_date_or_none(self, value, expected):
        assert dates.parse_iso_week(value) == expected


class TestFormField:
    @pytest.mark.parametrize("value", ["9999-12-31", "0001-01-01", "1999-12-31", "2101-01-01"])
    def test_a_date_outside_is_a_field_error(self, value):
        field = SaneDateField()
        with pytest.raises(ValidationError) as error:
            field.clean(value)
        assert [e.code for e in error.value.error_list] == [dates.CODE]

    def test_a_date_within_is_clean(self):
        assert SaneDateField().clean("2100-12-31") == dates.LATEST

    def test_the_browser_date_picker_is_bounded(self):
        class DayForm(forms.Form):
            day = SaneDateField()

        html = str(DayForm()["day"])
        assert 'type="date"' in html and 'min="2000-01-01"' in html and 'max="2100-12-31"' in html


# Services: a date outside the policy is a ValidationError on its field, nothing saved --


def _counts():
    from jobdev.models import EmployerContact
    from placements.models import Placement, PlacementMilestone, SupportTask

    return (
        Placement.objects.count(),
        PlacementMilestone.objects.count(),
        SupportTask.objects.count(),
        EmployerContact.objects.count(),
        OutboxEvent.objects.count(),
    )


@pytest.fixture
def world(specialist_sam):
    from tests.factories import EmployerFactory, JobSeekerFactory

    job_seeker = JobSeekerFactory(specialist=specialist_sam)
    employer = EmployerFactory(organisation=specialist_sam.organisation)
    return access_scope(specialist_sam), job_seeker, employer


def _offer(world, **overrides):
    from placements import services

    scope, job_seeker, employer = world
    fields = {
        "job_title": "Vendeuse",
        "is_competitive": True,
        "term": "permanent",
        "offer_date": datetime.date(2026, 3, 2),
        **overrides,
    }
    return services.placement_offer_accept(
        scope=scope, job_seeker_id=job_seeker.pk, employer_id=employer.pk, offer=fields
    )


def _aware(day, hour=10, minute=0):
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=datetime.UTC)


def _refused(field, call):
    before = _counts()
    with pytest.raises(ValidationError) as error:
        call()
    assert field in error.value.error_dict, error.value
    assert error.value.error_dict[field][0].code == dates.CODE
    assert _counts() == before


class TestServices:
    @pytest.mark.parametrize("field", ["offer_date", "expected_start_date"])
    @pytest.mark.parametrize("day", [datetime.date(9999, 12, 30), FAR_PAST])
    def test_an_offer(self, world, field, day):
        _refused(field, lambda: _offer(world, **{field: day}))

    def test_a_start_on_9999_12_31(self, world):
        from placements import services

        placement = _offer(world)
        _refused(
            "start_date",
            lambda: services.placement_start(scope=world[0], placement_id=placement.pk, start_date=FAR_FUTURE),
        )

    def test_an_end_a_change_of_terms(self, world):
        from placements import services

        placement = _offer(world)
        services.placement_start(scope=world[0], placement_id=placement.pk, start_date=datetime.date(2026, 3, 9))
        _refused(
            "effective_on",
            lambda: services.placement_change_terms(
                scope=world[0],
                placement_id=placement.pk,
                hours_per_week=Decimal("30"),
                hourly_pay=None,
                effective_on=FAR_FUTURE,
            ),
        )
        _refused(
            "end_date",
            lambda: services.placement_end(
                scope=world[0], placement_id=placement.pk, end_date=FAR_FUTURE, end_reason="laid_off"
            ),
        )

    def test_an_appointment_a_completion(self, world):
        from placements import services
        from tests.factories import SupportTaskFactory

        task = SupportTaskFactory(job_seeker=world[1])
        _refused(
            "due_date",
            lambda: services.support_task_schedule(
                scope=world[0],
                task_id=task.pk,
                due_date=FAR_FUTURE,
                due_time=datetime.time(23, 30),
                duration_minutes=720,
            ),
        )
        _refused(
            "completed_on",
            lambda: services.support_task_complete(
                scope=world[0], task_id=task.pk, completed_on=FAR_PAST, mode="in_person", support_type="on_the_job"
            ),
        )

    def test_a_visit_plan_and_a_log(self, world):
        from jobdev import services

        scope, _job_seeker, employer = world
        for starts_at in (_aware(FAR_FUTURE, 22), _aware(datetime.date(1, 1, 2), 0)):
            _refused(
                "starts_at",
                lambda starts_at=starts_at: services.employer_contact_plan(
                    scope=scope,
                    employer_id=employer.pk,
                    starts_at=starts_at,
                    ends_at=starts_at + datetime.timedelta(hours=1),
                    purpose="relationship",
                ),
            )
        _refused(
            "next_step_on",
            lambda: services.employer_contact_log(
                scope=scope,
                employer_id=employer.pk,
                occurred_at=_aware(datetime.date(2026, 3, 2)),
                mode="phone",
                purpose="relationship",
                outcome={"next_step": "Call", "next_step_on": FAR_FUTURE},
            ),
        )

    def test_a_held_contact_next_step(self, world):
        from jobdev import services

        scope, _job_seeker, employer = world
        contact = services.employer_contact_plan(
            scope=scope,
            employer_id=employer.pk,
            starts_at=_aware(datetime.date(2026, 3, 2)),
            ends_at=_aware(datetime.date(2026, 3, 2), 11),
            purpose="relationship",
        )
        _refused(
            "next_step_on",
            lambda: services.employer_contact_hold(
                scope=scope, contact_id=contact.pk, outcome={"next_step": "Call", "next_step_on": FAR_FUTURE}
            ),
        )

    def test_a_job_seeker_and_a_job_opening(self, world):
        from crm import services as crm_services
        from employers import services as employer_services

        scope, job_seeker, employer = world
        _refused(
            "referral_date",
            lambda: crm_services.job_seeker_create(
                scope=scope, details={"first_name": "A", "last_name": "B", "referral_date": FAR_PAST}
            ),
        )
        _refused(
            "enrolment_date",
            lambda: crm_services.job_seeker_update(
                scope=scope, job_seeker_id=job_seeker.pk, details={"enrolment_date": FAR_FUTURE}
            ),
        )
        _refused(
            "learned_on",
            lambda: employer_services.job_opening_save(
                scope=scope, employer_id=employer.pk, details={"title": "Vendeur", "learned_on": FAR_FUTURE}
            ),
        )
