from django.urls import path

from sources import views

app_name = "sources"

urlpatterns = [
    path("documents/", views.DocumentIndexView.as_view(), name="document-index"),
    path("documents/<slug:slug>/", views.DocumentDetailView.as_view(), name="document-detail"),
]
