from django.urls import path

from sources import citing_views, reference_views, repair_views, upload_views, views

app_name = "sources"

urlpatterns = [
    path("documents/", views.DocumentIndexView.as_view(), name="document-index"),
    # Before the document's own address, which "new" would otherwise match.
    path("documents/new/", upload_views.DocumentUploadView.as_view(), name="document-upload"),
    path(
        "documents/uploads/<uuid:pk>/",
        upload_views.UploadDetailView.as_view(),
        name="upload-detail",
    ),
    path("documents/<slug:slug>/", views.DocumentDetailView.as_view(), name="document-detail"),
    path(
        "documents/<slug:slug>/versions/new/",
        upload_views.VersionUploadView.as_view(),
        name="document-version-upload",
    ),
    path(
        "documents/<slug:slug>/sections/<slug:anchor>/",
        views.SectionView.as_view(),
        name="document-section",
    ),
    path(
        "documents/<slug:slug>/passages/<slug:anchor>/",
        views.PassagePermalinkView.as_view(),
        name="passage-permalink",
    ),
    path(
        "documents/<slug:slug>/passages/<slug:anchor>/cited-by/",
        views.CitedByView.as_view(),
        name="passage-cited-by",
    ),
    path(
        "documents/<slug:slug>/passages/<slug:anchor>/cite/",
        citing_views.PassageCiteView.as_view(),
        name="passage-cite",
    ),
    path("editors/claims/", citing_views.ClaimSearchView.as_view(), name="editor-claims"),
    path(
        "documents/<slug:slug>/source.txt",
        views.SourceTextView.as_view(),
        name="document-source",
    ),
    path(
        "documents/<slug:slug>/cite.<str:fmt>",
        reference_views.DocumentCiteView.as_view(),
        name="document-cite",
    ),
    path(
        "editors/citations/orphaned/",
        repair_views.OrphanedCitationsView.as_view(),
        name="citation-orphaned",
    ),
    path(
        "editors/citations/<int:pk>/reanchor/",
        repair_views.ReanchorView.as_view(),
        name="citation-reanchor",
    ),
]
