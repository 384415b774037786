from django.urls import path, register_converter

from atlas import changes_views, views


class TagConverter:
    """A release tag: letters, digits, "." and "-"."""

    regex = r"[A-Za-z0-9][A-Za-z0-9.\-]*"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(TagConverter, "tag")

app_name = "atlas"

urlpatterns = [
    path("export/datapackage.zip", views.DataPackageView.as_view(), name="datapackage"),
    path("changes/", changes_views.ChangeListView.as_view(), name="change-list"),
    path("changes/feed.atom", changes_views.ChangesFeed(), name="changes-feed"),
    path("releases/", views.ReleaseIndexView.as_view(), name="release-index"),
    # Before the tag routes: "compare" is not a tag (release_create refuses it).
    path("releases/compare/", views.ReleaseCompareView.as_view(), name="release-compare"),
    path(
        "releases/compare/export.csv",
        views.ReleaseCompareExportView.as_view(),
        name="release-compare-export",
    ),
    path("releases/<tag:tag>/", views.ReleaseDetailView.as_view(), name="release-detail"),
    path(
        "releases/<tag:tag>/datapackage.zip",
        views.ReleasePackageView.as_view(),
        name="release-datapackage",
    ),
]
