"""The domain imports only the standard library and itself."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

DOMAIN = Path(__file__).resolve().parents[3] / "backend" / "domain"


def imported_roots(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    roots = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            roots.add(node.module)
    return roots


def test_domain_imports_no_framework() -> None:
    for path in sorted(DOMAIN.glob("*.py")):
        for module in imported_roots(path):
            top = module.split(".")[0]
            assert top in sys.stdlib_module_names or module.startswith("backend.domain"), (path.name, module)
