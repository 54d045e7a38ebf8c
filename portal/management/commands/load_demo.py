"""``manage.py load_demo``: the demo offices, people, services and pages; safe to run again."""

from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand

from edms.demo import load_organisation
from edms.demo_correspondence import load_correspondence
from edms.demo_signing import load_certificates, load_route_templates
from intake.demo import load_service_pages, load_services
from portal.demo import load_pages


class Command(BaseCommand):
    help = "Load the demo data (offices, staff, services, pages, documents, routes, certificates)."

    def handle(self, *args: Any, **options: Any) -> None:
        counts = load_organisation()
        counts["services"] = load_services()
        counts["pages"] = load_pages() + load_service_pages()
        counts["documents"] = load_correspondence()
        counts["approval routes"] = load_route_templates()
        counts["certificates"] = load_certificates()
        if counts["pages"]:
            # Pages saved outside the admin reach the search index only through update_index.
            call_command("update_index", verbosity=0)
        summary = ", ".join(f"{name}: {number}" for name, number in counts.items())
        self.stdout.write(self.style.SUCCESS(f"Demo data loaded (created {summary})."))
