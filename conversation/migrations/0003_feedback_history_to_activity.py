# Feedback and SearchHistory moved to the activity app. Their tables stay where they are; only
# Django's model state moves (activity/migrations/0001_initial.py takes them over).

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("conversation", "0002_message_answer_data"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="Feedback"),
                migrations.DeleteModel(name="SearchHistory"),
            ],
            database_operations=[],
        ),
    ]
