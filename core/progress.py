"""Progress of long commands: a bar on a terminal, nothing at all in a log.

`synthesize`, `ingest`, `verify_citations`, `backup` and `restore` can run for minutes on a
large knowledge base. On a terminal they show how far they are (tqdm, on stderr, so that
stdout stays what the command reports); when stderr is not a terminal (CI, cron, a pipe,
the tests) they write nothing more than before. `ATLAS_PROGRESS=0` turns the bars off on a
terminal too.
"""

from __future__ import annotations

import os
import sys
from typing import Any, TextIO

from tqdm import tqdm


def interactive(stream: Any) -> bool:
    """`stream` is a terminal and progress is not turned off."""
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty()) and os.environ.get("ATLAS_PROGRESS", "1") != "0"


def progress_bar(
    *, desc: str, total: int | None = None, unit: str = "it", stream: TextIO | None = None
) -> tqdm:
    """A progress bar on `stream` (stderr by default), drawn only on a terminal.

    Use as a context manager and call `update(n)`; a bar that is not drawn costs nothing."""
    stream = stream if stream is not None else sys.stderr
    return tqdm(
        total=total,
        desc=desc,
        unit=unit,
        file=stream,
        disable=not interactive(stream),
        dynamic_ncols=True,
        leave=True,
        mininterval=0.2,
    )
