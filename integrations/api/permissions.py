"""May this caller use this endpoint at all (rows are the scope's business).

Staff with a program pass; a partner key needs the grant the view names for the
action (`ScopedViewSet.grants`), and never reaches a staff-only view (403 "staff
only"). No credentials: 401; a session or token without a program: 403."""

from __future__ import annotations

from django.utils.translation import gettext as _
from rest_framework.permissions import BasePermission

from crm.access import PartnerScope, StaffScope

from .grants import STAFF_ONLY, grants_of


class HasGrant(BasePermission):
    def has_permission(self, request, view):
        scope = request.auth
        if isinstance(scope, StaffScope):
            return scope.in_program
        if not isinstance(scope, PartnerScope):
            return False  # DRF answers 401 when no authenticator succeeded, else 403
        if hasattr(view, "action") and view.action is None:
            return True  # a method this resource does not have: 405 follows
        grant = view.required_grant(request) if hasattr(view, "required_grant") else None
        if getattr(view, "staff_only", False) or grant in (None, STAFF_ONLY):
            self.message = _("This endpoint is for program staff only.")
            return False
        if grant not in grants_of(scope):
            self.message = _("Your key lacks the grant '%(grant)s'.") % {"grant": grant}
            return False
        return True


class StaffOnly(BasePermission):
    """For function views and extra actions: staff of a program only."""

    message = "staff only"

    def has_permission(self, request, view):
        if isinstance(request.auth, PartnerScope):
            self.message = _("This endpoint is for program staff only.")
            return False
        return isinstance(request.auth, StaffScope) and request.auth.in_program


class AnyCaller(BasePermission):
    """Any authenticated staff member of a program or partner key (the API root)."""

    def has_permission(self, request, view):
        scope = request.auth
        return isinstance(scope, PartnerScope) or (isinstance(scope, StaffScope) and scope.in_program)
