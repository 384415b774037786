"""Lay out every document for the reader (shown text, HTML, pages, table headers) and
re-derive every citation over the shown text.

A citation stored before this migration quotes the passage's source text, markup included
(`**Coordination** may be ideal...`), at offsets of that text, with a prefix and suffix cut
at the passage's edges. Each is re-derived from its passage (`sources.quotes.rederive`): the
same words as the reader shows them, their offsets in the shown text, and a prefix and
suffix reaching into the neighbouring passages. A citation whose quote does not stand, or
that the reader does not show word for word, is not moved: it is marked orphaned and listed
here (and by `verify_citations`) for an editor to correct. Each changed citation gets a
history entry saying why.

Reversing maps each citation's shown offsets back to the source text it was taken from.
"""

from __future__ import annotations

import re

from django.db import migrations
from django.urls import reverse
from django.utils import timezone

from sources.quotes import NotRederivable, quote_context, reading_context, rederive
from sources.reader_layout import OUTLINE_MAX, FOOTNOTE_PREFIX, Source, lay_out, reader_summary
from sources.passage_rendering import Footnotes, render_passage

HEADER_ANCHOR = re.compile(r"-header(?:-\d+)?$")
REASON = "Re-derived over the text as the reader shows it (migration sources 0006)."


def _page_href(slug):
    def href(page):
        if not page:
            return reverse("sources:document-detail", kwargs={"slug": slug})
        return reverse("sources:document-section", kwargs={"slug": slug, "anchor": page})

    return href


def _is_header(passage) -> bool:
    return passage.kind == "table_row" and bool(HEADER_ANCHOR.search(passage.anchor))


def _history(apps, model_name, objects):
    historical = apps.get_model("sources", f"Historical{model_name}")
    model = apps.get_model("sources", model_name)
    now = timezone.now()
    rows = []
    for obj in objects:
        values = {f.attname: getattr(obj, f.attname) for f in model._meta.concrete_fields}
        rows.append(
            historical(
                **values,
                history_date=now,
                history_type="~",
                history_change_reason=REASON,
                history_user=None,
            )
        )
    historical.objects.bulk_create(rows, batch_size=500)


def forwards(apps, schema_editor):
    Document = apps.get_model("sources", "Document")
    Passage = apps.get_model("sources", "Passage")
    Citation = apps.get_model("sources", "Citation")
    orphans = []
    for document in Document.objects.only("slug", "format").order_by("pk"):
        markdown = document.format == "markdown"
        passages = list(Passage.objects.filter(document=document).order_by("ordinal"))
        current = [p for p in passages if not p.retired]
        sources = [
            Source(p.anchor, p.kind, p.level, p.text, header=_is_header(p)) for p in current
        ]
        layouts = lay_out(sources, markdown=markdown, page_href=_page_href(document.slug))
        Document.objects.filter(pk=document.pk).update(
            reader=reader_summary(sources, layouts, outline_max=OUTLINE_MAX)
        )
        ids = {p.anchor: p.pk for p in passages}
        labels = {
            p.anchor.removeprefix(FOOTNOTE_PREFIX) for p in current if p.kind == "footnote"
        }
        for passage, layout in zip(current, layouts, strict=True):
            passage.shown, passage.html, passage.page = layout.shown, layout.html, layout.page
            passage.table_header_id = ids.get(layout.table_header) if layout.table_header else None
        for passage in passages:
            if passage.retired:
                rendered = render_passage(
                    passage.text, kind=passage.kind, markdown=markdown, header=_is_header(passage)
                )
                passage.shown, passage.html, passage.page = rendered.shown, rendered.html, ""
        Passage.objects.bulk_update(
            passages, ["shown", "html", "page", "table_header"], batch_size=500
        )

        shown = [p.shown for p in current]
        index = {p.pk: i for i, p in enumerate(current)}
        by_id = {p.pk: p for p in passages}
        changed = []
        citations = Citation.objects.filter(passage__document=document).order_by("pk")
        for citation in citations:
            passage = by_id[citation.passage_id]
            if citation.orphaned:
                continue
            rendered = render_passage(
                passage.text,
                kind=passage.kind,
                markdown=markdown,
                header=_is_header(passage),
                footnotes=Footnotes(labels=labels),
            )
            try:
                if passage.retired:
                    raise NotRederivable("its passage is no longer in the text")
                if rendered.shown != passage.shown:
                    raise NotRederivable("its passage renders differently")
                exact, start, end = rederive(
                    passage.text,
                    rendered,
                    exact=citation.exact,
                    start=citation.start,
                    end=citation.end,
                )
            except NotRederivable as error:
                citation.orphaned = True
                orphans.append(f"citation {citation.pk} at {document.slug}#{passage.anchor}: {error}")
                changed.append(citation)
                continue
            position = index[passage.pk]
            before, after = reading_context(
                (shown[i] for i in range(position - 1, -1, -1)),
                (shown[i] for i in range(position + 1, len(shown))),
            )
            prefix, suffix = quote_context(passage.shown, start, end, before=before, after=after)
            values = (exact, start, end, prefix, suffix)
            if values != (citation.exact, citation.start, citation.end, citation.prefix, citation.suffix):
                citation.exact, citation.start, citation.end, citation.prefix, citation.suffix = values
                changed.append(citation)
        Citation.objects.bulk_update(
            changed, ["exact", "start", "end", "prefix", "suffix", "orphaned"], batch_size=500
        )
        _history(apps, "Citation", changed)
    for line in orphans:
        print(f"\n  orphaned: {line}", end="")


def backwards(apps, schema_editor):
    """Shown offsets back to the source text: each shown character is a source character."""
    Document = apps.get_model("sources", "Document")
    Passage = apps.get_model("sources", "Passage")
    Citation = apps.get_model("sources", "Citation")
    for document in Document.objects.only("format").order_by("pk"):
        markdown = document.format == "markdown"
        passages = {p.pk: p for p in Passage.objects.filter(document=document)}
        labels = {
            p.anchor.removeprefix(FOOTNOTE_PREFIX)
            for p in passages.values()
            if p.kind == "footnote"
        }
        changed = []
        for citation in Citation.objects.filter(passage__document=document, orphaned=False):
            passage = passages[citation.passage_id]
            rendered = render_passage(
                passage.text,
                kind=passage.kind,
                markdown=markdown,
                header=_is_header(passage),
                footnotes=Footnotes(labels=labels),
            )
            if citation.end > len(rendered.origins) or citation.start >= citation.end:
                continue
            start = rendered.origins[citation.start]
            end = rendered.origins[citation.end - 1] + 1
            citation.exact, citation.start, citation.end = passage.text[start:end], start, end
            citation.prefix = passage.text[max(0, start - 32) : start]
            citation.suffix = passage.text[end : end + 32]
            changed.append(citation)
        Citation.objects.bulk_update(changed, ["exact", "start", "end", "prefix", "suffix"])


class Migration(migrations.Migration):
    dependencies = [("sources", "0006_reader_pages")]

    operations = [migrations.RunPython(forwards, backwards)]
