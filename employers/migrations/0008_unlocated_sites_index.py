"""Matching's place rule asks, per candidate employer, whether one of its sites has no
distance (no point, or a point located to the town only: `geometry.SITE_MEASURABLE`
negated). PostgreSQL answers it by hashing those sites' employers once; this partial
index, on exactly the rule's condition, gives them without reading every site
(docs/matching.md, docs/performance.md). PostgreSQL only, built concurrently."""

from django.db import migrations

from crm.migration_operations import postgresql_indexes

NAME = "employer_site_unlocated"
CONDITION = "latitude IS NULL OR longitude IS NULL OR location_precision::text = 'municipality'::text"


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("employers", "0007_search_indexes")]

    operations = [postgresql_indexes((NAME, f"employers_employersite (employer_id) WHERE {CONDITION}"))]
