"""The technical fields of seed 001 and the departments that answer for them."""

from django.db import migrations

FIELDS = [
    # (field, department, phone, order) as listed in the 2021 call for demands (seed 001).
    ("能源资源", "高新技术处", "0471-6328607", 10),
    ("现代农牧业", "农村科技处", "0471-6328631", 20),
    ("生态环境", "社会发展科技处", "0471-6328635", 30),
    ("其他", "战略规划处", "0471-6328708", 90),
]


def load_fields(apps, schema_editor):
    Department = apps.get_model("accounts", "Department")
    TechField = apps.get_model("demands", "TechField")
    for field, department, phone, order in FIELDS:
        dept, _ = Department.objects.get_or_create(name=department, defaults={"phone": phone})
        TechField.objects.get_or_create(name=field, defaults={"department": dept, "sort_order": order})


class Migration(migrations.Migration):
    dependencies = [("demands", "0001_demand_intake"), ("accounts", "0002_regions")]
    operations = [migrations.RunPython(load_fields, migrations.RunPython.noop)]
