"""No 500 in the admin either (issue 9 §3): program admins are staff and use it, so the
values that once gave server errors in the pages are sent to every admin form and list.

For every registered ModelAdmin a program admin may open (two programs, one of every
record: tests/crm/test_admin_scope.py), each bad value goes into every field of the
change form (and the add form) at once, and into the list's search, ordering, page and
filter parameters. No answer may be a server error (the test client raises it), and a
refused form changes nothing in the database."""

import pytest
from django.contrib.admin.views.main import ORDER_VAR, PAGE_VAR, SEARCH_VAR
from django.db import connection
from django.urls import reverse

from crm.access import access_scope, has_rows_rule, rows
from crm.models import Team
from tests.crm.test_admin_scope import _page_post_data, _program, _registered

# In lists, the values that reach a query (ids, dates, NUL, length) are enough.
LIST_VALUES = ["²", str(2**63), "9999-12-31", "a\x00b", "x" * 5000]
BAD_VALUES = ["²", str(2**63), "-1", "9999-12-31", "0001-01-01 00:00", "2026-13-45", "a\x00b", "x" * 5000, ""]


@pytest.fixture
def programs(db):
    """Ours, then another program with one of every record too."""
    return _program("marseille"), _program("lyon")


def _fingerprint() -> dict:
    """Every table's row count: a refused form must leave them all as they were, and
    the row it was about unchanged (checked separately)."""
    with connection.cursor() as cursor:
        counts = {}
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")  # noqa: S608
            counts[table] = cursor.fetchone()[0]
    return counts


def _bad_data(form, base: dict, value: str) -> dict:
    data = dict(base)
    for name, field in form.fields.items():
        if field.disabled:
            continue
        key = form.add_prefix(name)
        data[key] = [value] if isinstance(base.get(key), list) or hasattr(field, "queryset") else value
    return data


def _is_refusal(response) -> bool:
    if response.status_code >= 400:
        return True
    context = response.context
    form = context.get("adminform").form if context is not None and context.get("adminform") else None
    return form is not None and bool(form.errors or context.get("errors"))


def test_bad_values_in_every_admin_form_are_refused_without_a_server_error(programs, client):
    ours, _theirs = programs
    scope = access_scope(ours["admin"])
    client.force_login(ours["admin"], backend="django.contrib.auth.backends.ModelBackend")
    tried = []
    for model, _model_admin in _registered():
        info = model._meta.app_label, model._meta.model_name
        mine = rows(scope, model).first() if has_rows_rule(model) else None
        pages = []
        if mine is not None:
            pages.append(reverse("admin:{}_{}_change".format(*info), args=[mine.pk]))
        pages.append(reverse("admin:{}_{}_add".format(*info)))
        for url in pages:
            page = client.get(url)
            if page.status_code != 200:  # not a program admin's, or no adding by hand
                continue
            form = page.context["adminform"].form
            base = _page_post_data(page)
            for value in BAD_VALUES:
                before = _fingerprint()
                row_before = model.objects.filter(pk=mine.pk).values().first() if mine is not None else None
                response = client.post(url, _bad_data(form, base, value))
                assert response.status_code < 500, (url, value)
                if _is_refusal(response):
                    assert _fingerprint() == before, (url, value)
                    if mine is not None:
                        assert model.objects.filter(pk=mine.pk).values().first() == row_before, (url, value)
            tried.append(url)
    assert len(tried) > 10


def test_bad_values_in_every_admin_list_answer_without_a_server_error(programs, client):
    ours, _theirs = programs
    client.force_login(ours["admin"], backend="django.contrib.auth.backends.ModelBackend")
    walked = 0
    for model, _model_admin in _registered():
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        listing = client.get(url)
        if listing.status_code != 200:
            continue
        params = [SEARCH_VAR, ORDER_VAR, PAGE_VAR]
        params += [name for spec in listing.context["cl"].filter_specs for name in spec.expected_parameters()]
        for param in params:
            for value in LIST_VALUES:
                response = client.get(url, {param: value})
                assert response.status_code < 500, (url, param, value)
        walked += 1
    assert walked > 10


def test_a_team_name_used_twice_in_a_program_is_a_form_error(programs, client):
    """The program is read-only in the admin, so Django skipped "one team name per
    program" and the database refused the row: a 500 on add and on rename."""
    ours, _theirs = programs
    client.force_login(ours["admin"], backend="django.contrib.auth.backends.ModelBackend")
    existing = Team.objects.get(organisation=ours["organisation"])
    other = Team.objects.create(organisation=ours["organisation"], name="Équipe Vieux-Port")
    before = _fingerprint()
    added = client.post(reverse("admin:crm_team_add"), {"name": existing.name})
    renamed = client.post(reverse("admin:crm_team_change", args=[other.pk]), {"name": existing.name})
    for response in (added, renamed):
        assert response.status_code == 200
        assert "already exists" in response.content.decode()
    assert _fingerprint() == before
    other.refresh_from_db()
    assert other.name == "Équipe Vieux-Port"
    # Another program's team name is free in ours.
    theirs_name = Team.objects.get(organisation=_theirs["organisation"]).name
    assert client.post(reverse("admin:crm_team_add"), {"name": theirs_name}).status_code == 302
    assert Team.objects.filter(organisation=ours["organisation"], name=theirs_name).exists()
