"""What PDM tells the catalog about the BOM versions it owns (registered in PartsConfig.ready()).

``bom_owner(bom)``: the part revision a BOM version belongs to, as the catalog's ``BomOwner`` (in the reader's
language "part RH-HOOD-200 revision B", and the revision's page), so the catalog's BOM page hides its edit,
release and archive forms and links there instead (erp_modules/catalog/bom_guard.py).
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from erp_modules.catalog.bom_guard import BomOwner
from pdm.parts.models import PartRevision


def bom_owner(bom) -> BomOwner | None:
    revision = PartRevision.objects.select_related("part").filter(bom_id=bom.pk).first()
    if revision is None:
        return None
    return BomOwner(
        label=_("part %(number)s revision %(revision)s") % {"number": revision.part.number,
                                                              "revision": revision.revision},
        url=f"/pdm/revisions/{revision.pk}/", page=_("the revision's page"))
