"""Demo organisation: the 27 offices, their standard departments, and one account per role.

Only ``manage.py load_demo`` calls this; migrations and production never create accounts. Each
function creates what is missing and leaves what exists alone, so a second run changes nothing
(and never resets a password someone changed).
"""

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction

from edms.journals import office_ensure_journals
from edms.models import Department, Office, Position
from edms.roles import Role, role_group, sync_roles
from portal.localized import localized_names

DEMO_PASSWORD = "demo12345"  # noqa: S105 - documented demo password, demo loader only
DEMO_OFFICES = ("jizzakh-city", "namangan-city")


# The demo's offices, departments and example services: configuration for the demo and the
# tests, carried by the repository (the values are examples, not law).
DEMO_DATA_DIR = Path(__file__).resolve().parent / "demo_data"


def read_data(name: str) -> dict[str, Any]:
    """One of the demo data files (``offices.json``, ``services.json``), parsed."""
    path = DEMO_DATA_DIR / name
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


@dataclass(frozen=True)
class DemoPerson:
    role: Role
    first_name: str
    last_name: str
    patronymic: str
    title: str
    department: str
    is_lead: bool = False
    # The part of the username after the office: the role's name unless given.
    account: str = ""

    @property
    def username_part(self) -> str:
        return self.account or self.role.value


DEMO_PEOPLE = [
    DemoPerson(Role.HEAD, "Baxtiyor", "Rahimov", "Odilovich", "Hokim", "leadership", True),
    DemoPerson(
        Role.DEPUTY,
        "Shuhrat",
        "Ahmedov",
        "Nurmatovich",
        "Hokim oʻrinbosari",
        "leadership",
    ),
    DemoPerson(
        Role.REGISTRAR,
        "Dilnoza",
        "Karimova",
        "Shavkatovna",
        "Devonxona mudiri",
        "chancellery",
        True,
    ),
    DemoPerson(Role.EXECUTOR, "Jasur", "Toshmatov", "Erkinovich", "Bosh mutaxassis", "appeals"),
    # The head of a department that receives citizens' applications (land plots).
    DemoPerson(
        Role.EXECUTOR,
        "Anvar",
        "Qosimov",
        "Sobirovich",
        "Yer resurslari boʻlimi boshligʻi",
        "land",
        True,
        account="land-head",
    ),
    DemoPerson(Role.LAWYER, "Malika", "Yusupova", "Anvarovna", "Yuriskonsult", "legal", True),
    DemoPerson(
        Role.CONTROLLER,
        "Sherzod",
        "Qodirov",
        "Baxromovich",
        "Ijro nazorati boʻyicha bosh mutaxassis",
        "chancellery",
    ),
    DemoPerson(
        Role.OPERATOR,
        "Gulnora",
        "Ergasheva",
        "Tohirovna",
        "Davlat xizmatlari markazi operatori",
        "oss",
    ),
    DemoPerson(Role.EDITOR, "Nodira", "Saidova", "Rustamovna", "Matbuot kotibi", "leadership"),
    DemoPerson(
        Role.CHIEF_EDITOR,
        "Otabek",
        "Mirzayev",
        "Ilhomovich",
        "Axborot xizmati rahbari",
        "leadership",
    ),
    DemoPerson(
        Role.OFFICE_ADMIN,
        "Aziz",
        "Nazarov",
        "Farhodovich",
        "Tizim administratori",
        "chancellery",
    ),
]


# The region's own khokimiyat: the regional editor runs the portal's shared pages.
REGIONAL_PEOPLE: list[tuple[str, DemoPerson]] = [
    (
        "jizzakh-region",
        DemoPerson(
            Role.REGIONAL_EDITOR,
            "Kamola",
            "Yoqubova",
            "Baxodirovna",
            "Axborot xizmati bosh muharriri",
            "leadership",
        ),
    ),
]


# Namangan's demo staff have names of their own, so that lists mixing offices read clearly.
NAMANGAN_NAMES: dict[str, tuple[str, str, str]] = {
    Role.HEAD.value: ("Ulugʻbek", "Xoliqov", "Mahmudovich"),
    Role.DEPUTY.value: ("Ilhom", "Toʻxtayev", "Baxtiyorovich"),
    Role.REGISTRAR.value: ("Zarina", "Abdullayeva", "Qahramonovna"),
    Role.EXECUTOR.value: ("Doniyor", "Sobirov", "Akmalovich"),
    "land-head": ("Bahodir", "Nurmatov", "Ergashevich"),
    Role.LAWYER.value: ("Feruza", "Ismoilova", "Botirovna"),
    Role.CONTROLLER.value: ("Akbar", "Joʻrayev", "Sattorovich"),
    Role.OPERATOR.value: ("Shahnoza", "Umarova", "Jamshidovna"),
    Role.EDITOR.value: ("Madina", "Tursunova", "Olimovna"),
    Role.CHIEF_EDITOR.value: ("Rustam", "Hamidov", "Nematovich"),
    Role.OFFICE_ADMIN.value: ("Sardor", "Aliyev", "Zokirovich"),
}


def load_offices() -> int:
    """Create the offices of ``offices.json`` that are missing; returns how many were created."""
    created = 0
    for order, row in enumerate(read_data("offices.json")["offices"]):
        parent = Office.objects.get(code=row["parent"]) if row["parent"] else None
        _office, was_created = Office.objects.get_or_create(
            code=row["code"],
            defaults={
                "kind": row["kind"],
                "parent": parent,
                "sort_order": order,
                "email": f"{row['code']}@khokimiyat.example",
                **localized_names(row["name"]),
            },
        )
        created += was_created
    return created


def load_departments() -> int:
    """Every office gets the standard departments of ``services.json``."""
    rows = read_data("services.json")["departments"]
    created = 0
    for office in Office.objects.all():
        for order, row in enumerate(rows):
            _department, was_created = Department.objects.get_or_create(
                office=office,
                code=row["code"],
                defaults={
                    "sort_order": order,
                    "description": row.get("handles", ""),
                    **localized_names(row["name"]),
                },
            )
            created += was_created
    return created


def load_people() -> int:
    """The superuser ``admin``, ``<office>.<role>`` for each demo office and role, and the
    regional staff (``jizzakh-region.regional-editor``)."""
    user_model = get_user_model()
    created = 0
    if not user_model.objects.filter(username="admin").exists():
        user_model.objects.create_superuser("admin", "admin@khokimiyat.example", DEMO_PASSWORD)
        created += 1
    people = [(code, person) for code in DEMO_OFFICES for person in DEMO_PEOPLE]
    for office_code, person in [*people, *REGIONAL_PEOPLE]:
        office = Office.objects.get(code=office_code)
        username = f"{office_code}.{person.username_part}"
        if user_model.objects.filter(username=username).exists():
            continue
        first_name, last_name, patronymic = (
            person.first_name,
            person.last_name,
            person.patronymic,
        )
        if office_code == "namangan-city":
            first_name, last_name, patronymic = NAMANGAN_NAMES[person.username_part]
        user = user_model.objects.create_user(
            username,
            email=f"{username}@khokimiyat.example",
            password=DEMO_PASSWORD,
            first_name=first_name,
            last_name=last_name,
        )
        user.groups.add(role_group(person.role))
        Position.objects.create(
            user=user,
            office=office,
            department=Department.objects.get(office=office, code=person.department),
            title=person.title,
            patronymic=patronymic,
            is_lead=person.is_lead,
        )
        created += 1
    return created


@transaction.atomic
def load_organisation() -> dict[str, int]:
    sync_roles()
    return {
        "offices": load_offices(),
        "departments": load_departments(),
        "journals": sum(office_ensure_journals(office=o) for o in Office.objects.all()),
        "people": load_people(),
    }
