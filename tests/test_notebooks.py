"""The notebooks run, top to bottom, on a real Jupyter kernel (nbclient); any error fails.

The kernel is this interpreter (the project's virtualenv): a kernelspec pointing at
``sys.executable`` is written to a temporary ``JUPYTER_PATH`` entry, so a fresh clone works
after ``make test`` installs the dev extra (ipykernel, nbclient), whatever kernels the
machine has. The working directory is the repository root, so the notebooks' relative
``sample_mail/`` paths resolve. Parameters are injected the way papermill does it: a cell
tagged ``injected-parameters`` right after the cell tagged ``parameters``.

Also checked: the committed notebooks are exactly what ``notebooks/make_notebooks.py``
generates, carry no outputs, and each has one ``parameters`` cell.
"""

from __future__ import annotations

import importlib.util
import json
import os
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import nbformat
import pytest
from nbclient import NotebookClient

from .conftest import ROOT

NOTEBOOKS = ROOT / "notebooks"
NAMES = ["01-investigate-a-phish.ipynb", "02-triage-a-mailbox.ipynb", "03-reproduce-a-writeup.ipynb"]
KERNEL = "mailforensics-test"


@pytest.fixture(scope="module")
def kernel_name(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A kernelspec for this interpreter, visible through JUPYTER_PATH for this module."""
    from ipykernel.kernelspec import write_kernel_spec

    data = tmp_path_factory.mktemp("jupyter-data")
    write_kernel_spec(
        data / "kernels" / KERNEL,
        overrides={"display_name": "mailforensics tests", "env": {"PYTHONHASHSEED": "0", "MPLBACKEND": "Agg"}},
    )
    spec = json.loads((data / "kernels" / KERNEL / "kernel.json").read_text())
    assert spec["argv"][0] == sys.executable
    previous = os.environ.get("JUPYTER_PATH")
    os.environ["JUPYTER_PATH"] = str(data) + (os.pathsep + previous if previous else "")
    try:
        yield KERNEL
    finally:
        if previous is None:
            os.environ.pop("JUPYTER_PATH", None)
        else:
            os.environ["JUPYTER_PATH"] = previous


def inject(nb: nbformat.NotebookNode, parameters: Mapping[str, Any]) -> nbformat.NotebookNode:
    """Papermill's convention: a cell with the new values right after the parameters cell."""
    index = next(i for i, c in enumerate(nb.cells) if "parameters" in c.metadata.get("tags", []))
    source = "\n".join(f"{name} = {value!r}" for name, value in parameters.items())
    cell = nbformat.v4.new_code_cell(source)
    cell.metadata["tags"] = ["injected-parameters"]
    cell["id"] = "injected-parameters"
    nb.cells.insert(index + 1, cell)
    return nb


def execute(name: str, kernel: str, parameters: Mapping[str, Any] | None = None) -> nbformat.NotebookNode:
    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    if parameters:
        inject(nb, parameters)
    client = NotebookClient(
        nb,
        kernel_name=kernel,
        timeout=600,
        startup_timeout=120,
        allow_errors=False,
        resources={"metadata": {"path": str(ROOT)}},
    )
    client.execute()  # raises CellExecutionError on the first failing cell
    return nb


def outputs(nb: nbformat.NotebookNode, mime: str) -> list[Any]:
    return [o["data"][mime] for c in nb.cells if c.cell_type == "code" for o in c.outputs if mime in o.get("data", {})]


def stream(nb: nbformat.NotebookNode, name: str = "stdout") -> str:
    return "".join(
        o["text"]
        for c in nb.cells
        if c.cell_type == "code"
        for o in c.outputs
        if o.get("output_type") == "stream" and o.get("name") == name
    )


def assert_no_errors(nb: nbformat.NotebookNode) -> None:
    for cell in nb.cells:
        for o in cell.get("outputs", []):
            assert o.get("output_type") != "error", f"{cell.get('id')}: {o.get('ename')}: {o.get('evalue')}"


# --- the committed files ------------------------------------------------------------------


def test_notebooks_are_generated_and_fresh() -> None:
    spec = importlib.util.spec_from_file_location("make_notebooks", NOTEBOOKS / "make_notebooks.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert sorted(module.NOTEBOOKS) == NAMES
    assert module.main(["--check"]) == 0, "run: .venv/bin/python notebooks/make_notebooks.py"


@pytest.mark.parametrize("name", NAMES)
def test_committed_without_outputs_with_one_parameters_cell(name: str) -> None:
    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    nbformat.validate(nb)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, cell.id
    tagged = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1 and tagged[0].cell_type == "code"
    assert tagged[0] is next(c for c in nb.cells if c.cell_type == "code")  # the first code cell
    assert nb.cells[0].cell_type == "markdown" and nb.cells[0].source.startswith("# ")
    prose = sum(1 for c in nb.cells if c.cell_type == "markdown")
    assert prose >= 5, "every table and plot is explained"


# --- execution ----------------------------------------------------------------------------


@pytest.mark.slow
def test_01_investigate_a_phish(kernel_name: str, tmp_path: Path) -> None:
    bundle = tmp_path / "bundle"
    nb = execute(NAMES[0], kernel_name, {"BUNDLE_DIR": str(bundle)})
    assert_no_errors(nb)
    html = outputs(nb, "text/html")
    assert any('class="mf-analysis"' in h for h in html), "the Analysis rich display"
    assert len(outputs(nb, "image/png")) == 2  # hop timeline, path diagram
    assert sorted(p.name for p in bundle.iterdir()) == ["evidence.jsonl", "message.eml", "writeup.html", "writeup.md"]
    assert "bank-secure.example" in "".join(outputs(nb, "text/html")) + "".join(outputs(nb, "text/plain"))


@pytest.mark.slow
def test_02_triage_a_mailbox(kernel_name: str) -> None:
    nb = execute(NAMES[1], kernel_name)
    assert_no_errors(nb)
    assert len(outputs(nb, "image/png")) == 4  # auth matrix, delays, networks, the worst message's path
    assert any('class="mf-analysis"' in h for h in outputs(nb, "text/html"))


@pytest.mark.slow
def test_03_reproduce_a_writeup(kernel_name: str) -> None:
    nb = execute(NAMES[2], kernel_name)
    assert_no_errors(nb)
    assert "Reproduced: message, evidence, settings and results all match the writeup." in stream(nb)


@pytest.mark.slow
def test_03_checks_the_bundle_notebook_01_saved(kernel_name: str, tmp_path: Path) -> None:
    """The real hand-over: 01 saves a bundle for another message, 03 re-runs and checks it."""
    bundle = tmp_path / "bundle"
    execute(
        NAMES[0],
        kernel_name,
        {"MESSAGE": "sample_mail/eml/32-forged-auth-results.eml", "BUNDLE_DIR": str(bundle), "AS_OF": "delivery"},
    )
    nb = execute(NAMES[2], kernel_name, {"BUNDLE": str(bundle)})
    assert "Reproduced" in stream(nb)
    text = "".join(outputs(nb, "text/plain")) + "".join(outputs(nb, "text/html"))
    assert "32-forged-auth-results.eml" in text  # the recorded provenance names the original
