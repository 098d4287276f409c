# Takes over Feedback and SearchHistory from the conversation app: state only, the tables
# (conversation_feedback, conversation_searchhistory) already exist and keep their names.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("catalog", "0001_initial"),
        ("conversation", "0003_feedback_history_to_activity"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name="SearchHistory",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("session_key", models.CharField(blank=True, db_index=True, max_length=64)),
                        ("query", models.CharField(max_length=500)),
                        ("filters", models.JSONField(blank=True, default=dict)),
                        ("result_count", models.PositiveIntegerField(default=0)),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        ("conversation", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="searches", to="conversation.conversation")),
                        ("user", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name="search_history", to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        "verbose_name_plural": "search history",
                        "ordering": ["-created_at"],
                        "db_table": "conversation_searchhistory",
                    },
                ),
                migrations.CreateModel(
                    name="Feedback",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("session_key", models.CharField(blank=True, max_length=64)),
                        ("target", models.CharField(choices=[("result", "Search result"), ("answer", "AI answer")], max_length=16)),
                        ("query", models.CharField(blank=True, max_length=500)),
                        ("rank", models.PositiveSmallIntegerField(blank=True, null=True)),
                        ("value", models.SmallIntegerField(help_text="+1 thumbs up, -1 thumbs down")),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        ("dataset", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name="feedback", to="catalog.dataset")),
                        ("user", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="feedback", to=settings.AUTH_USER_MODEL)),
                        ("message", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name="feedback", to="conversation.message")),
                    ],
                    options={
                        "verbose_name_plural": "feedback",
                        "ordering": ["-created_at"],
                        "db_table": "conversation_feedback",
                        "constraints": [
                            models.CheckConstraint(condition=models.Q(("value__in", [-1, 1])), name="feedback_value_pm1"),
                            models.CheckConstraint(
                                condition=models.Q(
                                    models.Q(("target", "result"), ("dataset__isnull", False)),
                                    models.Q(("target", "answer"), ("message__isnull", False)),
                                    _connector="OR",
                                ),
                                name="feedback_target_matches",
                            ),
                        ],
                    },
                ),
            ],
        ),
    ]
