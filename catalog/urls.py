from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("datasets/<int:pk>/", views.dataset_detail, name="dataset-detail"),
]
