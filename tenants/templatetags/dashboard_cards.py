"""{% load dashboard_cards %}{% dashboard_card template card %}: one card of core.dashboard on the page.

The card's template sees the page's context (request, user, enterprise, membership …) with the card's own
context on top, as an {% include %} would; the page's context processors do not run again per card.
"""

from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def dashboard_card(context, template_name: str, card: dict):
    with context.push(**card):
        return context.template.engine.get_template(template_name).render(context)
