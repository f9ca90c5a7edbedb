"""The layering: notebook libraries need only NumPy; page logic (``scenes``) and figure builders
(``figures``) never import streamlit or the glue package; streamlit lives only in ``app.py``,
``pages/`` and the glue package ``appkit``.

Two checks, so a module cannot slip through either way: every source file's import statements
(also those inside functions), and what importing each module really loads.
"""

import ast
import pathlib
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
LIBRARIES = ["optim_core", "surfaces", "mlp"]
PURE = ["scenes", "figures"]
GLUE = "appkit"
# Top-level names each layer must not import.
FORBIDDEN = {
    **{pkg: {"streamlit", "plotly", "pandas", "scenes", "figures", GLUE} for pkg in LIBRARIES},
    **{pkg: {"streamlit", GLUE} for pkg in PURE},
    "bench": {"streamlit", GLUE},
}
# Benchmarks may drive the pages through Streamlit's test harness (bench/bench_pages.py).
ALLOWED = {"bench": {"streamlit.testing.v1"}}


def modules(package: str) -> list[str]:
    return sorted(
        ".".join(p.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
        for p in (ROOT / package).rglob("*.py")
    )


def imported_modules(path: pathlib.Path) -> set[str]:
    """Every module the file imports, anywhere in it (dotted names)."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
    return names


def imported_names(path: pathlib.Path, allowed: set[str] = frozenset()) -> set[str]:
    """Top-level names of the modules the file imports, except the ``allowed`` modules."""
    return {m.split(".")[0] for m in imported_modules(path) - allowed}


def imported_after(module: str) -> set[str]:
    code = f"import sys, {module}; print(' '.join(sorted(m.split('.')[0] for m in sys.modules)))"
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    return set(out.stdout.split())


@pytest.mark.parametrize(
    "path",
    [p for layer in FORBIDDEN for p in sorted((ROOT / layer).rglob("*.py"))],
    ids=lambda p: str(p.relative_to(ROOT)),
)
def test_source_files_import_only_what_their_layer_allows(path):
    layer = path.relative_to(ROOT).parts[0]
    assert not imported_names(path, ALLOWED.get(layer, set())) & FORBIDDEN[layer]


def test_streamlit_is_imported_only_by_app_pages_and_the_glue_package():
    allowed = {ROOT / "app.py", *(ROOT / "pages").glob("*.py"), *(ROOT / GLUE).rglob("*.py")}
    sources = [p for p in ROOT.rglob("*.py") if not {"tests", ".git"} & set(p.parts)]
    offenders = [
        p
        for p in sources
        if "streamlit" in imported_names(p, ALLOWED.get(p.relative_to(ROOT).parts[0], set()))
        and p not in allowed
    ]
    assert not offenders, offenders


@pytest.mark.parametrize("module", [m for pkg in LIBRARIES for m in modules(pkg)])
def test_notebook_libraries_load_only_numpy_level_dependencies(module):
    assert not FORBIDDEN[module.split(".")[0]] & imported_after(module)


@pytest.mark.parametrize("module", [m for pkg in PURE for m in modules(pkg)])
def test_page_logic_and_figures_never_load_streamlit(module):
    assert not {"streamlit", GLUE} & imported_after(module)
