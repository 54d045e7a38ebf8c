"""URLs: language-prefixed portal pages (``/uz/``, ``/uz-cyrl/``, ``/ru/``, ``/en/``), staff
login, the Wagtail and Django admins, and Wagtail documents."""

from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path, re_path
from django.views.i18n import set_language
from taggit.models import Tag
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.admin.views.account import LoginView as WagtailLoginView
from wagtail.documents import urls as wagtaildocs_urls

from core import guard
from edms import public_views as edms_public
from intake import urls as intake_urls
from portal import views as portal_views
from search import views as search_views

# Tags are edited in Wagtail's admin; django-taggit's own merge page fails on a malformed post.
if admin.site.is_registered(Tag):
    admin.site.unregister(Tag)

urlpatterns = [
    path("", portal_views.root, name="root"),
    path("accounts/login/", portal_views.StaffLoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/setlang/", set_language, name="set_language"),
    path("workspace/counter/", include((intake_urls.counter_urlpatterns, "intake_counter"))),
    path("workspace/search/", search_views.workspace_search, name="workspace_search"),
    path("workspace/", include("edms.urls")),
    path("track/", include("intake.urls")),
    path("api/", include("intake.api_urls")),
    path("verify/", edms_public.verify, name="verify_lookup"),
    path("verify/<str:code>/", edms_public.verify, name="verify"),
    # Both admins' sign-in forms carry the workspace's limits (per address and per account).
    path("django-admin/login/", portal_views.login_limited(admin.site.login)),
    path("django-admin/", admin.site.urls),
    path("admin/login/", portal_views.login_limited(WagtailLoginView.as_view())),
    path("admin/failwhale/", guard.not_found),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
]

if settings.SERVE_PUBLIC_MEDIA:
    # Only Wagtail's images: every other uploaded file goes out through a view's access check.
    from django.views.static import serve

    media = settings.MEDIA_URL.strip("/")
    urlpatterns += [
        re_path(
            rf"^{media}/(?P<path>(?:original_images|images)/[^/]+)$",
            serve,
            {"document_root": settings.MEDIA_ROOT},
        )
    ]

# Django's own 400 and 500 answers: JSON under /api/, the portal's pages elsewhere.
handler400 = "core.api.bad_request"
handler500 = "core.api.server_error"

urlpatterns += i18n_patterns(
    path("search/", search_views.portal_search, name="portal_search"),
    path("", include(wagtail_urls)),
    prefix_default_language=True,
)
