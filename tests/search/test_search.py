"""The search as staff and citizens use it, the same tests on both backends: the database
(SQLite FTS5 or PostgreSQL, whichever the run uses) and Elasticsearch (a real server at
``SEARCH_TEST_ELASTICSEARCH_URL`` when given, otherwise the in-memory ``osmem-server`` these
tests start themselves).

Documents get into the index the way they do in the product: registered in a transaction whose
outbox messages are sent on commit (``django_capture_on_commit_callbacks``).
"""

import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from edms.approvals import step_approve, step_sign
from edms.codes import format_code
from edms.models import Document, Journal
from edms.registration import document_register
from search.service import _configured_backend, search_for
from tests.edms.factories import user

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture(params=["database", "elastic"])
def backend_name(request: pytest.FixtureRequest, settings: Any) -> Iterator[str]:
    if request.param == "elastic":
        settings.ELASTICSEARCH_URL = request.getfixturevalue("elastic_url")
        settings.SEARCH_INDEX_PREFIX = f"test-{uuid.uuid4().hex[:10]}"
    else:
        settings.ELASTICSEARCH_URL = ""
    _configured_backend.cache_clear()
    yield request.param
    _configured_backend.cache_clear()


@contextmanager
def committed(capture: Any) -> Iterator[None]:
    """Commit as the product does, then deliver this commit's outbox messages as a worker
    would: Celery runs them eagerly on the embedded default; where it sends them to Redis and
    no worker listens, they are processed here."""
    from django.db.models import Max

    from intake.models import OutboxMessage
    from intake.outbox import outbox_process

    before = OutboxMessage.objects.aggregate(last=Max("pk"))["last"] or 0
    with capture(execute=True):
        yield
    for pk in OutboxMessage.objects.filter(pk__gt=before, status="pending").values_list(
        "pk", flat=True
    ):
        outbox_process(pk)


def register(
    office: str = "jizzakh-city",
    *,
    title: str,
    summary: str = "",
    confidential: bool = False,
    kind: str = Journal.Kind.INCOMING,
    by: str = "",
    capture: Any,
) -> Document:
    journal = Journal.objects.get(office__code=office, kind=kind)
    with committed(capture):
        return document_register(
            journal=journal,
            kind=Document.Kind.INCOMING
            if kind == Journal.Kind.INCOMING
            else Document.Kind.OUTGOING,
            title=title,
            summary=summary,
            channel=Document.Channel.PAPER,
            correspondent_name="Viloyat moliya boshqarmasi",
            is_confidential=confidential,
            by=user(by or f"{office}.registrar"),
        )


def keys(results: Any) -> list[str]:
    return [hit.key for hit in results.hits]


def facet_total(results: Any) -> int:
    return sum(count for _value, count in results.facets.get("status", []))


def test_another_offices_document_is_neither_found_nor_counted(
    backend_name: str, django_capture_on_commit_callbacks: Any
) -> None:
    theirs = register(
        "namangan-city",
        title="Chustpopuk mahallasi suv taʼminoti",
        capture=django_capture_on_commit_callbacks,
    )
    executor = user("jizzakh-city.executor")
    found = search_for(executor, "Chustpopuk")
    assert found.total == 0
    assert found.hits == []
    assert facet_total(found) == 0
    assert all(count == 0 for values in found.facets.values() for _v, count in values)
    # By its number too: an exact lookup obeys the same rule.
    assert f"document:{theirs.pk}" not in keys(search_for(executor, theirs.reg_number))
    mine = search_for(user("namangan-city.registrar"), "Chustpopuk")
    assert keys(mine) == [f"document:{theirs.pk}"]
    assert facet_total(mine) == 1


def test_a_confidential_document_is_found_only_by_the_people_on_it(
    backend_name: str, django_capture_on_commit_callbacks: Any
) -> None:
    secret = register(
        title="Maxfiy: Qoʻshrabot yer nizosi",
        confidential=True,
        capture=django_capture_on_commit_callbacks,
    )
    outsider = search_for(user("jizzakh-city.executor"), "Qoʻshrabot")
    assert outsider.total == 0
    assert facet_total(outsider) == 0
    assert keys(search_for(user("jizzakh-city.registrar"), "Qoshrabot")) == [
        f"document:{secret.pk}"
    ]


@pytest.mark.parametrize(
    "typed", ["Toʻraqoʻrgʻon", "To'raqo'rg'on", "Toraqorgon", "Тўрақўрғон", "to‘raqo’rg‘on"]
)
def test_both_scripts_and_every_apostrophe_find_the_same_document(
    backend_name: str, typed: str, django_capture_on_commit_callbacks: Any
) -> None:
    document = register(
        title="Toʻraqoʻrgʻon tumani yoʻllarini taʼmirlash",
        capture=django_capture_on_commit_callbacks,
    )
    assert f"document:{document.pk}" in keys(search_for(user("jizzakh-city.registrar"), typed))


def test_russian_forms_and_one_letter_typos_still_find_it(
    backend_name: str, django_capture_on_commit_callbacks: Any
) -> None:
    document = register(
        title="Ответ на письмо гражданина о ремонте дороги",
        summary="Yoʻl taʼmiri boʻyicha hokimiyat qarori",
        capture=django_capture_on_commit_callbacks,
    )
    registrar = user("jizzakh-city.registrar")
    key = f"document:{document.pk}"
    assert key in keys(search_for(registrar, "письма"))
    assert key in keys(search_for(registrar, "ремонт дорог"))
    assert key in keys(search_for(registrar, "hokimyat"))  # one letter missing
    assert key in keys(search_for(registrar, "qarory"))  # one letter wrong
    assert key not in keys(search_for(registrar, "hokimiyat boshqa"))  # every word must match


def test_a_registration_number_is_an_exact_lookup_and_the_title_outranks_the_body(
    backend_name: str, django_capture_on_commit_callbacks: Any
) -> None:
    in_title = register(
        title="Zomin sanatoriysi litsenziyasi", capture=django_capture_on_commit_callbacks
    )
    in_body = register(
        title="Turli masalalar",
        summary="Zomin sanatoriysi haqida qisqa eslatma",
        capture=django_capture_on_commit_callbacks,
    )
    registrar = user("jizzakh-city.registrar")
    exact = search_for(registrar, in_body.reg_number.lower())
    assert exact.exact
    assert keys(exact) == [f"document:{in_body.pk}"]
    ranked = keys(search_for(registrar, "Zomin sanatoriysi"))
    assert ranked.index(f"document:{in_title.pk}") < ranked.index(f"document:{in_body.pk}")


def test_filters_facets_and_sorting(
    backend_name: str, django_capture_on_commit_callbacks: Any
) -> None:
    word = "Oqtepalik"
    incoming = register(title=f"{word} kirish xati", capture=django_capture_on_commit_callbacks)
    outgoing = register(
        title=f"{word} chiqish xati",
        kind=Journal.Kind.OUTGOING,
        capture=django_capture_on_commit_callbacks,
    )
    registrar = user("jizzakh-city.registrar")
    everything = search_for(registrar, word)
    assert dict(everything.facets["doc_kind"]) == {"incoming": 1, "outgoing": 1}
    only_out = search_for(registrar, word, doc_kind="outgoing")
    assert keys(only_out) == [f"document:{outgoing.pk}"]
    assert dict(only_out.facets["doc_kind"]) == {"outgoing": 1}
    newest = keys(search_for(registrar, word, sort="date"))
    assert set(newest) == {f"document:{incoming.pk}", f"document:{outgoing.pk}"}
    paged = search_for(registrar, word, per_page=1, page=2)
    assert paged.total == 2
    assert len(paged.hits) == 1


def test_the_workspace_search_page_shows_highlights_and_facets(
    backend_name: str, client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    document = register(
        title="Gʻallaorol tumani maktablari", capture=django_capture_on_commit_callbacks
    )
    client.force_login(user("jizzakh-city.registrar"))
    page = client.get(reverse("workspace_search"), {"q": "Gallaorol"})
    html = page.content.decode()
    assert page.status_code == 200
    assert f'data-hit="document:{document.pk}"' in html
    assert "<mark>Gʻallaorol</mark>" in html
    assert 'data-facet="doc_kind"' in html
    # Each hit says what it is and whose it is.
    assert f"Incoming letter · {document.reg_date:%d.%m.%Y}" in html
    assert document.office.name in html

    # A facet value narrows the search; its link then takes the filter off again.
    narrowed = client.get(reverse("workspace_search"), {"q": "Gallaorol", "status": "registered"})
    active = re.search(
        r'<a href="([^"]*)" class="fw-bold" aria-current="true"', narrowed.content.decode()
    )
    assert active is not None
    assert "status=" not in active.group(1).replace("&amp;", "&")
    assert "q=Gallaorol" in active.group(1)


@pytest.mark.parametrize(
    ("dates", "message"),
    [
        ({"from": "2026-05-01", "to": "2026-04-01"}, "The start date is after the end date."),
        ({"from": "15.03.2026"}, "Enter a valid date, for example 2026-03-15."),
        ({"to": "2026-02-30"}, "Enter a valid date, for example 2026-03-15."),
    ],
)
def test_wrong_dates_are_said_plainly_instead_of_being_ignored(
    client: Client, dates: dict[str, str], message: str
) -> None:
    client.force_login(user("jizzakh-city.registrar"))
    page = client.get(reverse("workspace_search"), {"q": "murojaat", **dates})
    html = page.content.decode()
    assert page.status_code == 200
    assert message in html
    assert "data-total=" not in html


@pytest.mark.parametrize(
    ("language", "typed"),
    [("uz", "murojaat"), ("uz-cyrl", "мурожаат"), ("ru", "обращения"), ("en", "appeal")],
)
def test_the_portal_search_finds_pages_never_documents(
    backend_name: str,
    client: Client,
    language: str,
    typed: str,
    django_capture_on_commit_callbacks: Any,
) -> None:
    from wagtail.models import Page

    from search.service import refresh

    register(
        title="Murojaat: обращение гражданина, an appeal",
        capture=django_capture_on_commit_callbacks,
    )
    pages = Page.objects.live().filter(locale__language_code=language).exclude(depth=1)
    refresh([f"page:{pk}" for pk in pages.values_list("pk", flat=True)])
    client.force_login(user("jizzakh-city.head"))  # staff, who may find documents elsewhere
    answer = client.get(f"/{language}/search/", {"q": typed})
    html = answer.content.decode()
    assert answer.status_code == 200
    assert 'data-hit="page:' in html
    assert 'data-hit="document:' not in html
    assert 'data-hit="application:' not in html


def test_the_applicant_is_found_only_by_those_handling_the_application(
    backend_name: str, django_capture_on_commit_callbacks: Any
) -> None:
    from dataclasses import replace

    from tests.intake.factories import APPLICANT, submit

    with committed(django_capture_on_commit_callbacks):
        application = submit(
            applicant=replace(APPLICANT, full_name="Normatova Xurshida", pinfl="41203870250777")
        ).application
    key = f"application:{application.pk}"
    for allowed in ("jizzakh-city.head", "jizzakh-city.registrar", "jizzakh-city.land-head"):
        assert key in keys(search_for(user(allowed), "Normatova")), allowed
        assert key in keys(search_for(user(allowed), "41203870250777")), allowed
    # The appeals department's executor sees the office's documents, not this applicant.
    assert key not in keys(search_for(user("jizzakh-city.executor"), "Normatova"))
    assert search_for(user("namangan-city.head"), "Normatova").total == 0
    by_code = search_for(user("jizzakh-city.head"), application.tracking_code.lower())
    assert by_code.exact
    assert key in keys(by_code)


def test_elasticsearch_down_loses_nothing_and_the_sweep_catches_up(
    settings: Any, elastic_url: str, django_capture_on_commit_callbacks: Any
) -> None:
    import socket
    from datetime import timedelta

    from intake.models import OutboxMessage
    from intake.outbox import outbox_sweep
    from tests.intake.factories import submit

    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{probe.getsockname()[1]}"
    settings.ELASTICSEARCH_URL = closed
    settings.SEARCH_INDEX_PREFIX = f"test-{uuid.uuid4().hex[:10]}"
    _configured_backend.cache_clear()
    with django_capture_on_commit_callbacks(execute=True):
        applications = [submit().application for _ in range(3)]
    # Every citizen got their tracking code; the index updates wait in the outbox.
    assert all(a.tracking_code for a in applications)
    waiting = OutboxMessage.objects.filter(kind="index").exclude(status=OutboxMessage.Status.DONE)
    assert waiting.count() >= 6  # a document and an application each
    # A sweep while it is still down tries, fails for now, and keeps them for later.
    outbox_sweep(older_than=timedelta(0))
    assert waiting.count() >= 6
    assert not waiting.filter(status=OutboxMessage.Status.FAILED).exists()
    assert "unreachable" in waiting.first().last_error  # type: ignore[union-attr]

    settings.ELASTICSEARCH_URL = elastic_url  # it is back
    _configured_backend.cache_clear()
    outbox_sweep(older_than=timedelta(0))
    assert not waiting.exists()
    head = user("jizzakh-city.head")
    for application in applications:
        found = keys(search_for(head, application.document.reg_number))
        assert f"document:{application.document_id}" in found
    _configured_backend.cache_clear()


def test_a_signed_letter_is_found_by_its_verification_code_and_its_signer(
    backend_name: str, django_capture_on_commit_callbacks: Any
) -> None:
    from tests.edms.test_approvals import PASS, letter, step_of

    draft = letter(title="Hovlibogʻ koʻchasini yoritish toʻgʻrisida")
    for approver in ("jizzakh-city.lawyer", "jizzakh-city.deputy"):
        step_approve(step=step_of(draft, approver), by=user(approver), passphrase=PASS)
    with committed(django_capture_on_commit_callbacks):
        signed = step_sign(
            step=step_of(draft, "jizzakh-city.head"), by=user("jizzakh-city.head"), passphrase=PASS
        )
    key = f"document:{signed.result_document_id}"
    code = signed.verification_code
    registrar = user("jizzakh-city.registrar")
    # As printed in the stamp (in groups of four), as typed without dashes, and in lower case.
    for typed in (format_code(code), code, code.lower()):
        assert keys(search_for(registrar, typed)) == [key], typed
    assert key in keys(search_for(registrar, "Hovlibogʻ Rahimov"))
    assert search_for(user("namangan-city.registrar"), format_code(code)).total == 0


def test_words_of_an_attached_pdf_and_of_its_earlier_version_find_the_document(
    backend_name: str, django_capture_on_commit_callbacks: Any
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile
    from fpdf import FPDF

    from edms.attachments import attachment_add, attachment_add_version

    def pdf(text: str) -> SimpleUploadedFile:
        sheet = FPDF()
        sheet.add_page()
        sheet.set_font("helvetica", size=12)
        sheet.cell(text=text)
        return SimpleUploadedFile("ilova.pdf", bytes(sheet.output()), "application/pdf")

    document = register(title="Ilova bilan xat", capture=django_capture_on_commit_callbacks)
    registrar = user("jizzakh-city.registrar")
    with committed(django_capture_on_commit_callbacks):
        first = attachment_add(document=document, by=registrar, upload=pdf("Qumqurgon smeta"))
    with committed(django_capture_on_commit_callbacks):
        attachment_add_version(
            attachment=first.attachment, by=registrar, upload=pdf("Baliqchi hisobot")
        )
    key = f"document:{document.pk}"
    assert keys(search_for(registrar, "Qumqurgon")) == [key]
    assert keys(search_for(registrar, "Baliqchi hisobot")) == [key]
    assert search_for(user("namangan-city.registrar"), "Baliqchi").total == 0


def test_a_rolled_back_transaction_does_not_swallow_later_index_updates(
    django_capture_on_commit_callbacks: Any,
) -> None:
    from django.db import transaction

    from intake.models import OutboxMessage
    from search.indexer import index_later

    def failed_registration() -> None:
        with transaction.atomic():
            index_later("document:999999")
            raise RuntimeError("the registration failed")

    with pytest.raises(RuntimeError):
        failed_registration()
    # Two later transactions that each change the document: each queues its own update.
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            index_later("document:999999")
    queued = OutboxMessage.objects.filter(kind="index", key__startswith="index:document:999999:")
    assert queued.count() == 2
