"""What a partner's API key may do: the grants (key scopes), one table.

Staff (a session or a personal token) hold every grant; the rows they reach are exactly
their UI scope (crm.access). A partner key holds the grants listed on it; a missing
grant answers 403, a row outside the partner's scope 404 (docs/api.md).

Event topics map to a grant and to what a consent must cover (`TOPIC_AREAS`): the
events feed and the webhooks both read it, so a topic is shared with a partner under
one rule."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from crm.access import AccessScope, PartnerScope, StaffScope

REFERRALS_WRITE = "referrals:write"
JOBSEEKERS_READ = "jobseekers:read"
PLACEMENTS_READ = "placements:read"
SUPPORT_READ = "support:read"
BENEFITS_READ = "benefits:read"
BENEFITS_WRITE = "benefits:write"
EVENTS_READ = "events:read"
WEBHOOKS_MANAGE = "webhooks:manage"

#: Not a grant: the value a view names for an action partner keys never reach.
STAFF_ONLY = "staff-only"

#: grant -> what it allows (shown to program admins when they create a key).
GRANTS: dict[str, str] = {
    REFERRALS_WRITE: _("Create referrals (POST /api/v1/referrals/)."),
    JOBSEEKERS_READ: _("Read the job seekers visible to the partner (their own record's fields only)."),
    PLACEMENTS_READ: _("Read placements and their milestones (under a consent covering progress)."),
    SUPPORT_READ: _("Read support tasks and accommodations (under a consent covering support)."),
    BENEFITS_READ: _("Read benefits steps (under a consent covering benefits)."),
    BENEFITS_WRITE: _("Move on the benefits steps assigned to the partner."),
    EVENTS_READ: _("Read the events feed."),
    WEBHOOKS_MANAGE: _("Manage webhook subscriptions and read their delivery logs."),
}
ALL_GRANTS: frozenset[str] = frozenset(GRANTS)

#: Topic prefix -> (grant needed, what the consent must cover; None: the job seeker's
#: own record, seen when referred or under any consent in force). Topics not listed
#: (employer contacts...) are never shared with partners.
TOPIC_AREAS: dict[str, tuple[str, str | None]] = {
    "jobseeker.": (JOBSEEKERS_READ, None),
    "placement.": (PLACEMENTS_READ, "progress"),
    "accommodation.": (SUPPORT_READ, "support"),
    "support_task.": (SUPPORT_READ, "support"),
    "benefits.": (BENEFITS_READ, "benefits"),
}


def topic_area(topic: str) -> tuple[str, str | None] | None:
    """(grant, consent cover) under which `topic` is shared with a partner, or None."""
    for prefix, area in TOPIC_AREAS.items():
        if topic.startswith(prefix):
            return area
    return None


def grants_of(scope: AccessScope | None) -> frozenset[str]:
    """The grants a scope holds: staff every one, a partner its key's, others none."""
    if isinstance(scope, StaffScope):
        return ALL_GRANTS
    if isinstance(scope, PartnerScope):
        return frozenset(scope.grants)
    return frozenset()


def has_grant(scope: AccessScope | None, grant: str) -> bool:
    return grant in grants_of(scope)


def unknown_grants(grants) -> list[str]:
    return sorted(set(grants) - ALL_GRANTS)
