"""Pure logic never imports streamlit; the notebook libraries import neither streamlit nor plotly."""

import pathlib
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]


def imported_after(module: str) -> set[str]:
    code = f"import sys, {module}; print(' '.join(sorted(m.split('.')[0] for m in sys.modules)))"
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    return set(out.stdout.split())


@pytest.mark.parametrize("module", ["optim_core", "surfaces", "mlp"])
def test_notebook_libraries_need_only_numpy(module):
    assert not {"streamlit", "plotly", "pandas"} & imported_after(module)


@pytest.mark.parametrize(
    "module",
    [
        "labs.sweep",
        "labs.basins",
        "figures.race",
        "figures.sweep",
        "figures.basins",
        "figures.mlp",
        "appkit.params",
        "appkit.optimizer_settings",
        "appkit.race_scene",
        "mlp.playground",
    ],
)
def test_pure_logic_never_imports_streamlit(module):
    assert "streamlit" not in imported_after(module)
