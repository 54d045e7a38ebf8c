"""Reads of the organisation: offices, departments and staff, shaped for lists."""

from edms.models import Office


def offices_by_region() -> list[tuple[Office, list[Office]]]:
    """Each region with its offices: the regional khokimiyat first, then cities, then districts."""
    kind_order = {Office.Kind.REGION: 0, Office.Kind.CITY: 1, Office.Kind.DISTRICT: 2}
    offices = list(Office.objects.filter(is_active=True).select_related("parent"))
    regions = [office for office in offices if office.parent_id is None]
    grouped = []
    for region in regions:
        members = [o for o in offices if o.pk == region.pk or o.parent_id == region.pk]
        members.sort(key=lambda o: (kind_order[Office.Kind(o.kind)], o.sort_order, o.name))
        grouped.append((region, members))
    return grouped
