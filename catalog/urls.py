from django.urls import path

from . import views

urlpatterns = [
    path("datasets/<int:pk>/", views.dataset_detail, name="dataset-detail"),
    path("help/", views.help_page, name="help"),
]
