"""The reader: a document's front page, its section pages, passage permalinks, what cites a
passage, and the canonical text.

Every page reads a fixed number of rows' worth of queries whatever the document's size
(`sources.reader_html`); a citation's quote is marked server-side (`?cite=<id>`), and a link to
a passage that is on another page is redirected there.
"""

from __future__ import annotations

import base64
import hashlib

from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views import View
from django.views.generic import TemplateView

from core import registry
from core.cache import depends_on
from core.metadata import canonical_url
from core.pages import api_link, breadcrumbs
from core.paging import PageParametersMixin, filtered, paginate
from sources.citing_views import may_cite
from sources.filters import DocumentFilter
from sources.metadata import cited_page
from sources.models import Citation, Document, DocumentKind, Passage, page_url
from sources.reader_html import (
    CITED_BY_PAGE_SIZE,
    PAGES_AROUND,
    PageEntry,
    claim_link,
    claims_prefetch,
    notes_for,
    outline,
    outline_html,
    page_entries,
    reader_scopes,
    text_html,
)


class DocumentIndexView(PageParametersMixin, TemplateView):
    """The source documents, a page at a time, filtered by kind or title."""

    template_name = "sources/document_index.html"
    paginate_by = 50

    def get_context_data(self, **kwargs):
        params = self.request.GET
        # Passages are counted for the page's documents only, not for every document.
        documents = Document.objects.defer("text").order_by("title")
        filterset = filtered(DocumentFilter, params, documents)
        page = paginate(filterset.qs, params, per_page=self.paginate_by, path=self.request.path)
        counts = dict(
            Passage.objects.filter(document__in=[d.pk for d in page.items], retired=False)
            .values_list("document_id")
            .annotate(n=Count("pk"))
            .order_by()
        )
        for document in page.items:
            document.passage_count = counts.get(document.pk, 0)
        depends_on(self.request, "documents", *(f"document:{d.pk}" for d in page.items))
        return {**self.error_context(), "documents": page.items, "page": page, "pagination": page}

    def error_context(self, **kwargs) -> dict:
        return {
            "kinds": DocumentKind.choices,
            "selected_kinds": self.request.GET.getlist("kind"),
            "api_url": api_link("document-list", query=self.request.GET),
            "breadcrumbs": breadcrumbs(("Documents", None)),
        }


class BadParameter(Exception):
    def __init__(self, name: str, message: str) -> None:
        super().__init__(message)
        self.name, self.message = name, message


def _number(request, name: str) -> int | None:
    """A positive whole number from the query string, or BadParameter naming it."""
    raw = request.GET.get(name)
    if raw is None:
        return None
    value = raw.strip()
    if not value.isascii() or not value.isdigit() or len(value) > 18 or int(value) < 1:
        noun = "citation number" if name == "cite" else "page number"
        raise BadParameter(name, f"“{raw[:40]}” is not a {noun}.")
    return int(value)


def _cited(document: Document, number: int | None) -> Citation | None:
    """The citation `?cite=` names, with its passage and claim, or BadParameter."""
    if number is None:
        return None
    citation = (
        Citation.objects.filter(pk=number, passage__document=document)
        .select_related("passage", "content_type")
        .prefetch_related(claims_prefetch())
        .first()
    )
    if citation is None:
        raise BadParameter("cite", f"No citation {number} in this document.")
    citation.passage.document = document
    return citation


class ReaderPageView(TemplateView):
    """A page of the reader: the front page (`page` "") or a section page."""

    template_name = "sources/document_detail.html"
    front = True

    def get(self, request, *args, **kwargs):
        document = get_object_or_404(Document.objects.defer("text"), slug=self.kwargs["slug"])
        page = self.page_anchor(document)
        if isinstance(page, HttpResponse):
            return page
        context = {
            "document": document,
            "api_url": api_link("document-detail", document.slug),
            "front": self.front,
            "source_url": reverse("sources:document-source", kwargs={"slug": document.slug}),
        }
        try:
            cite = _cited(document, _number(request, "cite"))
        except BadParameter as error:
            context["errors"] = {error.name: [error.message]}
            context["breadcrumbs"] = self.crumbs(document, None)
            context["pages"], context["page_index"] = [], -1
            return self.render_to_response(context, status=400)
        if cite is not None and not cite.passage.retired and cite.passage.page != page:
            target = page_url(document.slug, cite.passage.page)
            return HttpResponseRedirect(f"{target}?cite={cite.pk}#{cite.passage.anchor}")

        # An editor's page links each passage's cite form and loads the script that cites
        # selected words; every other visitor's page is the same for all (and cached).
        editor = may_cite(request.user)
        context["editor"] = editor
        passages = list(Passage.objects.for_page(document, page))
        for passage in passages:
            passage.document = document
        pages, index = page_entries(document, page)
        notes = notes_for(document, passages)
        depends_on(request, *reader_scopes(document, notes))
        context.update(
            {
                "page_anchor": page,
                "passages": passages,
                "text": text_html(
                    document,
                    passages,
                    notes=notes,
                    cite=cite,
                    editor=editor,
                    table_actions=[
                        action
                        for action in registry.table_actions()
                        if editor and request.user.has_perm(action.permission)
                    ],
                ),
                "notes": [notes[p.pk] for p in passages if p.pk in notes],
                "cite": cite,
                "cite_claim": claim_link(cite) if cite is not None else None,
                "pages": pages[max(0, index - PAGES_AROUND) : index + PAGES_AROUND + 1]
                if index >= 0
                else pages[: 2 * PAGES_AROUND + 1],
                "pages_total": len(pages),
                "previous_page": self.previous(document, pages, index),
                "next_page": pages[index + 1] if index + 1 < len(pages) else None,
                "breadcrumbs": self.crumbs(document, passages[0] if passages else None),
            }
        )
        if not self.front:
            context["section_title"] = context["breadcrumbs"][-1]["label"]
        context["cited_page"] = cited_page(
            request,
            document,
            url=canonical_url(request),
            page_title=context.get("section_title") or document.title,
            schema=True,
        )
        if cite is not None and cite.passage.retired:
            context["cite_retired"] = True
        if self.front:
            context["outline"], context["outline_omitted"] = outline(document)
            context["outline_items"] = outline_html(context["outline"])
        return self.render_to_response(context)

    def page_anchor(self, document: Document) -> str | HttpResponse:
        return ""

    def previous(self, document, pages, index):
        return None

    def crumbs(self, document: Document, first: Passage | None):
        return breadcrumbs(("Documents", reverse("sources:document-index")), (document.title, None))


class DocumentDetailView(ReaderPageView):
    """The front page: metadata, outline, "cite this", the canonical text's download and the
    start of the text (the whole text for a short document). `?cite=<id>` marks that
    citation's quote, or redirects to the page holding its passage (links published before
    the reader had sections keep landing on their quote)."""


class SectionView(ReaderPageView):
    """A section page: `/documents/<slug>/sections/<anchor>/`, the anchor of its first
    passage. The anchor of a passage inside a page redirects to that page, at the passage."""

    front = False

    def page_anchor(self, document: Document) -> str | HttpResponse:
        anchor = self.kwargs["anchor"]
        passage = (
            Passage.objects.filter(document=document, anchor=anchor, retired=False)
            .only("anchor", "page")
            .first()
        )
        if passage is None:
            raise Http404("No such section.")
        if passage.page != anchor:
            query = self.request.GET.urlencode()
            target = page_url(document.slug, passage.page) + (f"?{query}" if query else "")
            return HttpResponseRedirect(f"{target}#{anchor}")
        return anchor

    def previous(self, document, pages, index):
        if index > 0:
            return pages[index - 1]
        # The first section follows the front page.
        return PageEntry("", "Front page", page_url(document.slug, ""))

    def crumbs(self, document: Document, first: Passage | None):
        label = first.shown[:80] if first is not None else self.kwargs["anchor"]
        if first is not None and first.kind != "heading" and first.section:
            label = first.section.rsplit(" > ", 1)[-1] + " (continued)"
        return breadcrumbs(
            ("Documents", reverse("sources:document-index")),
            (document.title, document.get_absolute_url()),
            (" ".join(label.split()), None),
        )


class PassagePermalinkView(View):
    """`/documents/<slug>/passages/<anchor>/`: to the page that holds the passage, at it;
    `?cite=<id>` is kept (that page marks the quote). A passage gone from the text is
    shown on its cited-by page."""

    def get(self, request, slug: str, anchor: str):
        passage = get_object_or_404(
            Passage.objects.filter(document__slug=slug).only("anchor", "page", "retired"),
            anchor=anchor,
        )
        try:
            cite = _number(request, "cite")
        except BadParameter as error:
            return _bad_request(request, error)
        if passage.retired:
            return HttpResponseRedirect(
                reverse("sources:passage-cited-by", kwargs={"slug": slug, "anchor": anchor})
            )
        query = f"?cite={cite}" if cite is not None else ""
        return HttpResponseRedirect(f"{page_url(slug, passage.page)}{query}#{anchor}")


def _bad_request(request, error: BadParameter) -> HttpResponse:
    return TemplateResponse(
        request,
        "sources/bad_request.html",
        {"errors": {error.name: [error.message]}},
        status=400,
    )


class CitedByView(TemplateView):
    """Every claim that cites a passage, CITED_BY_PAGE_SIZE a page (`?page=`)."""

    template_name = "sources/passage_cited_by.html"

    def get(self, request, *args, **kwargs):
        passage = get_object_or_404(
            Passage.objects.select_related("document").defer("document__text", "document__reader"),
            document__slug=self.kwargs["slug"],
            anchor=self.kwargs["anchor"],
        )
        document = passage.document
        context = {
            "document": document,
            "passage": passage,
            "breadcrumbs": breadcrumbs(
                ("Documents", reverse("sources:document-index")),
                (document.title, document.get_absolute_url()),
                (f"Cited by: {passage.anchor}", None),
            ),
            "api_url": api_link("citation-list", document=document.slug),
        }
        try:
            number = _number(request, "page") or 1
        except BadParameter as error:
            context["errors"] = {error.name: [error.message]}
            return self.render_to_response(context, status=400)
        citations = (
            Citation.objects.filter(passage=passage)
            .select_related("content_type")
            .prefetch_related(claims_prefetch())
            .order_by("id")
        )
        paginator = Paginator(citations, CITED_BY_PAGE_SIZE, allow_empty_first_page=True)
        if number > paginator.num_pages:
            context["errors"] = {
                "page": [f"There is no page {number}: the last is {paginator.num_pages}."]
            }
            return self.render_to_response(context, status=400)
        page = paginator.page(number)
        for citation in page.object_list:
            citation.passage = passage
        context.update(
            {
                "page": page,
                "claims": [(claim_link(c), c) for c in page.object_list],
                "passage_url": passage.get_absolute_url(),
            }
        )
        return self.render_to_response(context)


class SourceTextView(View):
    """`/documents/<slug>/source.txt`: the canonical text, byte for byte, with its SHA-256."""

    def get(self, request, slug: str):
        document = get_object_or_404(Document.objects.only("slug", "text", "sha256"), slug=slug)
        body = document.text.encode("utf-8")
        digest = hashlib.sha256(body).digest()
        response = HttpResponse(body, content_type="text/plain; charset=utf-8")
        response["X-Content-SHA256"] = digest.hex()
        response["Repr-Digest"] = f"sha-256=:{base64.b64encode(digest).decode()}:"
        response["Content-Disposition"] = f'inline; filename="{slug}.txt"'
        response["ETag"] = f'"{digest.hex()}"'
        return response
