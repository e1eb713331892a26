"""Scratch databases: private temporary SQLite files for what a batch must remember but need not
hold in memory (the cross-year index, results waiting for those before them), in memory where
there is no folder to write one in."""

from __future__ import annotations

import logging
import os
import sqlite3
import tempfile

log = logging.getLogger(__name__)


def scratch_database(what: str, cost: str) -> sqlite3.Connection:
    """A private temporary database on disk (SQLite names it "" and removes it when it is closed),
    or one in memory where SQLite would find no folder to write it in (a read-only container):
    the batch then goes on with ``what`` in memory (``cost``, said in a warning) instead of failing
    when the page cache first spills, hundreds of reports into the run. No journal, no syncing:
    nothing in it outlives the run."""
    if os.name != "posix" or _can_write_in(_sqlite_choice(sqlite_temporary_folders())):
        db = sqlite3.connect("", check_same_thread=False)
    else:
        log.warning(f"no writable temporary folder (TMPDIR, /var/tmp, /usr/tmp, /tmp, the current folder): "
                    f"{what} is kept in memory, {cost}")
        db = sqlite3.connect(":memory:", check_same_thread=False)
    db.execute("PRAGMA journal_mode = OFF")  # scratch: nothing to roll back
    db.execute("PRAGMA synchronous = OFF")
    return db


def sqlite_temporary_folders() -> list[str]:
    """Where SQLite's unix VFS puts its temporary files: the first of these that is a writable
    folder (``unixTempFileDir`` in SQLite's os_unix.c)."""
    return [d for d in (os.environ.get("SQLITE_TMPDIR"), os.environ.get("TMPDIR")) if d] + [
        "/var/tmp", "/usr/tmp", "/tmp", "."]


def _sqlite_choice(folders: list[str]) -> str | None:
    """The folder SQLite takes: the first that the permissions say it may write in (root may,
    by its permissions, write in /proc, where SQLite then fails to create its file)."""
    return next((f for f in folders if os.path.isdir(f) and os.access(f, os.W_OK | os.X_OK)), None)


def _can_write_in(folder: str | None) -> bool:
    if folder is None:
        return False
    try:
        with tempfile.TemporaryFile(dir=folder):
            return True
    except OSError:
        return False
