from django.urls import path

from . import views
from .saved import views as saved_views

urlpatterns = [
    path("search", views.search_page, name="search"),
    path("datasets/<int:pk>/", views.dataset_detail, name="dataset-detail"),
    path("saved/", saved_views.saved_searches_page, name="saved-searches"),
    path("saved/new", saved_views.saved_search_create, name="saved-search-create"),
    path("saved/seen", saved_views.saved_searches_seen_all, name="saved-searches-seen"),
    path("saved/<int:pk>/seen", saved_views.saved_search_seen, name="saved-search-seen"),
    path("saved/<int:pk>/alerts", saved_views.saved_search_alerts, name="saved-search-alerts"),
    path("saved/<int:pk>/delete", saved_views.saved_search_delete, name="saved-search-delete"),
]
