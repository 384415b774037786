"""`/documents/<slug>/cite.<bib|json|txt>`: a document as a reference, in three formats;
at `?release=<tag>`, its description as it stood then, naming the release."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.views import View

from core.dataset import dataset_version
from core.exports import bad_request
from core.releases import PARAMETER, ReleaseParameterError, release_param, state
from sources.citing import CITE_FORMATS, cite_response, document_reference
from sources.models import Document


class DocumentCiteView(View):
    def get(self, request, slug: str, fmt: str):
        CITE_FORMATS.writer(fmt)
        try:
            release = release_param(request.GET)
        except ReleaseParameterError as error:
            return bad_request({PARAMETER: [str(error)]})
        at = state(release)
        documents = at.objects(Document) if at is not None else Document.objects.all()
        document = get_object_or_404(documents.defer("text"), slug=slug)
        version = release.version if release is not None else dataset_version().version
        reference = document_reference(request, document, version=version, release=release)
        suffix = f"-{release.tag}" if release is not None else ""
        return cite_response(reference, fmt, filename=f"{slug}{suffix}")
