from django.apps import AppConfig


class ReviewConfig(AppConfig):
    """Readers' flags on claims and the editors who settle them. Above the content apps,
    beside atlas: neither imports the other."""

    name = "review"
    verbose_name = "Readers' flags"

    def ready(self) -> None:
        from core import registry

        # Editors see every flag and settle them (accept or decline); they may flag too.
        registry.register_editor_permissions("review", "add_flag", "change_flag", "view_flag")
        # Backups keep the flags, after the accounts of their readers and editors.
        registry.register_backup_labels("review.flag")
