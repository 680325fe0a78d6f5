from django.db import migrations


def fill(apps, schema_editor):
    """Until now the working copy was frozen on submit, so a submitted application's partners are
    its submitted version's; placeholders keep the name they were created with as the typed name."""
    Application = apps.get_model("applications", "Application")
    Partner = apps.get_model("applications", "Partner")
    for application in Application.objects.exclude(state="draft").filter(versions__isnull=False).distinct():
        application.submitted_partners.set(
            Partner.objects.filter(application=application).values_list("organisation_id", flat=True)
        )
    for partner in Partner.objects.filter(organisation__is_placeholder=True, typed_name="").select_related(
        "organisation"
    ):
        partner.typed_name = partner.organisation.name
        partner.save(update_fields=["typed_name"])


class Migration(migrations.Migration):
    dependencies = [("applications", "0003_submitted_partners_typed_names")]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
