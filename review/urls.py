from django.urls import path

from review import views

app_name = "review"

urlpatterns = [
    path("sign-in/", views.SignInView.as_view(), name="sign-in"),
    path("sign-out/", views.SignOutView.as_view(), name="sign-out"),
    path("flags/new/", views.FlagCreateView.as_view(), name="flag-create"),
    path("flags/mine/", views.MyFlagsView.as_view(), name="flag-mine"),
    path("editors/flags/", views.FlagQueueView.as_view(), name="flag-queue"),
    path(
        "editors/flags/<int:pk>/accept/",
        views.FlagDecideView.as_view(decision="accept"),
        name="flag-accept",
    ),
    path(
        "editors/flags/<int:pk>/decline/",
        views.FlagDecideView.as_view(decision="decline"),
        name="flag-decline",
    ),
]
