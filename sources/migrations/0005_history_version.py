"""History records carry the dataset version that wrote them; one version per transaction."""

from django.db import migrations, models

from core.dataset import history_versions_backfill, version_triggers

CONTENT = ('sources_document', 'sources_passage', 'sources_citation')
HISTORY = ('sources_historicaldocument', 'sources_historicalpassage', 'sources_historicalcitation')


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0002_releases_and_transaction_versions'),
        ('sources', '0004_datasetversion_to_core'),
    ]

    operations = [
        migrations.AddField(
            model_name='historicalcitation',
            name='history_version',
            field=models.PositiveBigIntegerField(blank=True, db_index=True, editable=False, help_text='The dataset version of the transaction that wrote this record.', null=True),
        ),
        migrations.AddField(
            model_name='historicaldocument',
            name='history_version',
            field=models.PositiveBigIntegerField(blank=True, db_index=True, editable=False, help_text='The dataset version of the transaction that wrote this record.', null=True),
        ),
        migrations.AddField(
            model_name='historicalpassage',
            name='history_version',
            field=models.PositiveBigIntegerField(blank=True, db_index=True, editable=False, help_text='The dataset version of the transaction that wrote this record.', null=True),
        ),
        history_versions_backfill(HISTORY),
        version_triggers(CONTENT, HISTORY),
    ]
