"""Benchmarks: `make bench` (bench/run.py) serves the app with gunicorn and measures it."""
