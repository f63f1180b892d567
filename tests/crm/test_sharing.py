"""Partners and consent to share (crm): what a partner organisation sees through its
scope (crm.access.PartnerScope), referrals, and consents recorded and withdrawn by
staff. The API (integrations.api) is a shell over these; its own tests go through HTTP."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from crm import services
from crm.access import OutOfScope, PartnerScope, access_scope, rows
from crm.models import CareerProfile, JobSeeker, JobSeekerStatusChange, SharingConsent
from placements import selectors as placement_selectors
from placements.models import BenefitsStep
from placements.services import benefits_step_assign, benefits_step_change_status, benefits_step_create
from tests.factories import JobSeekerFactory, PartnerFactory, PlacementFactory, SharingConsentFactory

TODAY = timezone.localdate()


@pytest.fixture
def partner(organisation, specialist_sam):
    return PartnerFactory(organisation=organisation, name="CMP Belsunce", referrals_to=specialist_sam)


@pytest.fixture
def other_partner(organisation, specialist_sam):
    return PartnerFactory(organisation=organisation, name="Cap Emploi 13", referrals_to=specialist_sam)


@pytest.fixture
def samia(specialist_sam):
    return JobSeekerFactory(specialist=specialist_sam, first_name="Samia")


def consent(job_seeker, partner, **fields):
    return services.sharing_consent_record(
        scope=access_scope(job_seeker.specialist),
        job_seeker_id=job_seeker.pk,
        partner_id=partner.pk,
        consent={"consented_by": "The job seeker", "consented_on": TODAY, **fields},
    )


class TestReferral:
    def test_a_referral_joins_the_named_caseload_in_job_search_not_enrolled(self, partner, specialist_sam):
        person = services.job_seeker_refer(
            scope=PartnerScope(partner), details={"first_name": "Nadia", "last_name": "Haddad"}
        )
        assert person.specialist == specialist_sam and person.referred_by_partner == partner
        assert person.status == JobSeeker.Status.JOB_SEARCH and person.enrolment_date is None
        assert person.referral_date == TODAY and person.referral_source == JobSeeker.ReferralSource.MENTAL_HEALTH_TEAM
        assert JobSeekerStatusChange.objects.get(job_seeker=person).changed_by is None

    def test_the_partner_sees_its_referral_and_nobody_else(self, partner, other_partner, samia):
        mine = services.job_seeker_refer(scope=PartnerScope(partner), details={"first_name": "N", "last_name": "H"})
        services.job_seeker_refer(scope=PartnerScope(other_partner), details={"first_name": "O", "last_name": "P"})
        assert list(PartnerScope(partner).job_seekers()) == [mine]

    def test_without_someone_to_receive_referrals_it_is_refused_and_saves_nothing(self, partner):
        partner.referrals_to = None
        partner.save()
        with pytest.raises(ValidationError, match="not named who receives"):
            services.job_seeker_refer(scope=PartnerScope(partner), details={"first_name": "N", "last_name": "H"})
        assert not JobSeeker.objects.exists()

    def test_an_inactive_receiver_is_refused(self, partner, specialist_sam):
        specialist_sam.is_active = False
        specialist_sam.save()
        with pytest.raises(ValidationError):
            services.job_seeker_refer(scope=PartnerScope(partner), details={"first_name": "N", "last_name": "H"})

    def test_staff_cannot_refer_as_a_partner(self, specialist_sam):
        with pytest.raises(OutOfScope):
            services.job_seeker_refer(scope=access_scope(specialist_sam), details={"first_name": "N", "last_name": "H"})

    def test_a_field_a_partner_may_not_set_is_a_programming_error(self, partner):
        with pytest.raises(ValueError):
            services.job_seeker_refer(scope=PartnerScope(partner), details={"first_name": "N", "enrolment_date": TODAY})

    def test_a_referral_date_outside_the_policy_is_refused(self, partner):
        with pytest.raises(ValidationError):
            services.job_seeker_refer(
                scope=PartnerScope(partner),
                details={"first_name": "N", "last_name": "H", "referral_date": datetime.date(9999, 1, 1)},
            )
        assert not JobSeeker.objects.exists()


class TestWhatConsentShares:
    def test_without_consent_a_partner_sees_nothing_of_a_person_it_did_not_refer(self, partner, samia):
        PlacementFactory(job_seeker=samia)
        scope = PartnerScope(partner)
        assert not scope.job_seekers().exists()
        assert not placement_selectors.placements_visible(scope).exists()

    def test_consent_covering_jobs_shares_the_person_and_their_placements_only(self, partner, samia):
        placement = PlacementFactory(job_seeker=samia)
        CareerProfile.objects.create(job_seeker=samia, coping_strategies="private")
        consent(samia, partner, shares_progress=True)
        scope = PartnerScope(partner)
        assert list(scope.job_seekers()) == [samia]
        assert list(placement_selectors.placements_visible(scope)) == [placement]
        assert not placement_selectors.support_tasks_visible(scope).exists()
        assert not placement_selectors.benefits_steps_visible(scope).exists()
        assert not rows(scope, CareerProfile).exists()

    def test_consent_with_another_partner_shares_nothing_with_this_one(self, partner, other_partner, samia):
        PlacementFactory(job_seeker=samia)
        consent(samia, other_partner)
        assert not PartnerScope(partner).job_seekers().exists()

    def test_a_withdrawn_consent_stops_sharing_at_the_next_query(self, partner, samia, specialist_sam):
        PlacementFactory(job_seeker=samia)
        record = consent(samia, partner)
        scope = PartnerScope(partner)
        assert placement_selectors.placements_visible(scope).exists()
        services.sharing_consent_withdraw(scope=access_scope(specialist_sam), consent_id=record.pk)
        assert not placement_selectors.placements_visible(scope).exists()
        assert not scope.job_seekers().exists()

    def test_a_consent_past_its_end_date_shares_nothing(self, partner, samia):
        SharingConsentFactory(
            job_seeker=samia,
            partner=partner,
            consented_on=TODAY - datetime.timedelta(days=60),
            valid_until=TODAY - datetime.timedelta(days=1),
        )
        assert not PartnerScope(partner).job_seekers().exists()

    def test_a_consent_given_in_the_future_shares_nothing_yet(self, partner, samia):
        SharingConsentFactory(job_seeker=samia, partner=partner, consented_on=TODAY + datetime.timedelta(days=2))
        assert not PartnerScope(partner).job_seekers().exists()

    def test_withdrawing_a_referred_persons_consent_keeps_the_referral_but_not_the_jobs(self, partner, specialist_sam):
        person = services.job_seeker_refer(scope=PartnerScope(partner), details={"first_name": "N", "last_name": "H"})
        PlacementFactory(job_seeker=person)
        record = consent(person, partner)
        assert placement_selectors.placements_visible(PartnerScope(partner)).exists()
        services.sharing_consent_withdraw(scope=access_scope(specialist_sam), consent_id=record.pk)
        assert list(PartnerScope(partner).job_seekers()) == [person]
        assert not placement_selectors.placements_visible(PartnerScope(partner)).exists()

    def test_a_partner_of_another_program_sees_nothing(self, samia, specialist_louis):
        foreign = PartnerFactory(organisation=specialist_louis.organisation, referrals_to=specialist_louis)
        SharingConsent.objects.create(
            organisation=samia.organisation,  # a forged row: the scope also checks the program
            job_seeker=samia,
            partner=foreign,
            consented_by="x",
            consented_on=TODAY,
        )
        assert not PartnerScope(foreign).job_seekers().exists()


class TestBenefitsStepsAssignedToAPartner:
    def test_a_benefits_partner_moves_on_only_the_steps_assigned_to_it(self, partner, other_partner, samia):
        staff = access_scope(samia.specialist)
        consent(samia, partner, shares_progress=False, shares_benefits=True)
        consent(samia, other_partner, shares_progress=False, shares_benefits=True)
        mine = benefits_step_create(
            scope=staff,
            job_seeker_id=samia.pk,
            placement_id=None,
            reason="other",
            offered_on=TODAY,
            counsellor_id=partner.pk,
        )
        theirs = benefits_step_create(
            scope=staff, job_seeker_id=samia.pk, placement_id=None, reason="other", offered_on=TODAY
        )
        scope = PartnerScope(partner)
        assert set(placement_selectors.benefits_steps_visible(scope)) == {mine, theirs}
        assert benefits_step_change_status(scope=scope, step_id=mine.pk).status == BenefitsStep.Status.REFERRED
        with pytest.raises(OutOfScope):
            benefits_step_change_status(scope=scope, step_id=theirs.pk)
        with pytest.raises(OutOfScope):
            benefits_step_change_status(scope=PartnerScope(other_partner), step_id=mine.pk)
        benefits_step_assign(scope=staff, step_id=theirs.pk, counsellor_id=other_partner.pk)
        assert benefits_step_change_status(scope=PartnerScope(other_partner), step_id=theirs.pk).status == "referred"

    def test_without_consent_covering_benefits_an_assigned_step_is_out_of_reach(self, partner, samia):
        consent(samia, partner, shares_progress=True)
        step = benefits_step_create(
            scope=access_scope(samia.specialist),
            job_seeker_id=samia.pk,
            placement_id=None,
            reason="other",
            offered_on=TODAY,
            counsellor_id=partner.pk,
        )
        with pytest.raises(OutOfScope):
            benefits_step_change_status(scope=PartnerScope(partner), step_id=step.pk)

    def test_a_counsellor_of_another_program_is_refused(self, samia, specialist_louis):
        foreign = PartnerFactory(organisation=specialist_louis.organisation, referrals_to=specialist_louis)
        with pytest.raises(ValidationError):
            benefits_step_create(
                scope=access_scope(samia.specialist),
                job_seeker_id=samia.pk,
                placement_id=None,
                reason="other",
                offered_on=TODAY,
                counsellor_id=foreign.pk,
            )
        assert not BenefitsStep.objects.exists()


class TestRecordingConsent:
    def test_staff_who_may_edit_the_person_record_it(self, partner, samia, specialist_sam):
        record = consent(samia, partner, valid_until=TODAY + datetime.timedelta(days=365))
        assert record.recorded_by == specialist_sam and record.shares_progress

    def test_a_reader_without_edit_rights_cannot(self, partner, samia, specialist_sofia):
        with pytest.raises(OutOfScope):
            services.sharing_consent_record(
                scope=access_scope(specialist_sofia),
                job_seeker_id=samia.pk,
                partner_id=partner.pk,
                consent={"consented_by": "x", "consented_on": TODAY},
            )

    @pytest.mark.parametrize(
        "fields",
        [
            {"shares_progress": False},
            {"valid_until": TODAY - datetime.timedelta(days=1)},
            {"consented_on": datetime.date(9999, 1, 1)},
            {"consented_by": ""},
            {"consented_on": TODAY + datetime.timedelta(days=1)},
        ],
    )
    def test_bad_consents_are_refused_and_save_nothing(self, partner, samia, fields):
        with pytest.raises(ValidationError):
            consent(samia, partner, **fields)
        assert not SharingConsent.objects.exists()

    def test_a_partner_of_another_program_is_refused(self, samia, specialist_louis):
        foreign = PartnerFactory(organisation=specialist_louis.organisation, referrals_to=specialist_louis)
        with pytest.raises(ValidationError):
            consent(samia, foreign)

    def test_withdrawing_twice_keeps_the_first_time(self, partner, samia, specialist_sam):
        record = consent(samia, partner)
        first = services.sharing_consent_withdraw(scope=access_scope(specialist_sam), consent_id=record.pk).withdrawn_at
        again = services.sharing_consent_withdraw(scope=access_scope(specialist_sam), consent_id=record.pk).withdrawn_at
        assert first == again and first is not None

    def test_another_programs_consent_answers_out_of_scope(self, partner, samia, specialist_louis):
        record = consent(samia, partner)
        with pytest.raises(OutOfScope):
            services.sharing_consent_withdraw(scope=access_scope(specialist_louis), consent_id=record.pk)
