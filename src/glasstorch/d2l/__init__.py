"""glasstorch.d2l: the companion library of *Dive into Deep Learning* (d2l v2, chapters 2-7).

Under ``glasstorch run``, ``from d2l import torch as d2l`` gives this module. It holds the
helpers the book defines as it goes, with the book's names, signatures and behaviour:

- plotting (``plotting.py``): ``use_svg_display``, ``set_figsize``, ``set_axes``, ``plot``,
  ``show_images``, and ``plt`` (``matplotlib.pyplot``, imported on first use);
- measuring (``animator.py``): ``Timer``, ``Accumulator``, ``Animator`` (a live plot: inline in
  a notebook, a progress bar and a PNG file in a terminal);
- data (``data.py``): ``synthetic_data``, ``load_array``, ``get_fashion_mnist_labels``,
  ``get_dataloader_workers``, ``load_data_fashion_mnist``;
- training (``training.py``): ``linreg``, ``squared_loss``, ``sgd``, ``accuracy``,
  ``evaluate_accuracy``, ``train_epoch_ch3``, ``train_ch3``, ``predict_ch3``, ``evaluate_loss``,
  ``try_gpu``, ``try_all_gpus``;
- convolutional networks (``cnn.py``): ``corr2d``, ``evaluate_accuracy_gpu``, ``train_ch6``,
  ``Residual``, ``resnet18``;
- the framework-neutral aliases (``aliases.py``): ``d2l.reshape``, ``d2l.reduce_sum``, ...

matplotlib (and tqdm, for the terminal Animator) are optional: ``pip install 'glasstorch[plot]'``.
"""

from . import aliases, animator, cnn, data, plotting, training
from .aliases import *
from .animator import *
from .cnn import *
from .data import *
from .plotting import *
from .training import *

__all__ = [*aliases.__all__, *animator.__all__, *cnn.__all__, *data.__all__, *plotting.__all__,
           *training.__all__]


def __getattr__(name: str):
    # ``d2l.plt`` is matplotlib.pyplot, imported only when first asked for.
    if name == "plt":
        from .plotting import pyplot

        return pyplot()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
