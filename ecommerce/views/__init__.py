"""Pages of the boards (public host, /boards/), one module per subject. Thin: parse input, call a
service or selector, render.

Anyone may browse and search. Contact details, attachments, inquiries and quotations are for
logged-in members of an enterprise. A user acts for one of their enterprises (chosen in each form,
role clerk or above); only members of the posting enterprise change a listing; the office moderates.
An object of another enterprise that the user may not change is "not found" (404), as a missing id;
a member whose role is too low gets the service's reason (403, ``ecommerce/forbidden.html``).
"""
