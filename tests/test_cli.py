"""``python -m glasstorch run``: scripts run unchanged, as ``python SCRIPT`` would run them."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time


def run(tmp_path, code: str, *args: str):
    script = tmp_path / "learner.py"
    script.write_text(textwrap.dedent(code))
    return subprocess.run(
        [sys.executable, "-m", "glasstorch", "run", str(script), *args],
        capture_output=True, text=True, timeout=120, cwd=tmp_path,
        env=dict(os.environ, GLASSTORCH_FIGURES=str(tmp_path / "figures")),
    )


def test_torch_resolves_to_glasstorch_modules(tmp_path):
    res = run(tmp_path, """
        import torch, torch.autograd
        from torch import autograd
        import glasstorch
        assert torch is glasstorch and autograd is glasstorch.autograd
        assert torch.autograd.grad_mode is glasstorch.autograd.grad_mode
        x = torch.ones(2, requires_grad=True)
        assert isinstance(x, glasstorch.Tensor)
        print("ok")
    """)
    assert res.returncode == 0, res.stderr
    assert res.stdout.strip() == "ok"


def test_argv_name_and_exit_status(tmp_path):
    res = run(tmp_path, """
        import sys
        print(__name__, sys.argv[1:])
        sys.exit(3)
    """, "a", "--b")
    assert res.returncode == 3
    assert res.stdout.strip() == "__main__ ['a', '--b']"


def test_traceback_starts_at_the_script(tmp_path):
    res = run(tmp_path, """
        import torch
        def f():
            raise ValueError("boom")
        f()
    """)
    assert res.returncode == 1
    lines = res.stderr.strip().splitlines()
    assert lines[0] == "Traceback (most recent call last):"
    assert "learner.py" in lines[1] and "runpy" not in res.stderr
    assert lines[-1] == "ValueError: boom"


def test_missing_torch_submodule_names_it(tmp_path):
    res = run(tmp_path, "import torch.no_such_module\n")
    assert res.returncode == 1
    assert "No module named 'torch.no_such_module'" in res.stderr


def test_missing_script(tmp_path):
    res = subprocess.run([sys.executable, "-m", "glasstorch", "run", str(tmp_path / "nope.py")],
                         capture_output=True, text=True, timeout=60)
    assert res.returncode == 2 and "can't open file" in res.stderr


def test_ipython_display_is_available(tmp_path):
    res = run(tmp_path, """
        from IPython import display
        display.clear_output(wait=True)
        print("ok")
    """)
    assert res.returncode == 0, res.stderr
    # with IPython installed its clear_output writes a terminal escape first, as under python
    assert res.stdout.strip().splitlines()[-1] == "ok"


def test_demo_trains_linear_regression():
    res = subprocess.run([sys.executable, "-m", "glasstorch", "demo", "--epochs", "3"],
                         capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr
    last_loss = [ln for ln in res.stdout.splitlines() if ln.startswith("epoch 3")][0]
    assert float(last_loss.split("loss")[1]) < 1e-3


def test_figures_left_open_are_saved(tmp_path):
    script = tmp_path / "plots.py"
    script.write_text("import matplotlib\nmatplotlib.use('Agg')\nimport matplotlib.pyplot as plt\n"
                      "plt.plot([1, 2, 3])\nplt.figure()\nplt.plot([3, 1])\nprint('done')\n")
    res = subprocess.run([sys.executable, "-m", "glasstorch", "run", str(script)],
                         capture_output=True, text=True, timeout=120, cwd=tmp_path,
                         env=dict(os.environ, GLASSTORCH_FIGURES=str(tmp_path / "figures")))
    assert res.returncode == 0, res.stderr
    line = [ln for ln in res.stderr.splitlines() if "left open were saved in" in ln][0]
    folder = line.split("saved in ")[1].strip()
    pngs = sorted(f for f in os.listdir(folder) if f.startswith("open-figure-"))
    assert pngs == ["open-figure-1.png", "open-figure-2.png"]
    assert all(os.path.getsize(os.path.join(folder, f)) > 0 for f in pngs)


def test_a_failing_script_ends_with_its_error_after_saving_its_figures(tmp_path):
    res = run(tmp_path, """\
        import matplotlib
        matplotlib.use('Agg')
        import matplotlib.pyplot as plt
        plt.plot([1, 2, 3])
        raise ValueError('loss is nan')
    """)
    assert res.returncode == 1
    lines = res.stderr.strip().splitlines()
    assert lines[-1] == "ValueError: loss is nan"  # the error is the last line a learner sees
    saved = [ln for ln in lines if "left open were saved in" in ln]
    assert len(saved) == 1
    folder = saved[0].split("saved in ")[1].strip()
    assert os.listdir(folder) == ["open-figure-1.png"]


def test_figures_go_to_one_folder_that_each_run_reuses(tmp_path):
    """No new temporary folder per run: the same one, holding only the latest run's figures."""
    env = {k: v for k, v in os.environ.items() if k != "GLASSTORCH_FIGURES"}
    env["TMPDIR"] = str(tmp_path)  # the default place, inside this test's own folder
    plots = "import matplotlib\nmatplotlib.use('Agg')\nimport matplotlib.pyplot as plt\n"
    folders = []
    for n_open in (2, 1):
        script = tmp_path / "plots.py"
        script.write_text(plots + "plt.figure()\n" * n_open)
        res = subprocess.run([sys.executable, "-m", "glasstorch", "run", str(script)], env=env,
                             capture_output=True, text=True, timeout=120, cwd=tmp_path)
        assert res.returncode == 0, res.stderr
        said = [ln for ln in res.stderr.splitlines() if "figures are saved in" in ln]
        assert len(said) == 1
        folders.append(said[0].split("saved in ")[1].strip())
    assert folders[0] == folders[1] == str(tmp_path / "glasstorch-figures")
    # the second run left one figure open: the first run's open-figure-2.png is gone
    assert sorted(os.listdir(folders[1])) == ["open-figure-1.png"]


def _interrupted(command, cwd):
    """Run ``command`` (a script that prints "ready" then sleeps), press Ctrl-C, return
    (exit status, stderr)."""
    import signal

    proc = subprocess.Popen(command, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    assert proc.stdout.readline() == "ready\n"
    time.sleep(0.5)  # into the sleep that follows the print
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    return proc.returncode, err


def test_ctrl_c_shows_the_scripts_own_lines_like_python(tmp_path):
    script = tmp_path / "train.py"
    script.write_text("import time\n\n\ndef train():\n    print('ready', flush=True)\n"
                      "    time.sleep(60)\n\n\ntrain()\n")
    code, err = _interrupted([sys.executable, "-m", "glasstorch", "run", str(script)], tmp_path)
    python_code, python_err = _interrupted([sys.executable, str(script)], tmp_path)
    assert code == 130 and python_code in (130, -2)  # python kills itself with SIGINT
    assert err == python_err  # the same traceback: no glasstorch/cli or runpy frames
    assert "runpy" not in err and "cli" not in err
    assert err.splitlines()[-1] == "KeyboardInterrupt"
    assert err.count('File "') == 2  # the call of train() and the sleep in it


def test_version_and_run_help():
    from glasstorch import __version__

    res = subprocess.run([sys.executable, "-m", "glasstorch", "--version"],
                         capture_output=True, text=True, timeout=60)
    assert (res.returncode, res.stdout) == (0, f"glasstorch {__version__}\n")
    for flag in ("--help", "-h"):
        res = subprocess.run([sys.executable, "-m", "glasstorch", "run", flag],
                             capture_output=True, text=True, timeout=60)
        assert res.returncode == 0, res.stderr
        assert res.stdout.startswith("usage: glasstorch run [-h] SCRIPT [ARGS ...]")
    res = subprocess.run([sys.executable, "-m", "glasstorch", "run"], capture_output=True,
                         text=True, timeout=60)
    assert res.returncode == 2
    assert res.stderr == ("glasstorch run: the SCRIPT to run is missing "
                          "(see `glasstorch run --help`)\n")


def test_flags_after_the_script_are_the_scripts(tmp_path):
    res = run(tmp_path, "import sys\nprint(sys.argv[1:])\n", "--help", "-h")
    assert res.returncode == 0, res.stderr
    assert res.stdout == "['--help', '-h']\n"


def test_a_saved_figure_keeps_two_line_titles(tmp_path):
    """predict_ch3's titles ('true\\npredicted') stand above the axes: the PNG includes them."""
    res = run(tmp_path, """
        import matplotlib
        matplotlib.use('Agg')
        import matplotlib.pyplot as plt
        fig, axes = plt.subplots(1, 3, figsize=(4.5, 1.5))
        for ax in axes:
            ax.set_title('sneaker\\nsandal')
    """)
    assert res.returncode == 0, res.stderr
    from PIL import Image

    with Image.open(tmp_path / "figures" / "open-figure-1.png") as png:
        width, height = png.size
    assert height > 1.5 * 100  # taller than the figure (1.5 in at 100 dpi): the titles fit


def test_demo_prints_short_numbers():
    res = subprocess.run([sys.executable, "-m", "glasstorch", "demo", "--epochs", "1"],
                         capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr
    w_line = [ln for ln in res.stdout.splitlines() if ln.startswith("w = ")][0]
    assert w_line.endswith("(true [2.0, -3.4])")
    assert all(len(n.strip(" []")) <= 7 for n in w_line.split("(")[0][4:].split(","))


def test_from_torch_import_of_a_missing_name_says_glasstorch_lacks_it(tmp_path):
    res = run(tmp_path, "from torch.nn import CTCLoss\n")
    assert res.returncode == 1
    *_, error, note = res.stderr.strip().splitlines()
    assert error.startswith("ImportError: cannot import name 'CTCLoss' from 'glasstorch.nn'")
    assert note.startswith("glasstorch does not implement torch.nn.CTCLoss yet")


def test_a_missing_torch_module_says_glasstorch_lacks_it(tmp_path):
    res = run(tmp_path, "import torch.fft\n")
    assert res.returncode == 1
    assert res.stderr.strip().splitlines()[-1] == (
        "ModuleNotFoundError: No module named 'torch.fft': glasstorch does not implement "
        "torch.fft yet (docs/API_COVERAGE.md lists what it has; run this program with PyTorch "
        "itself for now)")
    res = run(tmp_path, "import torch.no_such_module\n")  # not PyTorch's either: Python's words
    assert res.stderr.strip().splitlines()[-1] == (
        "ModuleNotFoundError: No module named 'torch.no_such_module'")
