"""The schema and the interactive docs page, served from this site only.

The Content-Security-Policy allows scripts and styles from 'self' with nothing inline:
Swagger UI's files come from drf-spectacular-sidecar (installed, served as static
files), and its start-up script is a separate request (drf-spectacular's split view),
so the page works without the network and without relaxing the policy."""

from __future__ import annotations

from django.http import HttpResponse
from django.utils.html import escape
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.permissions import AllowAny

PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<link rel="stylesheet" href="{css}">
</head>
<body>
<div id="swagger-ui"></div>
<script src="{bundle}"></script>
<script src="{preset}"></script>
<script src="{script}"></script>
</body>
</html>
"""


class SchemaView(SpectacularAPIView):
    permission_classes = [AllowAny]
    authentication_classes = []
    throttle_classes = []


class DocsView(SpectacularSwaggerSplitView):
    permission_classes = [AllowAny]
    authentication_classes = []
    throttle_classes = []
    url_name = "api:schema"
    title = "IPS CRM API"

    @extend_schema(exclude=True)
    def get(self, request, *args, **kwargs):
        if request.GET.get("script") is not None:
            return super().get(request, *args, **kwargs)
        html = PAGE.format(
            title=escape(self.title),
            css=escape(self._swagger_ui_resource("swagger-ui.css")),
            bundle=escape(self._swagger_ui_resource("swagger-ui-bundle.js")),
            preset=escape(self._swagger_ui_resource("swagger-ui-standalone-preset.js")),
            script=escape(request.path + "?script="),
        )
        return HttpResponse(html, content_type="text/html; charset=utf-8")
