"""Links that leave the product (receipts, QR codes, SMS, e-mail) lead back to where it is."""

from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory, override_settings

from core.site import SiteURLMiddleware, absolute_url


def served(host: str, secure: bool = False) -> str:
    """The tracking link a request to ``host`` would print, as the page or its receipt does."""

    def view(request: HttpRequest) -> HttpResponse:
        return HttpResponse(absolute_url("/track/ABCD-EFGH-JKLM-NPQR/"))

    request = RequestFactory().get("/", HTTP_HOST=host, secure=secure)
    return SiteURLMiddleware(view)(request).content.decode()


@override_settings(SITE_URL="", ALLOWED_HOSTS=["*"])
def test_without_site_url_links_follow_the_address_served() -> None:
    assert served("10.0.0.5:8123") == "http://10.0.0.5:8123/track/ABCD-EFGH-JKLM-NPQR/"
    assert served("portal.example.uz", secure=True) == (
        "https://portal.example.uz/track/ABCD-EFGH-JKLM-NPQR/"
    )


@override_settings(SITE_URL="", WAGTAILADMIN_BASE_URL="http://127.0.0.1:8000")
def test_outside_a_request_links_use_the_fallback_address() -> None:
    assert absolute_url("/verify/X/") == "http://127.0.0.1:8000/verify/X/"


@override_settings(SITE_URL="https://xizmat.jizzax.uz/", ALLOWED_HOSTS=["*"])
def test_site_url_wins_over_the_request() -> None:
    assert served("10.0.0.5:8123") == "https://xizmat.jizzax.uz/track/ABCD-EFGH-JKLM-NPQR/"
    assert absolute_url("/verify/X/") == "https://xizmat.jizzax.uz/verify/X/"
