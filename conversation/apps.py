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
        from ops import health

        health.register_check("llm", _check_llm, pooled=True)
