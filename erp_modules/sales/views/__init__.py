"""Sales pages. Thin: parse input, call a service or selector, render.

Roles: a viewer reads; a clerk creates, confirms, delivers and invoices; a manager cancels.
Every id is looked up in the current enterprise's schema: another enterprise's document is a 404.

One module per entity (quotations, orders, shortages with the availability check, deliveries,
invoices); documents is the create / edit form quotations and orders share, _common what all share.
"""
