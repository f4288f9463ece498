# One vocabulary of party types (backend/common/parties.py): catalog rules that name "person" now say
# "natural_person" (same meaning; the evaluation compares the case's party type with these words).

from django.db import migrations


def _rename(apps, old: str, new: str) -> None:
    CatalogRule = apps.get_model("reviews", "CatalogRule")
    for rule in CatalogRule.objects.exclude(party_types=[]).only("id", "party_types"):
        renamed = [new if value == old else value for value in rule.party_types or []]
        if renamed != rule.party_types:
            CatalogRule.objects.filter(pk=rule.pk).update(party_types=renamed)


def forwards(apps, schema_editor):
    _rename(apps, "person", "natural_person")


def backwards(apps, schema_editor):
    _rename(apps, "natural_person", "person")


class Migration(migrations.Migration):

    dependencies = [
        ("reviews", "0002_review_reminders"),
    ]

    operations = [
        migrations.RunPython(forwards, backwards, elidable=False),
    ]
