"""The README's walkthrough as data: each step is an HTML comment `<!-- walkthrough: {json} -->`
(what to launch and what the user then sees) followed by the fenced block the user pastes into the
Launchpad (its run config; may be absent). The test runs exactly these, so the two cannot drift."""

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

DIRECTIVE = re.compile(r"<!-- walkthrough: (\{.*?\}) -->\n(?:\n*```yaml\n(.*?)```)?", re.S)


@dataclass
class Step:
    title: str
    location: str
    job: str = "__ASSET_JOB"
    assets: list[list[str]] = field(default_factory=list)
    partitions: list[str] = field(default_factory=lambda: [""])
    run_config: dict = field(default_factory=dict)
    checks: list[str] = field(default_factory=list)  # asset checks that must pass
    sql: str = ""  # then, read from the lake as its read-only role ...
    rows: list[list] | None = None  # ... this query returns exactly these rows
    report: str = ""  # or this file exists in the reports volume


def steps(readme: Path) -> list[Step]:
    found = []
    for match in DIRECTIVE.finditer(readme.read_text()):
        spec = json.loads(match.group(1))
        config = yaml.safe_load(match.group(2)) if match.group(2) else {}
        found.append(Step(**spec, run_config=config or {}))
    return found
