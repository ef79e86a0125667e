"""d2l.Animator in a terminal (progress bar + PNG file) and in a notebook (inline, in place).

The notebook path is tested without a kernel: a stand-in ``IPython`` module whose
``get_ipython()`` returns a shell with a ``kernel`` and whose ``display`` records its calls.
"""

import os
import sys
import types

import numpy as np
import pytest

import glasstorch as gt
from glasstorch import d2l
from glasstorch.d2l.plotting import in_notebook

matplotlib = pytest.importorskip("matplotlib")
pytest.importorskip("tqdm")


@pytest.fixture(autouse=True)
def agg(monkeypatch, tmp_path):
    matplotlib.use("Agg", force=True)
    monkeypatch.setenv("GLASSTORCH_FIGURES", str(tmp_path))
    monkeypatch.delitem(sys.modules, "IPython", raising=False)
    monkeypatch.delitem(sys.modules, "IPython.display", raising=False)
    yield
    import matplotlib.pyplot as plt

    plt.close("all")


def _fake_ipython(monkeypatch, shell):
    calls = []
    pkg = types.ModuleType("IPython")
    display = types.ModuleType("IPython.display")
    display.display = lambda *objs: calls.append(("display", objs))
    display.clear_output = lambda wait=False: calls.append(("clear_output", wait))
    pkg.display = display
    pkg.get_ipython = lambda: shell
    pkg.version_info = (8, 24, 0, "")  # matplotlib reads it
    monkeypatch.setitem(sys.modules, "IPython", pkg)
    monkeypatch.setitem(sys.modules, "IPython.display", display)
    return calls


def test_terminal_writes_a_png_names_it_once_and_shows_progress(tmp_path, capsys):
    animator = d2l.Animator(xlabel="epoch", xlim=[1, 4], ylim=[0, 1],
                            legend=["train loss", "test acc"])
    animator.add(1, (0.9, gt.tensor(0.5)))
    png = tmp_path / "animator.png"
    assert png.exists() and png.stat().st_size > 0
    first = png.read_bytes()
    animator.add(2, (0.6, 0.7))
    assert png.read_bytes() != first  # rewritten on every add
    err = capsys.readouterr().err
    assert err.count("animator.png") == 1
    assert "epoch" in err and "train loss 0.6" in err and "test acc 0.7" in err
    assert "50%" in err
    animator.add(3, (0.5, 0.75))
    animator.add(4, (0.4, 0.8))
    assert "100%" in capsys.readouterr().err
    assert animator.X == [[1, 2, 3, 4], [1, 2, 3, 4]]
    assert animator.Y == [[0.9, 0.6, 0.5, 0.4], [0.5, 0.7, 0.75, 0.8]]
    assert all(isinstance(v, float) for v in animator.Y[1])
    ax = animator.axes[0]
    assert len(ax.get_lines()) == 2 and ax.get_xlabel() == "epoch"
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["train loss", "test acc"]
    np.testing.assert_allclose(ax.get_lines()[0].get_ydata(), [0.9, 0.6, 0.5, 0.4])


def test_terminal_rewrites_the_same_files_on_every_run(tmp_path, monkeypatch):
    from glasstorch.d2l import animator as animator_module

    def one_run(value):
        monkeypatch.setattr(animator_module, "_pngs_written", {})  # a fresh process
        first, second = d2l.Animator(), d2l.Animator()
        first.add(1, value)
        second.add(1, value)
        return first.path, second.path

    paths = one_run(1.0)
    assert [os.path.basename(p) for p in paths] == ["animator.png", "animator-2.png"]
    picture = (tmp_path / "animator.png").read_bytes()
    assert one_run(5.0) == paths  # the rerun writes the same two files, no third one
    assert (tmp_path / "animator.png").read_bytes() != picture
    assert sorted(p.name for p in tmp_path.iterdir()) == ["animator-2.png", "animator.png"]


def test_terminal_figure_is_not_left_open_in_pyplot():
    import matplotlib.pyplot as plt

    before = len(plt.get_fignums())
    d2l.Animator().add(1, 1.0)
    assert len(plt.get_fignums()) == before


def test_add_accepts_single_values_per_curve_x_and_skips_none(capsys):
    animator = d2l.Animator(yscale="log", fmts=("-", "r:"), nrows=2, ncols=2, figsize=(5, 4))
    assert len(animator.axes) == 4
    animator.add(1, 0.5)
    assert animator.X == [[1.0]] and animator.Y == [[0.5]]
    two = d2l.Animator()
    two.add([1, 1.5], [0.2, None])
    two.add(2, [0.1, 0.3])
    assert two.X == [[1.0, 2.0], [2.0]] and two.Y == [[0.2, 0.1], [0.3]]
    assert "y1 0.3" in capsys.readouterr().err  # no legend: curves are named y0, y1, ...


def test_free_axes_follow_the_data_and_a_cleared_axes_is_redrawn():
    animator = d2l.Animator(ylim=[0, 1])
    for x in range(1, 6):
        animator.add(x, x / 10)
    ax = animator.axes[0]
    assert ax.get_xlim()[0] <= 1 and ax.get_xlim()[1] >= 5 and ax.get_ylim() == (0, 1)
    ax.cla()  # a learner clears the axes by hand: the next add draws everything again
    animator.add(6, 0.6)
    assert len(ax.get_lines()) == 1 and list(ax.get_lines()[0].get_xdata()) == [1, 2, 3, 4, 5, 6]
    assert ax.get_ylim() == (0, 1)


def test_fractional_x_progress(capsys):
    animator = d2l.Animator(xlabel="epoch", xlim=[1, 2], legend=["loss"])
    animator.add(1 + 1 / 3, 0.5)
    assert "1.333/2" in capsys.readouterr().err


def test_notebook_draws_inline_and_replaces_the_previous_picture(monkeypatch, tmp_path):
    events = types.SimpleNamespace(register=lambda *args: None)  # pyplot hooks into the shell
    shell = types.SimpleNamespace(kernel=object(), config={}, events=events)
    calls = _fake_ipython(monkeypatch, shell)
    assert in_notebook()
    animator = d2l.Animator(xlabel="epoch", legend=["a"])
    animator.add(1, 0.3)
    animator.add(2, 0.2)
    assert calls == [("display", (animator.fig,)), ("clear_output", True)] * 2
    assert not list(tmp_path.iterdir())  # no PNG, no progress bar in a notebook
    assert animator.Y == [[0.3, 0.2]]


def test_a_kernel_is_recognised_by_its_config_too(monkeypatch):
    _fake_ipython(monkeypatch, types.SimpleNamespace(config={"IPKernelApp": {}}))
    assert in_notebook()


def test_terminal_ipython_and_glasstorch_run_are_terminals(monkeypatch, tmp_path):
    calls = _fake_ipython(monkeypatch, types.SimpleNamespace(config={}))  # no kernel
    assert not in_notebook()
    d2l.Animator().add(1, 1.0)
    assert calls == [] and (tmp_path / "animator.png").exists()
    from glasstorch.cli import ipython_shim

    monkeypatch.delitem(sys.modules, "IPython")
    monkeypatch.delitem(sys.modules, "IPython.display")
    ipython_shim.install()  # what `glasstorch run` provides without IPython
    assert not in_notebook()
