"""The former "integrations" Django app, as released before the calendar app split:
no models left, only its migration (copied verbatim from integrations/migrations/
0001_initial.py), to build a database as earlier versions left it."""
