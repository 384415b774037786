"""Background tasks of sources/ (Django's tasks framework: the `django-tasks` backport, the
database backend by default; `manage.py db_worker` runs them)."""

from __future__ import annotations

from django_tasks import task

from sources.uploads import upload_run


@task()
def document_ingest_task(upload_id: str) -> str:
    """Write a stored upload (`sources.uploads.upload_run`); answers the job's status."""
    return upload_run(upload_id)
