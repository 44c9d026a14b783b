"""Metric batches the server could not take, kept on disk until it can.

One file per run and process, ``<run_id>-<pid>.jsonl``, one log-batch request body
per line, so a line can be sent again exactly as it was. A process replays its own
files and those of processes that are gone (a crashed script, a finished DataLoader
worker); it claims a file by renaming it first, so two processes never send the same
file twice.
"""

import logging
import os
import re

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
        os.makedirs(directory, exist_ok=True)
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
            names = sorted(os.listdir(directory))
        except OSError:
            names = []
        me = os.getpid()
        for name in names:
            match = _NAME.match(name)
            if not match:
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


def _safe(run_id):
    return re.sub(r"[^A-Za-z0-9_.]", "_", str(run_id))


def _alive(pid):
    if os.name == "nt":
        return True  # os.kill would terminate it there; leave other processes' files be
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # exists but is not ours to signal
    return True
