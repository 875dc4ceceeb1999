"""Strangers' shops (``tests/hosts/``) mount the plug-in from its built wheel, installed
into a fresh virtual environment with nothing of this source tree, in at most ten lines,
and ``hosts/drive.py`` drives each one end to end as shoppers and staff would."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import DATABASE_URL_VARIABLE

ROOT = Path(__file__).resolve().parent.parent
HOSTS = Path(__file__).resolve().parent / "hosts"
MOST_LINES = 10
#: What each host installs besides the wheel: its own framework pieces.
NEEDS = {
    "plainshop": ["Flask-Login", "Flask-SQLAlchemy"],
    "migratingshop": ["Flask-Login", "Flask-SQLAlchemy", "Flask-Migrate", "Flask-WTF"],
}

pytestmark = pytest.mark.skipif(
    bool(os.environ.get(DATABASE_URL_VARIABLE)),
    reason="the host shops keep their own SQLite files: they run once, in the SQLite run",
)


def lines_for_the_plug_in(host: Path) -> list[str]:
    """The host's lines between its ``# >>> leadcapture`` and ``# <<< leadcapture``."""
    counted: list[str] = []
    for module in sorted(host.rglob("*.py")):
        inside = False
        for line in module.read_text().splitlines():
            if line.strip() in ("# >>> leadcapture", "# <<< leadcapture"):
                inside = line.strip() == "# >>> leadcapture"
            elif inside and line.strip():
                counted.append(line.strip())
    return counted


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", str(out), str(ROOT)],
        check=True,
        capture_output=True,
    )
    return next(out.glob("leadcapture-*.whl"))


@pytest.mark.parametrize("name", sorted(NEEDS))
def test_a_strangers_shop_mounts_the_wheel_and_works_end_to_end(
    name: str, wheel: Path, tmp_path: Path
) -> None:
    counted = lines_for_the_plug_in(HOSTS / name)
    assert 0 < len(counted) <= MOST_LINES, "\n".join(counted)

    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = venv / "bin" / "python"
    install = [str(python), "-m", "pip", "install", "--quiet", str(wheel), *NEEDS[name]]
    done = subprocess.run(install, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr

    host = tmp_path / name
    shutil.copytree(HOSTS / name, host, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(HOSTS / "drive.py", host)
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("FLASK_", "LEADCAPTURE_", "PYTHON", "VIRTUAL_ENV"))
    }
    environment.update(PYTHONPATH=str(host), PATH=f"{venv / 'bin'}:{os.environ['PATH']}")
    run = subprocess.run(
        [str(python), "drive.py", name],
        cwd=host,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert run.returncode == 0, f"{run.stdout}\n{run.stderr}"
    assert f"{name}: every step passed" in run.stdout
