"""Deciding, tick by tick, which landing files go into which batch (the sensor's cursor logic).

A file's version is (size, mtime_ns); its ctime (set by the kernel on every write, rename or
link, never by the writer) says when it last changed. A file is settled, and imported, once its
ctime is at least `settle` old: nothing has written to it since. Each version is imported once
(a replaced file is a new version, imported again).

The cursor is a watermark, not a list of every file: every file whose ctime is below it has
been handed to a batch; at or above it, the versions in `done` were (the last second's, and those
carried over from an older cursor). So a tick only stats the folder (no
file's contents are read), and the cursor stays small however many files the folder holds. A
backlog larger than a tick's batches moves the watermark part of the way; later ticks take the
rest.

An entry the landing folder does not take (its name alone decides) is reported once while it
stays there: a growing `*.part` upload is a new version every tick, and one warning is enough.
"""

import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from files_location.landing import refusal, shown

# The watermark stays this far behind the tick: ctimes come from a coarse clock, and a file
# renamed in while the folder was being listed may carry one older than files the scan saw.
WATERMARK_GUARD_NS = 1_000_000_000
Version = tuple[int, int]  # (size, mtime_ns): what a batch pins and the ledger records
Stat = tuple[int, int, int]  # (size, mtime_ns, ctime_ns)


@dataclass
class Scan:
    files: dict[str, Stat] = field(default_factory=dict)  # importable names
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
                result.files[name] = (stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns)
            else:
                result.skipped[name] = reason
    return result


@dataclass
class Cursor:
    watermark_ns: int = 0  # files changed at or before this ctime were handed out ...
    done: dict[str, Version] = field(default_factory=dict)  # ... and these versions above it
    reported: list[str] = field(default_factory=list)  # skipped names already told
    failures_after: float | None = None  # failed import runs up to here were told

    @classmethod
    def parse(cls, text: str | None) -> "Cursor":
        if not text:
            return cls()
        data = json.loads(text)
        # A cursor of the one-run-per-file sensor has no watermark; its `done` versions stay
        # done, so an upgrade imports nothing again.
        return cls(
            watermark_ns=data.get("watermark_ns", 0),
            done={name: tuple(v) for name, v in data.get("done", {}).items()},
            reported=list(data.get("reported", [])),
            failures_after=data.get("failures_after"),
        )

    def serialize(self) -> str:
        data = {"watermark_ns": self.watermark_ns, "done": self.done, "reported": self.reported}
        if self.failures_after is not None:
            data["failures_after"] = self.failures_after
        return json.dumps(data, sort_keys=True)


@dataclass(frozen=True)
class Limits:
    """How much one run and one tick take."""

    files_per_batch: int
    bytes_per_batch: int
    batches_per_tick: int


@dataclass
class Tick:
    batches: list[list[tuple[str, Version]]]  # one run each, oldest change first
    cursor: Cursor
    waiting: int  # settled files left for later ticks because of the per-tick cap
    not_imported: list[tuple[str, str]]  # (name fit for a log line, reason), newly skipped


def batches_of(ready: list[tuple[str, Stat]], limits: Limits) -> list[list[tuple[str, Stat]]]:
    """`ready` cut, in order, into batches within the file and byte limits (a file bigger than
    the byte limit is a batch of its own), at most `batches_per_tick` of them."""
    batches: list[list[tuple[str, Stat]]] = []
    size = 0
    for name, stat in ready:
        current = batches[-1] if batches else None
        if current is None or len(current) >= limits.files_per_batch or (
            size + stat[0] > limits.bytes_per_batch and current
        ):
            if len(batches) == limits.batches_per_tick:
                break
            batches.append([])
            size = 0
        batches[-1].append((name, stat))
        size += stat[0]
    return batches


def plan_tick(found: Scan, cursor: Cursor, limits: Limits, *, now_ns: int, settle_ns: int) -> Tick:
    watermark = cursor.watermark_ns

    def handed_out(name: str, stat: Stat) -> bool:
        size, mtime_ns, ctime_ns = stat
        return ctime_ns < watermark or cursor.done.get(name) == (size, mtime_ns)

    settled = [
        (name, stat)
        for name, stat in found.files.items()
        if now_ns - stat[2] >= settle_ns and not handed_out(name, stat)
    ]
    settled.sort(key=lambda item: (item[1][2], item[0]))
    batches = batches_of(settled, limits)
    taken = [item for batch in batches for item in batch]
    waiting = len(settled) - len(taken)
    if waiting:
        newest = taken[-1][1][2] if taken else watermark
    else:
        # Everything settled is handed out: nothing changed up to the newest settled ctime.
        newest = max([watermark, *(stat[2] for stat in found.files.values()
                                   if now_ns - stat[2] >= settle_ns)])
    watermark = max(watermark, min(newest, now_ns - WATERMARK_GUARD_NS))
    # Versions handed out above (or at) the new watermark stay in `done`; below it they are
    # covered by the watermark. Deleted files are forgotten.
    done = {
        name: version
        for name, version in cursor.done.items()
        if name in found.files and found.files[name][2] >= watermark
    }
    done.update({name: stat[:2] for name, stat in taken if stat[2] >= watermark})
    told = set(cursor.reported)
    not_imported = [
        (shown(name), reason) for name, reason in sorted(found.skipped.items()) if name not in told
    ]
    # Names that went away are forgotten: a file dropped again under one is told about again.
    reported = sorted(found.skipped)
    return Tick(
        batches=[[(name, stat[:2]) for name, stat in batch] for batch in batches],
        cursor=Cursor(
            watermark_ns=watermark, done=done, reported=reported,
            failures_after=cursor.failures_after,
        ),
        waiting=waiting,
        not_imported=not_imported,
    )


def pinned(name: str, version: Version) -> str:
    """How a batch's run config names a file at the version the sensor saw: name@size:mtime_ns."""
    size, mtime_ns = version
    return f"{name}@{size}:{mtime_ns}"


def unpin(entry: str) -> tuple[str, Version | None]:
    """A run config entry back into (name, pinned version or None for 'as it is now')."""
    name, at, version = entry.rpartition("@")
    if at and ":" in version:
        size, _, mtime_ns = version.partition(":")
        if size.isdigit() and mtime_ns.isdigit():
            return name, (int(size), int(mtime_ns))
    return entry, None


def run_key(batch: list[tuple[str, Version]]) -> str:
    """The same batch of versions is one run, however often the tick is evaluated."""
    digest = hashlib.sha256("\n".join(pinned(n, v) for n, v in batch).encode("utf-8", "surrogateescape"))
    return f"landing-batch-{len(batch)}-{digest.hexdigest()[:16]}"
