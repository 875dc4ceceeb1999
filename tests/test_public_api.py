"""The demo shop uses only what a stranger's app could: the plug-in's public API."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import leadcapture

SHOP = Path(__file__).resolve().parent.parent / "storefront"


@pytest.mark.parametrize("path", sorted(SHOP.rglob("*.py")), ids=lambda p: p.name)
def test_the_shop_imports_only_the_public_names(path: Path) -> None:
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("leadcapture"):
            assert node.module == "leadcapture", f"{path.name} reaches into {node.module}"
            for alias in node.names:
                assert alias.name in leadcapture.__all__, f"{alias.name} is not public"
        if isinstance(node, ast.Import):
            for alias in node.names:
                assert not alias.name.startswith("leadcapture."), alias.name


def test_every_public_name_exists() -> None:
    for name in leadcapture.__all__:
        assert hasattr(leadcapture, name), name


def test_each_signal_documents_its_sender_and_arguments() -> None:
    from blinker import Signal

    from leadcapture import signals

    source = (Path(leadcapture.__file__).parent / "signals.py").read_text()
    declared = {name for name in vars(signals) if isinstance(getattr(signals, name), Signal)}
    assert declared == set(signals.__all__)  # every signal is public, and only signals are
    for name in signals.__all__:
        before = source.split(f"\n{name} = ")[0].rsplit("\n\n", 1)[-1]
        assert "#: Sent by" in before and "Keyword arguments" in before, name
