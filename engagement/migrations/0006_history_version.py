"""History records carry the dataset version that wrote them; one version per transaction."""

from django.db import migrations, models

from core.dataset import history_versions_backfill, version_triggers

CONTENT = ('engagement_engagementlevel', 'engagement_activity', 'engagement_framework', 'engagement_framework_institutions', 'engagement_cell')
HISTORY = ('engagement_historicalengagementlevel', 'engagement_historicalactivity', 'engagement_historicalframework', 'engagement_historicalcell')


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0002_releases_and_transaction_versions'),
        ('engagement', '0005_editors_group'),
    ]

    operations = [
        migrations.AddField(
            model_name='historicalactivity',
            name='history_version',
            field=models.PositiveBigIntegerField(blank=True, db_index=True, editable=False, help_text='The dataset version of the transaction that wrote this record.', null=True),
        ),
        migrations.AddField(
            model_name='historicalcell',
            name='history_version',
            field=models.PositiveBigIntegerField(blank=True, db_index=True, editable=False, help_text='The dataset version of the transaction that wrote this record.', null=True),
        ),
        migrations.AddField(
            model_name='historicalengagementlevel',
            name='history_version',
            field=models.PositiveBigIntegerField(blank=True, db_index=True, editable=False, help_text='The dataset version of the transaction that wrote this record.', null=True),
        ),
        migrations.AddField(
            model_name='historicalframework',
            name='history_version',
            field=models.PositiveBigIntegerField(blank=True, db_index=True, editable=False, help_text='The dataset version of the transaction that wrote this record.', null=True),
        ),
        history_versions_backfill(HISTORY),
        version_triggers(CONTENT, HISTORY),
    ]
