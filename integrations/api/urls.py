"""/api/v1/: a DRF router over every area's viewsets, the OpenAPI schema and the docs.

Each viewsets module lists `ROUTES = [(prefix, ViewSet, basename)]`; the modules named
in AREAS that exist are registered (an area not written yet is skipped, an error in
one that exists is raised)."""

from __future__ import annotations

import importlib

from django.urls import include, path, re_path
from rest_framework.routers import APIRootView, DefaultRouter

from . import docs, problems
from .permissions import AnyCaller

app_name = "api"

AREAS = [
    "integrations.api.viewsets.jobseekers",
    "integrations.api.viewsets.events",
    "integrations.api.viewsets.sync",
    "integrations.api.viewsets.employers",
    "integrations.api.viewsets.jobdev",
    "integrations.api.viewsets.placements",
    "integrations.webhooks.api",
]


def _areas():
    for name in AREAS:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name == name:
                continue
            raise
        yield module


class ApiRoot(APIRootView):
    """The list of resources, for any caller with valid credentials."""

    permission_classes = [AnyCaller]


class Router(DefaultRouter):
    APIRootView = ApiRoot
    include_root_view = True
    include_format_suffixes = False


router = Router(trailing_slash="/")
for _module in _areas():
    for _prefix, _viewset, _basename in getattr(_module, "ROUTES", ()):
        router.register(_prefix, _viewset, basename=_basename)

urlpatterns = [
    path("schema/", docs.SchemaView.as_view(), name="schema"),
    path("docs/", docs.DocsView.as_view(), name="docs"),
    path("", include(router.urls)),
    re_path(r"^[\s\S]*$", problems.not_found),  # [\s\S]: a newline in the path too
]
