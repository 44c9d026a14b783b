"""Metric batches the server could not take, kept on disk until it can.

One file per run and process, ``<run_id>-<pid>.jsonl``, one log-batch request body
per line, so a line can be sent again exactly as it was. A process replays its own
files and those of processes that are gone (a crashed script, a finished DataLoader
worker); it claims a file by renaming it first, so two processes never send the same
file twice.

A spool folder is replayed as this user's own data, so it must be: created 0700,
and on every use checked to be this user's and open to no one else. A folder that
group or others may write into (or that another user owns) is refused, with a
warning, and nothing in it is replayed; one that is only readable by others (left
by an older version) is closed to them, since no one else could have written in it.
"""

import logging
import os
import re
import stat

from ._trust import pid_alive

log = logging.getLogger("mlops_workbench")

_NAME = re.compile(r"^(?P<run>.+)-(?P<pid>\d+)\.jsonl(?:\.(?P<claimer>\d+)\.sending)?$")


class Spool:
    def __init__(self, directory):
        self._directory = directory  # callable: the workspace can be found later than we start
        # Scan once per process (to pick up what dead processes left), then only
        # after we spooled something ourselves: listing a folder every second for
        # nothing is waste on the flusher's path.
        self.dirty = True

    def append(self, run_id, line):
        directory = self._directory()
        os.makedirs(directory, mode=0o700, exist_ok=True)
        check_private_dir(directory)
        path = os.path.join(directory, "%s-%d.jsonl" % (_safe(run_id), os.getpid()))
        with open(path, "ab") as f:
            f.write(line.rstrip(b"\n") + b"\n")
        self.dirty = True
        return path

    def replay(self, send):
        """Send spooled lines; True when the spool is empty afterwards.

        `send(line)` raises MlopsError: a retryable one stops the replay (the server
        is still away; the rest stays spooled), any other drops that line only.
        """
        if not self.dirty:
            return True
        directory = self._directory()
        try:
            check_private_dir(directory)
            names = sorted(os.listdir(directory))
        except SpoolRefused as exc:
            log.warning("%s", exc)
            self.dirty = False  # warned once; a later spooled batch will ask again
            return True
        except OSError:
            names = []
        me = os.getpid()
        for name in names:
            match = _NAME.match(name)
            if not match or not _own_file(os.path.join(directory, name)):
                continue
            owner = int(match.group("claimer") or match.group("pid"))
            if owner != me and _alive(owner):
                continue
            path = os.path.join(directory, name)
            if owner != me or not match.group("claimer"):
                claimed = os.path.join(directory, "%s-%s.jsonl.%d.sending" % (match.group("run"), match.group("pid"), me))
                try:
                    os.rename(path, claimed)
                except OSError:
                    continue  # another process claimed it first
                path = claimed
            if not self._send_file(path, match.group("run"), send):
                return False
        self.dirty = False
        return True

    def _send_file(self, path, run_id, send):
        try:
            with open(path, "rb") as f:
                lines = [line for line in f.read().split(b"\n") if line.strip()]
        except FileNotFoundError:
            return True  # removed under us (the workspace was deleted): nothing to send
        for i, line in enumerate(lines):
            try:
                send(line)
            except Exception as exc:  # noqa: BLE001 - decide by kind below
                if getattr(exc, "retryable", False):
                    back = os.path.join(os.path.dirname(path), "%s-%d.jsonl" % (run_id, os.getpid()))
                    with open(back, "ab") as out:
                        out.write(b"".join(rest + b"\n" for rest in lines[i:]))
                    os.remove(path)
                    return False
                log.warning("dropping spooled metrics the server refused: %s", exc)
        os.remove(path)
        return True


class SpoolRefused(OSError):
    """A spool folder that is not this user's alone: nothing is written to or replayed from it."""


def check_private_dir(directory):
    """Raises SpoolRefused unless `directory` is this user's and no one else may write in it."""
    if not hasattr(os, "getuid"):
        return  # Windows: per-user folders are protected by ACL
    st = os.lstat(directory)
    if stat.S_ISLNK(st.st_mode) or not stat.S_ISDIR(st.st_mode):
        raise SpoolRefused("not using the spool %s: it is not a folder (a symlink?); remove it" % directory)
    if st.st_uid != os.getuid():
        raise SpoolRefused(
            "not using the spool %s: it belongs to uid %d, not to you (uid %d); its files were not replayed. "
            "Remove it, or log from a workspace of your own" % (directory, st.st_uid, os.getuid())
        )
    if st.st_mode & 0o022:
        raise SpoolRefused(
            "not using the spool %s: group or others may write in it (mode %03o), so its files may not be yours; "
            "they were not replayed. Check them, then `chmod 700 %s`" % (directory, st.st_mode & 0o777, directory)
        )
    if st.st_mode & 0o077:
        os.chmod(directory, 0o700)


def _own_file(path):
    """A regular file of this user's (not a link someone placed to make us send another file)."""
    try:
        st = os.lstat(path)
    except OSError:
        return False
    return stat.S_ISREG(st.st_mode) and (not hasattr(os, "getuid") or st.st_uid == os.getuid())


def _safe(run_id):
    return re.sub(r"[^A-Za-z0-9_.]", "_", str(run_id))


def _alive(pid):
    if os.name == "nt":
        return True  # os.kill would terminate it there; leave other processes' files be
    return pid_alive(pid)
