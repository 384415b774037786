from django.urls import path

from institutions import export_views, views

app_name = "institutions"

urlpatterns = [
    path("institutions/", views.InstitutionIndexView.as_view(), name="institution-index"),
    # Before the slug route, which would otherwise take "compare" for an institution.
    path(
        "institutions/compare/",
        views.InstitutionCompareView.as_view(),
        name="institution-compare",
    ),
    path(
        "institutions/compare/export.<str:fmt>",
        export_views.ComparisonExportView.as_view(),
        name="compare-export",
    ),
    path(
        "institutions/<slug:slug>/",
        views.InstitutionDetailView.as_view(),
        name="institution-detail",
    ),
]
