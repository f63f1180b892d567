"""Shared pieces of the placements tests: a job seeker on Sam's caseload, an employer of
the program, and short ways to drive the services with a user's scope."""

import datetime
from decimal import Decimal

import pytest
from django.utils import translation

from crm.access import access_scope
from placements import services
from tests.factories import EmployerFactory, JobSeekerFactory


@pytest.fixture(autouse=True)
def language_reset_after_each_test():
    """A request in French leaves French active in the thread (LocaleMiddleware): the
    next test starts in the default language again."""
    yield
    translation.deactivate()


@pytest.fixture
def nadia(specialist_sam):
    return JobSeekerFactory(
        specialist=specialist_sam,
        first_name="Nadia",
        last_name="Benali",
        receives_benefits="yes",
        disclosure_preference="partial",
        referral_date=datetime.date(2026, 1, 5),
        enrolment_date=datetime.date(2026, 1, 10),
    )


@pytest.fixture
def bakery(specialist_sam):
    return EmployerFactory(organisation=specialist_sam.organisation, name="Boulangerie du Port")


def offer(user, job_seeker, employer, *, on: datetime.date, **overrides):
    """placement_offer_accept as `user`, a 20-hour job offered `on`, starting a week later."""
    fields = {
        "job_title": "Vendeuse",
        "is_competitive": True,
        "term": "permanent",
        "hours_per_week": Decimal("20"),
        "hourly_pay": Decimal("12.02"),
        "offer_date": on,
        "expected_start_date": on + datetime.timedelta(days=7),
    }
    fields.update(overrides)
    return services.placement_offer_accept(
        scope=access_scope(user), job_seeker_id=job_seeker.pk, employer_id=employer.pk, offer=fields
    )


def start(user, placement, on: datetime.date):
    return services.placement_start(scope=access_scope(user), placement_id=placement.pk, start_date=on)


def end(user, placement, on: datetime.date, reason: str = "laid_off"):
    return services.placement_end(scope=access_scope(user), placement_id=placement.pk, end_date=on, end_reason=reason)
