"""A large synthetic act in Markdown, for the reader's benchmark and tests.

`large_document()` writes, from a seeded random generator, a document shaped like the
acts analysts add: a title and a preamble, chapters of articles, numbered paragraphs and
lists, pipe tables with a header row, footnotes, bold words and links whose targets were
lost (`[words](#)`); one article runs far longer than any page, so that it is read in
parts. At the default size it holds over 1 MB of text in over 2,000 passages.
"""

from __future__ import annotations

import functools
import random
import re

_VOCABULARY = (
    "the institution shall ensure that providers of general purpose models with systemic "
    "risk assess and mitigate possible risks including their sources at union level "
    "document report serious incidents and corrective measures to the office without "
    "undue delay evaluations adversarial testing cybersecurity protection codes of practice "
    "harmonised standards conformity market surveillance authority member states "
    "cooperation information exchange confidentiality of data obtained in carrying out "
    "tasks technical documentation downstream deployers transparency obligations "
    "scientific panel independent experts qualified alerts thresholds computational "
    "resources benchmarks methodologies international partners agreements"
)
WORDS = _VOCABULARY.split(" ")


def _sentence(rng: random.Random, low: int = 8, high: int = 24) -> str:
    words = [rng.choice(WORDS) for _ in range(rng.randint(low, high))]
    if rng.random() < 0.25:
        at = rng.randrange(len(words))
        words[at] = f"**{words[at]}**"
    if rng.random() < 0.2:
        at = rng.randrange(len(words) - 1)
        words[at : at + 2] = [f"[{words[at]} {words[at + 1]}](#)"]
    return " ".join(words).capitalize() + "."


def _paragraph(rng: random.Random, sentences: tuple[int, int] = (2, 6)) -> str:
    return " ".join(_sentence(rng) for _ in range(rng.randint(*sentences)))


def _table(rng: random.Random, number: int, rows: int) -> list[str]:
    lines = [
        f"Table {number}: Obligations by category of provider",
        "",
        "| Category | Obligation | Deadline | Authority |",
        "| --- | --- | --- | --- |",
    ]
    for row in range(rows):
        label = f"Category {number}.{row + 1} {rng.choice(WORDS)}"
        cells = [" ".join(rng.choice(WORDS) for _ in range(rng.randint(3, 9))) for _ in range(3)]
        lines.append(f"| {label} | {' | '.join(cells)} |")
    return lines


def large_document(
    *,
    chapters: int = 12,
    articles: int = 14,
    paragraphs: int = 9,
    long_article: int = 320,
    seed: int = 0,
) -> str:
    """The Markdown text of a synthetic act (see the module's docstring)."""
    rng = random.Random(f"atlas-large-document:{seed}")
    out = ["# The Synthetic Act on General-Purpose Models", ""]
    for _ in range(3):
        out += [_paragraph(rng), ""]
    footnote = 0
    table = 0
    for chapter in range(1, chapters + 1):
        out += [f"## Chapter {chapter}: {' '.join(rng.choice(WORDS) for _ in range(4))}", ""]
        notes: list[str] = []
        for article in range(1, articles + 1):
            number = (chapter - 1) * articles + article
            out += [f"### Article {number}", ""]
            count = long_article if (chapter, article) == (2, 3) else paragraphs
            for paragraph in range(count):
                text = _paragraph(rng)
                if paragraph == 0 and rng.random() < 0.5:
                    footnote += 1
                    text = text[:-1] + f"[^{footnote}]."
                    notes.append(f"[^{footnote}]: {_paragraph(rng, (1, 2))}")
                out += [f"{paragraph + 1}. {text}" if paragraph % 3 == 2 else text, ""]
            if article % 5 == 0:
                out += [f"- {_sentence(rng)}" for _ in range(rng.randint(2, 5))] + [""]
            if article % 7 == 0:
                table += 1
                out += [*_table(rng, table, rng.randint(6, 14)), ""]
        out += [line for note in notes for line in (note, "")]
    return "\n".join(out).rstrip() + "\n"


# The benchmark's copy of the act, and where its reader is measured.
BENCH_SLUG = "synth-large-act"


def _layout(text: str):
    from sources.parsing import split_passages
    from sources.reader_layout import Source, lay_out

    specs = split_passages(text, markdown=True)
    sources = [Source(s.anchor, s.kind, s.level, s.text, header=s.header) for s in specs]
    return specs, lay_out(sources, markdown=True, page_href=lambda page: page)


@functools.cache
def _default_layout():
    """The default act's passages and their layout (read once: several endpoints need them)."""
    return _layout(large_document())


def deep_pages() -> tuple[str, str]:
    """(the anchor of a section page three quarters through the default act, the anchor of
    a passage inside it, not its first): the benchmark's deep section and permalink."""
    specs, layouts = _default_layout()
    pages = list(dict.fromkeys(layout.page for layout in layouts))
    page = pages[len(pages) * 3 // 4]
    inside = [s.anchor for s, layout in zip(specs, layouts, strict=True) if layout.page == page]
    return page, inside[len(inside) // 2]


def deep_table() -> str:
    """The anchor of the header row of the first table on the deep section page (of the
    document's first table, if that page holds none): the table an editor drafts from."""
    specs, layouts = _default_layout()
    page, _ = deep_pages()
    headers = [
        (layout.page == page, spec.anchor)
        for spec, layout in zip(specs, layouts, strict=True)
        if spec.kind == "table_row" and spec.header
    ]
    return next((anchor for on_page, anchor in headers if on_page), headers[0][1])


def deep_selection(words: int = 5) -> tuple[int, int]:
    """The offsets, in its shown text, of the words an editor selects in the deep permalink's
    passage to cite them: its second to its `words + 1`-th."""
    specs, layouts = _default_layout()
    _, anchor = deep_pages()
    shown = next(
        layout.shown for s, layout in zip(specs, layouts, strict=True) if s.anchor == anchor
    )
    spans = [match.span() for match in re.finditer(r"\S+", shown)][1 : words + 1]
    return spans[0][0], spans[-1][1]


def large_document_ingest(*, slug: str = BENCH_SLUG, text: str | None = None):
    """Ingest the act (the default one unless `text` is given) as a legal text and cite it as
    editors would: every 40th passage quoted by an activity, and one passage three quarters
    through cited by an activity and every cell of the brief's matrix. Idempotent."""
    from engagement.models import Activity, Cell
    from sources.models import Passage
    from sources.services import citation_attach, document_upsert

    document, _ = document_upsert(
        slug=slug,
        title="The Synthetic Act on General-Purpose Models",
        kind="legal_text",
        text=text if text is not None else large_document(),
        format="markdown",
    )
    activities = list(Activity.objects.order_by("ordinal"))
    passages = list(
        Passage.objects.filter(document=document, retired=False)
        .exclude(kind="heading")
        .select_related("document")
        .order_by("ordinal")
    )
    for index, passage in enumerate(passages[::40]):
        words = passage.shown.split("\t")[-1].split()
        quote = " ".join(words[1:6]) if len(words) > 6 else passage.shown
        citation_attach(claim=activities[index % len(activities)], passage=passage, exact=quote)
    crowded = passages[len(passages) * 3 // 4]
    citation_attach(claim=activities[0], passage=crowded, exact=crowded.shown.split()[1])
    for cell in Cell.objects.filter(framework__slug="eu-ai-office-uk-aisi").exclude(kind="empty"):
        citation_attach(claim=cell, passage=crowded, exact=crowded.shown.split()[0])
    return document
