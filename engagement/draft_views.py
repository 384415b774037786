"""Drafting a framework from a table of a source, in the browser (editors only).

The reader links each table's page here (`?document=<slug>&table=<anchor>`). The page shows
the table's columns, each with the level its heading names pre-selected, for the editor to
confirm or change; the draft is written by the same service as the API
(`engagement.services.framework_draft`), and the editor lands on its matrix.
"""

from __future__ import annotations

from django import forms
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.views import View

from core.pages import breadcrumbs
from core.paging import BadParameters, only_parameters
from engagement.drafting import split_cells
from engagement.services import TableDraft, framework_draft, table_draft_read
from institutions.models import Institution
from sources.models import Document

TEMPLATE = "engagement/framework_draft.html"
# What the query string names: the document, and a passage of its table.
PARAMETERS = ("document", "table")
# The fields as the page names them, and where each error's link leads.
FIELD_LABELS = {
    "levels": "Levels",
    "institutions": "Institutions",
    "slug": "Slug",
    "name": "Name",
    "table": "Table",
    "__all__": "Draft",
}
FIELD_TARGETS = {"levels": "levels", "table": "levels", "__all__": "levels"}
# The institutions field holds slugs separated by commas or spaces.
MAX_INSTITUTIONS = 50


class DraftForm(forms.Form):
    """The editor's choices besides the levels (those are one field per column, read from
    `level-<column>`)."""

    institutions = forms.CharField(required=False, max_length=2000)
    slug = forms.CharField(required=False, max_length=100)
    name = forms.CharField(required=False, max_length=200)

    def clean_institutions(self) -> list[Institution]:
        slugs = list(dict.fromkeys(self.cleaned_data["institutions"].replace(",", " ").split()))
        if len(slugs) > MAX_INSTITUTIONS:
            raise ValidationError(f"At most {MAX_INSTITUTIONS} institutions.")
        found = {i.slug: i for i in Institution.objects.filter(slug__in=slugs)}
        unknown = [slug for slug in slugs if slug not in found]
        if unknown:
            raise ValidationError(f"No institution has the slug {', '.join(unknown)}.")
        return [found[slug] for slug in slugs]


def _table_asked(params) -> tuple[Document, TableDraft]:
    """The document and table the query string names, or BadParameters naming them."""
    only_parameters(params, PARAMETERS)
    slug = params.get("document", "")
    document = Document.objects.defer("text", "reader").filter(slug=slug[:100]).first()
    if document is None:
        raise BadParameters({"document": [f"No document has the slug “{slug[:100]}”."]})
    try:
        return document, table_draft_read(document=document, table=params.get("table", "")[:200])
    except ValidationError as error:
        raise BadParameters(error.message_dict) from None


class FrameworkDraftView(LoginRequiredMixin, PermissionRequiredMixin, View):
    """The form (GET) and the draft it writes (POST), then the draft's matrix."""

    permission_required = "engagement.add_framework"
    # Editors sign in where the rest of the editors' pages send them.

    def dispatch(self, request, *args, **kwargs):
        response = super().dispatch(request, *args, **kwargs)
        response["Cache-Control"] = "private, no-store"
        return response

    def get(self, request):
        try:
            document, read = _table_asked(request.GET)
        except BadParameters as error:
            return self.render(None, None, DraftForm(), errors=error.errors, status=400)
        return self.render(document, read, DraftForm())

    def post(self, request):
        try:
            document, read = _table_asked(request.GET)
        except BadParameters as error:
            return self.render(None, None, DraftForm(), errors=error.errors, status=400)
        form = DraftForm(request.POST)
        mapping = {
            column.heading: request.POST.get(f"level-{column.index}", "")[:50] or None
            for column in read.columns
        }
        problems: dict[str, list[str]] = {}
        if form.is_valid():
            data = form.cleaned_data
            try:
                framework = framework_draft(
                    document=document,
                    table=read.table.rows[0].anchor,
                    levels=mapping,
                    institutions=data["institutions"],
                    slug=data["slug"],
                    name=data["name"],
                    changed_by=request.user,
                )
            except ValidationError as error:
                problems = error.message_dict
            else:
                return HttpResponseRedirect(framework.get_absolute_url(), status=303)
        problems = {**{name: list(e) for name, e in form.errors.items()}, **problems}
        return self.render(document, read, form, chosen=mapping, problems=problems, status=400)

    def render(self, document, read, form, *, chosen=None, problems=None, errors=None, status=200):
        """The page: the table's columns, each with its level (as chosen, else as its
        heading names it), the other fields, and the problems by field."""
        columns = [
            {
                "index": column.index,
                "heading": column.heading,
                "level": column.level if chosen is None else chosen.get(column.heading),
            }
            for column in (read.columns if read is not None else ())
        ]
        problems = problems or {}
        context = {
            "document": document,
            "table": read.table if read is not None else None,
            "columns": columns,
            "levels": read.levels if read is not None else (),
            "activities": [
                split_cells(row.shown)[0][0]
                for row in (read.table.rows if read is not None else ())
                if not row.is_table_header
            ],
            "values": form.data if form.is_bound else {},
            "problems": [
                (FIELD_LABELS.get(name, name), FIELD_TARGETS.get(name, f"f-{name}"), message)
                for name, messages in problems.items()
                for message in messages
            ],
            "field_problems": problems,
            "errors": errors,
            "breadcrumbs": breadcrumbs(("Draft a framework", None)),
        }
        return TemplateResponse(self.request, TEMPLATE, context, status=status)
