"""Citing from the reader, for editors: the cite form of a passage and the claim picker.

`/documents/<slug>/passages/<anchor>/cite/` shows the passage and a form: the claim (found
by a search, a bounded list), the role and the quote, typed or, from the reader's script,
selected (`?start=&end=`, offsets in the passage's shown text). Posting it writes the
citation as the citations API does (`sources.citing`) and goes to the claim's page, where
the quote is marked. Without JavaScript the search is a "Find" button that shows the form
again with the matching claims. Only editors (who may add citations) see any of it.
"""

from __future__ import annotations

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views import View

from core import registry
from core.pages import breadcrumbs
from sources.citing import (
    CLAIMS_OFFERED,
    citation_from_form,
    claim_choice,
    claim_search,
    selection_quote,
)
from sources.models import Citation, CitationRole, Passage

CITE_PERMISSION = "sources.add_citation"


def may_cite(user) -> bool:
    """Whether `user` is an editor who may cite passages (adds citations)."""
    return user.is_authenticated and user.has_perm(CITE_PERMISSION)


class EditorsOnlyMixin:
    """Signed-out visitors are sent to sign in; signed-in ones who are not editors get a 403."""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not may_cite(request.user):
            raise PermissionDenied("Only editors cite passages.")
        return super().dispatch(request, *args, **kwargs)  # type: ignore[misc]


def _offset(raw: str | None) -> int | None:
    """A character offset in a passage's shown text, or None when not given."""
    if raw is None or raw == "":
        return None
    value = raw.strip()
    if not value.isascii() or not value.isdigit() or len(value) > 9:
        raise ValueError(f"“{raw[:20]}” is not an offset in the passage.")
    return int(value)


class PassageCiteView(EditorsOnlyMixin, View):
    """The cite form of one passage: GET shows it, POST finds claims or writes the citation."""

    query_parameters = frozenset({"start", "end", "q", "claim", "role"})
    template_name = "sources/passage_cite.html"

    def passage(self) -> Passage:
        passage = get_object_or_404(
            Passage.objects.select_related("document", "table_header").defer(
                "document__text", "document__reader"
            ),
            document__slug=self.kwargs["slug"],
            anchor=self.kwargs["anchor"],
            retired=False,
        )
        return passage

    def get(self, request, slug: str, anchor: str):
        passage = self.passage()
        params = request.GET
        values = {
            "q": params.get("q", ""),
            "claim": params.get("claim", ""),
            "role": params.get("role", CitationRole.SOURCE),
            "exact": "",
            "start": "",
        }
        parameter_errors: dict[str, list[str]] = {}
        offsets: dict[str, int | None] = {}
        for name in ("start", "end"):
            try:
                offsets[name] = _offset(params.get(name))
            except ValueError as error:
                parameter_errors[name] = [str(error)]
        start, end = offsets.get("start"), offsets.get("end")
        if not parameter_errors and (start is None) != (end is None):
            missing = "end" if end is None else "start"
            parameter_errors[missing] = ["A selection needs both start and end."]
        elif not parameter_errors and start is not None and end is not None:
            try:
                values["exact"], first = selection_quote(passage, start, end)
                values["start"] = str(first)
            except ValueError as error:
                parameter_errors["start"] = [str(error)]
        return self.render(passage, values, errors={}, parameter_errors=parameter_errors)

    def post(self, request, slug: str, anchor: str):
        passage = self.passage()
        data = request.POST
        values = {name: data.get(name, "") for name in ("q", "claim", "role", "exact", "start")}
        values["role"] = values["role"] or CitationRole.SOURCE
        if data.get("action") == "find":
            return self.render(passage, values, errors={})
        errors: dict[str, list[str]] = {}
        try:
            start = _offset(values["start"])
        except ValueError as error:
            errors["exact"] = [str(error)]
            start = None
        if not errors:
            citation, errors = citation_from_form(
                passage=passage,
                claim=values["claim"],
                role=values["role"],
                exact=values["exact"],
                start=start,
            )
            if citation is not None:
                content_type = citation.content_type
                claim_type = registry.claim_type(content_type.app_label, content_type.model)
                url = claim_type.url(citation.claim) if claim_type is not None else None
                return HttpResponseRedirect(url or citation.get_absolute_url())
        return self.render(passage, values, errors=errors, status=400)

    def render(self, passage, values, *, errors, parameter_errors=None, status=None):
        choices, more = claim_search(values["q"])
        chosen = claim_choice(values["claim"]) if values["claim"] else None
        if chosen is not None and chosen.value not in {c.value for c in choices}:
            choices.insert(0, chosen)
        document = passage.document
        selection = None
        start = values["start"]
        if start.isascii() and start.isdigit() and values["exact"]:
            # The words selected, marked in the passage shown above the form.
            first = int(start)
            selection = Citation(
                passage=passage,
                exact=values["exact"],
                start=first,
                end=first + len(values["exact"]),
            )
        context = {
            "selection": selection,
            "passage": passage,
            "document": document,
            "values": values,
            "form_errors": errors,
            "errors": parameter_errors or {},
            "choices": choices,
            "more_choices": more,
            "claims_offered": CLAIMS_OFFERED,
            "roles": CitationRole.choices,
            "claims_url": reverse("sources:editor-claims"),
            "breadcrumbs": breadcrumbs(
                ("Documents", reverse("sources:document-index")),
                (document.title, document.get_absolute_url()),
                (f"Cite: {passage.anchor}", None),
            ),
        }
        if status is None and parameter_errors:
            status = 400
        response = TemplateResponse(self.request, self.template_name, context, status=status)
        response["Cache-Control"] = "private, no-store"
        return response


class ClaimSearchView(View):
    """`/editors/claims/?q=`: the claims whose names hold every word of `q`, as JSON, at
    most CLAIMS_OFFERED (`truncated` says when more match)."""

    query_parameters = frozenset({"q"})

    def dispatch(self, request, *args, **kwargs):
        if not may_cite(request.user):
            return JsonResponse({"detail": "Only editors search claims to cite."}, status=403)
        return super().dispatch(request, *args, **kwargs)

    def get(self, request):
        choices, more = claim_search(request.GET.get("q", ""))
        response = JsonResponse(
            {
                "results": [
                    {"value": c.value, "kind": c.kind, "label": c.label, "text": c.text}
                    for c in choices
                ],
                "truncated": more,
            }
        )
        response["Cache-Control"] = "private, no-store"
        return response
