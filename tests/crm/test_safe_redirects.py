"""The one safe-redirect rule (crm.http): every `next` honoured goes to a page of this
site that does not send the user on, or to the view's default; never a 500, never
after a change was saved."""

import pytest
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from crm.http import safe_next, safe_url
from tests.factories import TEST_PASSWORD, JobSeekerFactory, SupportTaskFactory

BAD_TARGETS = [
    "tasks",  # no "/": Django's redirect() takes it for a view name and fails
    "task_list",
    "",
    "//evil.example",
    "/\\evil.example",
    "https://evil.example/tasks/",
    "http://testserver/tasks/",  # our host, but an absolute URL: only paths are taken
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    " /tasks/",
    "/login/",
    "/login/?next=/tasks/",
    "/logout/",
    "/i18n/setlang/",
    "/tasks/\x00",
    "/tasks/\r\nSet-Cookie: a=b",
    "/" + "a" * 3000,
    "/\u202eevil",
]


@pytest.fixture
def rf_request():
    return RequestFactory().post("/tasks/1/complete/")


@pytest.mark.parametrize("target", BAD_TARGETS)
def test_a_bad_target_is_refused(rf_request, target):
    assert safe_url(rf_request, target) is None


@pytest.mark.parametrize("target", ["/tasks/", "/job-seekers/?page=2&q=Sam", "/no-such-page/", "/"])
def test_a_path_of_this_site_is_honoured(rf_request, target):
    assert safe_url(rf_request, target) == target


def test_the_url_being_answered_is_no_target(rf_request):
    assert safe_url(rf_request, "/tasks/1/complete/") is None


@pytest.mark.parametrize("target", [None, ["/tasks/"], 42])
def test_a_target_that_is_not_text_is_refused(rf_request, target):
    assert safe_url(rf_request, target) is None


def test_safe_next_falls_back_to_the_default_view():
    request = RequestFactory().post("/x/", {"next": "tasks"})
    assert safe_next(request, "task_list") == reverse("task_list")
    request = RequestFactory().get("/x/", {"next": "/placements/"})
    assert safe_next(request, "task_list") == "/placements/"


# Task actions: the change is saved and the user lands on a page of ours -------------


@pytest.fixture
def task(specialist_sam):
    return SupportTaskFactory(job_seeker=JobSeekerFactory(specialist=specialist_sam))


@pytest.mark.parametrize("target", BAD_TARGETS)
def test_completing_a_task_with_a_bad_next_lands_on_my_tasks(client_for, specialist_sam, task, target):
    response = client_for(specialist_sam).post(
        reverse("task_complete", args=[task.pk]),
        {
            f"task{task.pk}-completed_on": timezone.localdate().isoformat(),
            f"task{task.pk}-completion_mode": "phone",
            f"task{task.pk}-support_type": "on_the_job",
            "next": target,
        },
    )
    assert (response.status_code, response["Location"]) == (302, reverse("task_list"))
    task.refresh_from_db()
    assert task.status == "done"


@pytest.mark.parametrize("target", BAD_TARGETS)
def test_scheduling_a_task_with_a_bad_next_lands_on_my_tasks(client_for, specialist_sam, task, target):
    response = client_for(specialist_sam).post(
        reverse("task_schedule", args=[task.pk]),
        {
            f"schedule{task.pk}-due_date": "2026-03-10",
            f"schedule{task.pk}-due_time": "10:00",
            f"schedule{task.pk}-duration_minutes": "60",
            "next": target,
        },
    )
    assert (response.status_code, response["Location"]) == (302, reverse("task_list"))
    task.refresh_from_db()
    assert str(task.due_date) == "2026-03-10"


def test_a_good_next_is_followed(client_for, specialist_sam, task):
    target = reverse("placement_list") + "?status=active"
    response = client_for(specialist_sam).post(
        reverse("task_complete", args=[task.pk]),
        {
            f"task{task.pk}-completed_on": timezone.localdate().isoformat(),
            f"task{task.pk}-completion_mode": "phone",
            f"task{task.pk}-support_type": "on_the_job",
            "next": target,
        },
    )
    assert response["Location"] == target


# Login, logout, language ----------------------------------------------------------


def test_the_login_page_with_next_login_does_not_loop_for_a_logged_in_user(client_for, specialist_sam):
    response = client_for(specialist_sam).get(reverse("login") + "?next=/login/")
    assert (response.status_code, response["Location"]) == (302, reverse("home"))


@pytest.mark.parametrize("target", BAD_TARGETS)
def test_logging_in_with_a_bad_next_lands_home(client, specialist_sam, target):
    response = client.post(reverse("login"), {"username": "sam", "password": TEST_PASSWORD, "next": target})
    assert (response.status_code, response["Location"]) == (302, reverse("home"))


def test_logging_in_follows_a_good_next(client, specialist_sam):
    response = client.post(reverse("login"), {"username": "sam", "password": TEST_PASSWORD, "next": "/tasks/"})
    assert response["Location"] == "/tasks/"


@pytest.mark.parametrize("target", BAD_TARGETS)
def test_logging_out_with_a_bad_next_lands_on_the_login_page(client_for, specialist_sam, target):
    response = client_for(specialist_sam).post(reverse("logout"), {"next": target})
    assert (response.status_code, response["Location"]) == (302, reverse("login"))


@pytest.mark.parametrize("target", [t for t in BAD_TARGETS if not t.startswith("/login/")])
def test_switching_language_with_a_bad_next_lands_home_with_the_language_set(client, target):
    response = client.post(reverse("set_language"), {"language": "fr", "next": target})
    assert (response.status_code, response["Location"]) == (302, reverse("home"))
    assert response.cookies["django_language"].value == "fr"


def test_switching_language_on_the_login_page_stays_there(client):
    target = reverse("login") + "?next=/tasks/"
    response = client.post(reverse("set_language"), {"language": "fr", "next": target})
    assert response["Location"] == target


def test_switching_language_without_next_goes_back_to_the_referring_page(client):
    response = client.post(reverse("set_language"), {"language": "en"}, HTTP_REFERER="http://testserver/tasks/?page=2")
    assert response["Location"] == "/tasks/?page=2"
    response = client.post(reverse("set_language"), {"language": "en"}, HTTP_REFERER="https://evil.example/")
    assert response["Location"] == reverse("home")


@pytest.mark.parametrize("language", ["", "xx", "fr\x00", "f" * 5000])
def test_an_unknown_language_changes_nothing(client, language):
    response = client.post(reverse("set_language"), {"language": language, "next": "/tasks/"})
    assert response.status_code == 302
    assert "django_language" not in response.cookies
