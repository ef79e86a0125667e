"""``glasstorch run SCRIPT``: run a learner's PyTorch script unchanged on glasstorch.

An import hook (a finder placed first on ``sys.meta_path``) resolves ``torch`` and every
``torch.<sub>`` to ``glasstorch`` and ``glasstorch.<sub>`` (likewise ``torchvision`` to
``glasstorch.vision`` and ``d2l.torch`` to ``glasstorch.d2l``): the very same module objects, so
``isinstance(m, torch.nn.Linear)`` holds whichever name the script used. This works whether or not
the real PyTorch is installed. The script then runs as ``python SCRIPT ARGS`` would run it: as
``__main__``, with ``sys.argv`` set, its folder first on ``sys.path``, its exit status returned, and
tracebacks that start at the script's own lines. Without IPython installed, ``IPython.display``
is provided by ``ipython_shim`` so notebook-style plotting code runs in a terminal; figures the
script leaves open under a non-interactive backend are saved as PNGs when it ends.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.util
import os
import runpy
import sys
import traceback
import types

# Module name prefixes a script imports → the glasstorch modules that stand in for them.
ALIASES = {"torch": "glasstorch", "torchvision": "glasstorch.vision", "d2l.torch": "glasstorch.d2l"}
# Packages that only hold an alias (``from d2l import torch as d2l``): made empty on import.
HOLDERS = {"d2l"}


def _target(fullname: str) -> str | None:
    for alias, real in ALIASES.items():
        if fullname == alias or fullname.startswith(alias + "."):
            return real + fullname[len(alias) :]
    return None


class _AliasLoader(importlib.abc.Loader):
    def __init__(self, module):
        self.module = module

    def create_module(self, spec):
        return self.module

    def exec_module(self, module):
        return None


class AliasFinder(importlib.abc.MetaPathFinder):
    """Finds ``torch.*`` imports and answers with the matching ``glasstorch.*`` module."""

    def find_spec(self, fullname, path=None, target=None):
        if fullname in HOLDERS:
            holder = types.ModuleType(fullname, f"glasstorch run: holds {fullname}'s aliases")
            holder.__path__ = []
            holder.__glasstorch_holder__ = True  # ours, not the real package
            return importlib.util.spec_from_loader(fullname, _AliasLoader(holder), is_package=True)
        real = _target(fullname)
        if real is None:
            return None
        try:
            module = importlib.import_module(real)
        except ModuleNotFoundError as e:
            if e.name == real or (e.name and real.startswith(e.name + ".")):
                from .._missing import NotYetImplemented, missing

                # a PyTorch module glasstorch lacks (torch.fft) says so; a typo stays Python's
                reason = missing(*real.rsplit(".", 1)) if "." in real else None
                detail = f": {reason}" if isinstance(reason, NotYetImplemented) else ""
                raise ModuleNotFoundError(f"No module named '{fullname}'{detail}",
                                          name=fullname) from None
            raise
        return importlib.util.spec_from_loader(fullname, _AliasLoader(module))


def install() -> None:
    """Put the alias finder first on ``sys.meta_path`` and alias modules already imported."""
    if not any(isinstance(f, AliasFinder) for f in sys.meta_path):
        sys.meta_path.insert(0, AliasFinder())
    for alias in [*ALIASES, *HOLDERS]:
        for name in [m for m in list(sys.modules) if m == alias or m.startswith(alias + ".")]:
            del sys.modules[name]
    importlib.import_module("glasstorch")
    for name, mod in list(sys.modules.items()):
        if name == "glasstorch" or name.startswith("glasstorch."):
            sys.modules.setdefault("torch" + name[len("glasstorch") :], mod)


def run_script(path: str, args: list[str]) -> int:
    """Run ``path`` as ``__main__`` with ``args``; returns the exit status ``python`` would give."""
    if path.startswith("--nproc"):  # glasstorch run --nproc N SCRIPT: N ranks on MPI (launch.py)
        from .launch import run_main

        return run_main([path, *args])
    if not os.path.exists(path):
        print(
            f"glasstorch run: can't open file '{path}': No such file or directory", file=sys.stderr
        )
        return 2
    if os.path.isdir(path) and not any(
        os.path.isfile(os.path.join(path, "__main__" + ext)) for ext in (".py", ".pyc")
    ):  # python's own answer for a folder it cannot run, in one line
        print(f"glasstorch run: can't find '__main__' module in '{path}'", file=sys.stderr)
        return 1
    install()
    from .ipython_shim import install as install_ipython_shim

    install_ipython_shim()
    script = os.path.abspath(path)
    sys.argv = [path, *args]
    sys.path.insert(0, os.path.dirname(script))
    try:
        runpy.run_path(script, run_name="__main__")
    except SystemExit as e:
        code = e.code
        if code is None:
            return 0
        if isinstance(code, int):
            return code
        print(code, file=sys.stderr)
        return 1
    except BaseException as e:  # noqa: BLE001 - report like the interpreter, from the script on
        # (Ctrl-C included: KeyboardInterrupt's traceback also starts at the script's own line)
        from .._missing import explain_import_error

        explain_import_error(e)  # `from torch.nn import LSTM`: say glasstorch lacks it
        tb = e.__traceback__
        while tb is not None and os.path.abspath(tb.tb_frame.f_code.co_filename) != script:
            tb = tb.tb_next
        _save_open_figures()  # first, so that the error stays the last line the user sees
        traceback.print_exception(type(e), e, tb or e.__traceback__)
        return 130 if isinstance(e, KeyboardInterrupt) else 1
    finally:
        _save_open_figures()
        sys.stdout.flush()
    return 0


_NON_INTERACTIVE = {"agg", "pdf", "ps", "svg", "pgf", "cairo", "template"}


def _save_open_figures() -> None:
    """Save the matplotlib figures a script left open, when no window could have shown them
    (a non-interactive backend, as in a terminal without a display): one PNG each, in the
    run's figure folder, named once on stderr."""
    plt = sys.modules.get("matplotlib.pyplot")
    if plt is None or not plt.get_fignums():
        return
    import matplotlib

    if matplotlib.get_backend().lower() not in _NON_INTERACTIVE:
        return
    from .ipython_shim import figure_folder

    folder = figure_folder()
    nums = plt.get_fignums()
    for n in nums:
        # tight, as a notebook shows a figure: titles above the axes (predict_ch3's two lines)
        # are not cut off
        plt.figure(n).savefig(os.path.join(folder, f"open-figure-{n}.png"), bbox_inches="tight")
        plt.close(n)  # saved once: a second call finds nothing left to save
    print(f"[glasstorch] {len(nums)} figure(s) left open were saved in {folder}", file=sys.stderr)
