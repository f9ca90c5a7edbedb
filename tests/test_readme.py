"""The README's library example runs as written."""

import pathlib
import re

README = pathlib.Path(__file__).resolve().parents[1] / "README.md"


def test_readme_python_examples_run():
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(), re.S)
    assert blocks, "the README should show how to use the library"
    for block in blocks:
        exec(compile(block, "README.md", "exec"), {})


def test_readme_gives_the_two_commands():
    text = README.read_text()
    assert "python -m streamlit run app.py" in text
    assert "bash scripts/test.sh" in text
    ci = (README.parent / ".ci" / "run").read_text()
    assert "bash scripts/test.sh" in ci
