"""Where the tests keep their databases: in memory (/dev/shm) where the machine has it, else the temp dir.

A test database is a 50 MB file copied for each test and written with fsync on every commit; on tmpfs the
copy is a memory copy and fsync costs nothing, which is what a throwaway database wants."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

_MEMORY = Path("/dev/shm")
_ROOM = 4 * 1024**3  # the templates of one run, a copy per worker and a few live apps, with margin


def scratch_root() -> Path:
    try:
        if _MEMORY.is_dir() and os.access(_MEMORY, os.W_OK) and shutil.disk_usage(_MEMORY).free > _ROOM:
            return _MEMORY
    except OSError:
        pass
    return Path(tempfile.gettempdir())
