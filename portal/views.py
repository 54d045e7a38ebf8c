"""Views outside the page tree: the language-neutral root, staff login and rate-limit answers."""

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django_ratelimit.decorators import ratelimit

from portal.forms import StaffLoginForm
from portal.localized import DEFAULT_LANGUAGE, language_codes
from portal.throttling import rate_from_setting, username_key


def root(request: HttpRequest) -> HttpResponse:
    """``/`` opens the language the visitor chose last, Uzbek Latin for everyone else."""
    language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
    if language not in language_codes():
        language = DEFAULT_LANGUAGE
    return HttpResponseRedirect(f"/{language}/")


def rate_limited(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(
        request,
        "429.html",
        {"message": _("Too many attempts. Please wait a minute and try again.")},
        status=429,
    )


_login_rate = rate_from_setting("LOGIN_RATE_LIMIT")
# Per address and per account, on every sign-in form: the workspace's and both admins'.
LOGIN_LIMITS = [
    ratelimit(group="login", key="ip", rate=_login_rate, method="POST", block=True),
    ratelimit(group="login-account", key=username_key, rate=_login_rate, method="POST", block=True),
]


def login_limited(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    for limit in reversed(LOGIN_LIMITS):
        view = limit(view)
    return view


@method_decorator(LOGIN_LIMITS, name="dispatch")
class StaffLoginView(auth_views.LoginView):
    """Django's login (``username`` and ``password``), limited per address and per account."""

    template_name = "registration/login.html"
    authentication_form = StaffLoginForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["page_title"] = _("Staff sign-in")
        return context
