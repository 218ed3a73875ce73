"""Text on its way to a terminal: control characters written as escapes, so that a fact value, a
key or a file name cannot recolour, clear or retitle the terminal that shows a message; and
standard streams that a closed or broken pipe cannot break (`guarded_streams`)."""

from __future__ import annotations

import contextlib
import errno
import io
import os
import sys
from collections.abc import Callable, Iterator
from typing import TextIO, cast

# Characters a terminal obeys instead of showing (ESC starts escape sequences that clear the
# screen or set the window title, CR and BS overwrite, BEL rings, a newline starts what looks like
# a message of its own; bidirectional overrides reorder the text around them), as escapes.
TERMINAL_CONTROLS = {
    **{code: f"\\x{code:02x}" for code in (*range(0x20), 0x7F, *range(0x80, 0xA0))},
    **{code: f"\\u{code:04x}" for code in (*range(0x202A, 0x202F), *range(0x2066, 0x206A))},
}


def terminal_safe(text: str) -> str:
    """`text` with every control character written as an escape, like \\x1b (a newline too)."""
    return text.translate(TERMINAL_CONTROLS)


class GuardedStream(io.TextIOBase):
    """A standard stream that a closed or broken pipe cannot break: once a write finds the
    reader gone (`| head`), or the stream was closed when the program started (`>&-`, `2>&-`),
    what is written is dropped, so that the work goes on and ends with its own exit code."""

    def __init__(self, stream: TextIO | None) -> None:
        super().__init__()
        self._stream = stream
        self.gone = stream is None

    def write(self, text: str) -> int:
        if not self.gone:
            self._attempt(lambda stream: stream.write(text))
        return len(text)

    def flush(self) -> None:
        if not self.gone:
            self._attempt(lambda stream: stream.flush())

    def isatty(self) -> bool:
        return not self.gone and bool(self._attempt(lambda stream: stream.isatty()))

    def writable(self) -> bool:
        return True

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return getattr(self._stream, "encoding", None) or "utf-8"

    def _attempt(self, action: Callable[[TextIO], object]) -> object:
        stream = self._stream
        if stream is None:
            return None
        try:
            return action(stream)
        except (OSError, ValueError) as error:
            if isinstance(error, OSError) and error.errno not in _GONE:
                raise
            if isinstance(error, ValueError) and not stream.closed:
                raise
            self.gone = True
            _point_at_null(stream)
            return None


# A write to a pipe whose reader exited fails with EPIPE, to a closed descriptor with EBADF.
_GONE = frozenset({errno.EPIPE, errno.EBADF})


def _point_at_null(stream: TextIO) -> None:
    """Let the stream's descriptor write to /dev/null, so that what is still buffered is dropped
    quietly when the interpreter flushes it at exit (instead of an error and exit code 120)."""
    try:
        descriptor = stream.fileno()
        null = os.open(os.devnull, os.O_WRONLY)
    except (OSError, ValueError):  # no descriptor of its own (a test's capture)
        return
    os.dup2(null, descriptor)
    os.close(null)


@contextlib.contextmanager
def guarded_streams() -> Iterator[None]:
    """Standard output and error as `GuardedStream`s for the duration of the block.

    A descriptor 1 or 2 that was closed when the program started is first opened on /dev/null:
    otherwise the next file opened (a report, the state file) would take its number, and
    whatever a child process writes to its standard error would land in that file.
    """
    for descriptor in (1, 2):
        try:
            os.fstat(descriptor)
        except OSError:
            null = os.open(os.devnull, os.O_WRONLY)
            if null != descriptor:
                os.dup2(null, descriptor)
                os.close(null)
    saved = sys.stdout, sys.stderr
    out, err = GuardedStream(sys.stdout), GuardedStream(sys.stderr)
    sys.stdout, sys.stderr = cast("TextIO", out), cast("TextIO", err)
    try:
        yield
    finally:
        out.flush()
        err.flush()
        sys.stdout, sys.stderr = saved
