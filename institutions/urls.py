from django.urls import path

from engagement import export_views

app_name = "institutions"

urlpatterns: list = [
    path(
        "institutions/compare/export.<str:fmt>",
        export_views.ComparisonExportView.as_view(),
        name="compare-export",
    ),
]
