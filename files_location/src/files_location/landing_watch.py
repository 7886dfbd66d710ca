"""Deciding, tick by tick, which landing files are ready to import (the sensor's cursor logic).

A file version is (size, mtime_ns). A file is ready once the same version was seen on two
consecutive ticks (so files still being written are left alone), and is imported once per
version (a replaced file is imported again).
"""

import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from files_location.landing import is_candidate

Version = tuple[int, int]

# Characters Dagster does not accept in partition keys; such names are skipped.
_UNUSABLE = ("\n", "\r", "\t", "\0", "\a", "\b", "\f", "\v", "...")


def scan(landing: Path) -> dict[str, Version]:
    """Regular files (not symlinks) directly in the landing folder that look like finished CSVs."""
    files = {}
    with os.scandir(landing) as entries:
        for entry in entries:
            if not is_candidate(entry.name) or any(c in entry.name for c in _UNUSABLE):
                continue
            if not entry.is_file(follow_symlinks=False):
                continue
            stat = entry.stat(follow_symlinks=False)
            files[entry.name] = (stat.st_size, stat.st_mtime_ns)
    return files


@dataclass
class Cursor:
    seen: dict[str, Version] = field(default_factory=dict)  # last tick's versions, not yet imported
    done: dict[str, Version] = field(default_factory=dict)  # versions already requested

    @classmethod
    def parse(cls, text: str | None) -> "Cursor":
        if not text:
            return cls()
        data = json.loads(text)
        return cls(
            seen={name: tuple(v) for name, v in data.get("seen", {}).items()},
            done={name: tuple(v) for name, v in data.get("done", {}).items()},
        )

    def serialize(self) -> str:
        return json.dumps({"seen": self.seen, "done": self.done}, sort_keys=True)


@dataclass
class Tick:
    ready: list[tuple[str, Version]]  # to import now, oldest first
    cursor: Cursor
    waiting: int  # ready files left for later ticks because of the per-tick cap


def plan_tick(files: dict[str, Version], cursor: Cursor, max_runs: int) -> Tick:
    new_versions = {name: v for name, v in files.items() if cursor.done.get(name) != v}
    stable = [name for name, v in new_versions.items() if cursor.seen.get(name) == v]
    stable.sort(key=lambda name: (files[name][1], name))
    ready = stable[:max_runs]
    # Deleted files are forgotten; a file that comes back is a new version.
    done = {name: v for name, v in cursor.done.items() if name in files}
    done.update({name: files[name] for name in ready})
    seen = {name: v for name, v in new_versions.items() if name not in ready}
    return Tick(
        ready=[(name, files[name]) for name in ready],
        cursor=Cursor(seen=seen, done=done),
        waiting=len(stable) - len(ready),
    )


def run_key(name: str, version: Version) -> str:
    size, mtime_ns = version
    return f"{name}@{size}:{mtime_ns}"
