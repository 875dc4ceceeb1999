"""The wheel a host installs: the plug-in alone, whole, with its optional parts as extras."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> zipfile.ZipFile:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", str(out), str(ROOT)],
        check=True,
        capture_output=True,
    )
    return zipfile.ZipFile(next(out.glob("leadcapture-*.whl")))


def test_the_wheel_holds_the_plug_in_and_not_the_demo_shop(wheel: zipfile.ZipFile) -> None:
    names = wheel.namelist()
    assert not [n for n in names if n.startswith(("storefront/", "templates/", "wsgi"))]
    assert "leadcapture/py.typed" in names
    for part in (
        "leadcapture/templates/leadcapture/base.html",
        "leadcapture/templates/leadcapture/backoffice/outbox.html",
        "leadcapture/templates/leadcapture/email/recovery.txt",
        "leadcapture/static/backoffice.css",
        "leadcapture/static/favicon.svg",
        "leadcapture/migrations/env.py",
        "leadcapture/migrations/script.py.mako",
        "leadcapture/migrations/versions/lc0001_initial.py",
        "leadcapture/migrations/versions/lc0012_leases_and_series.py",
    ):
        assert part in names, part


def test_postgresql_xlsx_and_redis_are_extras(wheel: zipfile.ZipFile) -> None:
    [metadata] = [n for n in wheel.namelist() if n.endswith(".dist-info/METADATA")]
    requires = [
        line.split(":", 1)[1].strip()
        for line in wheel.read(metadata).decode().splitlines()
        if line.startswith("Requires-Dist:")
    ]
    for optional, extra in (("psycopg", "postgresql"), ("openpyxl", "xlsx"), ("redis", "redis")):
        found = [r for r in requires if r.startswith(optional)]
        assert found and all("extra ==" in r for r in found), (optional, found)
        assert any(f'extra == "{extra}"' in r for r in found), (optional, extra, found)


def test_without_openpyxl_a_workbook_is_refused_with_the_extra_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from leadcapture import ValidationError, open_sheet

    monkeypatch.setitem(sys.modules, "openpyxl", None)  # as if it were not installed
    workbook = tmp_path / "leads.xlsx"
    workbook.write_bytes(b"PK\x03\x04 a workbook")
    with pytest.raises(ValidationError) as refused:
        open_sheet(workbook)
    assert "leadcapture[xlsx]" in refused.value.errors["file"][0]
