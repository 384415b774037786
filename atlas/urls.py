from django.urls import path

from atlas import views

app_name = "atlas"

urlpatterns = [
    path("export/datapackage.zip", views.DataPackageView.as_view(), name="datapackage"),
]
