"""factory_boy factories. Named users per role come from fixtures in conftest.py."""

import datetime
from decimal import Decimal

import factory
from django.utils import timezone

from crm.models import (
    CareerProfile,
    Industry,
    JobPreference,
    JobSeeker,
    JobType,
    Organisation,
    Partner,
    SharingConsent,
    Team,
    User,
)
from employers.models import ContactPerson, Employer, EmployerSite
from placements.models import Placement, SupportTask

TEST_PASSWORD = "correct horse battery staple"


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation
        django_get_or_create = ["slug"]

    name = factory.Sequence(lambda n: f"IPS program {n}")
    slug = factory.Sequence(lambda n: f"program-{n}")
    time_zone = "Europe/Paris"


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team

    organisation = factory.SubFactory(OrganisationFactory)
    name = factory.Sequence(lambda n: f"Team {n}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name", locale="fr_FR")
    last_name = factory.Faker("last_name", locale="fr_FR")
    organisation = factory.SubFactory(OrganisationFactory)
    role = User.Role.SPECIALIST
    password = factory.PostGenerationMethodCall("set_password", TEST_PASSWORD)

    @factory.post_generation
    def save_password(self, create, extracted, **kwargs):
        if create:
            self.save()


class JobSeekerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = JobSeeker

    specialist = factory.SubFactory(UserFactory)
    organisation = factory.SelfAttribute("specialist.organisation")
    first_name = factory.Faker("first_name", locale="fr_FR")
    last_name = factory.Faker("last_name", locale="fr_FR")
    town = "Marseille"
    postcode = "13001"
    referral_date = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=30))
    enrolment_date = factory.LazyAttribute(lambda o: o.referral_date + datetime.timedelta(days=5))
    # Disclosure talked over at enrolment, as IPS expects before any employer contact
    # (planning a contact for someone "not yet discussed" asks for a confirmation).
    disclosure_preference = JobSeeker.Disclosure.PARTIAL
    disclosure_discussed_on = factory.SelfAttribute("enrolment_date")


class PartnerFactory(factory.django.DjangoModelFactory):
    """A partner organisation; its referrals go to `referrals_to` (a specialist of the
    same program by default)."""

    class Meta:
        model = Partner

    organisation = factory.SubFactory(OrganisationFactory)
    name = factory.Sequence(lambda n: f"Partner {n}")
    kind = Partner.Kind.MENTAL_HEALTH_TEAM
    referrals_to = factory.SubFactory(UserFactory, organisation=factory.SelfAttribute("..organisation"))


class SharingConsentFactory(factory.django.DjangoModelFactory):
    """A consent in force since a month ago, covering job search and jobs."""

    class Meta:
        model = SharingConsent

    job_seeker = factory.SubFactory(JobSeekerFactory)
    organisation = factory.SelfAttribute("job_seeker.organisation")
    partner = factory.SubFactory(PartnerFactory, organisation=factory.SelfAttribute("..job_seeker.organisation"))
    consented_by = "The job seeker"
    consented_on = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=30))


class CareerProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CareerProfile

    job_seeker = factory.SubFactory(JobSeekerFactory)
    work_goal = "Work in a bakery"


class JobPreferenceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = JobPreference

    job_seeker = factory.SubFactory(JobSeekerFactory)
    min_hours_per_week = 15
    max_hours_per_week = 25


class EmployerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Employer

    organisation = factory.SubFactory(OrganisationFactory)
    name = factory.Sequence(lambda n: f"Employer {n}")
    industry = factory.LazyFunction(lambda: Industry.objects.get(code="I"))


class EmployerSiteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EmployerSite

    employer = factory.SubFactory(EmployerFactory)
    address = "12 rue de la République"
    postcode = "13002"
    town = "Marseille"


class ContactPersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ContactPerson

    employer = factory.SubFactory(EmployerFactory)
    name = factory.Faker("name", locale="fr_FR")
    role = "Manager"


class PlacementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Placement

    job_seeker = factory.SubFactory(JobSeekerFactory)
    organisation = factory.SelfAttribute("job_seeker.organisation")
    employer = factory.SubFactory(EmployerFactory, organisation=factory.SelfAttribute("..organisation"))
    job_title = "Kitchen helper"
    job_type = factory.LazyFunction(lambda: JobType.objects.get(code="kitchen_helper"))
    hours_per_week = Decimal("20")
    hourly_pay = Decimal("12.00")
    is_competitive = True
    term = Placement.Term.PERMANENT
    offer_date = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=20))
    start_date = factory.LazyAttribute(lambda o: o.offer_date + datetime.timedelta(days=7))
    status = Placement.Status.ACTIVE


class SupportTaskFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SupportTask

    job_seeker = factory.SubFactory(JobSeekerFactory)
    organisation = factory.SelfAttribute("job_seeker.organisation")
    owner = factory.SelfAttribute("job_seeker.specialist")
    kind = SupportTask.Kind.FOLLOW_ALONG
    title = "Follow-along contact"
    due_date = factory.LazyFunction(timezone.localdate)


class EmployerContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "jobdev.EmployerContact"
        skip_postgeneration_save = True

    specialist = factory.SubFactory(UserFactory)
    organisation = factory.SelfAttribute("specialist.organisation")
    employer = factory.SubFactory(EmployerFactory, organisation=factory.SelfAttribute("..organisation"))
    starts_at = factory.LazyFunction(lambda: timezone.now().replace(minute=0, second=0, microsecond=0))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + datetime.timedelta(hours=1))
    mode = "in_person"
    purpose = "relationship"
    status = "planned"

    @factory.post_generation
    def job_seekers(self, create, extracted, **kwargs):
        if create and extracted:
            self.job_seekers.set(extracted)
