"""bench/RESULTS.md: one section per benchmark, each a table that new runs add rows to."""

from __future__ import annotations

import os
import platform
from datetime import UTC, datetime
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"


def when_and_where() -> str:
    """A row's first two cells: today's date, and this machine (cores, Python)."""
    return (
        f"| {datetime.now(UTC):%Y-%m-%d} | {platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()} |"
    )


def record(heading: str, intro: str, columns: list[str], row: str) -> None:
    """Add ``row`` at the end of the table under ``heading`` (made if missing)."""
    text = RESULTS.read_text() if RESULTS.exists() else "# Benchmark results\n"
    lines = text.rstrip("\n").split("\n")
    if heading not in lines:
        lines += [
            "",
            heading,
            "",
            *intro.strip().split("\n"),
            "",
            "| " + " | ".join(columns) + " |",
            "|" + " --- |" * len(columns),
        ]
        lines.append(row)
    else:  # after the table's last row: notes under the table stay under it
        start = lines.index(heading) + 1
        end = start
        while end < len(lines) and not lines[end].startswith("## "):
            end += 1
        last_row = max(i for i in range(start, end) if lines[i].startswith("|"))
        lines.insert(last_row + 1, row)
    RESULTS.write_text("\n".join(lines) + "\n")
