"""The layout shows the architecture: imports point down the layers, every module says what it
holds, and no module is longer than a reader can hold in one sitting (README, "Layout")."""
from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
#: a package may import only packages of a lower layer (and itself)
LAYERS = {
    "graph": 0,
    "access": 1,
    "queries": 2, "loaders": 2,
    "analysis": 3, "demo": 3, "cases": 3,
    "reports": 4, "serving": 4,
    "orgnet_plans": 4.5,  # the CLI's 整改 and 规划 commands, registered by orgnet.py
    "orgnet_reports": 4.5,  # the CLI's report commands, registered by orgnet.py
    "orgnet_users": 4.5,  # the CLI's users and audit commands, registered by orgnet.py
    "views": 5, "orgnet": 5,
    "app": 6,  # app.py assembles the pages and logs the user in through views._shared
}
NOT_PRODUCT = {"tests", "bench", "tools", "docs", "data", "build"}
MAX_LINES = 800


def product_files() -> list[Path]:
    files = [p for p in ROOT.glob("*.py")]
    for d in ROOT.iterdir():
        if d.is_dir() and not d.name.startswith((".", "_")) and d.name not in NOT_PRODUCT:
            files += [p for p in d.rglob("*.py") if "node_modules" not in p.parts]
    return sorted(files)


def top(path: Path) -> str:
    rel = path.relative_to(ROOT)
    return rel.parts[0] if len(rel.parts) > 1 else rel.stem


def imported_packages(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            out.add(node.module.split(".")[0])
    return out & set(LAYERS)


def test_every_product_package_has_a_layer():
    unknown = sorted({top(p) for p in product_files()} - set(LAYERS))
    assert not unknown, f"add these packages to LAYERS in tests/test_layout.py and the README's layout table: {unknown}"


@pytest.mark.parametrize("path", product_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_imports_point_down(path):
    me = top(path)
    upward = sorted(pkg for pkg in imported_packages(path) if pkg != me and LAYERS[pkg] >= LAYERS.get(me, 99))
    assert not upward, f"{path.relative_to(ROOT)} ({me}, layer {LAYERS.get(me)}) imports {upward} from its own layer or above"


@pytest.mark.parametrize("path", product_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_every_module_says_what_it_holds_and_is_readable_in_one_sitting(path):
    text = path.read_text(encoding="utf-8")
    assert ast.get_docstring(ast.parse(text)), f"{path.relative_to(ROOT)} has no opening docstring"
    lines = text.count("\n")
    assert lines <= MAX_LINES, f"{path.relative_to(ROOT)} has {lines} lines; split it (limit {MAX_LINES})"


def test_readme_layout_table_matches_the_tree():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table = readme[readme.index("## Layout"):]
    folders = {d.name for d in ROOT.iterdir() if d.is_dir() and not d.name.startswith((".", "_"))
               and d.name not in {"data", "build"} and not d.name.endswith(".egg-info")}
    missing = sorted(f for f in folders if f"`{f}/" not in table)
    assert not missing, f"README layout table lacks {missing}"
    listed = set(re.findall(r"^\| `([a-z_]+)/", table, re.M))
    gone = sorted(f for f in listed if not (ROOT / f).is_dir())
    assert not gone, f"README layout table lists folders that do not exist: {gone}"
