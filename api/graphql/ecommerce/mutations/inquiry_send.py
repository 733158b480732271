from __future__ import annotations

import graphene
from django.utils.translation import gettext as _

from api.graphql.core.mutations import BaseMutation, pk_from_global_id
from api.graphql.core.permissions import Scope
from api.graphql.ecommerce.actor import acting_for, own_thread, readable_enterprise_ids
from api.graphql.ecommerce.errors import BoardsError
from api.graphql.ecommerce.mutations._common import refusals_as_errors
from api.graphql.ecommerce.types import InquiryThreadNode
from core.errors import field_error
from ecommerce.selectors import visible_listings
from ecommerce.services import inquiry_reply, inquiry_send


class InquirySend(BaseMutation):
    thread = graphene.Field(InquiryThreadNode)

    class Arguments:
        listing = graphene.ID(description="Ask about this listing (starts the conversation, or adds to it).")
        thread = graphene.ID(description="Or answer in this conversation of the caller's enterprise.")
        body = graphene.String(required=True, description="At most 4,000 characters.")
        enterprise = graphene.String(description="Credit code of the writing enterprise (a session on the public "
                                                 "host that belongs to several); a token writes for its own.")

    class Meta:
        description = "Send a message to a listing's enterprise, or answer in a conversation."
        permissions = (Scope.BOARDS_WRITE,)
        error_type = BoardsError

    @classmethod
    def perform_mutation(cls, root, info, body, listing=None, thread=None, enterprise=None):
        if bool(listing) == bool(thread):
            raise field_error("listing", _("Give either a listing or a conversation."), "required")
        if listing:
            actor = acting_for(info, enterprise)
            found = visible_listings().select_related("enterprise").filter(
                pk=pk_from_global_id(listing, "Listing", "listing")).first()
            if found is None:
                raise field_error("listing", _("No listing has this ID."), "not_found")
            with refusals_as_errors():
                result = inquiry_send(listing=found, enterprise=actor.enterprise, body=body, **actor.service_kwargs)
        else:
            conversation = own_thread(info, pk_from_global_id(thread, "InquiryThread", "thread"))
            mine = conversation.asker if conversation.asker_id in readable_enterprise_ids(info) else conversation.owner
            actor = acting_for(info, enterprise or mine.uscc)
            with refusals_as_errors():
                inquiry_reply(thread=conversation, enterprise=actor.enterprise, body=body, **actor.service_kwargs)
            result = conversation
        info.context._boards_acting_ids = frozenset([actor.enterprise.pk])
        InquiryThreadNode.prepare(info.context, [result])
        return cls(thread=result)
