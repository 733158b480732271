"""Hooks that the domains above the boards register for board events (the boards never import them).

One event today: **a quotation was accepted** on an RFQ. ``services.quotation_accept`` calls
``quotation_accepted_send`` in ``transaction.on_commit``, so a handler runs only once the acceptance is
committed, in the schema the acceptance ran in (the public one on the public host), with the quotation's
id. A handler reads what it needs itself and does its own writes in its own transaction (logistics.freight
switches into the schema of the listing's owning enterprise). A handler that fails is logged and does not
undo the acceptance nor stop the other handlers.

Register from an ``AppConfig.ready()``::

    from ecommerce.hooks import quotation_accepted_register
    quotation_accepted_register(freight_quotation_accepted)   # called as handler(quotation_id=...)
"""

from __future__ import annotations

import logging
from collections.abc import Callable

logger = logging.getLogger(__name__)

QuotationAcceptedHandler = Callable[..., object]

_quotation_accepted: list[QuotationAcceptedHandler] = []


def quotation_accepted_register(handler: QuotationAcceptedHandler) -> None:
    """Add ``handler`` (called as ``handler(quotation_id=…)``); registering the same one twice keeps one."""
    if handler not in _quotation_accepted:
        _quotation_accepted.append(handler)


def quotation_accepted_unregister(handler: QuotationAcceptedHandler) -> None:
    if handler in _quotation_accepted:
        _quotation_accepted.remove(handler)


def quotation_accepted_send(*, quotation_id: int) -> None:
    """Run every registered handler for an accepted quotation; each failure is logged, never raised."""
    for handler in list(_quotation_accepted):
        try:
            handler(quotation_id=quotation_id)
        except Exception:
            logger.exception("quotation-accepted hook %s failed for quotation %s",
                             getattr(handler, "__qualname__", handler), quotation_id)
