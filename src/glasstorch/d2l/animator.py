"""``Timer``, ``Accumulator`` and ``Animator``: the book's stopwatch, running sums and live plot.

``Animator`` draws curves that grow while a model trains (``train_ch3`` uses it)::

    animator = d2l.Animator(xlabel='epoch', xlim=[1, 10], legend=['train loss', 'test acc'])
    for epoch in range(10):
        ...
        animator.add(epoch + 1, (train_loss, test_acc))

Where it shows them depends on where the code runs:

- **in a notebook** (an IPython kernel): the figure is drawn inline and redrawn in place on every
  ``add`` (``IPython.display.display`` the new picture, ``clear_output(wait=True)`` the old one);
- **in a terminal** (``python script.py``, ``glasstorch run``, a terminal IPython): a tqdm progress
  bar over the x range shows the latest values, and the figure is written to a PNG file whose path
  is printed once and which is rewritten on every ``add``. The file is ``animator.png`` in the
  current directory, or in the folder named by the environment variable ``GLASSTORCH_FIGURES``;
  running the program again rewrites the same file (a program that makes several Animators
  writes ``animator.png``, ``animator-2.png``, ... in the order it makes them).
"""

from __future__ import annotations

import os
import sys
import time

import numpy as np

from .plotting import in_notebook, pyplot, set_axes, use_svg_display

__all__ = ["Timer", "Accumulator", "Animator"]


class Timer:
    """A stopwatch that remembers every lap.

    It starts on creation. ``stop()`` records the seconds since the last ``start()`` and returns
    them; ``avg()``, ``sum()`` and ``cumsum()`` summarise the recorded laps.
    """

    def __init__(self) -> None:
        self.times: list[float] = []
        self.start()

    def start(self) -> None:
        """Start (or restart) timing a lap."""
        self.tik = time.perf_counter()

    def stop(self) -> float:
        """End the lap: record and return its length in seconds."""
        self.times.append(time.perf_counter() - self.tik)
        return self.times[-1]

    def avg(self) -> float:
        """Mean lap length in seconds."""
        return sum(self.times) / len(self.times)

    def sum(self) -> float:
        """Total of all laps in seconds."""
        return sum(self.times)

    def cumsum(self) -> list[float]:
        """Running totals: the time elapsed at the end of each lap."""
        return np.array(self.times).cumsum().tolist()


class Accumulator:
    """``n`` running sums, e.g. (total loss, correct predictions, examples seen).

    ``add(a, b, c)`` adds each value to its sum (tensors with one element are welcome: they are
    turned into Python floats); ``acc[i]`` reads sum ``i``; ``reset()`` zeroes them all.
    """

    def __init__(self, n: int) -> None:
        self.data = [0.0] * n

    def add(self, *args) -> None:
        self.data = [total + float(value) for total, value in zip(self.data, args)]

    def reset(self) -> None:
        self.data = [0.0] * len(self.data)

    def __getitem__(self, idx):
        return self.data[idx]


def _progress_bar_class():
    try:
        from tqdm import tqdm
    except ImportError as e:
        raise ImportError(
            "d2l.Animator shows its progress with tqdm, which is not installed: run "
            "`pip install tqdm` (or `pip install 'glasstorch[plot]'` for matplotlib and tqdm)"
        ) from e
    return tqdm


# x may be fractional (epoch + batch / batches): show it as a short number, not tqdm's integer
_BAR_FORMAT = (
    "{desc}: {percentage:3.0f}%|{bar}| {n:.4g}/{total:.4g} [{elapsed}<{remaining}{postfix}]")
_COUNTER_FORMAT = "{desc}: {n:.4g} [{elapsed}{postfix}]"


_open_bar: list = []  # the progress bar on screen, if any (shared by all Animators)


_pngs_written: dict[str, int] = {}  # folder → how many Animators of this process plot there


def _png_path() -> str:
    """This Animator's PNG in GLASSTORCH_FIGURES (or the current directory): ``animator.png``
    for the process's first Animator there, then ``animator-2.png``, ... The same names on every
    run, so a rerun rewrites its files instead of adding new ones."""
    folder = os.environ.get("GLASSTORCH_FIGURES") or os.curdir
    os.makedirs(folder, exist_ok=True)
    n = _pngs_written[os.path.abspath(folder)] = _pngs_written.get(os.path.abspath(folder), 0) + 1
    return os.path.join(folder, "animator.png" if n == 1 else f"animator-{n}.png")


class Animator:
    """Plot data that arrives point by point (see the module docstring for where it appears).

    Arguments mirror ``d2l.plot``: axis labels, ``legend`` (one name per curve), ``xlim`` /
    ``ylim``, ``xscale`` / ``yscale``, ``fmts`` (one matplotlib format per curve), a grid of
    ``nrows × ncols`` subplots (curves go to the first) and ``figsize`` in inches. ``self.fig``
    and ``self.axes`` are the matplotlib figure and its axes.
    """

    def __init__(self, xlabel=None, ylabel=None, legend=None, xlim=None, ylim=None,
                 xscale="linear", yscale="linear", fmts=("-", "m--", "g-.", "r:"), nrows=1,
                 ncols=1, figsize=(3.5, 2.5)):
        if legend is None:
            legend = []
        self.legend = legend
        self.notebook = in_notebook()
        if self.notebook:
            use_svg_display()
            # pyplot owns a notebook figure: the inline backend shows it when the cell ends
            self.fig, axes = pyplot().subplots(nrows, ncols, figsize=figsize, squeeze=False)
        else:
            pyplot()  # the clear "install matplotlib" error, before anything else
            from matplotlib.figure import Figure

            # A figure pyplot does not track: nothing to close, no "too many figures" warning
            self.fig = Figure(figsize=figsize)
            axes = self.fig.subplots(nrows, ncols, squeeze=False)
        self.axes = axes.flatten()
        self.config_axes = lambda: set_axes(
            self.axes[0], xlabel, ylabel, xlim, ylim, xscale, yscale, legend)
        self.X, self.Y, self.fmts = None, None, fmts
        self.xlabel, self.xlim, self.ylim = xlabel, xlim, ylim
        self._lines: list = []
        self.path: str | None = None
        self._bar = None
        if not self.notebook:
            self._start_bar()  # now, so that its clock (and time-left estimate) counts from here

    def add(self, x, y) -> None:
        """Append one point to each curve: ``y`` holds one value per curve (or a single value).

        ``x`` is shared by all curves, or given per curve. ``None`` in ``y`` skips that curve
        for this ``x``. The picture is redrawn at once.
        """
        if not hasattr(y, "__len__"):
            y = [y]
        n = len(y)
        if not hasattr(x, "__len__"):
            x = [x] * n
        if not self.X:
            self.X = [[] for _ in range(n)]
        if not self.Y:
            self.Y = [[] for _ in range(n)]
        for i, (a, b) in enumerate(zip(x, y)):
            if a is not None and b is not None:
                self.X[i].append(float(a))
                self.Y[i].append(float(b))
        self._draw_curves()
        if self.notebook:
            self._show_inline()
        else:
            self._show_in_terminal(x, y)

    def _draw_curves(self) -> None:
        """Draw the curves: the first time from scratch, then by updating the lines' data.

        Clearing and re-plotting the axes on every ``add`` draws the same picture, but makes
        matplotlib rebuild every tick, which triples the time of each redraw.
        """
        ax = self.axes[0]
        if self._lines and all(line in ax.lines for line in self._lines):
            for line, xs, ys in zip(self._lines, self.X, self.Y):
                line.set_data(xs, ys)
            if self.xlim is None or self.ylim is None:  # rescale the free axes to the data
                ax.relim()
                ax.autoscale_view(scalex=self.xlim is None, scaley=self.ylim is None)
            return
        ax.cla()  # first add (or the axes were cleared by someone else)
        self._lines = [ax.plot(xs, ys, fmt)[0] for xs, ys, fmt in zip(self.X, self.Y, self.fmts)]
        self.config_axes()
        ax.set_autoscalex_on(self.xlim is None)
        ax.set_autoscaley_on(self.ylim is None)
        if not self.notebook:
            # Make room for the axis labels once (a notebook trims its pictures itself); doing it
            # on every save (bbox_inches='tight') would double the time of each redraw.
            self.fig.tight_layout()

    def _show_inline(self) -> None:
        from IPython import display

        display.display(self.fig)
        display.clear_output(wait=True)

    def _show_in_terminal(self, x, y) -> None:
        if self.path is None:
            self.path = _png_path()
            # tqdm.write prints above the bar instead of through it
            _progress_bar_class().write(f"[d2l.Animator] plotting to {os.path.abspath(self.path)}"
                                        " (rewritten on every add)", file=sys.stderr)
        self.fig.savefig(self.path)
        self._update_bar(x, y)

    def _start_bar(self) -> None:
        # One bar on screen at a time: a new Animator means the previous one is done
        if _open_bar:
            _open_bar.pop().close()
        high = self.xlim[1] if self.xlim is not None else None
        fmt = _BAR_FORMAT if high else _COUNTER_FORMAT
        self._bar = _progress_bar_class()(
            total=high, desc=self.xlabel or "x", bar_format=fmt, file=sys.stderr, leave=True,
            dynamic_ncols=True)
        _open_bar.append(self._bar)

    def _update_bar(self, x, y) -> None:
        xs = [float(a) for a in x if a is not None]
        if not xs:
            return
        if self._bar is None or self._bar not in _open_bar:
            self._start_bar()  # more points after the bar was complete, or another Animator ran
        names = list(self.legend) + [f"y{i}" for i in range(len(self.legend), len(y))]
        self._bar.n = max(self._bar.n, max(xs))  # the bar follows x, which may be fractional
        self._bar.set_postfix_str(", ".join(  # ... and set_postfix_str redraws it
            f"{name} {float(value):.4g}" for name, value in zip(names, y) if value is not None))
        if self._bar.total is not None and self._bar.n >= self._bar.total:
            self._bar.close()  # the x range is covered: leave the finished bar on screen
            self._bar = None
