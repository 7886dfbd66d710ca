"""The landing folder: where users drop files, the only place imports may read from, and the
names it will not take (the same for the sensor and for import_job)."""

from pathlib import Path, PurePosixPath

from files_location.bad_file_error import BadFileError
from files_location.settings import landing_dir

# Names being written or left by tools mid-transfer; never imported.
PARTIAL_SUFFIXES = (".part", ".tmp", ".partial", ".crdownload")
# Characters Dagster does not accept in partition keys (a file name becomes one).
_UNUSABLE = ("\n", "\r", "\t", "\0", "\a", "\b", "\f", "\v", "...")


def shown(name: str) -> str:
    """A file name fit for a log line, even when it is not valid UTF-8."""
    return name.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def refusal(name: str) -> str | None:
    """Why a file of this name (relative to the landing folder) is not imported; None if it is."""
    parts = PurePosixPath(name).parts
    base = parts[-1] if parts else name
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return "the file name is not UTF-8"
    if any(c in name for c in _UNUSABLE):
        return "the name has characters a partition key cannot hold (control characters or '...')"
    if any(part.startswith(".") for part in parts):
        return "hidden file (the name starts with '.')"
    if base.lower().endswith(PARTIAL_SUFFIXES):
        return (
            f"partial upload ({', '.join('*' + s for s in PARTIAL_SUFFIXES)});"
            " it is imported once renamed to its final .csv name"
        )
    if not base.lower().endswith(".csv"):
        return "not a .csv file"
    return None


def refused(name: str, reason: str) -> BadFileError:
    return BadFileError(shown(name), f"not imported: {reason}")


def relative_name(path: str | Path, landing: Path | None = None) -> str:
    """How errors name a landing file: relative to the landing folder."""
    landing = (landing or landing_dir()).resolve()
    try:
        return str(Path(path).relative_to(landing))
    except ValueError:
        return str(path)


def resolve_landing_file(relative: str, landing: Path | None = None) -> Path:
    """The real path of a user-given file name, refusing anything that escapes the landing folder
    and the names the landing sensor does not import.

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
            relative, "absolute paths are not allowed; give a path relative to the landing folder"
        )
    if ".." in pure.parts:
        raise BadFileError(relative, "'..' is not allowed; the file must be in the landing folder")
    reason = refusal(name)
    if reason is not None:
        raise refused(name, reason)
    candidate = landing
    for part in pure.parts:
        candidate = candidate / part
        if candidate.is_symlink():
            raise BadFileError(relative, "symlinks are not allowed in the landing folder")
    resolved = candidate.resolve()
    if landing not in resolved.parents:
        raise BadFileError(relative, "resolves outside the landing folder")
    if not resolved.exists():
        raise BadFileError(relative, "no such file in the landing folder")
    if not resolved.is_file():
        raise BadFileError(relative, "not a regular file")
    return resolved
