"""One run at a time on a state file.

Only one run at a time may use a state file: `open` takes an exclusive `fcntl.flock` on
`PATH.lock` next to it, and a second run refuses at once, naming the other run's pid and start
time. The operating system drops the lock when its process ends, so a crashed run never leaves a
stale lock. Refused runs are not recorded.
"""

from __future__ import annotations

import fcntl
import json
import os
from datetime import datetime

from checker.state.errors import StateError
from checker.state.runs import timestamp

LOCK_SUFFIX = ".lock"


class RunLock:
    """An exclusive `flock` on `<state file>.lock`, with the holder's pid and start time inside."""

    def __init__(self, descriptor: int) -> None:
        self._descriptor = descriptor

    @classmethod
    def acquire(cls, state_path: str, since: datetime) -> RunLock:
        lock_path = state_path + LOCK_SUFFIX
        try:
            descriptor = os.open(lock_path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        except OSError as error:
            raise StateError(
                state_path,
                f"cannot open its lock file {lock_path}: {error.strerror}",
                "the directory of the state file must be writable by the user running the checker",
            ) from error
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _holder(descriptor)
            os.close(descriptor)
            raise StateError(
                state_path,
                f"is in use by another run ({holder}); this run stopped before evaluating anything",
                "wait for that run to finish and start this one again, or give this run its own "
                f"--state file; the lock ({lock_path}) is released as soon as that process ends, "
                "even if it crashes",
            ) from None
        holder_record = json.dumps({"pid": os.getpid(), "since": timestamp(since)})
        os.ftruncate(descriptor, 0)
        os.pwrite(descriptor, holder_record.encode(), 0)
        return cls(descriptor)

    def release(self) -> None:
        os.close(self._descriptor)  # closing the descriptor drops the flock


def _holder(descriptor: int) -> str:
    """ "pid 123, since 2026-11-22 02:00:03 UTC" from a held lock file, as far as it says."""
    try:
        record = json.loads(os.pread(descriptor, 4096, 0) or b"{}")
        return f"pid {int(record['pid'])}, since {record['since']}"
    except (ValueError, KeyError, TypeError, OSError):
        return "pid and start time not known yet"
