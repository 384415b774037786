"""What the benchmark measures, by name. `trivial` is the yardstick the others are divided by."""

from __future__ import annotations

from bench.largedoc import BENCH_SLUG, deep_pages, deep_selection, deep_table

TRIVIAL = "trivial"
# The reader of the large generated act (`manage.py bench_document`): a section page three
# quarters through it, and the permalink of a passage on that page (a redirect there).
DEEP_SECTION, DEEP_PASSAGE = deep_pages()
READER = ("reader-front", "reader-section", "reader-permalink")
# What an editor drafts a framework from (a table on that section page) and selects to cite
# (five words of that passage).
DEEP_TABLE = deep_table()
SELECTION_START, SELECTION_END = deep_selection()

# The reader of the brief, a short document read whole on its front page.
BRIEF_READER = "/documents/synergies-eu-ai-office-uk-aisi-2025/"

ENDPOINTS: dict[str, str] = {
    TRIVIAL: "/bench/trivial/",
    "matrix": "/",
    "matrix-filtered": "/frameworks/eu-ai-office-uk-aisi/?level=coordination&q=evaluation",
    "cell": "/frameworks/eu-ai-office-uk-aisi/cells/incident-reporting/communication/",
    "reader": BRIEF_READER,
    "reader-front": f"/documents/{BENCH_SLUG}/",
    "reader-section": f"/documents/{BENCH_SLUG}/sections/{DEEP_SECTION}/",
    "reader-permalink": f"/documents/{BENCH_SLUG}/passages/{DEEP_PASSAGE}/",
    "api-cells": "/api/v1/cells/?framework=eu-ai-office-uk-aisi&level=coordination",
    # The search, by the kinds of query readers write (none tuned for): words, a phrase, a
    # rare word, a word in every document.
    "search": "/search/?q=incident+registry",
    "search-phrase": '/search/?q="incident+reporting"',
    "search-rare": "/search/?q=synergistic",
    "search-common": "/search/?q=models",
    "export-csv": "/frameworks/eu-ai-office-uk-aisi/export.csv",
    "export-xlsx": "/frameworks/eu-ai-office-uk-aisi/export.xlsx",
}

# The pages that list many things, bounded at any size: their size and uncached time at every
# scale (`--index-pages`), against the matrix page's.
INDEX_PAGES: dict[str, str] = {
    "frameworks": "/frameworks/",
    "activities": "/activities/",
    "activity": "/activities/develop-evaluations/",
    "level": "/levels/coordination/",
    "institutions": "/institutions/",
    "institution": "/institutions/eu-ai-office/",
    "documents": "/documents/",
    "compare-institutions": "/institutions/compare/?a=uk-aisi&b=eu-ai-office",
    "compare-frameworks": "/frameworks/compare/?a=eu-ai-office-uk-aisi&b=eu-ai-office-us-aisi",
}

# The editors' workbench, signed in as the benchmark's editor (`manage.py bench_editor`, which
# also makes orphaned citations and open readers' flags for its lists): held as the index
# pages are, uncached at every scale (`--editor-pages`).
EDITOR_PAGES: dict[str, str] = {
    "upload": "/documents/new/",
    "version-upload": f"/documents/{BENCH_SLUG}/versions/new/",
    "repairs": "/editors/citations/orphaned/",
    "flags": "/editors/flags/",
    "draft": f"/editors/frameworks/draft/?document={BENCH_SLUG}&table={DEEP_TABLE}",
    "cite": f"/documents/{BENCH_SLUG}/passages/{DEEP_PASSAGE}/cite/"
    f"?start={SELECTION_START}&end={SELECTION_END}",
    # The claims an editor finds while citing (the cite form's picker asks as they type).
    "claim-search": "/editors/claims/?q=incident+reporting",
}

# Side by side with Datasette serving the same SQLite file (`--datasette`): each of our
# endpoints and the Datasette page or JSON of the same rows. `{db}` is the file's name,
# `{framework}`, `{level}`, `{document}` ids and `{passages}` the reader's passage count,
# `{act}` the large act's id, `{section}` the deep section's anchor and `{section_passages}`
# its passage count, read from the file (`bench.run.datasette_ids`).
DATASETTE_PAIRS: dict[str, tuple[str, str]] = {
    "matrix-filtered": (
        ENDPOINTS["matrix-filtered"],
        "/{db}/engagement_cell?framework_id={framework}&level_id={level}&text__contains=evaluation",
    ),
    "api-cells": (
        ENDPOINTS["api-cells"],
        "/{db}/engagement_cell.json?framework_id={framework}&level_id={level}&_shape=objects",
    ),
    "reader": (
        BRIEF_READER,
        "/{db}/sources_passage?document_id={document}&retired=0&_sort=ordinal&_size={passages}",
    ),
    "reader-section": (
        ENDPOINTS["reader-section"],
        "/{db}/sources_passage?document_id={act}&page={section}&retired=0&_sort=ordinal"
        "&_size={section_passages}",
    ),
}

# The streaming-memory check: one request for every cell as CSV, at a scale with 100k cells.
EXPORT_ALL_CELLS = "/api/v1/cells/?format=csv"


def select(names: str | None) -> dict[str, str]:
    """The endpoints named in a comma-separated list (all when None), the yardstick always first."""
    if not names:
        return dict(ENDPOINTS)
    wanted = [name.strip() for name in names.split(",") if name.strip()]
    unknown = [name for name in wanted if name not in ENDPOINTS]
    if unknown:
        raise SystemExit(
            f"Unknown endpoint(s) {', '.join(unknown)}; choose from {', '.join(ENDPOINTS)}"
        )
    return {TRIVIAL: ENDPOINTS[TRIVIAL]} | {name: ENDPOINTS[name] for name in wanted}
