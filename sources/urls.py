from django.urls import path

from sources import cite_views, views

app_name = "sources"

urlpatterns = [
    path("documents/", views.DocumentIndexView.as_view(), name="document-index"),
    path("documents/<slug:slug>/", views.DocumentDetailView.as_view(), name="document-detail"),
    path(
        "documents/<slug:slug>/cite.<str:fmt>",
        cite_views.DocumentCiteView.as_view(),
        name="document-cite",
    ),
]
