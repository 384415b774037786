from django.db import migrations


def evidence_of_past_versions(apps, schema_editor):
    """The cells' earlier versions (what releases and the changes feed read) took the new
    field's default, `stated`: give them the evidence their kind had, as 0008 did for the
    cells themselves, so that comparing a release made before evidence existed shows no
    change of evidence that never happened."""
    HistoricalCell = apps.get_model("engagement", "HistoricalCell")
    HistoricalCell.objects.filter(kind="analyst").exclude(evidence="inferred").update(
        evidence="inferred"
    )
    HistoricalCell.objects.filter(kind="empty", evidence="stated").update(evidence="none_stated")


class Migration(migrations.Migration):
    dependencies = [
        ("engagement", "0008_evidence_drafts"),
    ]

    operations = [
        migrations.RunPython(evidence_of_past_versions, migrations.RunPython.noop),
    ]
