from django.db import migrations, models


def create_row(apps, schema_editor):
    apps.get_model("core", "PublicVersion").objects.get_or_create(pk=1)


class Migration(migrations.Migration):
    dependencies = [("core", "0003_form_templates")]

    operations = [
        migrations.CreateModel(
            name="PublicVersion",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("version", models.BigIntegerField(default=0)),
            ],
            options={"verbose_name": "公开页面版本"},
        ),
        migrations.RunPython(create_row, migrations.RunPython.noop),
    ]
