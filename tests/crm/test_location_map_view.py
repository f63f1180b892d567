"""Where the pin map opens: on the program's own area, not on the whole of France."""

from decimal import Decimal

import pytest
from django.test import override_settings

from crm.access import access_scope
from crm.forms import JobSeekerForm
from crm.selectors import program_map_view
from tests.factories import JobSeekerFactory


@pytest.mark.django_db
@override_settings(LEAFLET_DEFAULT_VIEW="46.6,2.4,5")
def test_a_program_with_nobody_located_opens_on_the_configured_view(specialist_sam):
    JobSeekerFactory(specialist=specialist_sam, latitude=None, longitude=None)
    form = JobSeekerForm(scope=access_scope(specialist_sam))
    assert form.location_map()["default_view"] == "46.6,2.4,5"


@pytest.mark.django_db
def test_a_new_job_seekers_map_opens_where_the_programs_people_live(specialist_sam, specialist_louis):
    for latitude, longitude in (("43.30", "5.36"), ("43.26", "5.40")):
        JobSeekerFactory(specialist=specialist_sam, latitude=Decimal(latitude), longitude=Decimal(longitude))
    # Another program's people (Lyon) do not move Marseille's map.
    JobSeekerFactory(specialist=specialist_louis, latitude=Decimal("45.76"), longitude=Decimal("4.83"))
    form = JobSeekerForm(scope=access_scope(specialist_sam))
    assert form.location_map()["default_view"] == "43.28000,5.38000,11"
    assert program_map_view(specialist_louis.organisation) == "45.76000,4.83000,11"
