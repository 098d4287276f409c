from django.urls import path

from . import api

urlpatterns = [
    path("search", api.SearchApi.as_view(), name="api-search"),
    path("datasets/<int:pk>/similar", api.DatasetSimilarApi.as_view(), name="api-dataset-similar"),
]
