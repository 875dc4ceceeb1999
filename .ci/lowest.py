"""Print pip constraints pinning each of the plug-in's dependencies to its floor
(``name>=X`` in pyproject.toml becomes ``name==X``), for the suite's lowest-versions run."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

project = tomllib.loads((Path(__file__).parent.parent / "pyproject.toml").read_text())["project"]
for requirement in project["dependencies"]:
    found = re.fullmatch(r"\s*([A-Za-z0-9_.\-\[\]]+)\s*>=\s*([0-9][^,;\s]*)\s*", requirement)
    if found is None:
        raise SystemExit(f"no floor to pin in {requirement!r}")
    name = found.group(1).split("[")[0]
    print(f"{name}=={found.group(2)}")
