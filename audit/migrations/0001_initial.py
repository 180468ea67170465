"""The audit log's table, adopted from the staff app (formerly ``moderation``) where it was created.

On a database that already has ``moderation_auditlog`` (created by the old ``moderation`` 0001 migration) the
table is left as it is and only the migration state moves; on a new database the table is created here. The
content type follows the model, so admin permissions and admin log entries keep pointing at it.
"""

import uuid

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

TABLE = "moderation_auditlog"


def create_table_unless_present(apps, schema_editor):
    if TABLE in schema_editor.connection.introspection.table_names():
        return
    schema_editor.create_model(apps.get_model("audit", "AuditLog"))


def drop_table(apps, schema_editor):
    schema_editor.delete_model(apps.get_model("audit", "AuditLog"))


def move_content_type(apps, schema_editor):
    content_types = apps.get_model("contenttypes", "ContentType")
    old = content_types.objects.filter(app_label="moderation", model="auditlog")
    if not content_types.objects.filter(app_label="audit", model="auditlog").exists():
        old.update(app_label="audit")


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="AuditLog",
                    fields=[
                        ("id", models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                        ("action", models.CharField(max_length=64)),
                        ("target_type", models.CharField(help_text="app_label.model of the target", max_length=64)),
                        ("target_id", models.CharField(max_length=64)),
                        ("target_repr", models.CharField(blank=True, max_length=255)),
                        ("details", models.JSONField(blank=True, default=dict)),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        (
                            "actor",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="audit_entries",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "db_table": TABLE,
                        "ordering": ["-created_at"],
                        "indexes": [
                            models.Index(fields=["-created_at"], name="moderation_audit_created"),
                            models.Index(fields=["action", "-created_at"], name="moderation_audit_action"),
                            models.Index(fields=["target_type", "target_id"], name="moderation_audit_target"),
                            models.Index(fields=["actor", "-created_at"], name="moderation_audit_actor"),
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(create_table_unless_present, drop_table),
        migrations.RunPython(move_content_type, migrations.RunPython.noop),
    ]
