from django.apps import AppConfig


class BenchConfig(AppConfig):
    """The benchmarks' tools that need Django: `manage.py synthesize` and the trivial view."""

    name = "bench"
    verbose_name = "Benchmarks"
