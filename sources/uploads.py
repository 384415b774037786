"""Uploading a document from the browser or the API: check the file and its metadata and
plan what would be written (pure data, shown as the preview), then write the plan.

The preview and the write share one rule: `document_plan` refuses what `ingest` refuses, with
the field it concerns, and `document_plan_write` writes exactly what the plan says through
`sources.services.document_upsert`, the command's own write.
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass, field
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils.timezone import now

from core.text import normalised_summary
from sources.ingest import INGEST_MAX_BYTES, IngestError, published_parse, source_parse
from sources.models import (
    Citation,
    Document,
    DocumentFormat,
    DocumentKind,
    Passage,
    Upload,
    UploadStatus,
)
from sources.parsing import source_pages, split_passages
from sources.quotes import quote_stands
from sources.reader_layout import OUTLINE_MAX, Source, reader_summary
from sources.services import IngestSummary, document_layout, document_upsert, text_sha256

logger = logging.getLogger(__name__)

# An upload not confirmed within this time is gone: its preview is a 404.
PENDING_LIFETIME = timedelta(hours=24)

# The metadata fields `ingest` takes, as an upload names them.
METADATA_FIELDS = ("title", "kind", "published", "url", "authors", "publisher", "language")


@dataclass(frozen=True)
class PlannedPassage:
    anchor: str
    kind: str
    level: int
    html: str
    header: bool  # a table's header row
    source_page: int | None = None  # the page of the PDF it starts on; None without pages
    source_page_end: int | None = None


@dataclass(frozen=True)
class OrphanedCitation:
    id: int
    anchor: str
    quote: str
    claim: str
    claim_type: str


@dataclass
class DocumentPlan:
    """What an upload would write: the document's values, its passages and outline, and for
    a new version what changes and which citations would be orphaned."""

    slug: str
    update: bool
    created: bool
    filename: str
    file_kind: str  # markdown, text or pdf
    format: str
    text: str = field(repr=False)
    values: dict = field(default_factory=dict)
    normalised: str = ""
    page_starts: list[int] = field(default_factory=list)  # a PDF's: where its pages begin
    passages: list[PlannedPassage] = field(default_factory=list)
    outline: list[dict] = field(default_factory=list)
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    orphaned: list[OrphanedCitation] = field(default_factory=list)
    text_changed: bool = True

    def as_json(self) -> dict:
        """The plan as the API's preview answers it."""
        values = dict(self.values)
        values["published"] = values["published"].isoformat() if values["published"] else None
        return {
            "slug": self.slug,
            "created": self.created,
            "file_kind": self.file_kind,
            "format": self.format,
            "metadata": values,
            "control_characters_normalised": self.normalised,
            "pages": len(self.page_starts) or None,
            "outline": self.outline,
            "passages": [asdict(p) for p in self.passages],
            "passages_added": self.added,
            "passages_removed": self.removed,
            "passages_changed": self.changed,
            "citations_orphaned": [asdict(c) for c in self.orphaned],
        }


def upload_max_bytes() -> int:
    return getattr(settings, "ATLAS_UPLOAD_MAX_BYTES", INGEST_MAX_BYTES)


def document_plan(
    *,
    filename: str,
    data: bytes,
    slug: str,
    update: bool,
    metadata: dict,
    max_bytes: int | None = None,
) -> DocumentPlan:
    """Check an upload as `ingest` does and plan its write; a ValidationError naming the
    field (`file`, `slug`, or a metadata field) otherwise. Reads, never writes."""
    errors: dict[str, str] = {}
    given = {name: metadata.get(name) for name in METADATA_FIELDS}
    given = {name: value for name, value in given.items() if value not in (None, "", [])}
    if "kind" in given and given["kind"] not in DocumentKind.values:
        errors["kind"] = f"{given['kind']!r} is not one of {', '.join(DocumentKind.values)}"
    published = None
    if "published" in given:
        try:
            published = published_parse(str(given["published"]))
        except IngestError as error:
            errors["published"] = str(error)
    try:
        source = source_parse(
            filename, data, max_bytes=upload_max_bytes() if max_bytes is None else max_bytes
        )
    except IngestError as error:
        errors["file"] = str(error)
    existing = Document.objects.filter(slug=slug).first()
    if existing is not None and not update:
        errors["slug"] = (
            f"{slug!r} already names the document “{existing.title}”; "
            "upload a new version of it instead"
        )
    if existing is None and update:
        errors["slug"] = f"{slug!r} names no document"
    if existing is None and not update:
        for name in ("title", "kind"):
            if name not in given and name not in errors:
                errors[name] = f"{name} is required for a new document"
    if errors:
        raise ValidationError(errors)

    values = document_values(existing, given, published)
    candidate = Document(slug=slug, text=source.text, format=source.format, **values)
    candidate.sha256 = text_sha256(source.text)
    try:
        candidate.full_clean(exclude=["slug"] if existing else None, validate_unique=False)
    except ValidationError as error:
        raise ValidationError(
            {name: " ".join(messages) for name, messages in error.message_dict.items()}
        ) from None

    plan = DocumentPlan(
        slug=slug,
        update=update,
        created=existing is None,
        filename=filename,
        file_kind=source.kind,
        format=source.format,
        text=source.text,
        values=values,
        normalised=normalised_summary(source.normalised) if source.normalised else "",
        page_starts=list(source.page_starts),
    )
    _plan_passages(plan, candidate, existing)
    return plan


def document_values(existing: Document | None, given: dict, published) -> dict:
    """The document's metadata: the values given (`authors` a list or `;`-separated names,
    `published` a parsed (date, precision)); for a new version, the others as they are.
    The upload page, the API and `ingest` all read metadata so."""
    values = {
        "title": existing.title if existing else "",
        "kind": existing.kind if existing else "",
        "authors": existing.authors if existing else [],
        "publisher": existing.publisher if existing else "",
        "published": existing.published if existing else None,
        "published_precision": existing.published_precision if existing else "day",
        "url": existing.url if existing else "",
        "language": existing.language if existing else "en",
    }
    for name in ("title", "kind", "url", "publisher", "language"):
        if name in given:
            values[name] = str(given[name]).strip()
    if "authors" in given:
        authors = given["authors"]
        names = authors.split(";") if isinstance(authors, str) else authors
        values["authors"] = [str(a).strip() for a in names if str(a).strip()]
    if published is not None:
        values["published"], values["published_precision"] = published
    return values


def _plan_passages(plan: DocumentPlan, candidate: Document, existing: Document | None) -> None:
    """The passages, the outline, and against the current version the passages added,
    removed and changed and the citations whose quote would no longer stand."""
    specs = split_passages(candidate.text, markdown=candidate.format == DocumentFormat.MARKDOWN)
    sources = [Source(s.anchor, s.kind, s.level, s.text, header=s.header) for s in specs]
    layouts = document_layout(candidate, sources)
    plan.outline = [
        {"anchor": anchor, "level": level, "title": title}
        for _, anchor, level, title, _, _ in reader_summary(
            sources, layouts, outline_max=OUTLINE_MAX
        )["outline"]
    ]
    plan.passages = [
        PlannedPassage(
            s.anchor,
            s.kind,
            s.level,
            layout.html,
            s.header,
            *source_pages(plan.page_starts, s.start, s.end),
        )
        for s, layout in zip(specs, layouts, strict=True)
    ]
    if existing is None:
        plan.added = [s.anchor for s in specs]
        return
    plan.text_changed = (
        existing.sha256 != candidate.sha256 or existing.page_starts != plan.page_starts
    )
    if not plan.text_changed:
        return
    current = {
        p.anchor: p.text
        for p in Passage.objects.filter(document=existing, retired=False).only("anchor", "text")
    }
    new = {s.anchor: s.text for s in specs}
    plan.added = [s.anchor for s in specs if s.anchor not in current]
    plan.removed = sorted(anchor for anchor in current if anchor not in new)
    plan.changed = [s.anchor for s in specs if s.anchor in current and current[s.anchor] != s.text]
    shown = {s.anchor: layout.shown for s, layout in zip(specs, layouts, strict=True)}
    citations = (
        Citation.objects.filter(passage__document=existing, orphaned=False)
        .select_related("passage", "content_type")
        .prefetch_related("claim")
        .order_by("pk")
    )
    for citation in citations:
        after = shown.get(citation.passage.anchor)
        if (
            citation.passage.retired
            or after is None
            or not quote_stands(after, exact=citation.exact, start=citation.start, end=citation.end)
        ):
            plan.orphaned.append(
                OrphanedCitation(
                    id=citation.pk,
                    anchor=citation.passage.anchor,
                    quote=citation.exact,
                    claim=str(citation.claim) if citation.claim is not None else "",
                    claim_type=citation.content_type.name,
                )
            )


@transaction.atomic
def document_plan_write(
    *, plan: DocumentPlan, changed_by=None, progress=None
) -> tuple[Document, IngestSummary]:
    """Write the plan in one transaction (`document_upsert`, as `ingest` does). A slug taken
    since the preview is refused as the preview would have refused it."""
    if plan.created and Document.objects.filter(slug=plan.slug).exists():
        raise ValidationError({"slug": f"{plan.slug!r} already names a document"})
    return document_upsert(
        slug=plan.slug,
        text=plan.text,
        format=plan.format,
        page_starts=plan.page_starts,
        changed_by=changed_by,
        progress=progress,
        **plan.values,
    )


def upload_plan(upload: Upload) -> DocumentPlan:
    """The plan of a stored upload."""
    return document_plan(
        filename=upload.filename,
        data=bytes(upload.data),
        slug=upload.slug,
        update=upload.update,
        metadata=upload.metadata,
    )


def upload_create(
    *, owner, filename: str, data: bytes, slug: str, update: bool, metadata: dict
) -> Upload:
    """Keep an upload (checked already) in the database until it is confirmed or expires."""
    upload = Upload(
        owner=owner,
        filename=filename,
        data=data,
        slug=slug,
        update=update,
        metadata={name: metadata.get(name) for name in METADATA_FIELDS if metadata.get(name)},
    )
    upload.full_clean(exclude=["data"])
    upload.save()
    return upload


def validation_fields(error: ValidationError) -> dict[str, list[str]]:
    """A ValidationError as {field: messages}; one without a field is about the file."""
    if hasattr(error, "error_dict"):
        return error.message_dict
    return {"file": error.messages}


# --- Background uploads ------------------------------------------------------------------


def upload_inline(size: int) -> bool:
    """Whether an upload of `size` bytes is written during the request (else by a task)."""
    return size <= settings.ATLAS_UPLOAD_INLINE_BYTES


def upload_start(upload: Upload) -> None:
    """Queue the upload's write (`sources.tasks.document_ingest_task`). With the database
    backend the task row is written in the caller's transaction: both or neither."""
    from sources.tasks import document_ingest_task

    Upload.objects.filter(pk=upload.pk).update(status=UploadStatus.QUEUED, progress=0)
    upload.status = UploadStatus.QUEUED
    document_ingest_task.enqueue(str(upload.pk))


def _progress(upload: Upload, percent: int, **values) -> None:
    """Record how far the job is, committed at once (outside the write's transaction) so
    that the page and the job URL see it."""
    Upload.objects.filter(pk=upload.pk).update(progress=percent, updated_at=now(), **values)


def upload_run(upload_id: str) -> str:
    """The task's work: check the stored upload again, then write it in one transaction.
    Any failure leaves nothing written and the job `failed` with the field and the reason;
    the file itself is dropped once the job is over, whatever its end."""
    upload = Upload.objects.select_related("owner").get(pk=upload_id)
    if upload.status not in (UploadStatus.QUEUED, UploadStatus.PENDING):
        return upload.status  # run already (a task delivered twice)
    _progress(upload, 5, status=UploadStatus.RUNNING)
    try:
        plan = upload_plan(upload)
        _progress(upload, 50)
        document, _ = document_plan_write(plan=plan, changed_by=upload.owner)
    except ValidationError as error:
        fields = validation_fields(error)
        name = next(iter(fields))
        _progress(
            upload,
            upload.progress,
            status=UploadStatus.FAILED,
            error_field=name,
            error=" ".join(fields[name]),
            data=b"",
        )
        return UploadStatus.FAILED
    except Exception as error:
        logger.exception("upload %s failed", upload_id)
        _progress(
            upload,
            upload.progress,
            status=UploadStatus.FAILED,
            error_field="file",
            error=f"The upload could not be written ({type(error).__name__}); nothing was.",
            data=b"",
        )
        raise
    _progress(upload, 100, status=UploadStatus.SUCCEEDED, document=document, data=b"")
    return UploadStatus.SUCCEEDED


def upload_state(upload: Upload) -> dict:
    """The job as the API and the page show it. A job running with no sign of life for
    `ATLAS_UPLOAD_STALE_SECONDS` lost its worker (killed mid-task): it is failed, and since
    the write is one transaction, nothing of it was written."""
    status, field_name, message = upload.status, upload.error_field, upload.error
    stale = now() - timedelta(seconds=settings.ATLAS_UPLOAD_STALE_SECONDS)
    if status in (UploadStatus.QUEUED, UploadStatus.RUNNING) and upload.updated_at < stale:
        status, field_name = UploadStatus.FAILED, "file"
        message = "The worker stopped before the upload was written; nothing was. Upload again."
    result = None
    if status == UploadStatus.SUCCEEDED and upload.document is not None:
        result = {
            "slug": upload.document.slug,
            "api_url": reverse("api:document-detail", kwargs={"slug": upload.document.slug}),
            "html_url": upload.document.get_absolute_url(),
        }
    return {
        "id": str(upload.pk),
        "status": status,
        "progress": upload.progress,
        "result": result,
        "error": {"field": field_name, "message": message} if status == "failed" else None,
        "url": reverse("api:job-detail", kwargs={"pk": upload.pk}),
    }
