"""A user's notifications on the boards."""

from __future__ import annotations

from django.shortcuts import redirect, render

from ecommerce import selectors, services
from ecommerce.views._common import boards_view, nav_context


@boards_view(login=True)
def notifications(request):
    if request.method == "POST":
        services.notifications_mark_read(user=request.user)
        return redirect("boards:notifications")
    items = selectors.notifications_for(user=request.user)
    return render(request, "ecommerce/notifications.html", {**nav_context(request), "items": items})
