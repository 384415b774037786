from django.urls import path

from engagement import views

app_name = "engagement"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("frameworks/<slug:slug>/", views.FrameworkDetailView.as_view(), name="framework-detail"),
]
