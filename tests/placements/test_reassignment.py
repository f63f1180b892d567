"""A job seeker given to another specialist: their open tasks follow them
(placements.handlers.hand_over_open_tasks on `jobseeker.reassigned`)."""

import datetime
import html

import pytest
from django.urls import reverse
from django.utils import timezone

from crm import events
from crm import services as crm_services
from crm.access import ProgramScope, access_scope
from crm.models import OutboxEvent
from placements import services
from placements.models import SupportTask
from tests.factories import EmployerContactFactory, JobSeekerFactory
from tests.placements.conftest import offer


@pytest.fixture
def nadias_tasks(specialist_sam, nadia, bakery, handle_events):
    offer(specialist_sam, nadia, bakery, on=timezone.localdate())
    handle_events()
    tasks = list(SupportTask.objects.filter(job_seeker=nadia))
    assert tasks and all(task.owner == specialist_sam for task in tasks)
    return tasks


def reassign(by, job_seeker, to):
    return crm_services.job_seeker_update(scope=access_scope(by), job_seeker_id=job_seeker.pk, specialist_id=to.pk)


def my_tasks_page(client_for, user) -> str:
    return html.unescape(client_for(user).get(reverse("task_list")).content.decode())


def test_open_tasks_move_to_the_new_specialist_and_contacts_stay_as_they_were(
    client_for, leader_a, specialist_sam, specialist_sofia, nadia, nadias_tasks, handle_events
):
    contact = EmployerContactFactory(specialist=specialist_sam, purpose="on_behalf", job_seekers=[nadia])
    done = nadias_tasks[0]
    services.support_task_complete(
        scope=access_scope(specialist_sam), task_id=done.pk, completed_on=timezone.localdate(), mode="phone"
    )
    someone_else = JobSeekerFactory(specialist=specialist_sam, first_name="Karim")
    theirs = services.support_task_create(
        scope=ProgramScope(nadia.organisation_id),
        job_seeker_id=someone_else.pk,
        kind="retention_check",
        due_date=timezone.localdate(),
    )
    assert "Nadia Benali" in my_tasks_page(client_for, specialist_sam)

    reassign(leader_a, nadia, specialist_sofia)
    handle_events()

    assert "Nadia Benali" not in my_tasks_page(client_for, specialist_sam)
    assert "about workplace adjustments they may need" in my_tasks_page(client_for, specialist_sofia)
    open_tasks = SupportTask.objects.filter(job_seeker=nadia, status="open")
    assert open_tasks.count() == len(nadias_tasks) - 1
    assert {task.owner for task in open_tasks} == {specialist_sofia}
    assert all(task.sequence == 1 for task in open_tasks)  # calendars see the move
    done.refresh_from_db()
    assert done.owner == specialist_sam  # history keeps who did it
    theirs.refresh_from_db()
    assert theirs.owner == specialist_sam
    contact.refresh_from_db()
    assert contact.specialist == specialist_sam and list(contact.job_seekers.all()) == [nadia]


@pytest.mark.parametrize("order", ["as_emitted", "reversed"])
def test_reassignments_handled_in_any_order_end_with_the_current_specialist(
    leader_a, specialist_sam, specialist_sofia, nadia, nadias_tasks, order
):
    reassign(leader_a, nadia, specialist_sofia)
    reassign(leader_a, nadia, leader_a)
    reassignments = list(OutboxEvent.objects.filter(topic="jobseeker.reassigned").order_by("pk"))
    if order == "reversed":
        reassignments.reverse()
    for event in reassignments:
        events.dispatch(event.pk)
    assert set(SupportTask.objects.filter(job_seeker=nadia).values_list("owner", flat=True)) == {leader_a.pk}


def test_handing_over_is_idempotent(leader_a, specialist_sam, specialist_sofia, nadia, nadias_tasks):
    reassign(leader_a, nadia, specialist_sofia)
    scope = ProgramScope(nadia.organisation_id)
    assert services.support_tasks_hand_over(
        scope=scope, job_seeker_id=nadia.pk, from_specialist_id=specialist_sam.pk
    ) == len(nadias_tasks)
    assert (
        services.support_tasks_hand_over(scope=scope, job_seeker_id=nadia.pk, from_specialist_id=specialist_sam.pk) == 0
    )
    assert set(SupportTask.objects.values_list("sequence", flat=True)) == {1}


def test_a_task_created_after_the_reassignment_goes_to_the_new_specialist(
    leader_a, specialist_sofia, nadia, nadias_tasks
):
    reassign(leader_a, nadia, specialist_sofia)
    task = services.support_task_create(
        scope=ProgramScope(nadia.organisation_id),
        job_seeker_id=nadia.pk,
        kind="follow_along",
        due_date=timezone.localdate() + datetime.timedelta(days=3),
    )
    assert task.owner == specialist_sofia
