from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Max
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from core.forms import IdField, form_errors_from
from core.permissions import role_required
from core.tables import Column, Filter, Table
from erp_modules.common.history import object_history
from pdm._web import action_post, form_post, found
from pdm.vault import selectors, services
from pdm.vault.forms import CheckInForm, DocumentForm, LinkForm
from pdm.vault.models import Document, DocumentLink, PreviewJob
from tenants.models import Role


def _document(document_id: int) -> Document:
    return found(selectors.document_get(document_id=document_id))


def _url(document: Document) -> str:
    return f"/pdm/documents/{document.pk}/"


@role_required(Role.VIEWER)
def document_list(request):
    table = Table(
        request, selectors.document_list(), export_name="documents", default_sort="number",
        columns=[
            Column("number", gettext_lazy("Document number"), sort="number", link=_url),
            Column("title", gettext_lazy("Title"), sort="title"),
            Column("kind", gettext_lazy("Kind"), sort="kind"),
            Column("latest_version", gettext_lazy("Latest version"), sort="latest_version", numeric=True),
            Column("checked_out_by", gettext_lazy("Checked out by"), fmt=lambda u: u.email if u else None),
            Column("linked_parts", gettext_lazy("Linked part revisions")),
        ],
        search_fields=["number", "title"],
        filters=[Filter("kind", gettext_lazy("Kind"), Document.Kind.choices)],
    )
    if table.wants_export:
        return table.export_response()
    return render(request, "vault/document_list.html", {"table": table,
                                                        "can_edit": request.membership.has_role(Role.CLERK)})


@role_required(Role.CLERK)
def document_create(request):
    if request.method == "POST":
        form = DocumentForm(request.POST, request.FILES)
        if form.is_valid():
            data = form.cleaned_data
            try:
                document = services.document_create(number=data["number"], title=data["title"], kind=data["kind"],
                                                    file=data["file"], comment=data["comment"], user=request.user)
            except ValidationError as exc:
                form_errors_from(form, exc)
            else:
                messages.success(request, _("Document %(number)s stored.") % {"number": document.number})
                return redirect(_url(document))
        return render(request, "vault/document_form.html", {"form": form}, status=400)
    last = Document.objects.aggregate(n=Max("pk"))["n"] or 0
    form = DocumentForm(initial={"number": f"DOC-{last + 1:05d}", "kind": Document.Kind.DRAWING})
    return render(request, "vault/document_form.html", {"form": form})


def _detail(request, document: Document, *, checkin_form=None, link_form=None, status: int = 200):
    membership = request.membership
    return _viewer_policy(render(request, "vault/document_detail.html", {
        "document": document, "versions": selectors.document_versions(document=document),
        "links": selectors.document_links(document=document),
        "frozen_by": selectors.document_frozen_by(document=document),
        "history": object_history(document),
        "checkin_form": checkin_form or CheckInForm(), "link_form": link_form or LinkForm(),
        "preview_job": PreviewJob.objects.filter(status__in=PreviewJob.ACTIVE_STATUSES).first(),
        "is_holder": document.checked_out_by_id == request.user.pk,
        "can_edit": membership.has_role(Role.CLERK), "can_break": membership.has_role(Role.ADMIN),
    }, status=status))


def _viewer_policy(response):
    """The document page may show a STEP model's 3D view (model-viewer): its two exceptions to the
    Content-Security-Policy (settings.CONTENT_SECURITY_POLICY_MODEL_VIEWER) apply to this page only."""
    response._csp_update = settings.CONTENT_SECURITY_POLICY_MODEL_VIEWER
    return response


@role_required(Role.VIEWER)
def document_detail(request, document_id: int):
    return _detail(request, _document(document_id))


def _action(request, document_id: int, service, done: str) -> object:
    """Calls ``service(document=…, user=…)``; on success ``done`` (with the document's %(number)s) is shown."""
    document = _document(document_id)
    return action_post(request, lambda: service(document=document, user=request.user),
                       done=done % {"number": document.number}, url=_url(document))


@require_POST
@role_required(Role.CLERK)
def document_check_out(request, document_id: int):
    return _action(request, document_id, services.document_check_out, _("%(number)s is checked out to you."))


@require_POST
@role_required(Role.CLERK)
def document_check_out_undo(request, document_id: int):
    return _action(request, document_id, services.document_check_out_undo, _("Check-out of %(number)s undone."))


@require_POST
@role_required(Role.ADMIN)
def document_lock_break(request, document_id: int):
    return _action(request, document_id, services.document_lock_break, _("The lock of %(number)s is broken."))


@require_POST
@role_required(Role.CLERK)
def document_previews(request, document_id: int):
    return _action(request, document_id, lambda document, user: services.preview_request(user=user),
                   _("Previews are being made."))


@require_POST
@role_required(Role.CLERK)
def document_check_in(request, document_id: int):
    document = _document(document_id)
    form = CheckInForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            version = services.document_check_in(document=document, user=request.user, file=form.cleaned_data["file"],
                                                 comment=form.cleaned_data["comment"])
        except ValidationError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, _("Version %(n)d of %(number)s checked in.")
                             % {"n": version.number, "number": document.number})
            return redirect(_url(document))
    return _detail(request, selectors.document_get(document_id=document.pk), checkin_form=form, status=400)


@require_POST
@role_required(Role.CLERK)
def document_links(request, document_id: int):
    """Add a link (revision, optional BOM line) or, with `unlink` = a link's id, remove one."""
    document = _document(document_id)
    if "unlink" in request.POST:
        try:
            link_id = IdField().clean(request.POST.get("unlink"))
        except ValidationError:
            raise Http404
        link = DocumentLink.objects.select_related("document").filter(pk=link_id, document=document).first()
        if link is None:
            raise Http404
        try:
            services.document_unlink(link=link, user=request.user)
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        return redirect(_url(document))
    form = LinkForm(request.POST)
    return form_post(
        request, form, lambda data: services.document_link(document=document, revision=data["revision"],
                                                           bom_line=data["bom_line"], user=request.user),
        done=_("Link saved."), url=_url(document),
    ) or _detail(request, document, link_form=form, status=400)


def _open(blob):
    try:
        return blob.file.open("rb")
    except FileNotFoundError:
        raise Http404


def _private(response: FileResponse) -> FileResponse:
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@role_required(Role.VIEWER)
def version_download(request, version_id: int):
    """Any version's file, as a download (Content-Disposition: attachment), never from a public URL."""
    version = selectors.version_get(version_id=version_id)
    if version is None:
        raise Http404
    return _private(FileResponse(_open(version.blob), as_attachment=True, filename=version.file_name,
                                 content_type=version.blob.content_type or "application/octet-stream"))


@role_required(Role.VIEWER)
def version_preview(request, version_id: int):
    """The preview of a version for the document page (Content-Disposition: inline): a PNG or an SVG for an
    <img>, or a GLB (a STEP model) for the 3D viewer; with ``?page=<n>``, the image of page n of a PDF (the
    strip of pages on the document page opens it). The SVG is sent with a sandboxing
    Content-Security-Policy, so that opened on its own it runs nothing."""
    version = selectors.version_get(version_id=version_id)
    if version is None or version.blob.preview is None:
        raise Http404
    name = f"{version.document.number}-v{version.number}"
    if "page" in request.GET:
        try:
            number = IdField().clean(request.GET["page"])
        except ValidationError:
            raise Http404
        shown = version.blob.preview_pages.select_related("image").filter(number=number).first()
        if shown is None:
            raise Http404
        return _inline(shown.image, f"{name}-p{number}.png")
    preview = version.blob.preview
    return _inline(preview, name + services.PREVIEW_EXTENSIONS.get(preview.content_type, ".png"))


def _inline(preview, filename: str) -> FileResponse:
    response = _private(FileResponse(_open(preview), as_attachment=False, content_type=preview.content_type,
                                     filename=filename))
    response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'; sandbox"
    return response
