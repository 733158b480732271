import graphene

from api.graphql.ecommerce.mutations.inquiry_send import InquirySend
from api.graphql.ecommerce.mutations.listing_close import ListingClose
from api.graphql.ecommerce.mutations.listing_create import ListingCreate
from api.graphql.ecommerce.mutations.listing_publish import ListingPublish
from api.graphql.ecommerce.mutations.listing_renew import ListingRenew
from api.graphql.ecommerce.mutations.listing_update import ListingUpdate
from api.graphql.ecommerce.mutations.quotation_accept import QuotationAccept
from api.graphql.ecommerce.mutations.quotation_submit import QuotationSubmit
from api.graphql.ecommerce.mutations.quotation_withdraw import QuotationWithdraw


class BoardMutations(graphene.ObjectType):
    listing_create = ListingCreate.Field()
    listing_update = ListingUpdate.Field()
    listing_close = ListingClose.Field()
    listing_publish = ListingPublish.Field()
    listing_renew = ListingRenew.Field()
    inquiry_send = InquirySend.Field()
    quotation_submit = QuotationSubmit.Field()
    quotation_accept = QuotationAccept.Field()
    quotation_withdraw = QuotationWithdraw.Field()
