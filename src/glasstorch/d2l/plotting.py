"""Plotting helpers of d2l: ``set_figsize``, ``set_axes``, ``plot``, ``show_images``, and ``plt``.

Everything here draws with matplotlib, which is an optional dependency of glasstorch (the ``plot``
extra). It is imported on first use, never by ``import glasstorch``; without it, the first plotting
call raises an ``ImportError`` that says how to install it.

``plot`` is the book's one-call line plot::

    x = torch.arange(0, 3, 0.1)
    d2l.plot(x, [x ** 2, 2 * x], 'x', 'f(x)', legend=['f(x)', "f'(x)"])

``X`` and ``Y`` may be tensors, arrays or lists; one curve, or a list of curves. Tensors reach
matplotlib through ``Tensor.__array__``, so a tensor that requires grad must be ``detach()``-ed
first, exactly as with PyTorch.
"""

from __future__ import annotations

import sys

__all__ = ["use_svg_display", "set_figsize", "set_axes", "plot", "show_images", "pyplot",
           "in_notebook"]

_INSTALL_HINT = (
    "glasstorch.d2l's plots need matplotlib, which is not installed: "
    "run `pip install matplotlib` (or `pip install 'glasstorch[plot]'` for matplotlib and tqdm)"
)


def pyplot():
    """``matplotlib.pyplot``, imported now; a clear ``ImportError`` when matplotlib is missing.

    This is what ``d2l.plt`` returns (the package resolves that name lazily).
    """
    try:
        import matplotlib.pyplot as plt
    except ImportError as e:
        raise ImportError(_INSTALL_HINT) from e
    return plt


def in_notebook() -> bool:
    """True when running inside a Jupyter (IPython kernel) session.

    ``IPython.get_ipython()`` returns the running shell; only a kernel's shell (Jupyter, Colab,
    VS Code notebooks) can show figures inline, and it is recognised by its ``kernel`` attribute
    (or an ``IPKernelApp`` section in its config). A terminal IPython shell, a plain ``python`` run
    and ``glasstorch run`` (whose ``IPython`` stand-in returns no shell) are not notebooks.
    """
    ipython = sys.modules.get("IPython")
    if ipython is None:  # not imported by anyone: no kernel can be running
        return False
    get_ipython = getattr(ipython, "get_ipython", None)
    shell = get_ipython() if callable(get_ipython) else None
    if shell is None:
        return False
    if getattr(shell, "kernel", None) is not None:
        return True
    config = getattr(shell, "config", None)
    return bool(config) and "IPKernelApp" in config


def use_svg_display() -> None:
    """Ask a notebook to render figures as SVG (sharp at any zoom); nothing to do elsewhere."""
    if not in_notebook():
        return
    try:
        from matplotlib_inline import backend_inline
    except ImportError:  # an old IPython without matplotlib_inline: PNG it is
        return
    backend_inline.set_matplotlib_formats("svg")


def set_figsize(figsize=(3.5, 2.5)) -> None:
    """Make new figures ``figsize`` inches (width, height) wide, and prefer SVG in notebooks."""
    use_svg_display()
    pyplot().rcParams["figure.figsize"] = figsize


def set_axes(axes, xlabel, ylabel, xlim, ylim, xscale, yscale, legend) -> None:
    """Label, scale and limit one matplotlib ``Axes``; add a legend when given; draw a grid.

    ``xlim``/``ylim`` are ``(low, high)`` pairs or ``None`` (matplotlib picks);
    ``xscale``/``yscale`` are ``'linear'`` or ``'log'``; ``legend`` is a list of curve names.
    """
    axes.set_xlabel(xlabel)
    axes.set_ylabel(ylabel)
    axes.set_xscale(xscale)
    axes.set_yscale(yscale)
    axes.set_xlim(xlim)
    axes.set_ylim(ylim)
    if legend:
        axes.legend(legend)
    axes.grid()


def _is_one_curve(values) -> bool:
    """One curve is a 1-d tensor/array, or a flat list of numbers (not a list of curves)."""
    if getattr(values, "ndim", None) == 1:
        return True
    return isinstance(values, list) and (not values or not hasattr(values[0], "__len__"))


def plot(X, Y=None, xlabel=None, ylabel=None, legend=None, xlim=None, ylim=None,
         xscale="linear", yscale="linear", fmts=("-", "m--", "g-.", "r:"), figsize=(3.5, 2.5),
         axes=None):
    """Plot one or several curves on ``axes`` (default: the current axes of a new-size figure).

    - ``plot(Y)``: each curve against its index (0, 1, 2, ...).
    - ``plot(x, Y)``: every curve of ``Y`` against the same ``x``.
    - ``plot(Xs, Ys)``: curve ``i`` is ``Ys[i]`` against ``Xs[i]``.

    Curve ``i`` is drawn in format ``fmts[i]`` (matplotlib's ``'-'``, ``'m--'``, ...); there are
    as many curves as formats at most (four by default). The axes are cleared first, so calling
    ``plot`` again on the same axes replaces the picture.
    """
    if legend is None:
        legend = []
    set_figsize(figsize)
    axes = axes if axes is not None else pyplot().gca()
    if _is_one_curve(X):
        X = [X]
    if Y is None:
        X, Y = [[]] * len(X), X  # only values: each curve is drawn against its index
    elif _is_one_curve(Y):
        Y = [Y]
    if len(X) != len(Y):
        X = X * len(Y)  # one x shared by every curve
    axes.cla()
    for x, y, fmt in zip(X, Y, fmts):
        if len(x):
            axes.plot(x, y, fmt)
        else:
            axes.plot(y, fmt)
    set_axes(axes, xlabel, ylabel, xlim, ylim, xscale, yscale, legend)


def show_images(imgs, num_rows, num_cols, titles=None, scale=1.5):
    """Show ``imgs`` (a batch of H×W or H×W×C images) in a ``num_rows × num_cols`` grid.

    Each cell is ``scale`` inches square, axes hidden, with ``titles[i]`` above image ``i`` when
    titles are given. Returns the flat array of matplotlib ``Axes``, one per cell.
    """
    plt = pyplot()
    figsize = (num_cols * scale, num_rows * scale)
    _, axes = plt.subplots(num_rows, num_cols, figsize=figsize, squeeze=False)
    axes = axes.flatten()
    for i, (ax, img) in enumerate(zip(axes, imgs)):
        if hasattr(img, "detach"):  # a tensor: hand matplotlib its NumPy array
            img = img.detach().numpy()
        ax.imshow(img)
        ax.axes.get_xaxis().set_visible(False)
        ax.axes.get_yaxis().set_visible(False)
        if titles:
            ax.set_title(titles[i])
    return axes
