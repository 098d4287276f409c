from django.apps import AppConfig


class OpsConfig(AppConfig):
    """Health, metrics, logging, request middleware, throttling and API auth.

    Nothing in the domain apps imports this package except their ``apps.py``, which registers the
    app's health checks and metric collectors here.
    """

    name = "ops"
    verbose_name = "Operations"

    def ready(self) -> None:
        from . import health

        health.register_check("database", health.check_database, required=True)
        health.register_check("cache", health.check_cache, pooled=True)
        health.register_check("broker", health.check_broker, pooled=True)
        health.register_check("workers", health.check_workers, pooled=True)
