"""What every export shares, whatever it exports: provenance, formats, CSV and XLSX writing.

Exports reproduce exactly what a page shows. The tables themselves are built by the apps
(`engagement.exports`, `institutions.exports`); this module only lays rows out and wraps
them in a response. Every CSV and XLSX value goes through `core.csv_safety.neutralise`,
and nothing else is changed.
"""

from __future__ import annotations

import csv
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase, StreamingHttpResponse
from django.utils import timezone
from django.views import View
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from core.at_release import PARAMETER as RELEASE
from core.at_release import ReleaseParameterError, at_release, release_param, streamed_at
from core.csv_safety import neutralise
from core.dataset import dataset_version
from core.filtering import StrictBooleanField
from core.models import Release
from core.text import xml_safe

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV = "text/csv; charset=utf-8; header=present"
# A spooled export stays in memory up to this size, then moves to a temporary file.
SPOOL_MAX_BYTES = 8 * 1024 * 1024

LICENCE_NOTE = (
    "Quotes are reproduced verbatim from the source documents for citation; the source "
    "documents remain under their publishers' terms. Cite the source document and the "
    "passage, not only this export."
)


@dataclass(frozen=True)
class ExportMeta:
    """The provenance every export carries."""

    title: str
    dataset_version: int
    exported_at: datetime
    site_url: str  # e.g. "https://atlas.example/"
    page_url: str  # the page this export reproduces, with its query string
    filters: dict[str, str] = field(default_factory=dict)
    release: str = ""  # the tag of the release it shows, if it shows one
    release_url: str = ""  # that release's page

    @property
    def filter_text(self) -> str:
        return "; ".join(f"{k}={v}" for k, v in self.filters.items()) or "none (every cell)"

    @property
    def release_text(self) -> str:
        """Which state it shows, in words: a release, or the current state."""
        if not self.release:
            return "the current state"
        return (
            f"release {self.release} (dataset version {self.dataset_version}), {self.release_url}"
        )

    def as_dict(self) -> dict:
        meta = {
            "title": self.title,
            "dataset_version": self.dataset_version,
            "exported_at": self.exported_at.isoformat(),
            "page": self.page_url,
            "filters": self.filters,
            "licence": LICENCE_NOTE,
        }
        if self.release:
            meta["release"] = {"tag": self.release, "url": self.release_url}
        return meta


# --- formats ------------------------------------------------------------------------------

Writer = Callable[..., HttpResponseBase]


class Formats:
    """The formats one kind of export comes in: each a function that writes the response.

    `@formats.register("csv")` adds one; `formats.writer(name)` finds it (a 404 naming the
    formats there are for any other), so an export view holds no chain of format checks.
    """

    def __init__(self, noun: str) -> None:
        self.noun = noun
        self._writers: dict[str, Writer] = {}

    def register(self, name: str) -> Callable[[Writer], Writer]:
        def add(writer: Writer) -> Writer:
            self._writers[name] = writer
            return writer

        return add

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(self._writers)

    def writer(self, name: str) -> Writer:
        try:
            return self._writers[name]
        except KeyError:
            raise Http404(
                f"No {self.noun} as .{name}; use one of {', '.join(self._writers)}."
            ) from None


# --- requests and responses ---------------------------------------------------------------


class ExportView(View):
    """A view that answers with a file.

    Its errors are plain text (`bad_request`), and it takes only the query parameters it
    declares: `core.middleware.ParameterGuardMiddleware` refuses any other name with a 400,
    as the pages do, before the view runs.
    """

    error_format = "text"
    query_parameters: frozenset[str] = frozenset()


class ReleaseExportView(ExportView):
    """An export of what a page shows, in the `formats` of its kind, that takes
    `?release=<tag>`. A format there is none of is a 404 naming those there are, then a tag
    that names no release a 400 naming `release`; `export(request, write=, release=,
    **kwargs)` then makes the response, its links (streamed too) keeping the release."""

    formats: Formats

    def get(self, request: HttpRequest, **kwargs) -> HttpResponseBase:
        write = self.formats.writer(kwargs["fmt"])
        try:
            release = release_param(request.GET)
        except ReleaseParameterError as error:
            return bad_request({RELEASE: [str(error)]})
        with at_release(release):
            response = self.export(request, write=write, release=release, **kwargs)
        if isinstance(response, StreamingHttpResponse):
            response.streaming_content = streamed_at(release, response.streaming_content)
        return response

    def export(
        self, request: HttpRequest, *, write: Writer, release: Release | None, **kwargs
    ) -> HttpResponseBase:
        raise NotImplementedError


def shown_version(release: Release | None) -> int:
    """The dataset version an export shows: the release's, else the current one."""
    return release.version if release is not None else dataset_version().version


def state_label(release: Release | None, version: int) -> str:
    """The state an export shows, as its file name says it: the release's tag, or `v<n>`."""
    return release.tag if release is not None else f"v{version}"


def export_meta(
    request: HttpRequest, *, title: str, page_path: str, version: int, release: Release | None
) -> ExportMeta:
    """The provenance of an export of the page at `page_path`, made now from `version`."""
    return ExportMeta(
        title=title,
        dataset_version=version,
        exported_at=timezone.now(),
        site_url=request.build_absolute_uri("/"),
        page_url=page_url(request, page_path),
        filters=query_filters(request, exclude=("excel", RELEASE)),
        release=release.tag if release is not None else "",
        release_url=request.build_absolute_uri(release.get_absolute_url())
        if release is not None
        else "",
    )


def citing(request: HttpRequest, *, version: int, release: Release | None) -> dict:
    """What a reference an export makes says of where and when it was read: the site, the
    day, the dataset version and the release shown (`sources.references`)."""
    return {
        "site_url": request.build_absolute_uri("/"),
        "accessed": timezone.localdate(),
        "version": version,
        "release": release,
    }


def bad_request(errors: dict[str, list[str]]) -> HttpResponse:
    """A 400 naming each parameter and what is wrong with it, as plain text."""
    lines = [f"{name}: {' '.join(str(m) for m in messages)}" for name, messages in errors.items()]
    return HttpResponse(
        "The export could not be made:\n" + "\n".join(lines) + "\n",
        status=400,
        content_type="text/plain; charset=utf-8",
    )


def excel_flag(request: HttpRequest, errors: dict) -> bool:
    """`?excel=1` asks for the CSV variant Excel on Windows reads (UTF-8 with a BOM)."""
    try:
        return bool(StrictBooleanField(required=False).clean(request.GET.get("excel")))
    except ValidationError as error:
        errors["excel"] = error.messages
        return False


def provenance(response: HttpResponseBase, *, version: int, filename: str) -> HttpResponseBase:
    response["X-Dataset-Version"] = str(version)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def query_filters(request: HttpRequest, *, exclude: tuple[str, ...] = ("excel",)) -> dict[str, str]:
    """The query string as `{name: "value,value"}`, for an export's description of itself."""
    return {
        name: ",".join(request.GET.getlist(name)) for name in request.GET if name not in exclude
    }


def page_url(request: HttpRequest, path: str, *, exclude: tuple[str, ...] = ("excel",)) -> str:
    """The absolute URL of the page at `path` that an export reproduces, with its query."""
    query = request.GET.copy()
    for name in exclude:
        query.pop(name, None)
    encoded = query.urlencode()
    return request.build_absolute_uri(path + (f"?{encoded}" if encoded else ""))


# --- CSV ----------------------------------------------------------------------------------


class _Echo:
    """A file-like object whose write returns the line, for streaming csv.writer output."""

    def write(self, value: str) -> str:
        return value


def csv_lines(header: list[str], rows: Iterable[list], *, bom: bool = False) -> Iterator[bytes]:
    """RFC 4180 CSV (CRLF, minimal quoting), UTF-8; with `bom` the variant Excel on Windows reads."""
    writer = csv.writer(_Echo(), lineterminator="\r\n")
    first = writer.writerow([neutralise(value) for value in header])
    yield (("\ufeff" if bom else "") + first).encode("utf-8")
    for row in rows:
        yield writer.writerow([neutralise(value) for value in row]).encode("utf-8")


# --- XLSX ---------------------------------------------------------------------------------


def xlsx_text(value: object) -> str:
    """`value` as an XLSX cell holds it: line breaks as "\n", a control character XML
    cannot hold as its control picture, then guarded against formulas.

    An XLSX sheet is XML, and every XML reader turns "\r\n" and "\r" into "\n" (XML 1.0,
    section 2.11); writing "\n" ourselves makes that explicit, and the guard is then
    decided on the text a reader will see. XML holds no other C0 control character: text
    stored before they were refused (a form feed, U+000C) is written as the character's
    Unicode control picture (U+240C, "␌"; `core.text.xml_safe`), so the workbook is
    always written and says where the character was.
    """
    text = "" if value is None else str(value)
    return neutralise(xml_safe(text.replace("\r\n", "\n").replace("\r", "\n")))


def text_cell(
    sheet: WriteOnlyWorksheet,
    value: object,
    *,
    bold: bool = False,
    fill: str | None = None,
    wrap: bool = True,
) -> WriteOnlyCell:
    """A cell that holds `value` as a string, never a formula, whatever it starts with."""
    cell = WriteOnlyCell(sheet, value=xlsx_text(value))
    cell.data_type = "s"
    if wrap:
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    if bold:
        cell.font = Font(bold=True)
    if fill:
        cell.fill = PatternFill("solid", start_color=fill, end_color=fill)
    return cell


def new_sheet(
    workbook: Workbook, title: str, widths: list[int], *, freeze: str | None = "A2"
) -> WriteOnlyWorksheet:
    sheet = workbook.create_sheet(title)
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    if freeze:
        sheet.freeze_panes = freeze
    return sheet


def append_row(sheet: WriteOnlyWorksheet, values: Iterable[object], **style) -> None:
    sheet.append([text_cell(sheet, value, **style) for value in values])


def about_sheet(workbook: Workbook, meta: ExportMeta, extra: list[tuple[str, str]]) -> None:
    """The sheet that says what the workbook is, where it comes from and how to cite it."""
    sheet = new_sheet(workbook, "about", [22, 100], freeze=None)
    rows = [
        ("Title", meta.title),
        ("Filter", meta.filter_text),
        *([("Release", meta.release_text)] if meta.release else []),
        ("Dataset version", str(meta.dataset_version)),
        ("Exported at", meta.exported_at.isoformat()),
        ("Page", meta.page_url),
        *extra,
        ("Licence", LICENCE_NOTE),
    ]
    for label, value in rows:
        sheet.append([text_cell(sheet, label, bold=True), text_cell(sheet, value)])


def spool(workbook: Workbook):
    """The workbook saved to a spooled temporary file, positioned at its start."""
    # Handed to FileResponse, which closes it once sent.
    file = tempfile.SpooledTemporaryFile(max_size=SPOOL_MAX_BYTES)  # noqa: SIM115
    workbook.save(file)
    file.seek(0)
    return file
