"""One build at a time per site: an exclusive lock on `.cache/build.lock`.

Two builds of one site (a scheduled publish and an editor's push landing together) would stage
into the same spare tree and swap it in twice. The second build waits for the first, saying so,
and gives up with exit 2 after a while. The lock is an flock(2) held for the whole build, so the
kernel drops it when a build dies; the file also names the holder's pid, so a lock left by a
build that is gone is taken over with a note. Standard library only: the fast path takes it too.
"""

from __future__ import annotations

import fcntl
import os
import sys
import time
from pathlib import Path

from generator.errors import ConfigError

LOCK_FILE = ".cache/build.lock"
DEFAULT_WAIT = 600.0  # seconds a build waits for another before giving up (exit 2)


class BuildLock:
    """`with BuildLock(site_dir, wait):` holds the site's build lock, or raises ConfigError."""

    def __init__(self, site_dir: Path, wait: float = DEFAULT_WAIT, quiet: bool = False):
        self.path = site_dir / LOCK_FILE
        self.wait = wait
        self.quiet = quiet
        self.fd: int | None = None
        self.made_folder = False  # .cache/ made for the lock: removed again if the build made nothing

    def __enter__(self) -> "BuildLock":
        folder = self.path.parent
        if folder.exists() and not folder.is_dir() or folder.is_symlink() and not folder.is_dir():
            raise ConfigError(f"{folder}: error: this is a file, not a folder; the generator keeps its build cache "
                              f"and lock there\n  hint: remove or rename it (it is safe to delete the cache)")
        self.made_folder = not folder.exists()
        try:
            folder.mkdir(parents=True, exist_ok=True)
            self.fd = os.open(self.path, os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), 0o644)
        except OSError as exc:
            raise ConfigError(f"{self.path}: error: cannot create the build lock: {exc.strerror}\n"
                              "  hint: make the site folder writable") from None
        deadline = time.monotonic() + self.wait
        said = False
        while True:
            holder = self._try()
            if holder is None:
                return self
            if not said and not self.quiet:
                print(f"{self.path}: note: another build (pid {holder}) is running on this site; "
                      f"waiting up to {self.wait:g} s for it to finish", file=sys.stderr, flush=True)
                said = True
            if time.monotonic() >= deadline:
                os.close(self.fd)
                self.fd = None
                raise ConfigError(f"{self.path}: error: another build (pid {holder}) still holds the build lock"
                                  f"{f' after {self.wait:g} s' if self.wait else ''}; nothing was built\n"
                                  f"  hint: wait for it to finish (or pass --lock-wait SECONDS); if no build is "
                                  f"running, delete {self.path}")
            time.sleep(min(0.2, max(0.0, deadline - time.monotonic())))

    def _try(self) -> int | None:
        """Take the lock; None when taken, else the pid of the build holding it."""
        try:
            fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return _pid_in(self.fd) or -1
        previous = _pid_in(self.fd)
        if previous and previous != os.getpid():
            if _running_since_before(previous, os.fstat(self.fd).st_mtime):
                fcntl.flock(self.fd, fcntl.LOCK_UN)  # its pid is live and older than the file: a holder
                return previous
            if not self.quiet:
                print(f"{self.path}: note: took over the lock left by build pid {previous}, which is no longer "
                      "running (killed?); its half-done work is discarded", file=sys.stderr, flush=True)
        os.ftruncate(self.fd, 0)
        os.pwrite(self.fd, f"{os.getpid()}\n".encode(), 0)
        return None

    def __exit__(self, *exc) -> None:
        if self.fd is None:
            return
        try:
            os.ftruncate(self.fd, 0)  # a clean end leaves no pid: the next build has nothing to take over
            if self.made_folder and os.listdir(self.path.parent) == [self.path.name]:
                # nothing was built (a site.toml or output folder error): leave the site as it was
                os.unlink(self.path)
                os.rmdir(self.path.parent)
        except OSError:
            pass
        finally:
            fcntl.flock(self.fd, fcntl.LOCK_UN)
            os.close(self.fd)
            self.fd = None


def _pid_in(fd: int) -> int | None:
    try:
        text = os.pread(fd, 64, 0).decode("ascii", "replace").split()
        pid = int(text[0]) if text else 0
    except (OSError, ValueError):
        return None
    return pid if 0 < pid < 2**22 else None


def _running_since_before(pid: int, mtime: float) -> bool:
    """The process `pid` exists and started before the lock file was last written (else the pid
    was reused by a later process, and the build that wrote it is gone)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # someone else's process: it exists
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            fields = fh.read().rsplit(b")", 1)[1].split()
        with open("/proc/uptime", "rb") as fh:
            uptime = float(fh.read().split()[0])
        started = time.time() - uptime + int(fields[19]) / os.sysconf("SC_CLK_TCK")
        return started <= mtime + 1
    except (OSError, ValueError, IndexError):
        return True  # no /proc: trust the pid
