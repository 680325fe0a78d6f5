from django.db import migrations, models

# A copy of applications.models.SUMMARY_FIELDS and submitted_summary() as they were when this
# migration was written: a migration must not change with the code.
SUMMARY_FIELDS = ("route_label", "chief_name", "chief_title", "lead_name")


def summary(data):
    fields = data.get("fields", {})
    return {
        "lead": data.get("lead", {}),
        "partners": data.get("partners", []),
        "fields": {name: fields.get(name, "") for name in SUMMARY_FIELDS},
        "budget": {"by_source": data.get("budget", {}).get("by_source", {})},
    }


def fill(apps, schema_editor):
    """Each submitted application's summary, from its latest version; in batches, so memory stays
    flat however many there are."""
    Application = apps.get_model("applications", "Application")
    ApplicationVersion = apps.get_model("applications", "ApplicationVersion")
    batch, current = [], None
    versions = ApplicationVersion.objects.order_by("application_id", "number").values_list("application_id", "data")
    for application_id, data in versions.iterator(chunk_size=500):
        if current is not None and current.pk != application_id:
            batch.append(current)
        current = Application(pk=application_id, submitted_summary=summary(data))  # the later number wins
        if len(batch) >= 500:
            Application.objects.bulk_update(batch, ["submitted_summary"])
            batch = []
    if current is not None:
        batch.append(current)
    Application.objects.bulk_update(batch, ["submitted_summary"])


class Migration(migrations.Migration):
    dependencies = [("applications", "0004_fill_submitted_partners")]

    operations = [
        migrations.AddField(
            model_name="application",
            name="submitted_summary",
            field=models.JSONField(blank=True, default=dict, editable=False),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
