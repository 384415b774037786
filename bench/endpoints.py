"""What the benchmark measures, by name. `trivial` is the yardstick the others are divided by."""

from __future__ import annotations

from bench.largedoc import BENCH_SLUG, deep_pages

TRIVIAL = "trivial"
# The reader of the large generated act (`manage.py bench_document`): a section page three
# quarters through it, and the permalink of a passage on that page (a redirect there).
DEEP_SECTION, DEEP_PASSAGE = deep_pages()
READER = ("reader-front", "reader-section", "reader-permalink")

ENDPOINTS: dict[str, str] = {
    TRIVIAL: "/bench/trivial/",
    "matrix": "/",
    "matrix-filtered": "/frameworks/eu-ai-office-uk-aisi/?level=coordination&q=evaluation",
    "cell": "/frameworks/eu-ai-office-uk-aisi/cells/incident-reporting/communication/",
    "reader": "/documents/synergies-eu-ai-office-uk-aisi-2025/",
    "reader-front": f"/documents/{BENCH_SLUG}/",
    "reader-section": f"/documents/{BENCH_SLUG}/sections/{DEEP_SECTION}/",
    "reader-permalink": f"/documents/{BENCH_SLUG}/passages/{DEEP_PASSAGE}/",
    "api-cells": "/api/v1/cells/?framework=eu-ai-office-uk-aisi&level=coordination",
    "search": "/search/?q=incident+registry",
    "export-csv": "/frameworks/eu-ai-office-uk-aisi/export.csv",
    "export-xlsx": "/frameworks/eu-ai-office-uk-aisi/export.xlsx",
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
