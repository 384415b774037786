"""The editors' page of orphaned citations, with the places their quotes may have gone.

A machine proposes, an editor decides: the page lists each orphaned citation with its
suggestions (`sources.repairs`, stored when it was orphaned: `sources.suggestions`), and re-anchors one only when an editor accepts it, through
the same service as the API (`sources.services.citation_reanchor`).
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from itertools import groupby

from django import forms
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.views import View
from django.views.generic import TemplateView

from core.links import linker
from core.pages import breadcrumbs, fragment
from core.paging import PageParametersMixin, only_parameters, paginate
from sources.models import Citation, Passage
from sources.reader_html import claim_link, claims_prefetch
from sources.repairs import Candidate
from sources.services import CandidateStale, citation_reanchor
from sources.suggestions import SuggestionBook

# The permission that makes an editor of citations (the "editors" group has it).
REPAIR_PERMISSION = "sources.change_citation"


class EditorsOnlyMixin:
    """Signed-in editors only: others are sent to sign in, and a signed-in non-editor gets
    a 403. The pages are never cached (each is an editor's own, with a CSRF token)."""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not request.user.has_perm(REPAIR_PERMISSION):
            raise PermissionDenied("Only editors repair citations.")
        response = super().dispatch(request, *args, **kwargs)  # type: ignore[misc]
        response["Cache-Control"] = "private, no-store"
        return response


class OrphanedCitationsView(EditorsOnlyMixin, PageParametersMixin, TemplateView):
    """The orphaned citations, by document, a page at a time, each with its suggestions."""

    template_name = "sources/citation_orphaned.html"
    paginate_by = 20

    def get_context_data(self, **kwargs):
        params = self.request.GET
        only_parameters(params)
        citations = (
            Citation.objects.filter(orphaned=True)
            .with_passage()
            .select_related("content_type")
            .prefetch_related(claims_prefetch())
            .order_by("passage__document__title", "passage__document_id", "pk")
        )
        page = paginate(citations, params, per_page=self.paginate_by, path=self.request.path)
        book = SuggestionBook()
        book.preload(page.items)
        reanchor_url = linker("sources:citation-reanchor", "pk")
        admin_url = (
            linker("admin:sources_citation_change", "object_id")
            if self.request.user.has_perm("sources.change_citation")
            else None
        )
        groups = [
            {
                "id": document.pk,
                "url": document.get_absolute_url(),
                "title": document.title,
                "cards": [
                    _card(citation, book.get(citation), reanchor_url, admin_url)
                    for citation in items
                ],
            }
            for document, items in groupby(page.items, key=lambda c: c.passage.document)
        ]
        cards_html = fragment(
            "sources/orphaned_cards.html",
            {"groups": groups, "csrf_token": get_token(self.request), "page_number": page.number},
        )
        return {**self.error_context(), "cards_html": cards_html, "page": page, "pagination": page}

    def error_context(self, **kwargs) -> dict:
        return {"breadcrumbs": breadcrumbs(("Orphaned citations", None))}


def _card(citation: Citation, suggested: list[Candidate], reanchor_url, admin_url) -> dict:
    """What the page shows of an orphaned citation and its suggestions (plain values for
    its Jinja2 fragment: 20 citations and 60 forms a page)."""
    return {
        "id": citation.pk,
        "claim": claim_link(citation),
        "exact": citation.exact,
        "anchor": citation.passage.anchor,
        "retired": citation.passage.retired,
        "start": citation.start,
        "end": citation.end,
        "reanchor_url": reanchor_url(pk=str(citation.pk)),
        "admin_url": admin_url(object_id=str(citation.pk)) if admin_url else None,
        "suggestions": [
            {
                "passage": s.passage,
                "start": s.start,
                "end": s.end,
                "exact": s.exact,
                # As Django's `floatformat:2` (half up), not Python's float rounding.
                "score": Decimal(str(s.score)).quantize(Decimal("0.01"), ROUND_HALF_UP),
            }
            for s in suggested
        ],
    }


class ReanchorForm(forms.Form):
    passage = forms.SlugField(max_length=200)
    start = forms.IntegerField(min_value=0)
    end = forms.IntegerField(min_value=1)
    exact = forms.CharField(strip=False)
    page = forms.IntegerField(min_value=1, required=False)


class ReanchorView(EditorsOnlyMixin, View):
    """Accept one suggestion for an orphaned citation (a POST from the page's form), then go
    back to the page with a message saying what was done or why not."""

    http_method_names = ["post"]

    def post(self, request, pk: int):
        citation = get_object_or_404(Citation.objects.select_related("passage"), pk=pk)
        form = ReanchorForm(request.POST)
        back = reverse("sources:citation-orphaned")
        if not form.is_valid():
            problems = "; ".join(f"{name}: {' '.join(e)}" for name, e in form.errors.items())
            messages.error(request, f"Citation {pk} was not changed ({problems}).")
            return HttpResponseRedirect(back)
        data = form.cleaned_data
        if data["page"] and data["page"] > 1:
            back += f"?page={data['page']}"
        passage = Passage.objects.filter(
            document_id=citation.passage.document_id, anchor=data["passage"]
        ).first()
        try:
            if passage is None:
                raise CandidateStale(f"No passage {data['passage']} in the citation's document.")
            citation_reanchor(
                citation=citation,
                passage=passage,
                start=data["start"],
                end=data["end"],
                exact=data["exact"],
                editor=request.user,
            )
        except CandidateStale as error:
            messages.error(request, f"Citation {pk} was not changed: {error}")
            return HttpResponseRedirect(back)
        messages.success(
            request, f"Citation {pk} now quotes “{data['exact']}” in {passage.anchor}."
        )
        return HttpResponseRedirect(back)
