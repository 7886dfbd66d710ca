"""The landing folder: where users drop files, and the only place imports may read from."""

import os
from pathlib import Path, PurePosixPath

from files_location.share_prices import BadFileError

# Names being written or left by tools mid-transfer; never imported.
PARTIAL_SUFFIXES = (".part", ".tmp", ".partial", ".crdownload")


def landing_dir() -> Path:
    return Path(os.environ.get("LANDING_DIR", "/opt/dagster/landing"))


def resolve_landing_file(relative: str, landing: Path | None = None) -> Path:
    """The real path of a user-given file name, refusing anything that escapes the landing folder.

    Absolute paths, `..`, and symlinks (anywhere on the way) are refused outright rather than
    resolved, so that a link cannot point an import at a file outside the folder.
    """
    landing = (landing or landing_dir()).resolve()
    name = relative.strip()
    if not name:
        raise BadFileError(relative, "empty path; give a file name inside the landing folder")
    pure = PurePosixPath(name)
    if pure.is_absolute() or Path(name).is_absolute():
        raise BadFileError(
            relative, f"absolute paths are not allowed; give a path relative to {landing}"
        )
    if ".." in pure.parts:
        raise BadFileError(relative, f"'..' is not allowed; the file must be inside {landing}")
    candidate = landing
    for part in pure.parts:
        candidate = candidate / part
        if candidate.is_symlink():
            raise BadFileError(relative, "symlinks are not allowed in the landing folder")
    resolved = candidate.resolve()
    if landing not in resolved.parents:
        raise BadFileError(relative, f"resolves outside the landing folder {landing}")
    if not resolved.exists():
        raise BadFileError(relative, f"no such file in the landing folder {landing}")
    if not resolved.is_file():
        raise BadFileError(relative, "not a regular file")
    return resolved


def is_candidate(name: str) -> bool:
    """A CSV a user dropped, not a dotfile or a transfer still in progress."""
    lowered = name.lower()
    return (
        not name.startswith(".")
        and not lowered.endswith(PARTIAL_SUFFIXES)
        and lowered.endswith(".csv")
    )
