from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path

from crm import http as safe_redirects
from crm import views
from jobdev import dashboard_views
from jobdev import views as jobdev_views

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", safe_redirects.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", safe_redirects.LogoutView.as_view(), name="logout"),
    path("account/", include("crm.urls_account")),
    path("i18n/setlang/", login_not_required(safe_redirects.set_language), name="set_language"),
    path("job-seekers/", include("crm.urls")),
    path("employers/", include("employers.urls")),
    path("placements/", include("placements.urls")),
    path("tasks/", include("placements.urls_tasks")),
    path("my-week/", jobdev_views.my_week, name="my_week"),
    path("employer-contacts/export/", include("jobdev.urls_export")),
    path("employer-contacts/", include("jobdev.urls")),
    path("matching/", include("jobdev.urls_matching")),
    path("dashboard/", include("jobdev.urls_dashboard")),
    path("program/", dashboard_views.program_overview, name="program_overview"),
    path("outcomes/", include("jobdev.urls_outcomes")),
    path("fidelity/", include("jobdev.fidelity.urls")),
    path("employers/import/", include("employers.urls_import")),
    path("partners/webhooks/", include("integrations.webhooks.urls")),
    path("partners/", include("crm.urls_partners")),
    path("", include("integrations.calendar.urls")),
    path("", include("integrations.api.urls_pages")),
    path("api/v1/", include("integrations.api.urls")),
    path("admin/", admin.site.urls),
]

handler400 = "crm.errors.bad_request"
handler403 = "crm.errors.permission_denied"
handler404 = "crm.errors.page_not_found"
handler500 = "crm.errors.server_error"
