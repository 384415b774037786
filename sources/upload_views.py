"""Uploading a document from the site (editors only): the form, the preview of what would
be written, the confirmation, and the job that writes a large file.

The file waits between preview and confirmation as an `Upload` row (in the database, so any
server may show the preview and any may take the confirmation), owned by the editor who sent
it and named by a random id.
"""

from __future__ import annotations

from django import forms
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.timezone import now
from django.views import View

from core.pages import breadcrumbs
from core.paging import BadParameters, Page, paginate
from sources.models import Document, DocumentKind, Upload, UploadStatus
from sources.uploads import (
    METADATA_FIELDS,
    PENDING_LIFETIME,
    DocumentPlan,
    document_plan,
    document_plan_write,
    upload_create,
    upload_inline,
    upload_plan,
    upload_start,
    upload_state,
    validation_fields,
)


class UploadForm(forms.Form):
    """The file and the metadata `ingest` takes; the checks are `document_plan`'s."""

    file = forms.FileField(allow_empty_file=True)
    slug = forms.CharField(max_length=120)
    title = forms.CharField(required=False)
    kind = forms.CharField(required=False)
    published = forms.CharField(required=False)
    url = forms.CharField(required=False)
    authors = forms.CharField(required=False)
    publisher = forms.CharField(required=False)
    language = forms.CharField(required=False)


class VersionForm(forms.Form):
    file = forms.FileField(allow_empty_file=True)


# The preview lists the passages a page at a time: a 5 MiB text has 12,000 of them, which as
# one page was 8 MB of HTML, slower to make than to parse the file.
PREVIEW_PASSAGES = 300

FIELDS = {
    "file": ("File", "Markdown (.md), plain text (.txt) or PDF (.pdf)."),
    "slug": ("Slug", "Lower-case words joined by hyphens; the document's address."),
    "title": ("Title", "Required."),
    "kind": ("Kind", "Required."),
    "published": ("Published", "YYYY-MM-DD, YYYY-MM or YYYY."),
    "url": ("Address (URL)", "Where the document is published."),
    "authors": ("Authors", "Names separated by semicolons: A; B."),
    "publisher": ("Publisher", ""),
    "language": ("Language", "A language code; en if left empty."),
}


def form_fields(form: forms.Form) -> list[dict]:
    """What the template shows of each field: its label, hint, value and errors."""
    values = form.data if form.is_bound else {}
    return [
        {
            "name": name,
            "label": FIELDS[name][0],
            "hint": FIELDS[name][1],
            "value": values.get(name, "") if name != "file" else "",
            "errors": form.errors.get(name, []),
            "required": name in ("file", "slug", "title", "kind"),
        }
        for name in form.fields
    ]


class EditorMixin(LoginRequiredMixin, PermissionRequiredMixin):
    raise_exception = False


class DocumentUploadView(EditorMixin, View):
    """A new document: the form; a valid upload is kept and its preview shown."""

    permission_required = "sources.add_document"
    template_name = "sources/document_upload.html"

    def document(self) -> Document | None:
        return None

    def form_class(self):
        return UploadForm

    def get(self, request, **kwargs):
        return self.render(self.form_class()(), status=200)

    def post(self, request, **kwargs):
        form = self.form_class()(request.POST, request.FILES)
        if form.is_valid():
            values = dict(form.cleaned_data)
            file = values.pop("file")
            document = self.document()
            slug = document.slug if document else values.pop("slug")
            data = file.read()
            try:
                document_plan(
                    filename=file.name,
                    data=data,
                    slug=slug,
                    update=document is not None,
                    metadata=values,
                )
            except ValidationError as error:
                for name, messages in validation_fields(error).items():
                    for message in messages:
                        form.add_error(name if name in form.fields else "file", message)
            else:
                # Nothing is written but the upload itself, kept for the preview.
                Upload.objects.filter(
                    owner=request.user,
                    status=UploadStatus.PENDING,
                    created_at__lt=now() - PENDING_LIFETIME,
                ).delete()
                upload = upload_create(
                    owner=request.user,
                    filename=file.name,
                    data=data,
                    slug=slug,
                    update=document is not None,
                    metadata=values,
                )
                return HttpResponseRedirect(
                    reverse("sources:upload-detail", kwargs={"pk": upload.pk}), status=303
                )
        return self.render(form, status=400)

    def render(self, form, *, status: int):
        document = self.document()
        title = f"New version of {document.title}" if document else "Upload a document"
        crumbs = [("Documents", reverse("sources:document-index"))]
        if document:
            crumbs.append((document.title, document.get_absolute_url()))
        context = {
            "form": form,
            "fields": form_fields(form),
            "kinds": DocumentKind.choices,
            "document": document,
            "page_title": title,
            "error_count": sum(len(errors) for errors in form.errors.values()),
            "breadcrumbs": breadcrumbs(*crumbs, (title, None)),
        }
        return TemplateResponse(self.request, self.template_name, context, status=status)


class VersionUploadView(DocumentUploadView):
    """A new version of a document's text, as `ingest --update`."""

    permission_required = "sources.change_document"

    def document(self) -> Document | None:
        if not hasattr(self, "_document"):
            self._document = get_object_or_404(
                Document.objects.defer("text"), slug=self.kwargs["slug"]
            )
        return self._document

    def form_class(self):
        return VersionForm


class UploadDetailView(EditorMixin, View):
    """An upload: its preview until it is confirmed, then its job (queued, running,
    succeeded or failed). Its owner's only."""

    permission_required = "sources.add_document"

    def upload(self) -> Upload:
        upload = (
            Upload.objects.select_related("document")
            .defer("data")
            .filter(pk=self.kwargs["pk"], owner=self.request.user)
            .first()
        )
        if upload is None or (
            upload.status == UploadStatus.PENDING and upload.created_at < now() - PENDING_LIFETIME
        ):
            raise Http404("No such upload, or it expired: upload the file again.")
        return upload

    def get(self, request, pk):
        upload = self.upload()
        if upload.status != UploadStatus.PENDING:
            return self.job(upload)
        upload = Upload.objects.get(pk=upload.pk)  # with its file
        try:
            plan = upload_plan(upload)
        except ValidationError as error:
            # The slug was taken (or the document removed) since: refused as at upload.
            state = {"status": "failed", "error": validation_fields(error)}
            return self.job(upload, refused=state, status=400)
        try:
            page = paginate(
                plan.passages, request.GET, per_page=PREVIEW_PASSAGES, path=request.path
            )
        except BadParameters as error:
            return TemplateResponse(request, "base.html", {"errors": error.errors}, status=400)
        return self.preview(upload, plan, page)

    def post(self, request, pk):
        upload = self.upload()
        if upload.status != UploadStatus.PENDING:
            return HttpResponseRedirect(request.path, status=303)
        upload = Upload.objects.get(pk=upload.pk)
        if not upload_inline(len(upload.data)):
            upload_start(upload)
            return HttpResponseRedirect(request.path, status=303)
        try:
            plan = upload_plan(upload)
            document, _ = document_plan_write(plan=plan, changed_by=request.user)
        except ValidationError as error:
            return self.job(upload, refused={"error": validation_fields(error)}, status=400)
        Upload.objects.filter(pk=upload.pk).update(
            status=UploadStatus.SUCCEEDED, progress=100, document=document, data=b""
        )
        return HttpResponseRedirect(document.get_absolute_url(), status=303)

    def preview(self, upload: Upload, plan: DocumentPlan, page: Page):
        return TemplateResponse(
            self.request,
            "sources/upload_preview.html",
            {
                "upload": upload,
                "plan": plan,
                "metadata": [
                    (FIELDS[name][0], plan.values.get(name))
                    for name in METADATA_FIELDS
                    if plan.values.get(name)
                ],
                "blocks": preview_blocks(page.items),
                "page": page,
                "pagination": page,
                "breadcrumbs": breadcrumbs(
                    ("Documents", reverse("sources:document-index")), ("Preview", None)
                ),
            },
        )

    def job(self, upload: Upload, *, refused: dict | None = None, status: int = 200):
        state = upload_state(upload)
        return TemplateResponse(
            self.request,
            "sources/upload_job.html",
            {
                "upload": upload,
                "state": state,
                "refused": refused,
                "running": state["status"] in ("queued", "running") and refused is None,
                "breadcrumbs": breadcrumbs(
                    ("Documents", reverse("sources:document-index")), ("Upload", None)
                ),
            },
            status=status,
        )


def preview_blocks(passages: list) -> list[dict]:
    """The passages in order, a table's rows together as one table."""
    blocks: list[dict] = []
    for passage in passages:
        if passage.kind == "table_row":
            if not blocks or blocks[-1]["kind"] != "table":
                blocks.append({"kind": "table", "rows": []})
            blocks[-1]["rows"].append(passage)
        else:
            blocks.append({"kind": "passage", "passage": passage})
    return blocks
