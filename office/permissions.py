"""Who may use the office's pages: the informatization office and platform administrators, on the public
host. The office's own views and the government-data pages (api/govdata) use this one decorator."""

from __future__ import annotations

from functools import wraps
from urllib.parse import urlencode

from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse

from office import selectors


def login_redirect(request):
    return HttpResponseRedirect(f"{reverse('login')}?{urlencode({'next': request.get_full_path()})}")


def office_required(view):
    """Office users and platform administrators only, and only on the public host: 404 on an enterprise's
    host, the log-in page for a visitor, the office's "not allowed" page (403) for anyone else."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if getattr(request, "enterprise", None) is not None:
            raise Http404
        if not request.user.is_authenticated:
            return login_redirect(request)
        if not selectors.office_user(request.user):
            return render(request, "office/forbidden.html", status=403)
        return view(request, *args, **kwargs)

    return wrapped
