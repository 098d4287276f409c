from django.urls import path

from . import export_api, views

urlpatterns = [
    path("help/", views.help_page, name="help"),
    path("catalog.jsonld", export_api.CatalogDcatApi.as_view(), name="catalog-dcat-jsonld"),
    path("catalog.ttl", export_api.CatalogTurtleApi.as_view(), name="catalog-dcat-ttl"),
    path(
        "datasets/<int:pk>/files/<int:distribution_pk>/download",
        views.distribution_download,
        name="distribution-download",
    ),
]
