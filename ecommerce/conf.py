"""Tunables of the boards. Each can be overridden in settings (BOARDS_…); the defaults are the
platform's policy and are what the tests assume unless a test overrides them."""

from __future__ import annotations

from django.conf import settings

_DEFAULTS = {
    # posting rate limit per enterprise: at most N new listings within the window (counted in the DB)
    "BOARDS_POSTING_LIMIT": 20,
    "BOARDS_POSTING_WINDOW_MINUTES": 60,
    # inquiry messages per enterprise and window (same mechanism)
    "BOARDS_MESSAGE_LIMIT": 60,
    # validity of a listing (days) when the poster does not choose, and the longest allowed
    "BOARDS_LISTING_DEFAULT_DAYS": 30,
    "BOARDS_LISTING_MAX_DAYS": 180,
    # an RFQ closes after this many quotations (unless the RFQ sets its own smaller number)
    "BOARDS_RFQ_MAX_QUOTATIONS": 10,
    # a match at or above this score (0..1) is sent to the poster by email and in-site notification
    "BOARDS_MATCH_NOTIFY_THRESHOLD": 0.6,
    "BOARDS_MATCHES_KEPT": 10,
    # uploads
    "BOARDS_IMAGE_MAX_BYTES": 5 * 1024 * 1024,
    "BOARDS_IMAGE_MAX_PIXELS": 40_000_000,
    "BOARDS_IMAGES_PER_LISTING": 8,
    "BOARDS_ATTACHMENT_MAX_BYTES": 10 * 1024 * 1024,
    "BOARDS_THUMBNAIL_SIZE": 360,
    # "in stock: N" is cached this long (seconds)
    "BOARDS_STOCK_CACHE_SECONDS": 60,
    # search: relevance is ranked over the newest N matches (10 pages; see selectors.listing_search)
    "BOARDS_SEARCH_WINDOW": 200,
}


def setting(name: str):
    return getattr(settings, name, _DEFAULTS[name])
