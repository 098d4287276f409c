from django.urls import path

from . import api

urlpatterns = [
    path("datasets", api.DatasetListApi.as_view(), name="api-datasets"),
    path("datasets/<int:pk>", api.DatasetDetailApi.as_view(), name="api-dataset-detail"),
    path("datasets/<int:pk>/preview", api.DatasetPreviewApi.as_view(), name="api-dataset-preview"),
]
