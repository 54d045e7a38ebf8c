"""``/api/``: version 1 of the public API, its OpenAPI schema and the browsable docs; any other
address under ``/api/`` answers a JSON 404."""

from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from core.api import NotFoundView, OwnRenderer
from edms.signing.api import VerifyView
from intake import api

urlpatterns = [
    path("v1/services/", api.ServiceListView.as_view(), name="api-services"),
    path("v1/applications/", api.ApplicationCreateView.as_view(), name="api-applications"),
    path(
        "v1/applications/<str:tracking_code>/",
        api.ApplicationDetailView.as_view(),
        name="api-application",
    ),
    path("v1/verify/", VerifyView.as_view(), name="api-verify"),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # Its start-up script comes as a file (docs/?script=), not inline: see core/headers.py. Its
    # page whatever ?format= asks for (not a 404 through the portal's page template).
    path(
        "docs/",
        SpectacularSwaggerSplitView.as_view(
            url_name="api-schema", content_negotiation_class=OwnRenderer
        ),
        name="api-docs",
    ),
    # Last: whatever else is asked under /api/ (not the portal's redirect to a page).
    re_path("", NotFoundView.as_view(), name="api-not-found"),
]
