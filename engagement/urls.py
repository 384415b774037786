from django.urls import path

from engagement import export_views, views

app_name = "engagement"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("frameworks/<slug:slug>/", views.FrameworkDetailView.as_view(), name="framework-detail"),
    # Exports and citations (README "Exports").
    path(
        "frameworks/<slug:slug>/export.<str:fmt>",
        export_views.FrameworkExportView.as_view(),
        name="framework-export",
    ),
    path(
        "frameworks/<slug:slug>/cells/<slug:activity>/<slug:level>/cite.<str:fmt>",
        export_views.CellCiteView.as_view(),
        name="cell-cite",
    ),
    path("export/datapackage.zip", export_views.DataPackageView.as_view(), name="datapackage"),
]
