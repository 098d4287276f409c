from django.apps import AppConfig


def _check_llm() -> dict:
    """Each configured provider and its circuit state; the built-in responder is always up."""
    from .llm import provider_health

    report = provider_health()
    return {"status": report["status"], "providers": report["providers"], "fallback": "builtin"}


class ConversationConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "conversation"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from catalog.models import Publisher, Source
        from ops import health

        from .followup.targets import vocabulary_changed

        health.register_check("llm", _check_llm, pooled=True)
        # A renamed, added or removed publisher or source is a new target vocabulary at once (the count-and-last-id
        # fingerprint misses a rename, and rows that come back with the same ids after a rollback).
        for model in (Publisher, Source):
            post_save.connect(
                vocabulary_changed, sender=model, dispatch_uid=f"followup-vocabulary-save-{model.__name__}"
            )
            post_delete.connect(
                vocabulary_changed, sender=model, dispatch_uid=f"followup-vocabulary-del-{model.__name__}"
            )
