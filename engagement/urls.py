from django.urls import path

from engagement import draft_views, export_views, views

app_name = "engagement"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("frameworks/", views.FrameworkIndexView.as_view(), name="framework-index"),
    # Before the slug route, which would otherwise take "compare" for a framework.
    path("frameworks/compare/", views.FrameworkCompareView.as_view(), name="framework-compare"),
    path("frameworks/<slug:slug>/", views.FrameworkDetailView.as_view(), name="framework-detail"),
    path(
        "frameworks/<slug:slug>/cells/<slug:activity>/<slug:level>/",
        views.CellDetailView.as_view(),
        name="cell-detail",
    ),
    path(
        "editors/frameworks/draft/",
        draft_views.FrameworkDraftView.as_view(),
        name="framework-draft",
    ),
    path("activities/", views.ActivityIndexView.as_view(), name="activity-index"),
    path("activities/<slug:slug>/", views.ActivityDetailView.as_view(), name="activity-detail"),
    path("levels/", views.LevelIndexView.as_view(), name="level-index"),
    path("levels/<slug:slug>/", views.LevelDetailView.as_view(), name="level-detail"),
    # Exports and citations (docs/exports.md).
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
]
