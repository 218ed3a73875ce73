"""Writing text (a report, a schema, a generated doc) to a stream, or to a file atomically: readers
see the old file or the whole new one."""

from __future__ import annotations

import os
import stat
import tempfile
from collections.abc import Iterable
from typing import TextIO


def write_report(report: str | Iterable[str], stream: TextIO) -> None:
    if isinstance(report, str):
        stream.write(report)
    else:
        stream.writelines(report)


def write_atomically(path: str, report: str | Iterable[str]) -> None:
    """Write a report to `path` so readers see the old file or the whole new one, never a part.

    The report goes to a temporary file in the same directory, is flushed to disk, then renamed
    over `path`; if writing fails (or a streamed report raises), the temporary file is removed
    and `path` is left as it was. Text is written exactly as given (no newline translation), and
    the file gets the permissions a plain write would: the old file's, or the umask's.
    """
    directory = os.path.dirname(os.path.abspath(path))
    mode = _mode_for(path)
    handle, temporary = tempfile.mkstemp(dir=directory, prefix=".contract-checker-")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as stream:
            write_report(report, stream)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        os.unlink(temporary)
        raise


def _mode_for(path: str) -> int:
    """The permissions of the file being replaced, or what `open` would give a new one."""
    try:
        return stat.S_IMODE(os.stat(path).st_mode)
    except FileNotFoundError:
        umask = os.umask(0o022)  # the only way to read it is to set it: put it straight back
        os.umask(umask)
        return 0o666 & ~umask
