"""History records carry the dataset version that wrote them; one version per transaction."""

from django.db import migrations, models

from core.dataset import history_versions_backfill, version_triggers

CONTENT = ('institutions_institution', 'institutions_institutionalias', 'institutions_function', 'institutions_mandate', 'institutions_relationship')
HISTORY = ('institutions_historicalinstitution', 'institutions_historicalinstitutionalias', 'institutions_historicalfunction', 'institutions_historicalmandate', 'institutions_historicalrelationship')


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0002_releases_and_transaction_versions'),
        ('institutions', '0002_history'),
    ]

    operations = [
        migrations.AddField(
            model_name='historicalfunction',
            name='history_version',
            field=models.PositiveBigIntegerField(blank=True, db_index=True, editable=False, help_text='The dataset version of the transaction that wrote this record.', null=True),
        ),
        migrations.AddField(
            model_name='historicalinstitution',
            name='history_version',
            field=models.PositiveBigIntegerField(blank=True, db_index=True, editable=False, help_text='The dataset version of the transaction that wrote this record.', null=True),
        ),
        migrations.AddField(
            model_name='historicalinstitutionalias',
            name='history_version',
            field=models.PositiveBigIntegerField(blank=True, db_index=True, editable=False, help_text='The dataset version of the transaction that wrote this record.', null=True),
        ),
        migrations.AddField(
            model_name='historicalmandate',
            name='history_version',
            field=models.PositiveBigIntegerField(blank=True, db_index=True, editable=False, help_text='The dataset version of the transaction that wrote this record.', null=True),
        ),
        migrations.AddField(
            model_name='historicalrelationship',
            name='history_version',
            field=models.PositiveBigIntegerField(blank=True, db_index=True, editable=False, help_text='The dataset version of the transaction that wrote this record.', null=True),
        ),
        history_versions_backfill(HISTORY),
        version_triggers(CONTENT, HISTORY),
    ]
