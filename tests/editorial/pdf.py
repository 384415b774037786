"""Hand-built PDFs for ingestion tests: the benchmark's builder (`bench/pdfdoc.py`)."""

from __future__ import annotations

from bench.pdfdoc import build_pdf, build_pdf_pages

__all__ = ["build_pdf", "build_pdf_pages"]
