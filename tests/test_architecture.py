"""The layering of docs/architecture.md holds: import-linter checks the contracts in
pyproject.toml (each layer imports only the layers below it; the CLI reaches the HTTP layer
through one entrance) over the installed package."""

from __future__ import annotations

import subprocess
import sys

import tomllib

from tests.paths import ROOT


def contracts() -> list[dict]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    return project["tool"]["importlinter"]["contracts"]


def test_every_contract_is_kept() -> None:
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; from importlinter.cli import lint_imports; "
            "sys.exit(lint_imports(no_cache=True))",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"{len(contracts())} kept, 0 broken" in done.stdout


def test_the_layers_cover_every_package_and_the_architecture_page_names_them() -> None:
    layered = {
        name.strip()
        for contract in contracts()
        if contract["type"] == "layers"
        for layer in contract["layers"]
        for name in layer.split("|")
    }
    package = ROOT / "src" / "detente"
    folders = {p.name for p in package.iterdir() if (p / "__init__.py").exists()} - {"examples"}
    modules = {p.stem for p in package.glob("*.py")} - {"__init__", "__main__"}
    packages = {f"detente.{name}" for name in folders | modules}
    assert packages == layered
    page = (ROOT / "docs" / "architecture.md").read_text()
    for name in layered:
        assert name.removeprefix("detente.") in page
