"""Demo signatures: the demo certificate authority, certificates for the demo signers, and the
default approval routes of every office.

Every demo signer's key is encrypted with ``DEMO_SIGNING_PASSPHRASE`` (written in the README):
a demo convenience; real staff choose their own passphrase when their certificate is issued.
"""

from django.contrib.auth import get_user_model

from edms.demo import DEMO_OFFICES
from edms.models import ApprovalStep, Draft, Office, RouteTemplate, RouteTemplateStep
from edms.roles import Role
from edms.signing.keys import certificate_issue_demo, current_certificate, demo_authority_create

DEMO_SIGNING_PASSPHRASE = "imzo-demo-2026"  # noqa: S105 - documented demo value, not a secret

# Who signs in the demo: visas from the lawyer and the deputy, signatures from the head; the
# heads of departments who prepare decisions may sign letters of their department too.
DEMO_SIGNERS = ("head", "deputy", "lawyer", "land-head")

# (kind, name, [(position, step kind, role, working days)])
DEMO_ROUTES = [
    (
        Draft.Kind.ANSWER,
        "Fuqaro murojaatiga javob / Answer to a citizen",
        [
            (1, ApprovalStep.Kind.VISA, Role.LAWYER, 2),
            (2, ApprovalStep.Kind.SIGNATURE, Role.HEAD, 2),
        ],
    ),
    (
        Draft.Kind.LETTER,
        "Chiquvchi xat / Outgoing letter",
        [
            (1, ApprovalStep.Kind.VISA, Role.LAWYER, 2),
            (1, ApprovalStep.Kind.VISA, Role.DEPUTY, 2),
            (2, ApprovalStep.Kind.SIGNATURE, Role.HEAD, 2),
        ],
    ),
]


def load_route_templates() -> int:
    created = 0
    for office in Office.objects.all():
        for kind, name, steps in DEMO_ROUTES:
            template, made = RouteTemplate.objects.get_or_create(
                office=office, kind=kind, defaults={"name": name, "is_default": True}
            )
            if not made:
                continue
            for position, step_kind, role, days in steps:
                RouteTemplateStep.objects.create(
                    template=template, position=position, kind=step_kind, role=role, days=days
                )
            created += 1
    return created


def load_certificates() -> int:
    demo_authority_create()
    users = get_user_model().objects.filter(
        username__in=[f"{office}.{signer}" for office in DEMO_OFFICES for signer in DEMO_SIGNERS]
    )
    issued = 0
    for user in users:
        if current_certificate(user) is None:
            certificate_issue_demo(user=user, passphrase=DEMO_SIGNING_PASSPHRASE)
            issued += 1
    return issued
