"""`/documents/<slug>/cite.<bib|json|ris|txt>`: a document as a reference, in four formats;
at `?release=<tag>`, its description as it stood then, naming the release."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.utils import timezone

from core.at_release import PARAMETER, ReleaseParameterError, release_param, state
from core.dataset import dataset_version
from core.exports import ExportView, bad_request
from sources.models import Document
from sources.references import CITE_FORMATS, cite_response, document_reference


class DocumentCiteView(ExportView):
    query_parameters = frozenset({PARAMETER})

    def get(self, request, slug: str, fmt: str):
        CITE_FORMATS.writer(fmt)
        try:
            release = release_param(request.GET)
        except ReleaseParameterError as error:
            return bad_request({PARAMETER: [str(error)]})
        at = state(release)
        # At a release, from the history (which keeps no `reader`); else without the layout.
        documents = at.objects(Document) if at is not None else Document.objects.defer("reader")
        document = get_object_or_404(documents.defer("text"), slug=slug)
        version = release.version if release is not None else dataset_version().version
        reference = document_reference(
            document,
            site_url=request.build_absolute_uri("/"),
            accessed=timezone.localdate(),
            version=version,
            release=release,
        )
        suffix = f"-{release.tag}" if release is not None else ""
        return cite_response(reference, fmt, filename=f"{slug}{suffix}")
