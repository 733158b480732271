"""The import contracts (`[tool.importlinter]` in pyproject.toml, run by `make lint`) see the whole project.

import-linter only reads the packages named in `root_packages`, and cannot name one that does not exist
yet: a new top-level package (pdm/, logistics/, billing/ …) would be left out of every contract, silently.
These checks fail instead, naming what to add. No database: `make lint` runs them before the suite.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
OUTSIDE_LAYERS = {"tests", "bench"}  # they drive every layer; production code imports neither


def _config() -> dict:
    return tomllib.loads((BASE_DIR / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["importlinter"]


def _contract(contract_id: str) -> dict:
    return next(c for c in _config()["contracts"] if c["id"] == contract_id)


def _top_level_packages() -> set[str]:
    return {p.parent.name for p in BASE_DIR.glob("*/__init__.py") if p.parent.name != "build"}


def _production_packages() -> set[str]:
    return set(_config()["root_packages"]) - OUTSIDE_LAYERS


def test_every_top_level_package_is_in_the_import_graph():
    missing = _top_level_packages() - set(_config()["root_packages"])
    assert not missing, f"add {sorted(missing)} to root_packages in [tool.importlinter] (pyproject.toml)"


def test_every_production_package_has_a_layer():
    names = {tail.strip().strip("()") for layer in _contract("layers")["layers"]
             for tail in layer.replace(":", "|").split("|")}
    missing = _production_packages() - names
    assert not missing, f"give {sorted(missing)} a layer in the 'layers' contract (pyproject.toml)"


def test_cycles_and_test_imports_are_checked_in_every_production_package():
    assert set(_contract("acyclic")["ancestors"]) == _production_packages()
    assert set(_contract("no-tests-in-production")["source_modules"]) == _production_packages()
