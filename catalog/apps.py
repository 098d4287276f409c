from django.apps import AppConfig


def _catalog_size() -> int:
    from .models import Dataset

    return Dataset.objects.active().count()


def _catalog_empty() -> str | None:
    return "catalog is empty" if _catalog_size() == 0 else None


class CatalogConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "catalog"

    def ready(self) -> None:
        from ops import health

        # Registers the catalog's Celery tasks in every process: the preview service queues by task name.
        from . import tasks  # noqa: F401

        health.register_fact("catalog_size", _catalog_size)
        health.register_readiness("catalog", _catalog_empty)
