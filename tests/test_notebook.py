"""Notebooks: ``%load_ext glasstorch`` makes the book's cells run verbatim in a Jupyter kernel.

``tests/notebooks/d2l_cells.ipynb`` (d2l cells after one ``%load_ext glasstorch`` cell) is
executed in a real IPython kernel through nbclient, and its outputs are checked: the names
resolve to glasstorch, plots arrive as inline images, the regression learns its weights, the
autograd graph is one inline SVG, a missing PyTorch name says so. Also, outside a kernel:
``install_as_torch`` aliases the names, and refuses once the real PyTorch is loaded.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.join(os.path.dirname(HERE), "src")
NOTEBOOK = os.path.join(HERE, "notebooks", "d2l_cells.ipynb")


def _env() -> dict:
    """This checkout's glasstorch first, for the kernel and for subprocesses."""
    path = os.environ.get("PYTHONPATH", "")
    return dict(os.environ, PYTHONPATH=SRC + (os.pathsep + path if path else ""))


@pytest.fixture(scope="module")
def executed(tmp_path_factory):
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    pytest.importorskip("ipykernel")
    pytest.importorskip("matplotlib")
    nb = nbformat.read(NOTEBOOK, as_version=4)
    cwd = tmp_path_factory.mktemp("notebook")
    # A kernel spec of this very Python (a machine-wide "python3" spec may name another one)
    spec = tmp_path_factory.mktemp("jupyter") / "kernels" / "glasstorch-test"
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "glasstorch test", "language": "python"}))
    old = dict(os.environ)
    os.environ.update(_env())  # the kernel inherits this process's environment
    os.environ["JUPYTER_PATH"] = str(spec.parent.parent)
    try:
        client = nbclient.NotebookClient(nb, timeout=300, kernel_name="glasstorch-test",
                                         resources={"metadata": {"path": str(cwd)}})
        client.execute()
    finally:
        os.environ.clear()
        os.environ.update(old)
    return [cell for cell in nb.cells if cell.cell_type == "code"], cwd


def _stdout(cell) -> str:
    return "".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream"
                   and o.name == "stdout")


def _images(cell) -> list[str]:
    return [kind for o in cell.outputs if o.output_type in ("display_data", "execute_result")
            for kind in o.data if kind.startswith("image/")]


def test_no_cell_failed(executed):
    cells, _ = executed
    errors = [o for cell in cells for o in cell.outputs if o.output_type == "error"
              and "raises-exception" not in cell.metadata.get("tags", [])]
    assert not errors, errors
    stderr = "".join(o.get("text", "") for cell in cells for o in cell.outputs
                     if o.output_type == "stream" and o.name == "stderr")
    assert "Traceback" not in stderr


def test_load_ext_makes_torch_and_d2l_glasstorch(executed):
    cells, _ = executed
    assert "torch, torchvision and d2l.torch now resolve to glasstorch" in _stdout(cells[0])
    torch_name, linear_module, d2l_name = _stdout(cells[1]).split()
    assert torch_name == "glasstorch"
    assert linear_module.startswith("glasstorch.nn.")
    assert d2l_name == "glasstorch.d2l"


def test_d2l_plot_is_one_inline_image(executed):
    cells, _ = executed
    assert _images(cells[2]) == ["image/svg+xml"]  # use_svg_display, as the book asks


def test_linear_regression_learns_the_weights(executed):
    cells, _ = executed
    out = _stdout(cells[3])
    losses = [float(v) for v in re.findall(r"epoch \d+, loss ([0-9.]+)", out)]
    assert len(losses) == 3 and losses[-1] < 1e-3, out
    w_err = re.search(r"error in estimating w: tensor\(\[([^\]]+)\]\)", out).group(1)
    assert all(abs(float(v)) < 0.05 for v in w_err.split(",")), out
    b_err = re.search(r"error in estimating b: tensor\(\[([^\]]+)\]\)", out).group(1)
    assert abs(float(b_err)) < 0.05, out


def test_animator_leaves_one_inline_figure_and_no_file(executed):
    cells, cwd = executed
    assert _images(cells[4]) == ["image/svg+xml"]  # redrawn in place: one picture at the end
    assert not [f for f in os.listdir(cwd) if f.endswith(".png")]


def test_draw_graph_is_one_inline_svg(executed):
    cells, _ = executed
    outputs = cells[5].outputs
    assert [o.output_type for o in outputs] == ["execute_result"]  # not printed, then returned
    svg = outputs[0].data["image/svg+xml"]
    assert "<svg" in svg and "MseLossBackward0" in svg and "AddmmBackward0" in svg


def test_a_missing_name_says_so(executed):
    cells, _ = executed
    assert _stdout(cells[6]).startswith("glasstorch does not implement torch.compile yet")


def test_from_torch_import_of_a_missing_name_says_so(executed):
    cells, _ = executed
    (error,) = [o for o in cells[7].outputs if o.output_type == "error"]
    assert error.ename == "ImportError"
    assert error.traceback[-1].startswith("glasstorch does not implement torch.nn.CTCLoss yet")


def _python(code: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120, env=_env())


def test_install_as_torch_aliases_every_name():
    res = _python(
        "import glasstorch\n"
        "glasstorch.install_as_torch()\n"
        "glasstorch.install_as_torch()  # twice is harmless\n"
        "import torch, torchvision\n"
        "from torch import nn\n"
        "from torch.utils.data import DataLoader\n"
        "from d2l import torch as d2l\n"
        "import glasstorch.d2l, glasstorch.vision\n"
        "assert torch is glasstorch and nn is glasstorch.nn\n"
        "assert torchvision is glasstorch.vision and d2l is glasstorch.d2l\n"
        "assert DataLoader is glasstorch.utils.data.DataLoader\n"
        "print('ok')\n")
    assert res.returncode == 0, res.stderr
    assert res.stdout == "ok\n"


def test_install_as_torch_refuses_after_the_real_torch():
    pytest.importorskip("torch")
    res = _python("import torch\nimport glasstorch\nglasstorch.install_as_torch()\n")
    assert res.returncode == 1
    last = res.stderr.strip().splitlines()[-1]
    assert last.startswith("RuntimeError: glasstorch.install_as_torch: the real 'torch' (")
    assert "Restart the kernel" in last and "%load_ext glasstorch" in last
