"""Pages of the whole knowledge base: its data package, and its releases (frozen states),
each with its own data package, and two of them compared."""

from __future__ import annotations

from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.http import FileResponse, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.views import View
from django.views.generic import TemplateView

from atlas import datapackage
from atlas.releases import CSV_COLUMNS, CURRENT, ReleaseComparison, release_comparison
from core.at_release import ReleaseParameterError, release_param
from core.dataset import dataset_version
from core.exports import CSV, ExportView, bad_request, csv_lines, provenance
from core.metadata import absolute_url, canonical_url, dataset, json_ld
from core.models import Release, ReleasePackage
from core.pages import api_link, breadcrumbs

# Differences a comparison page lists; the CSV always has all of them.
COMPARE_PAGE_LIMIT = 500


class DataPackageView(ExportView):
    """`/export/datapackage.zip`: the whole knowledge base, one CSV per table."""

    def get(self, request):
        version = dataset_version().version
        spool = datapackage.write_datapackage(
            version=version, created=timezone.now(), site_url=request.build_absolute_uri("/")
        )
        return provenance(
            FileResponse(spool, content_type="application/zip"),
            version=version,
            filename=f"engagement-atlas-v{version}-datapackage.zip",
        )


class ReleaseIndexView(TemplateView):
    """Every release, newest first, 50 a page."""

    template_name = "atlas/release_index.html"
    paginate_by = 50

    def get(self, request, *args, **kwargs):
        context = {
            "api_url": api_link("release-list"),
            "breadcrumbs": breadcrumbs(("Releases", None)),
        }
        unknown = sorted(set(request.GET) - {"page"})
        raw = request.GET.get("page", "1")
        paginator = Paginator(
            Release.objects.listing(), self.paginate_by, allow_empty_first_page=True
        )
        errors = {name: ["Unknown parameter; this page takes page."] for name in unknown}
        try:
            page = paginator.page(raw if raw.isascii() and raw.isdigit() and len(raw) < 10 else "x")
        except (PageNotAnInteger, EmptyPage):
            errors["page"] = [f"No page “{raw[:20]}”; there are {paginator.num_pages}."]
        if errors:
            context["errors"] = errors
            return self.render_to_response(context, status=400)
        context.update(
            releases=list(page.object_list),
            previous=f"?page={page.previous_page_number()}" if page.has_previous() else None,
            following=f"?page={page.next_page_number()}" if page.has_next() else None,
        )
        return self.render_to_response(context)


class ReleaseDetailView(TemplateView):
    """A release: its notes, time, dataset version, counts, and its data package."""

    template_name = "atlas/release_detail.html"

    def get_context_data(self, **kwargs):
        release = get_object_or_404(Release.objects.listing(), tag=self.kwargs["tag"])
        request = self.request
        description = " ".join(release.notes.split()) or (
            f"Release {release.tag} of the Engagement Atlas knowledge base: every framework, "
            "cell, institution, source passage and citation as they stood at dataset version "
            f"{release.version}, as a Frictionless data package."
        )
        # Not `release`: that names the release a page is shown at (the banner).
        return {
            "description": description,
            "structured_data": json_ld(
                dataset(
                    name=f"Engagement Atlas, release {release.tag}"
                    + (f": {release.title}" if release.title else ""),
                    description=description,
                    url=canonical_url(request),
                    distribution=[
                        ("application/zip", absolute_url(request, release.datapackage_path))
                    ],
                    version=release.tag,
                    datePublished=release.created_at.isoformat(timespec="seconds"),
                    isAccessibleForFree=True,
                )
            ),
            "frozen": release,
            "counts": sorted(release.counts.items()),
            "at_release": f"?release={release.tag}",
            "api_url": api_link("release-detail", release.tag),
            "breadcrumbs": breadcrumbs(
                ("Releases", reverse("atlas:release-index")), (release.tag, None)
            ),
        }


class ReleasePackageView(View):
    """A release's data package: built once, the same bytes at every download."""

    def get(self, request, tag: str):
        package = get_object_or_404(
            ReleasePackage.objects.select_related("release"), release__tag=tag
        )
        response = HttpResponse(bytes(package.content), content_type="application/zip")
        response["ETag"] = f'"{package.sha256}"'
        response["Digest"] = f"sha-256={package.sha256}"
        # Never changes: caches may keep it for a year.
        response["Cache-Control"] = "public, max-age=31536000, immutable"
        return provenance(
            response,
            version=package.release.version,
            filename=f"engagement-atlas-{tag}-datapackage.zip",
        )


def _pair(params) -> tuple[Release | None, Release | None, dict[str, list[str]]]:
    """`a` (a release) and `b` (a release, or "current"): the releases, and the errors."""
    errors: dict[str, list[str]] = {}
    found: dict[str, Release | None] = {}
    for name in ("a", "b"):
        raw = params.get(name)
        if not raw:
            errors[name] = ["Required: a release tag" + (", or current." if name == "b" else ".")]
            continue
        if name == "b" and raw == CURRENT:
            found[name] = None
            continue
        try:
            found[name] = release_param({"release": raw})
        except ReleaseParameterError as error:
            errors[name] = [str(error)]
    for name in params:
        if name not in ("a", "b"):
            errors[name] = ["Unknown parameter; this page takes a and b."]
    return found.get("a"), found.get("b"), errors


class ReleaseCompareView(TemplateView):
    """Two releases (or a release and the current state) compared: what was added, changed
    (word by word) and removed, grouped by framework and activity, and by institution."""

    template_name = "atlas/release_compare.html"

    def get(self, request, *args, **kwargs):
        a, b, errors = _pair(request.GET)
        context = {
            "releases": list(Release.objects.listing()),
            "a_tag": request.GET.get("a", ""),
            "b_tag": request.GET.get("b", ""),
            "breadcrumbs": breadcrumbs(
                ("Releases", reverse("atlas:release-index")), ("Compare", None)
            ),
        }
        if errors or a is None:
            context["errors"] = dict(sorted(errors.items()))
            return self.render_to_response(context, status=400)
        comparison = release_comparison(a, b)
        context.update(
            comparison=comparison,
            groups=_limited(comparison),
            shown=min(len(comparison.differences), COMPARE_PAGE_LIMIT),
            added=comparison.count("added"),
            changed=comparison.count("changed"),
            removed=comparison.count("removed"),
            csv_url=f"{reverse('atlas:release-compare-export')}?{request.GET.urlencode()}",
        )
        return self.render_to_response(context)


def _limited(comparison: ReleaseComparison) -> list:
    left = COMPARE_PAGE_LIMIT
    groups = []
    for group, differences in comparison.grouped():
        if left <= 0:
            break
        groups.append((group, differences[:left]))
        left -= len(differences)
    return groups


class ReleaseCompareExportView(View):
    """The comparison as CSV: one row per difference."""

    def get(self, request):
        a, b, errors = _pair(request.GET)
        if errors or a is None:
            return bad_request(errors)
        comparison = release_comparison(a, b)
        rows = (difference.csv_row() for difference in comparison.differences)
        b_name = b.tag if b is not None else CURRENT
        response = StreamingHttpResponse(csv_lines(CSV_COLUMNS, rows), content_type=CSV)
        version = b.version if b is not None else dataset_version().version
        return provenance(
            response, version=version, filename=f"engagement-atlas-{a.tag}-to-{b_name}.csv"
        )
