"""The reader: documents as their passages, each with an anchor, a cited quote marked."""

from __future__ import annotations

from django.contrib.contenttypes.prefetch import GenericPrefetch
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.views.generic import TemplateView

from engagement.models import Activity, Cell, EngagementLevel
from institutions.models import Function, Institution, InstitutionAlias, Mandate, Relationship
from sources.models import Citation, Document, Passage


def _crumbs(*items: tuple[str, str | None]) -> list[dict]:
    return [{"label": label, "url": url} for label, url in items]


def claim_link(citation: Citation) -> dict:
    """What a citation supports, in words and with the page that shows it."""
    claim = citation.claim
    role = citation.get_role_display()
    if isinstance(claim, Cell):
        label = f"Cell {claim.activity.name} / {claim.level.name} ({claim.framework.name})"
        return {"kind": "Cell", "label": label, "url": claim.get_absolute_url(), "role": role}
    if isinstance(claim, EngagementLevel):
        return {"kind": "Level", "label": claim.name, "url": claim.get_absolute_url(), "role": role}
    if isinstance(claim, Activity):
        return {
            "kind": "Activity",
            "label": claim.name,
            "url": claim.get_absolute_url(),
            "role": role,
        }
    if isinstance(claim, Institution):
        return {
            "kind": "Institution",
            "label": claim.name,
            "url": claim.get_absolute_url(),
            "role": role,
        }
    if isinstance(claim, InstitutionAlias):
        label = f"“{claim.name}”, a name of {claim.institution.name}"
        url = claim.institution.get_absolute_url()
        return {"kind": "Name", "label": label, "url": url, "role": role}
    if isinstance(claim, Mandate):
        label = f"{claim.institution.name}: {claim.function.name} ({claim.statement})"
        url = f"{claim.institution.get_absolute_url()}#functions"
        return {"kind": "Function status", "label": label, "url": url, "role": role}
    if isinstance(claim, Function):
        return {"kind": "Function", "label": claim.name, "url": None, "role": role}
    if isinstance(claim, Relationship):
        label = f"{claim.subject.name} – {claim.get_kind_display()} – {claim.object.name}"
        url = f"{claim.subject.get_absolute_url()}#relationships"
        return {"kind": "Relationship", "label": label, "url": url, "role": role}
    if isinstance(claim, Document):
        return {
            "kind": "Document",
            "label": claim.title,
            "url": claim.get_absolute_url(),
            "role": role,
        }
    return {"kind": type(claim).__name__, "label": str(claim), "url": None, "role": role}


def _claims() -> GenericPrefetch:
    """Each claim type with what its label and link need: one query per type, not per claim."""
    return GenericPrefetch(
        "claim",
        [
            Cell.objects.select_related("framework", "activity", "level"),
            EngagementLevel.objects.all(),
            Activity.objects.all(),
            Institution.objects.all(),
            InstitutionAlias.objects.select_related("institution"),
            Mandate.objects.select_related("institution", "function"),
            Function.objects.all(),
            Relationship.objects.select_related("subject", "object"),
            Document.objects.defer("text"),
        ],
    )


class DocumentIndexView(TemplateView):
    template_name = "sources/document_index.html"

    def get_context_data(self, **kwargs):
        return {
            "documents": list(Document.objects.for_index()),
            "api_url": "/api/v1/documents/",
            "breadcrumbs": _crumbs(("Documents", None)),
        }


class DocumentDetailView(TemplateView):
    """The reader. `?cite=<id>` marks that citation's quote in its passage, server-side."""

    template_name = "sources/document_detail.html"

    def get(self, request, *args, **kwargs):
        document = get_object_or_404(Document.objects.defer("text"), slug=self.kwargs["slug"])
        passages = list(Passage.objects.for_reader(document))
        citations = list(
            Citation.objects.filter(passage__document=document)
            .select_related("content_type")
            .prefetch_related(_claims())
            .order_by("passage__ordinal", "pk")
        )
        cited_by: dict[int, list[dict]] = {}
        for citation in citations:
            cited_by.setdefault(citation.passage_id, []).append(claim_link(citation))
        by_id = {citation.pk: citation for citation in citations}
        passage_by_id = {passage.pk: passage for passage in passages}
        for citation in citations:
            # The passage is already loaded: attach it so `.valid` reads no more rows.
            citation.passage = passage_by_id[citation.passage_id]
        for passage in passages:
            passage.cited_by = cited_by.get(passage.pk, [])
        context = {
            "document": document,
            "passages": passages,
            "outline": [p for p in passages if p.kind == "heading"],
            "api_url": f"/api/v1/documents/{document.slug}/",
            "breadcrumbs": _crumbs(
                ("Documents", reverse("sources:document-index")), (document.title, None)
            ),
        }
        raw = request.GET.get("cite")
        if raw is not None:
            error = None
            if not raw.strip().isdigit():
                error = f"“{raw}” is not a citation number."
            elif int(raw) not in by_id:
                error = f"No citation {raw} in this document."
            if error:
                context["errors"] = {"cite": [error]}
                return self.render_to_response(context, status=400)
            context["cite"] = by_id[int(raw)]
            context["cite_claim"] = claim_link(context["cite"])
        return self.render_to_response(context)
