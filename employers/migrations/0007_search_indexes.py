"""Indexes for the employer list's search on PostgreSQL (docs/performance.md).

`icontains` compiles to `UPPER(col::text) LIKE UPPER('%word%')`: trigram GIN indexes
(pg_trgm) on exactly those expressions serve it; `startswith` on the postcode is
`postcode::text LIKE '13%'`, which a plain btree cannot serve under a non-C collation
(varchar_pattern_ops can). Built concurrently, so a deployment does not lock the
tables. SQLite has none of these: its tables are small and it skips them. The model
state does not change (raw SQL), so no model declares them."""

from django.db import migrations

from crm.migration_operations import postgresql_indexes

INDEXES = [
    (
        "employer_name_trgm",
        "employers_employer USING gin (UPPER(name::text) gin_trgm_ops)",
    ),
    (
        "employer_site_town_trgm",
        "employers_employersite USING gin (UPPER(town::text) gin_trgm_ops)",
    ),
    (
        "employer_site_postcode_pattern",
        "employers_employersite (postcode varchar_pattern_ops)",
    ),
]


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("employers", "0006_location_retries")]

    operations = [postgresql_indexes(*INDEXES, extensions=("pg_trgm",))]
