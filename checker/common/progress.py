"""Progress of a long run on stderr: facts read, agreements evaluated.

On a terminal the line is redrawn in place at most every half second; in a log (cron, Airflow,
CI) nothing is printed unless asked for (`--progress`), and then one line at most every
`interval` seconds, so logs stay short. The clock is injectable so tests never wait.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import TextIO


class Progress:
    """Throttled progress lines. `enabled=False` makes every call a no-op."""

    def __init__(
        self,
        stream: TextIO,
        enabled: bool,
        interactive: bool,
        interval: float | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._stream = stream
        self.enabled = enabled
        self._interactive = interactive
        self._interval = interval if interval is not None else (0.5 if interactive else 10.0)
        self._clock = clock
        self._last = float("-inf")
        self._width = 0

    @classmethod
    def off(cls) -> Progress:
        """Progress that shows nothing: the default for library callers and tests."""
        return cls(sys.stderr, enabled=False, interactive=False)

    @classmethod
    def for_stream(cls, stream: TextIO, wanted: bool | None) -> Progress:
        """On when `wanted`, off when not; None means "on a terminal only"."""
        interactive = stream.isatty()
        return cls(stream, interactive if wanted is None else wanted, interactive)

    def update(self, message: str, force: bool = False) -> None:
        """Show `message` unless one was shown less than `interval` seconds ago."""
        if not self.enabled:
            return
        now = self._clock()
        if not force and now - self._last < self._interval:
            return
        self._last = now
        if self._interactive:
            padding = " " * max(0, self._width - len(message))
            self._stream.write(f"\r{message}{padding}")
            self._width = len(message)
        else:
            self._stream.write(f"progress: {message}\n")
        self._stream.flush()

    def facts_read(self, count: int) -> None:
        self.update(f"reading facts: {count:,} lines read")

    def agreements_evaluated(self, done: int, total: int, force: bool = False) -> None:
        self.update(f"evaluating agreements: {done:,} of {total:,} done", force)

    def done(self, message: str) -> None:
        """A phase's last word, always shown (on a terminal, it ends the redrawn line)."""
        if not self.enabled:
            return
        self.update(message, force=True)
        if self._interactive:
            self._stream.write("\n")
            self._stream.flush()
            self._width = 0
