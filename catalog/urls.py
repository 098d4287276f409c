from django.urls import path

from . import views

urlpatterns = [
    path("help/", views.help_page, name="help"),
    path(
        "datasets/<int:pk>/files/<int:distribution_pk>/download",
        views.distribution_download,
        name="distribution-download",
    ),
]
