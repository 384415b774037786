from django.apps import AppConfig


class AtlasConfig(AppConfig):
    """Operations on the whole knowledge base: seed, data package, backup and restore, the
    editors group. The top of the layers: it may use every app, none may use it."""

    name = "atlas"
    verbose_name = "Knowledge base"
