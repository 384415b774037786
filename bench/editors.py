"""The editors' work at size, in process: time and peak memory, each at two sizes.

    python -m bench.editors [--only preview-markdown,repairs] [--fraction 0.2] [--no-memory]

Run from the project root against the database in DATABASE_URL (`make bench` runs it once
per database, after the first scale is set up). Everything it writes is rolled back.

Each piece of work is measured at two sizes, the second twice the first: its wall time
(without tracing), then its peak of Python allocations (a second run under `tracemalloc`).
None may grow faster than linearly: at twice the size, at most LINEAR_SLACK times twice the
time and the memory. Prints one JSON object, on the last line: {"works": [...]}.

- `preview-markdown`: the preview of a new Markdown document (`sources.uploads.document_plan`),
  2.5 and 5 MiB (the upload limit).
- `preview-page`: the same upload through the site, as an editor waits for it: the form sent
  (the file checked and kept) and its preview page; each request's time, the longer kept.
- `upload-markdown`: writing it (`sources.services.document_upsert`: passages, layout).
- `version-preview`: the preview of a new version of it that rewords a word in every fifth
  passage, with a citation in every tenth (the passages added, changed and the citations
  that would be orphaned).
- `version-write`: writing that version (orphaning the citations and storing their
  suggestions).
- `repairs`: the suggestions for 500 and 1,000 orphaned citations of the 1.1 MB act
  (`sources.suggestions.suggestions_store`), what a new version's write computes once.
- `pdf-parse`: the text of a generated PDF of 150 and 300 pages (`sources.ingest.source_parse`).
- `draft-framework`: drafting a framework from a 20 x 6 and a 40 x 6 table
  (`engagement.services.framework_draft`).
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import sys
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import asdict, dataclass

MIB = 1024 * 1024
# At twice the size, at most this many times twice the time (or memory): linear, with room
# for the noise of a shared machine.
LINEAR_SLACK = 1.3
# A preview of the largest upload answers within this many seconds (in the request).
PREVIEW_SECONDS = 5.0
BENCH_SLUG = "synth-bench-editors"


@dataclass
class Work:
    name: str
    size: str
    units: float  # the size as a number, for the growth check
    seconds: float | None = None
    peak_mb: float | None = None
    note: str = ""


class Rollback(Exception):
    """Raised at the end of a measurement: everything it wrote is undone."""


class Section:
    """The part of a piece of work that is measured: its wall time and, when allocations are
    traced, their peak above what was held when it began (in MB)."""

    seconds: float = 0.0
    peak_mb: float | None = None

    def __enter__(self) -> Section:
        self.base = 0
        if tracemalloc.is_tracing():
            self.base = tracemalloc.get_traced_memory()[0]
            tracemalloc.reset_peak()
        self.started = time.perf_counter()
        return self

    def __exit__(self, *exc) -> None:
        self.seconds = time.perf_counter() - self.started
        if tracemalloc.is_tracing():
            self.peak_mb = (tracemalloc.get_traced_memory()[1] - self.base) / MIB


def _timed(
    action: Callable[[Section], object], *, memory: bool
) -> tuple[float, float | None, object]:
    """`action(section)` run twice, each time in a transaction rolled back after: the wall
    time of its section untraced, then (with `memory`) the section's peak of traced
    allocations; and what the first run answered."""
    from django.db import transaction

    def once() -> tuple[Section, object]:
        section = Section()
        try:
            with transaction.atomic():
                result = action(section)
                raise Rollback(result)
        except Rollback as done:
            return section, done.args[0]

    gc.collect()
    timed, result = once()
    peak = None
    if memory:
        gc.collect()
        tracemalloc.start()
        try:
            traced, _ = once()
        finally:
            tracemalloc.stop()
        peak = traced.peak_mb
    return timed.seconds, peak, result


def _whole(action: Callable[[], object]) -> Callable[[Section], object]:
    """An action measured whole."""

    def run(section: Section) -> object:
        with section:
            return action()

    return run


def markdown_bytes(size: int) -> bytes:
    """A generated act in Markdown (`bench.largedoc`) of at most `size` bytes, cut at a
    paragraph's end."""
    from bench.largedoc import large_document

    chapters = max(1, round(12 * size / 1_104_369) + 1)
    data = large_document(chapters=chapters).encode()
    while len(data) < size:  # the first chapters hold the act's one long article
        chapters = chapters * size // len(data) + 1
        data = large_document(chapters=chapters).encode()
    if len(data) > size:
        data = data[: data.rindex(b"\n\n", 0, size)] + b"\n"
    return data


def _metadata() -> dict:
    return {"title": "The Synthetic Act, as uploaded", "kind": "legal_text"}


def _write(text: str):
    from sources.services import document_upsert

    return document_upsert(
        slug=BENCH_SLUG, title=_metadata()["title"], kind="legal_text", text=text, format="markdown"
    )


def _cite_every(document, step: int) -> int:
    """A citation of an activity on every `step`-th passage of prose (five words of it)."""
    from django.contrib.contenttypes.models import ContentType

    from engagement.models import Activity
    from sources.models import Citation, Passage
    from sources.quotes import quote_context

    activity = Activity.objects.order_by("ordinal").first()
    kind = ContentType.objects.get_for_model(Activity)
    rows = []
    passages = Passage.objects.filter(document=document, kind="paragraph").order_by("ordinal")
    for passage in passages[::step]:
        words = passage.shown.split()
        if len(words) < 7:
            continue
        exact = " ".join(words[1:6])
        start = passage.shown.find(exact)
        prefix, suffix = quote_context(passage.shown, start, start + len(exact))
        rows.append(
            Citation(
                content_type=kind,
                object_id=activity.pk,
                passage=passage,
                exact=exact,
                prefix=prefix,
                suffix=suffix,
                start=start,
                end=start + len(exact),
            )
        )
    Citation.objects.bulk_create(rows, batch_size=500)
    return len(rows)


def _reworded(text: str) -> str:
    """A new version: in every fifth paragraph, its second word and third swapped."""
    paragraphs = text.split("\n\n")
    for index in range(0, len(paragraphs), 5):
        words = paragraphs[index].split(" ")
        if len(words) > 4 and not paragraphs[index].startswith(("#", "|", "[^")):
            words[1], words[2] = words[2], words[1]
            paragraphs[index] = " ".join(words)
    return "\n\n".join(paragraphs)


def markdown_works(size: int, *, memory: bool) -> list[Work]:
    """The preview and the write of a Markdown upload of `size` bytes, then of a new version
    of it."""
    from sources.uploads import document_plan

    data = markdown_bytes(size)
    label = f"{len(data) / MIB:.1f} MiB"
    out = []

    def preview():
        return document_plan(
            filename="act.md", data=data, slug=BENCH_SLUG, update=False, metadata=_metadata()
        )

    seconds, peak, plan = _timed(_whole(preview), memory=memory)
    note = f"{len(plan.passages)} passages"
    out.append(Work("preview-markdown", label, len(data), seconds, peak, note))
    out.append(preview_page_work(data, label, memory=memory))
    seconds, peak, _ = _timed(_whole(lambda: _write(data.decode())), memory=memory)
    out.append(Work("upload-markdown", label, len(data), seconds, peak, note))

    new = _reworded(data.decode()).encode()

    def version_preview(section: Section):
        document, _ = _write(data.decode())
        cited = _cite_every(document, 10)
        with section:
            plan = document_plan(
                filename="act.md", data=new, slug=BENCH_SLUG, update=True, metadata={}
            )
        return cited, plan

    def version_write(section: Section):
        document, _ = _write(data.decode())
        cited = _cite_every(document, 10)
        with section:
            _, summary = _write(new.decode())
        return cited, summary

    # Only the preview and the write of the version are measured, not the first version's.
    seconds, peak, (cited, plan) = _timed(version_preview, memory=memory)
    note = (
        f"{cited} citations; {len(plan.changed)} passages changed, "
        f"{len(plan.orphaned)} citations would be orphaned"
    )
    out.append(Work("version-preview", label, len(data), seconds, peak, note))
    seconds, peak, (cited, summary) = _timed(version_write, memory=memory)
    note = f"{len(summary.citations_orphaned)} citations orphaned, their suggestions stored"
    out.append(Work("version-write", label, len(data), seconds, peak, note))
    return out


def preview_page_work(data: bytes, label: str, *, memory: bool) -> Work:
    """What an editor waits for: the upload form sent (the file checked and kept), then its
    preview page (its first page of passages), through Django's test client; `seconds`
    is the longer of the two requests, each of which must answer in a few seconds."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import Client

    from bench.workbench import editor_ensure

    runs: list[tuple[float, float]] = []  # (form, preview) of each run: untraced first

    def flow(section: Section) -> object:
        client = Client(HTTP_HOST="127.0.0.1", secure=True)
        client.force_login(editor_ensure())
        upload = SimpleUploadedFile("act.md", data, content_type="text/markdown")
        fields = {"file": upload, "slug": BENCH_SLUG, **_metadata()}
        with section:
            started = time.perf_counter()
            sent = client.post("/documents/new/", fields)
            posted = time.perf_counter()
            shown = client.get(sent["Location"])
            runs.append((posted - started, time.perf_counter() - posted))
        if sent.status_code != 303 or shown.status_code != 200:
            raise RuntimeError(f"the upload answered {sent.status_code}, {shown.status_code}")
        return len(shown.content)

    _, peak, size = _timed(flow, memory=memory)
    post, get = runs[0]
    note = f"form {post:.2f} s, preview {get:.2f} s ({size // 1024} kB, its first page)"
    return Work("preview-page", label, len(data), max(post, get), peak, note)


def repairs_work(count: int, *, memory: bool) -> Work:
    """The suggestions for `count` orphaned citations of the 1.1 MB act, stored."""
    from bench.largedoc import large_document
    from bench.workbench import orphan_reworded
    from sources.models import Citation
    from sources.suggestions import suggestions_store

    def repairs(section: Section):
        document, _ = _write(large_document())
        _cite_every(document, 1)
        citations = list(
            Citation.objects.filter(passage__document=document)
            .with_passage()
            .order_by("pk")[:count]
        )
        orphan_reworded(citations)
        with section:
            return suggestions_store(citations=citations)

    seconds, peak, found = _timed(repairs, memory=memory)
    with_one = sum(bool(candidates) for candidates in found.values())
    note = f"{len(found)} citations, {with_one} with a suggestion"
    return Work("repairs", f"{count:,} citations", count, seconds, peak, note)


def pdf_work(pages: int, *, memory: bool) -> Work:
    """THE PDF READER'S ENTRY: the text of a generated PDF of `pages` pages, read by
    `sources.ingest.source_parse` (whichever reader it uses)."""
    from bench.pdfdoc import synthetic_pdf
    from sources.ingest import source_parse

    data = synthetic_pdf(pages)
    seconds, peak, source = _timed(
        _whole(lambda: source_parse("act.pdf", data, max_bytes=len(data))), memory=memory
    )
    note = f"{len(data) / MIB:.1f} MiB, {len(source.text):,} characters of text"
    return Work("pdf-parse", f"{pages} pages", pages, seconds, peak, note)


def table_text(rows: int, *, columns: int = 6) -> str:
    """A source's text holding a table of `rows` body rows and `columns` columns: the
    activities' column, the four levels, then remarks (no level); a paragraph after it."""
    levels = ["Collaboration", "Coordination", "Communication", "Separation"]
    headings = ["Activity", *levels, *(f"Remarks {n}" for n in range(columns - 5))]
    lines = ["\t".join(headings)]
    for row in range(1, rows + 1):
        cells = [f"Cell {row}.{column} of the table" for column in range(1, columns)]
        lines.append("\t".join([f"Benchmark activity {row}", *cells]))
    return "Findings\n\nTable 7: A table\n\n" + "\n".join(lines) + "\n\nAfter the table.\n"


def draft_work(rows: int, *, memory: bool) -> Work:
    """THE FRAMEWORK DRAFTING ENTRY: drafting a framework from a `rows` x 6 table of a
    source (`engagement.services.framework_draft`); the source is ingested first, outside
    the measured section."""
    from engagement.services import framework_draft
    from sources.services import document_upsert

    def action(section: Section) -> object:
        document, _ = document_upsert(
            slug=f"bench-table-{rows}", title="A table", kind="report", text=table_text(rows)
        )
        with section:
            return framework_draft(document=document, table="table-7-header")

    seconds, peak, framework = _timed(action, memory=memory)
    return Work("draft-framework", f"{rows} x 6 table", rows, seconds, peak, f"{framework}")


SIZES: dict[str, tuple[Callable[..., object], tuple[int, int]]] = {
    "markdown": (markdown_works, (5 * MIB // 2, 5 * MIB)),
    "repairs": (repairs_work, (500, 1000)),
    "pdf-parse": (pdf_work, (150, 300)),
    "draft-framework": (draft_work, (20, 40)),
}


def warm_up() -> None:
    """Each kind of work once on a small input, unmeasured: the modules a first upload,
    table, footnote or PDF imports are imported before any clock starts."""
    from bench.pdfdoc import synthetic_pdf
    from sources.ingest import source_parse
    from sources.uploads import document_plan

    data = markdown_bytes(200_000)
    _timed(
        _whole(
            lambda: document_plan(
                filename="act.md", data=data, slug=BENCH_SLUG, update=False, metadata=_metadata()
            )
        ),
        memory=False,
    )
    _timed(_whole(lambda: _write(data.decode())), memory=False)
    source_parse("act.pdf", synthetic_pdf(2))


def measure(only: set[str] | None, *, fraction: float, memory: bool) -> list[Work]:
    warm_up()
    works: list[Work] = []
    for name, (function, sizes) in SIZES.items():
        if only and name not in only:
            continue
        for size in sizes:
            result = function(max(1, int(size * fraction)), memory=memory)
            works.extend(result if isinstance(result, list) else [result])
            print(f"[bench.editors] {works[-1]}", file=sys.stderr, flush=True)
    return works


def growth(works: list[Work]) -> list[str]:
    """Each piece of work at its two sizes: whether it grew at most linearly, and the
    preview of the largest upload answers in a few seconds."""
    out = []
    by_name: dict[str, list[Work]] = {}
    for work in works:
        by_name.setdefault(work.name, []).append(work)
    for name, pair in by_name.items():
        if len(pair) != 2 or pair[0].seconds is None or pair[1].seconds is None:
            out.append(f"NOT MEASURED: {name} ({pair[-1].note})")
            continue
        small, large = pair
        size = large.units / small.units
        bound = LINEAR_SLACK * size
        times = large.seconds / small.seconds if small.seconds else 0.0
        memory = ""
        met = times <= bound
        if small.peak_mb and large.peak_mb is not None:
            grew = large.peak_mb / small.peak_mb
            memory = f", peak memory x{grew:.2f}"
            met = met and grew <= bound
        out.append(
            f"{'MET' if met else 'NOT MET'}: {name} grows at most linearly: at x{size:.2f} the "
            f"size ({small.size} to {large.size}), time x{times:.2f}{memory} (<= {bound:.2f})"
        )
        if name == "preview-page":
            out.append(
                f"{'MET' if large.seconds <= PREVIEW_SECONDS else 'NOT MET'}: uploading a "
                f"{large.size} Markdown file, each request answers in a few seconds: "
                f"{large.note} (<= {PREVIEW_SECONDS:.0f} s each)"
            )
        if name == "preview-markdown":
            out.append(
                f"{'MET' if large.seconds <= PREVIEW_SECONDS else 'NOT MET'}: the preview of a "
                f"{large.size} Markdown upload answers in {large.seconds:.2f} s "
                f"(<= {PREVIEW_SECONDS:.0f} s in the request)"
            )
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", help=f"comma-separated, of: {', '.join(SIZES)}")
    parser.add_argument(
        "--fraction", type=float, default=1.0, help="scale every size (a quick look)"
    )
    parser.add_argument("--no-memory", dest="memory", action="store_false")
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    only = {name.strip() for name in args.only.split(",")} if args.only else None
    works = measure(only, fraction=args.fraction, memory=args.memory)
    sys.stdout.write("\n" + json.dumps({"works": [asdict(w) for w in works]}) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
