from django.urls import path

from . import api, export_api

urlpatterns = [
    path("datasets", api.DatasetListApi.as_view(), name="api-datasets"),
    path("datasets/<int:pk>", api.DatasetDetailApi.as_view(), name="api-dataset-detail"),
    path("datasets/<int:pk>/citation", export_api.DatasetCitationApi.as_view(), name="api-dataset-citation"),
    path(
        "datasets/<int:pk>/datapackage.json",
        export_api.DatasetDataPackageApi.as_view(),
        name="api-dataset-datapackage",
    ),
    path("datasets/<int:pk>/jsonld", export_api.DatasetJsonLdApi.as_view(), name="api-dataset-jsonld"),
    path("datasets/<int:pk>/snippets", export_api.DatasetSnippetsApi.as_view(), name="api-dataset-snippets"),
    path("datasets/<int:pk>/preview", api.DatasetPreviewApi.as_view(), name="api-dataset-preview"),
]
