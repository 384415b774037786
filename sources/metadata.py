"""A source document as reference managers and search engines read it (`core.metadata`)."""

from __future__ import annotations

from django.http import HttpRequest

from core.metadata import CitedPage, Work, WorkType, absolute_url
from sources.models import Document, DocumentKind

# Zotero's item type (written as DC.type) and schema.org's type, by kind of document.
WORK_TYPES = {
    DocumentKind.POLICY_BRIEF: WorkType("report", "Report", report=True),
    DocumentKind.REPORT: WorkType("report", "Report", report=True),
    DocumentKind.NEWS_ARTICLE: WorkType("newspaperArticle", "NewsArticle"),
    DocumentKind.STATEMENT: WorkType("document", "Article"),
    DocumentKind.LEGAL_TEXT: WorkType("statute", "Legislation"),
    DocumentKind.OTHER: WorkType("document", "CreativeWork"),
}


def document_work(request: HttpRequest, document: Document) -> Work:
    """The document as a citable work, its reader's front page as its URL."""
    return Work(
        title=document.title,
        work_type=WORK_TYPES.get(document.kind, WORK_TYPES[DocumentKind.OTHER]),
        authors=tuple(document.authors or ()),
        publisher=document.publisher,
        published=document.published,
        precision=document.published_precision,
        language=document.language,
        url=absolute_url(request, document.get_absolute_url()),
        original_url=document.url,
    )


def cited_page(
    request: HttpRequest, document: Document, *, url: str, page_title: str, schema: bool = False
) -> CitedPage:
    """A page about `document` at `url` (absolute), titled `page_title`: a page of its
    reader (`schema`: which also describes the document in schema.org terms), or a page
    about something it is the source of (a cell)."""
    work = document_work(request, document)
    return CitedPage(
        work=work, url=url, page_title=page_title, structured=work.schema() if schema else None
    )
