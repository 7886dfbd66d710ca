"""Deciding, tick by tick, which landing files are ready to import (the sensor's cursor logic).

A file version is (size, mtime_ns). A version is settled, and imported, once its mtime is at
least `settle` old or it was already seen, unchanged, on the previous tick; it is imported once
(a replaced file is a new version, imported again). An entry the landing folder does not take
(its name alone decides) is reported once while it stays there: a growing `*.part` upload is a
new version every tick, and one warning is enough.
"""

import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from files_location.landing import refusal, shown

Version = tuple[int, int]


@dataclass
class Scan:
    files: dict[str, Version] = field(default_factory=dict)  # importable names
    skipped: dict[str, str] = field(default_factory=dict)  # name -> why it is not imported


def scan(landing: Path) -> Scan:
    """Entries directly in the landing folder: regular files with importable names, the rest."""
    result = Scan()
    with os.scandir(landing) as entries:
        for entry in entries:
            name = entry.name
            if entry.is_symlink():
                result.skipped[name] = "symlinks are not imported"
                continue
            if entry.is_dir():
                result.skipped[name] = (
                    "a folder: the sensor imports files directly in the landing folder"
                    " (import_job takes a path inside a folder)"
                )
                continue
            if not entry.is_file():
                continue
            reason = refusal(name)
            if reason is None:
                stat = entry.stat(follow_symlinks=False)
                result.files[name] = (stat.st_size, stat.st_mtime_ns)
            else:
                result.skipped[name] = reason
    return result


def is_settled(version: Version, previous: Version | None, now_ns: int, settle_ns: int) -> bool:
    """Old enough, or unchanged since the last tick: the writer is done with it."""
    _, mtime_ns = version
    return previous == version or now_ns - mtime_ns >= settle_ns


@dataclass
class Cursor:
    seen: dict[str, Version] = field(default_factory=dict)  # last tick's versions, not yet imported
    done: dict[str, Version] = field(default_factory=dict)  # versions already requested
    reported: list[str] = field(default_factory=list)  # skipped names already told
    failures_after: float | None = None  # failed import runs up to here were told

    @classmethod
    def parse(cls, text: str | None) -> "Cursor":
        if not text:
            return cls()
        data = json.loads(text)
        return cls(
            seen={name: tuple(v) for name, v in data.get("seen", {}).items()},
            done={name: tuple(v) for name, v in data.get("done", {}).items()},
            reported=list(data.get("reported", [])),
            failures_after=data.get("failures_after"),
        )

    def serialize(self) -> str:
        data = {"seen": self.seen, "done": self.done, "reported": self.reported}
        if self.failures_after is not None:
            data["failures_after"] = self.failures_after
        return json.dumps(data, sort_keys=True)


@dataclass
class Tick:
    ready: list[tuple[str, Version]]  # to import now, oldest first
    cursor: Cursor
    waiting: int  # ready files left for later ticks because of the per-tick cap
    not_imported: list[tuple[str, str]]  # (name fit for a log line, reason), newly skipped


def plan_tick(found: Scan, cursor: Cursor, max_runs: int, *, now_ns: int, settle_ns: int) -> Tick:
    files = found.files
    new_versions = {name: v for name, v in files.items() if cursor.done.get(name) != v}
    settled = [
        name
        for name, v in new_versions.items()
        if is_settled(v, cursor.seen.get(name), now_ns, settle_ns)
    ]
    settled.sort(key=lambda name: (files[name][1], name))
    ready = settled[:max_runs]
    # Deleted files are forgotten; a file that comes back is a new version.
    done = {name: v for name, v in cursor.done.items() if name in files}
    done.update({name: files[name] for name in ready})
    seen = {name: v for name, v in new_versions.items() if name not in ready}
    told = set(cursor.reported)
    not_imported = [
        (shown(name), reason) for name, reason in sorted(found.skipped.items()) if name not in told
    ]
    # Names that went away are forgotten: a file dropped again under one is told about again.
    reported = sorted(found.skipped)
    return Tick(
        ready=[(name, files[name]) for name in ready],
        cursor=Cursor(
            seen=seen, done=done, reported=reported, failures_after=cursor.failures_after
        ),
        waiting=len(settled) - len(ready),
        not_imported=not_imported,
    )


def run_key(name: str, version: Version) -> str:
    size, mtime_ns = version
    return f"{name}@{size}:{mtime_ns}"
