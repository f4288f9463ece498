# One vocabulary of party types (backend/common/parties.py): the cases' "person" becomes "natural_person", the
# word public notices and review catalogs use. Frozen records (audit events, review packages, notice snapshots)
# keep the word they were recorded with; readers map it (parties.parse_party_type).

from django.db import migrations, models


def forwards(apps, schema_editor):
    apps.get_model("cases", "Case").objects.filter(party_type="person").update(party_type="natural_person")


def backwards(apps, schema_editor):
    apps.get_model("cases", "Case").objects.filter(party_type="natural_person").update(party_type="person")


class Migration(migrations.Migration):

    dependencies = [
        ("cases", "0006_case_list_index"),
    ]

    operations = [
        migrations.RunPython(forwards, backwards, elidable=False),
        migrations.AlterField(
            model_name="case",
            name="party_type",
            field=models.CharField(
                choices=[("natural_person", "自然人"), ("sole_trader", "个体工商户"), ("organisation", "法人及非法人组织")],
                max_length=16,
                verbose_name="当事人类别",
            ),
        ),
    ]
