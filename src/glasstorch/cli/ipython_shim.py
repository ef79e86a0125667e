"""A stand-in for ``IPython.display`` when IPython is not installed (``glasstorch run`` only).

Learners' notebook code calls ``display.clear_output(wait=True)`` and ``display.display(fig)``
between plots. In a terminal there is no cell to clear, so ``clear_output`` does nothing, and
``display`` of a matplotlib figure saves it as a PNG in the figure folder (printed once);
anything else is printed, as a notebook would show its repr.

The figure folder is one fixed place, reused by every run: ``$GLASSTORCH_FIGURES`` when set,
else ``glasstorch-figures`` in the system's temporary folder. A run first removes the PNGs an
earlier run left there (only the names it writes itself), so the folder holds the latest run's
figures and never grows.
"""

from __future__ import annotations

import os
import re
import sys
import tempfile
import types

_state = {"folder": None, "count": 0}
# The files a run writes here (figure-001.png, open-figure-1.png): the only ones it removes.
_OWN_FILES = re.compile(r"(open-)?figure-\d+\.png")


def figure_folder() -> str:
    """The folder this run saves figures into (emptied of older runs' figures on first use,
    announced once)."""
    if _state["folder"] is None:
        folder = os.environ.get("GLASSTORCH_FIGURES") or os.path.join(
            tempfile.gettempdir(), "glasstorch-figures")
        os.makedirs(folder, exist_ok=True)
        for name in os.listdir(folder):
            if _OWN_FILES.fullmatch(name):
                try:
                    os.remove(os.path.join(folder, name))
                except OSError:  # another run removed it first, or it is not ours to remove
                    pass
        _state["folder"] = folder
        print(f"[glasstorch] figures are saved in {folder}", file=sys.stderr)
    return _state["folder"]


def display(*objs, **kwargs) -> None:
    for obj in objs:
        if hasattr(obj, "savefig"):
            _state["count"] += 1
            obj.savefig(os.path.join(figure_folder(), f"figure-{_state['count']:03d}.png"),
                        bbox_inches="tight")  # as a notebook shows it: nothing cut off
        else:
            print(repr(obj))


def clear_output(wait: bool = False) -> None:
    """Nothing to clear in a terminal."""


def install() -> None:
    """Make ``import IPython`` / ``from IPython import display`` work without IPython."""
    try:
        import IPython  # noqa: F401

        return
    except ImportError:
        pass
    pkg = types.ModuleType("IPython")
    pkg.__path__ = []
    mod = types.ModuleType("IPython.display")
    mod.display, mod.clear_output = display, clear_output
    mod.set_matplotlib_formats = lambda *a, **k: None
    mod.SVG = mod.HTML = mod.Image = lambda *a, **k: None
    pkg.display = mod
    pkg.get_ipython = lambda: None  # no interactive shell: matplotlib then draws as in a script
    pkg.version_info = (8, 24, 0, "")  # what matplotlib checks before asking for the shell
    pkg.__version__ = "8.24.0"
    sys.modules["IPython"] = pkg
    sys.modules["IPython.display"] = mod
