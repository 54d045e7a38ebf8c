"""Demo pages in the four languages, the notice moderation workflows and editors' permissions.

The Uzbek Latin tree is built first; every other language is a Wagtail translation of it
(``copy_for_translation``) with its own text. Uzbek Cyrillic text is the Latin text through
``latin_to_cyrillic``. Pages that exist are left alone, so a second run changes nothing.
"""

from collections.abc import Callable
from datetime import date
from typing import Any

from django.contrib.auth.models import Permission
from django.db import transaction
from django.utils.html import escape
from wagtail.models import (
    Collection,
    GroupApprovalTask,
    GroupCollectionPermission,
    Locale,
    Page,
    Site,
    Workflow,
    WorkflowPage,
    WorkflowTask,
)

from edms.models import Office
from edms.roles import Role, role_group
from portal.editor_scope import sync_editor_scope
from portal.localized import language_codes, localized
from portal.models import (
    GuidancePage,
    HomePage,
    IntranetPage,
    NoticeIndexPage,
    NoticePage,
    OfficeIndexPage,
    OfficePage,
    PortalSettings,
    ServiceCatalogPage,
)
from portal.transliteration import latin_to_cyrillic

Text = dict[str, str]

REGIONAL_APPROVAL = "Regional editor approval"


def tr(uz: str, ru: str, en: str) -> Text:
    return {"uz": uz, "uz-cyrl": latin_to_cyrillic(uz), "ru": ru, "en": en}


def para(text: str) -> str:
    return f"<p>{escape(text)}</p>"


HOME: dict[str, Any] = {
    "title": tr(
        "Jizzax va Namangan viloyatlari hokimliklari",
        "Хокимияты Джизакской и Наманганской областей",
        "Khokimiyats of the Jizzakh and Namangan regions",
    ),
    "intro": tr(
        "Davlat xizmatlari, eʼlonlar va hokimliklar haqida maʼlumot bir joyda.",
        "Государственные услуги, объявления и сведения о хокимиятах в одном месте.",
        "Public services, notices and information about the khokimiyats in one place.",
    ),
}

GUIDANCE: dict[str, Any] = {
    "slug": "how-to-apply",
    "title": tr(
        "Ariza berish tartibi",
        "Как подать заявление",
        "How to apply",
    ),
    "summary": tr(
        "Arizani onlayn yoki Davlat xizmatlari markazida topshirish mumkin.",
        "Заявление можно подать онлайн или в Центре государственных услуг.",
        "You can apply online or at a Public Services Centre.",
    ),
    "heading": tr("Ariza berish tartibi", "Порядок подачи", "How it works"),
    "text": tr(
        "Xizmatni tanlang, shaklni toʻldiring va hujjatlarni ilova qiling. Sizga kuzatuv kodi "
        "beriladi: u orqali arizangiz holatini bilib olasiz.",
        "Выберите услугу, заполните форму и приложите документы. Вы получите код "
        "отслеживания, по которому можно узнать состояние заявления.",
        "Choose the service, fill in the form and attach the documents. You receive a "
        "tracking code with which you can follow your application.",
    ),
    "question": tr(
        "Ariza qancha vaqtda koʻrib chiqiladi?",
        "Сколько рассматривается заявление?",
        "How long does it take?",
    ),
    "answer": tr(
        "Har bir xizmat uchun muddat ish kunlarida koʻrsatilgan.",
        "Срок указан для каждой услуги в рабочих днях.",
        "Each service states its deadline in working days.",
    ),
    "contact": tr(
        "Davlat xizmatlari markazi", "Центр государственных услуг", "Public Services Centre"
    ),
}

NOTICES: list[dict[str, Any]] = [
    {
        "slug": "reception-schedule",
        "date": date(2026, 11, 20),
        "audience": NoticePage.Audience.PUBLIC,
        "office": None,
        "title": tr(
            "Fuqarolarni qabul qilish jadvali",
            "График приёма граждан",
            "Citizens' reception schedule",
        ),
        "summary": tr(
            "Hokimlar har shanba kuni soat 10:00 dan 13:00 gacha fuqarolarni qabul qiladi.",
            "Хокимы принимают граждан каждую субботу с 10:00 до 13:00.",
            "Khokims receive citizens every Saturday from 10:00 to 13:00.",
        ),
    },
    {
        "slug": "online-services",
        "date": date(2026, 11, 24),
        "audience": NoticePage.Audience.PUBLIC,
        "office": "jizzakh-city",
        "title": tr(
            "Davlat xizmatlari endi onlayn",
            "Государственные услуги теперь онлайн",
            "Public services are now online",
        ),
        "summary": tr(
            "Yer uchastkasi va qurilish ruxsatnomasi uchun arizalarni portal orqali yuboring.",
            "Заявления на земельный участок и разрешение на строительство можно подать "
            "через портал.",
            "Apply for a land plot or a building permit through the portal.",
        ),
    },
    {
        "slug": "staff-training",
        "date": date(2026, 11, 25),
        "audience": NoticePage.Audience.STAFF,
        "office": None,
        "title": tr(
            "Elektron hujjat aylanishi boʻyicha oʻquv",
            "Обучение работе с электронным документооборотом",
            "Training on the e-document system",
        ),
        "summary": tr(
            "Devonxona va ijrochilar uchun oʻquv mashgʻuloti dushanba kuni boʻladi.",
            "Занятие для канцелярии и исполнителей пройдёт в понедельник.",
            "A training session for the chancellery and executors takes place on Monday.",
        ),
    },
]

SECTIONS: list[dict[str, Any]] = [
    {
        "model": NoticeIndexPage,
        "slug": "notices",
        "title": tr("Eʼlonlar", "Объявления", "Notices"),
    },
    {
        "model": ServiceCatalogPage,
        "slug": "services",
        "title": tr("Davlat xizmatlari", "Государственные услуги", "Public services"),
    },
    {
        "model": OfficeIndexPage,
        "slug": "offices",
        "title": tr("Hokimliklar", "Хокимияты", "Khokimiyats"),
    },
    {
        "model": IntranetPage,
        "slug": "intranet",
        "title": tr("Ichki portal", "Интранет", "Intranet"),
        "intro": tr(
            "Xodimlar uchun eʼlonlar va yoʻriqnomalar.",
            "Объявления и инструкции для сотрудников.",
            "Notices and instructions for staff.",
        ),
    },
]

STAFF_GUIDANCE: dict[str, Any] = {
    "slug": "document-rules",
    "title": tr(
        "Hujjatlar bilan ishlash qoidalari",
        "Правила работы с документами",
        "Rules for working with documents",
    ),
    "summary": tr(
        "Roʻyxatga olish, ijro va nazorat tartibi.",
        "Порядок регистрации, исполнения и контроля.",
        "How documents are registered, executed and controlled.",
    ),
}


def guidance_body(language: str) -> list[tuple[str, Any]]:
    g = GUIDANCE
    return [
        ("heading", {"text": g["heading"][language], "level": "h2"}),
        ("paragraph", para(g["text"][language])),
        ("faq", {"question": g["question"][language], "answer": para(g["answer"][language])}),
        (
            "contact",
            {
                "name": g["contact"][language],
                "role": "",
                "phone": "",
                "email": "info@khokimiyat.example",
                "hours": "09:00–18:00",
            },
        ),
    ]


def locales() -> dict[str, Locale]:
    return {code: Locale.objects.get_or_create(language_code=code)[0] for code in language_codes()}


def publish(page: Page) -> None:
    page.save_revision().publish()


def ensure_child(parent: Page, page: Page) -> tuple[Page, bool]:
    """The child of ``parent`` with ``page``'s slug; ``page`` is added and published if missing."""
    existing = parent.get_children().filter(slug=page.slug).first()
    if existing is not None:
        return existing.specific, False
    parent.add_child(instance=page)
    publish(page)
    return page, True


def ensure_translation(page: Page, locale: Locale, fields: dict[str, Any]) -> tuple[Page, bool]:
    """The translation of ``page`` into ``locale`` with its own text, published."""
    existing = page.get_translation_or_none(locale)
    if existing is not None:
        return existing.specific, False
    translated = page.copy_for_translation(locale)
    for name, value in fields.items():
        setattr(translated, name, value)
    publish(translated)
    return translated.specific, True


def text_fields(spec: dict[str, Any], language: str) -> dict[str, Any]:
    fields: dict[str, Any] = {"title": spec["title"][language]}
    if "intro" in spec:
        fields["intro"] = para(spec["intro"][language])
    if "summary" in spec:
        fields["summary"] = spec["summary"][language]
    return fields


def build_tree(loc: dict[str, Locale]) -> tuple[HomePage, int]:
    """The Uzbek Latin tree and its translations; returns the home page and pages created."""
    created = 0
    root = Page.get_first_root_node()
    home = HomePage.objects.filter(locale=loc["uz"]).first()
    if home is None:
        # Wagtail's migrations leave a placeholder "Welcome" page (and a site on it) at the
        # slug the home page needs; deleting it also deletes that site.
        for placeholder in root.get_children().filter(content_type__model="page"):
            placeholder.delete()
        home = HomePage(slug="home", locale=loc["uz"], **text_fields(HOME, "uz"))
        root.add_child(instance=home)
        publish(home)
        created += 1
    if not Site.objects.filter(is_default_site=True).exists():
        Site.objects.create(
            hostname="localhost",
            port=80,
            root_page=home,
            is_default_site=True,
            site_name="Khokimiyat",
        )

    def per_language(
        page: Page, spec: dict[str, Any], extra: Callable[[str], dict[str, Any]]
    ) -> None:
        nonlocal created
        for code, locale in loc.items():
            if code == "uz":
                continue
            _page, was_created = ensure_translation(
                page, locale, {**text_fields(spec, code), **extra(code)}
            )
            created += was_created

    per_language(home, HOME, lambda code: {})

    guidance, was_created = ensure_child(
        home,
        GuidancePage(
            slug=GUIDANCE["slug"],
            show_in_menus=True,
            body=guidance_body("uz"),
            **text_fields(GUIDANCE, "uz"),
        ),
    )
    created += was_created
    per_language(guidance, GUIDANCE, lambda code: {"body": guidance_body(code)})

    sections: dict[str, Page] = {}
    for spec in SECTIONS:
        section, was_created = ensure_child(
            home, spec["model"](slug=spec["slug"], show_in_menus=True, **text_fields(spec, "uz"))
        )
        created += was_created
        sections[spec["slug"]] = section
        per_language(section, spec, lambda code: {})

    for notice_spec in NOTICES:
        notice, was_created = ensure_child(
            sections["notices"],
            NoticePage(
                slug=notice_spec["slug"],
                date=notice_spec["date"],
                audience=notice_spec["audience"],
                office=Office.objects.filter(code=notice_spec["office"]).first(),
                **text_fields(notice_spec, "uz"),
            ),
        )
        created += was_created
        per_language(notice, notice_spec, lambda code: {})

    staff_guidance, was_created = ensure_child(
        sections["intranet"],
        GuidancePage(slug=STAFF_GUIDANCE["slug"], **text_fields(STAFF_GUIDANCE, "uz")),
    )
    created += was_created
    per_language(staff_guidance, STAFF_GUIDANCE, lambda code: {})

    for office in Office.objects.all():
        office_page, was_created = ensure_child(
            sections["offices"],
            OfficePage(slug=office.code, office=office, title=localized(office, "name", "uz")),
        )
        created += was_created
        per_language(
            office_page,
            {"title": {code: localized(office, "name", code) for code in loc}},
            lambda code: {},
        )
    return home, created


def ensure_moderation() -> None:
    """Each office's editors edit its pages and submit, its editors-in-chief approve and publish
    (``portal.editor_scope``); the regional editors run the rest and approve in the notice index."""
    regional = role_group(Role.REGIONAL_EDITOR)
    workflow, _created = Workflow.objects.get_or_create(name="Notice moderation")
    task = GroupApprovalTask.objects.filter(workflow_tasks__workflow=workflow).first()
    if task is None:
        task = GroupApprovalTask.objects.create(name=REGIONAL_APPROVAL)
        WorkflowTask.objects.create(workflow=workflow, task=task, sort_order=0)
    elif task.name != REGIONAL_APPROVAL:
        # Databases loaded before offices had their own editors: every editor-in-chief approved.
        task.name = REGIONAL_APPROVAL
        task.save(update_fields=["name"])
    task.groups.set([regional])
    for index in NoticeIndexPage.objects.all():
        WorkflowPage.objects.get_or_create(page=index, defaults={"workflow": workflow})
    sync_editor_scope()

    root_collection = Collection.get_first_root_node()
    for group in (role_group(Role.EDITOR), role_group(Role.CHIEF_EDITOR), regional):
        for app_label, codename in [
            ("wagtaildocs", "add_document"),
            ("wagtaildocs", "change_document"),
            ("wagtaildocs", "choose_document"),
            ("wagtailimages", "add_image"),
            ("wagtailimages", "change_image"),
            ("wagtailimages", "choose_image"),
        ]:
            GroupCollectionPermission.objects.get_or_create(
                group=group,
                collection=root_collection,
                permission=Permission.objects.get(
                    content_type__app_label=app_label, codename=codename
                ),
            )


@transaction.atomic
def load_pages() -> int:
    _home, created = build_tree(locales())
    ensure_moderation()
    site = Site.objects.get(is_default_site=True)
    PortalSettings.objects.get_or_create(
        site=site,
        defaults={"contact_email": "info@khokimiyat.example"},
    )
    return created
