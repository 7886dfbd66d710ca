"""hn_io_manager: stores a word-cloud PNG as a markdown report with the image embedded."""

import base64
import datetime as dt
import os
import re
import tempfile
from pathlib import Path

import dagster as dg
from pydantic import Field

_IMAGE = re.compile(r"!\[[^\]]*\]\(data:image/png;base64,([A-Za-z0-9+/=]+)\)")


class HackerNewsReportIOManager(dg.ConfigurableIOManager):
    reports_dir: str = Field(description="Folder the markdown reports are written to.")

    def _path(self, context: dg.OutputContext | dg.InputContext) -> Path:
        return Path(self.reports_dir, *context.asset_key.path).with_suffix(".md")

    def handle_output(self, context: dg.OutputContext, obj: bytes) -> None:
        if not isinstance(obj, bytes | bytearray) or not obj.startswith(b"\x89PNG\r\n\x1a\n"):
            raise TypeError(f"hn_io_manager stores PNG images, got {type(obj).__name__}")
        path = self._path(context)
        path.parent.mkdir(parents=True, exist_ok=True)
        generated = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
        report = (
            "# Hacker News: words of the top stories\n\n"
            f"Generated {generated} by run `{context.run_id}`.\n\n"
            f"![Word cloud of Hacker News top story titles](data:image/png;base64,"
            f"{base64.b64encode(obj).decode()})\n"
        )
        # Readers never see a half-written report: write aside, then rename over the old one.
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
        with os.fdopen(fd, "w") as f:
            f.write(report)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
        context.add_output_metadata(
            {"path": dg.MetadataValue.path(str(path)), "png_bytes": len(obj)}
        )

    def load_input(self, context: dg.InputContext) -> bytes:
        path = self._path(context)
        match = _IMAGE.search(path.read_text())
        if match is None:
            raise ValueError(f"{path} has no embedded PNG word cloud")
        return base64.b64decode(match.group(1))
