"""`/documents/<slug>/cite.<bib|json|ris|txt>`: a document as a reference, in four formats;
at `?release=<tag>`, its description as it stood then, naming the release."""

from __future__ import annotations

from django.shortcuts import get_object_or_404

from core.at_release import PARAMETER, ReleaseParameterError, release_param, state
from core.exports import ExportView, bad_request, citing, shown_version
from sources.models import Document
from sources.references import CITE_FORMATS, Reference, cite_response, document_reference


class CiteView(ExportView):
    """`cite.<fmt>` of one object, in a format of `CITE_FORMATS` (a 404 naming them for
    another); at `?release=<tag>` as it stood then, naming the release (a 400 naming
    `release` for a tag that names none). `reference()` gives the reference and the file
    name's stem."""

    query_parameters = frozenset({PARAMETER})

    def get(self, request, fmt: str, **kwargs):
        CITE_FORMATS.writer(fmt)
        try:
            release = release_param(request.GET)
        except ReleaseParameterError as error:
            return bad_request({PARAMETER: [str(error)]})
        reference, stem = self.reference(request, release=release, **kwargs)
        suffix = f"-{release.tag}" if release is not None else ""
        return cite_response(reference, fmt, filename=f"{stem}{suffix}")

    def reference(self, request, *, release, **kwargs) -> tuple[Reference, str]:
        raise NotImplementedError


class DocumentCiteView(CiteView):
    def reference(self, request, *, release, slug: str) -> tuple[Reference, str]:
        at = state(release)
        # At a release, from the history (which keeps no `reader`); else without the layout.
        documents = at.objects(Document) if at is not None else Document.objects.defer("reader")
        document = get_object_or_404(documents.defer("text"), slug=slug)
        version = shown_version(release)
        return document_reference(
            document, **citing(request, version=version, release=release)
        ), slug
