from django.urls import path

from . import views

urlpatterns = [
    path("search", views.search_page, name="search"),
    path("datasets/<int:pk>/", views.dataset_detail, name="dataset-detail"),
]
