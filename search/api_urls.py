from django.urls import path

from . import api
from .saved import api as saved_api

urlpatterns = [
    path("search", api.SearchApi.as_view(), name="api-search"),
    path("datasets/<int:pk>/similar", api.DatasetSimilarApi.as_view(), name="api-dataset-similar"),
    path("saved-searches", saved_api.SavedSearchListApi.as_view(), name="api-saved-searches"),
    path("saved-searches/<int:pk>", saved_api.SavedSearchDetailApi.as_view(), name="api-saved-search"),
    path("saved-searches/<int:pk>/matches", saved_api.SavedSearchMatchesApi.as_view(), name="api-saved-search-matches"),
    path("saved-searches/<int:pk>/seen", saved_api.SavedSearchSeenApi.as_view(), name="api-saved-search-seen"),
]
