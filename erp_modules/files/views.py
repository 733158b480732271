from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.permissions import role_refusal, role_required
from erp_modules.files import selectors, services
from tenants.models import Role


@role_required(Role.VIEWER)
def attachment_list(request):
    search = request.GET.get("q", "").strip()
    page = Paginator(selectors.attachment_list(search=search), 25).get_page(request.GET.get("page"))
    errors = {}
    if request.method == "POST":
        refusal = role_refusal(request, Role.CLERK)
        if refusal:
            return refusal
        try:
            services.attachment_upload(file=request.FILES.get("file"), title=request.POST.get("title", ""),
                                       uploaded_by=request.user)
        except ValidationError as exc:
            errors = exc.message_dict
        else:
            messages.success(request, _("File uploaded."))
            return redirect("attachment_list")
    template = "files/_table.html" if request.htmx and request.method == "GET" else "files/list.html"
    return render(request, template, {"page": page, "search": search, "errors": errors,
                                      "can_upload": request.membership.has_role(Role.CLERK)})


@role_required(Role.VIEWER)
def attachment_download(request, attachment_id: int):
    attachment = selectors.attachment_get(attachment_id=attachment_id)
    if attachment is None:
        raise Http404
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError:
        raise Http404
    return FileResponse(handle, as_attachment=True, filename=attachment.original_name,
                        content_type=attachment.content_type or "application/octet-stream")


@require_POST
@role_required(Role.MANAGER)
def attachment_delete(request, attachment_id: int):
    try:
        services.attachment_delete(attachment_id=attachment_id)
    except ValidationError:
        raise Http404
    messages.success(request, _("File deleted."))
    return redirect("attachment_list")
