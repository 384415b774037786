"""The reader: documents as their passages, each with an anchor, a cited quote marked."""

from __future__ import annotations

from django.contrib.contenttypes.prefetch import GenericPrefetch
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.views.generic import TemplateView

from core import registry
from core.pages import api_link, breadcrumbs
from sources.models import Citation, Document, Passage


def claim_link(citation: Citation) -> dict:
    """What a citation supports, in words and with the page that shows it; the claim types
    are the ones the apps registered (`core.registry`)."""
    claim = citation.claim
    role = citation.get_role_display()
    content_type = citation.content_type
    claim_type = registry.claim_type(content_type.app_label, content_type.model)
    if claim_type is None:
        return {"kind": type(claim).__name__, "label": str(claim), "url": None, "role": role}
    return {
        "kind": claim_type.kind,
        "label": claim_type.label(claim),
        "url": claim_type.url(claim),
        "role": role,
    }


def _claims() -> GenericPrefetch:
    """Each claim type with what its label and link need: one query per type, not per claim."""
    return GenericPrefetch("claim", [claim.queryset() for claim in registry.claim_types().values()])


class DocumentIndexView(TemplateView):
    template_name = "sources/document_index.html"

    def get_context_data(self, **kwargs):
        return {
            "documents": list(Document.objects.for_index()),
            "api_url": api_link("document-list"),
            "breadcrumbs": breadcrumbs(("Documents", None)),
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
            "api_url": api_link("document-detail", document.slug),
            "breadcrumbs": breadcrumbs(
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
