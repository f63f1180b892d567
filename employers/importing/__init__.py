"""Employer import from the CSV files teams already keep in their spreadsheets.

Two steps (see docs/import-export.md):

1. `import_preview()` reads the file (`encoding`: UTF-8 with or without BOM, UTF-16 with
   BOM, or Windows-1252 when it can be told from the other legacy encodings, else a
   refusal saying how to save as CSV UTF-8; `parsing`: the delimiter), finds the columns
   (`mapping`: English or French names; `mangling`: values a spreadsheet mangled,
   restored with a notice or refused), validates every row with the models' own
   validation and groups rows into employers (`planning`). Nothing is written to the database. When no row
   has an error, `import_plan_save()` keeps the validated plan in the database
   (`store`: an EmployerImportPlan, the owner's only, for one hour) until the user
   confirms.
2. `employers_import()` (`planning`) creates every employer, site and contact person of
   the plan in one transaction: all of it or nothing.

One row = one employer, optionally one site and one contact person. Rows with the same
normalised name and postcode add sites and contact persons to the same employer.
"""

from employers.importing.encoding import decode_csv_bytes
from employers.importing.example import example_csv, example_filename, example_table
from employers.importing.mapping import COLUMNS, HEADER_ALIASES, normalise
from employers.importing.parsing import (
    MAX_FILE_BYTES,
    SPREADSHEET_EXTENSIONS,
    ImportFileError,
    file_too_big_message,
    sniff_delimiter,
)
from employers.importing.planning import (
    MAX_LISTED,
    MAX_ROWS,
    Duplicate,
    EmployerGroup,
    ImportOutcome,
    ImportPreview,
    RowError,
    RowNotice,
    employers_import,
    import_plan_save,
    import_preview,
)
from employers.importing.store import PLAN_TTL, ImportPlanExpired, ImportPlanUsed, plan_discard, plans_purge

__all__ = [
    "COLUMNS",
    "HEADER_ALIASES",
    "MAX_FILE_BYTES",
    "MAX_LISTED",
    "MAX_ROWS",
    "PLAN_TTL",
    "SPREADSHEET_EXTENSIONS",
    "Duplicate",
    "EmployerGroup",
    "ImportFileError",
    "ImportPlanExpired",
    "ImportPlanUsed",
    "ImportOutcome",
    "ImportPreview",
    "RowError",
    "RowNotice",
    "decode_csv_bytes",
    "employers_import",
    "example_csv",
    "example_filename",
    "example_table",
    "file_too_big_message",
    "import_plan_save",
    "import_preview",
    "normalise",
    "plan_discard",
    "plans_purge",
    "sniff_delimiter",
]
