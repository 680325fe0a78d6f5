from django.db import migrations


class Migration(migrations.Migration):
    """lead_snapshot was written and never read; submitted_summary["lead"] holds the same."""

    dependencies = [("applications", "0005_submitted_summary")]

    operations = [migrations.RemoveField(model_name="application", name="lead_snapshot")]
