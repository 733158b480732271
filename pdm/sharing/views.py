"""Pages of design-partner sharing.

Owner side (the enterprise's own host): the share form (managers and above; reached from the panel on the
revision and document pages), revoke, and the list of every share at /pdm/shares/.

Partner side (the partner's own host): /pdm/shared/ lists the active shares made with the enterprise; a
share's page shows the shared revision (BOM, linked documents) or document (versions, preview, upload in
upload mode); files are sent by these views only. Every partner page first finds the share among the
active shares made with the host's enterprise (404 otherwise, also after a revoke), then reads the owner's
schema through pdm.sharing.selectors, which filter by the shared object.
"""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.forms import IdField, form_errors_from
from core.permissions import role_required
from pdm._web import action_post, found
from pdm.sharing import selectors, services
from pdm.sharing.forms import PartnerUploadForm, share_form
from pdm.sharing.models import Share
from tenants.models import Role


def _query_id(value) -> int | None:
    try:
        return IdField().clean(value)
    except ValidationError:
        return None


# ---- owner side ----------------------------------------------------------------------------------


@role_required(Role.VIEWER)
def share_list(request):
    return render(request, "sharing/share_list.html", {
        "shares": selectors.share_list_for_owner(owner=request.tenant),
        "can_share": request.membership.has_role(Role.MANAGER)})


@role_required(Role.MANAGER)
def share_new(request):
    """GET ?kind=revision|document&object_id=…: the form for one object of this enterprise; POST: share it."""
    if request.method == "POST":
        kind, object_id = request.POST.get("kind"), _query_id(request.POST.get("object_id"))
        form = share_form(kind=kind, object_id=object_id, data=request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                share = services.share_create(owner=request.tenant, kind=data["kind"], object_id=data["object_id"],
                                              partner_text=data["partner"], mode=data["mode"], note=data["note"],
                                              user=request.user)
            except ValidationError as exc:
                form_errors_from(form, exc)
            else:
                messages.success(request, _("%(what)s is shared with %(partner)s.")
                                 % {"what": share.label, "partner": share.partner.display_name})
                return redirect(selectors.object_url(share))
        status = 400
    else:
        kind, object_id = request.GET.get("kind"), _query_id(request.GET.get("object_id"))
        form = share_form(kind=kind, object_id=object_id)
        status = 200
    obj = services.shared_object_get(owner=request.tenant, kind=kind, object_id=object_id) if object_id else None
    if obj is None:
        raise Http404
    return render(request, "sharing/share_form.html", {
        "form": form, "label": services.object_label(obj), "kind": kind,
        "back": selectors.object_url(Share(kind=kind, object_id=obj.pk))}, status=status)


@require_POST
@role_required(Role.MANAGER)
def share_revoke(request, share_id: int):
    share = found(selectors.share_for_owner_get(share_id=share_id, owner=request.tenant))
    url = "/pdm/shares/" if request.POST.get("back") == "list" else selectors.object_url(share)
    return action_post(request, lambda: services.share_revoke(share=share, user=request.user),
                       done=_("The share of %(what)s with %(partner)s is revoked.")
                       % {"what": share.label, "partner": share.partner.display_name}, url=url)


# ---- partner side --------------------------------------------------------------------------------


def _share(request, share_id: int) -> Share:
    return found(selectors.share_for_partner_get(share_id=share_id, partner=request.tenant))


@role_required(Role.VIEWER)
def shared_list(request):
    return render(request, "sharing/shared_list.html",
                  {"shares": selectors.share_list_for_partner(partner=request.tenant)})


def _document_page(request, share: Share, document, *, upload_form=None, status: int = 200):
    response = render(request, "sharing/shared_document.html", {
        "share": share, "document": document, "upload_form": upload_form or PartnerUploadForm(),
        "may_upload": share.kind == Share.Kind.DOCUMENT and share.mode == Share.Mode.UPLOAD
        and document.id == share.object_id and request.membership.has_role(Role.CLERK)}, status=status)
    if document.versions and document.versions[0].preview_is_model:
        # the 3D viewer's two exceptions to the CSP, on this page only (as the vault's document page)
        response._csp_update = settings.CONTENT_SECURITY_POLICY_MODEL_VIEWER
    return response


@role_required(Role.VIEWER)
def shared_detail(request, share_id: int):
    share = _share(request, share_id)
    if share.kind == Share.Kind.REVISION:
        revision = found(selectors.shared_revision_read(share=share))
        return render(request, "sharing/shared_revision.html", {"share": share, "revision": revision})
    return _document_page(request, share, found(selectors.shared_document_read(share=share)))


@role_required(Role.VIEWER)
def shared_document(request, share_id: int, document_id: int):
    """A document linked to a shared part revision (read-only)."""
    share = _share(request, share_id)
    return _document_page(request, share, found(selectors.shared_document_read(share=share, document_id=document_id)))


def _private(response: FileResponse) -> FileResponse:
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@role_required(Role.VIEWER)
def shared_version_download(request, share_id: int, version_id: int):
    handle, name, content_type = found(selectors.shared_version_open(share=_share(request, share_id),
                                                                     version_id=version_id))
    return _private(FileResponse(handle, as_attachment=True, filename=name, content_type=content_type))


@role_required(Role.VIEWER)
def shared_version_preview(request, share_id: int, version_id: int):
    handle, name, content_type = found(selectors.shared_version_open(share=_share(request, share_id),
                                                                     version_id=version_id, preview=True))
    response = _private(FileResponse(handle, as_attachment=False, filename=name, content_type=content_type))
    response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'; sandbox"
    return response


@require_POST
@role_required(Role.CLERK)
def shared_upload(request, share_id: int):
    share = _share(request, share_id)
    if share.kind != Share.Kind.DOCUMENT:
        raise Http404
    form = PartnerUploadForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            version = services.share_version_upload(share=share, partner=request.tenant, user=request.user,
                                                    file=form.cleaned_data["file"],
                                                    comment=form.cleaned_data["comment"])
        except ValidationError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, _("Version %(n)d is uploaded for review.") % {"n": version.number})
            return redirect(f"/pdm/shared/{share.pk}/")
    return _document_page(request, share, found(selectors.shared_document_read(share=share)), upload_form=form,
                          status=400)
