from django.db import migrations


def fill(apps, schema_editor):
    """Each application's submitted partners are those of its latest version (found by credit code),
    not its working copy, which a lead may be revising; placeholders keep what they were created
    with as this application's typed particulars."""
    Application = apps.get_model("applications", "Application")
    ApplicationVersion = apps.get_model("applications", "ApplicationVersion")
    Organisation = apps.get_model("accounts", "Organisation")
    Partner = apps.get_model("applications", "Partner")
    for application in Application.objects.exclude(state="draft"):
        latest = ApplicationVersion.objects.filter(application=application).order_by("-number").first()
        if latest is None:
            continue
        codes = [row.get("credit_code") for row in latest.data.get("partners", []) if row.get("credit_code")]
        application.submitted_partners.set(Organisation.objects.filter(credit_code__in=codes))
    for partner in Partner.objects.filter(organisation__is_placeholder=True, typed_name="").select_related(
        "organisation"
    ):
        partner.typed_name = partner.organisation.name
        partner.typed_kind = partner.organisation.kind
        partner.typed_region_id = partner.organisation.region_id
        partner.save(update_fields=["typed_name", "typed_kind", "typed_region"])


class Migration(migrations.Migration):
    dependencies = [("applications", "0003_submitted_partners_typed_particulars")]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
