"""{% load trade_order_tags %}{% enterprise_url slug "/purchasing/orders/1/" %}: an address on an enterprise's
own host (its ERP), from a page of the boards (public host)."""

from django import template

from tenants.selectors import enterprise_base_url

register = template.Library()


@register.simple_tag(takes_context=True)
def enterprise_url(context, slug: str, path: str) -> str:
    return f"{enterprise_base_url(slug=slug, request=context.get('request'))}{path}"
