"""The listings' search vectors: written by the services that save a listing (see ecommerce.search).

Done by the services rather than by a trigger: the segmentation is jieba's (Python), which a trigger on
a server without extensions (no PL/Python) cannot run.
"""

from __future__ import annotations

from django.db import connection

from ecommerce import search
from ecommerce.models import Listing
from tenants.models import Enterprise


def listing_search_index(*, listing: Listing) -> None:
    """Write the listing's search vector from its jieba-segmented texts and its facets."""
    title, attrs, body = search.document_texts(title=listing.title, description=listing.description,
                                               attributes=listing.attributes)
    sql = (search.SEARCH_VECTOR_SQL.format(title="%s", attrs="%s", body="%s") + " || "
           + search.facets_sql("ecommerce_listing"))
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE ecommerce_listing SET search_vector = {sql} WHERE id = %s",
                       [title, attrs, body, listing.pk])


def enterprise_listings_reindex(*, enterprise: Enterprise) -> int:
    """Refresh the enterprise's facet lexemes (town, verified credit) in its listings' search vectors.
    Called by the beat task for enterprises changed lately (their town may have changed in the
    enterprise's settings); a credit change re-indexes through `listings_reindex` directly."""
    return listings_reindex(enterprise_ids=[enterprise.pk])


def listings_reindex(*, enterprise_ids: list[int]) -> int:
    """Refresh the facet lexemes of the listings of these enterprises (one statement)."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE ecommerce_listing SET search_vector = ts_delete(search_vector, ARRAY(SELECT lexeme FROM "
            f"unnest(search_vector) WHERE lexeme LIKE '~%%')) || {search.facets_sql('ecommerce_listing')} "
            f"WHERE enterprise_id = ANY(%s)", [list(enterprise_ids)])
        return cursor.rowcount
