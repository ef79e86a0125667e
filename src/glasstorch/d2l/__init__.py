"""glasstorch.d2l: the companion library of *Dive into Deep Learning* (d2l v2, chapters 2-11).

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
  and the devices of 5.6: ``cpu``, ``gpu``, ``num_gpus``, ``try_gpu``, ``try_all_gpus``;
- convolutional networks (``cnn.py``): ``corr2d``, ``evaluate_accuracy_gpu``, ``train_ch6``,
  ``Residual``, ``resnet18``;
- the data hub (``hub.py``): ``DATA_HUB``, ``DATA_URL``, ``download``, ``download_extract``,
  finding the book's data offline (``timemachine.txt`` and ``airfoil_self_noise.dat`` are shipped
  in ``data_files/``);
- text and language models (``text.py``, ch. 8): ``tokenize``, ``Vocab``,
  ``load_corpus_time_machine``, ``seq_data_iter_random``/``_sequential``, ``SeqDataLoader``,
  ``load_data_time_machine``;
- recurrent networks (``rnn.py``, ch. 8-9): ``RNNModelScratch``, ``RNNModel``, ``predict_ch8``,
  ``grad_clipping``, ``train_epoch_ch8``, ``train_ch8``;
- machine translation (``seq2seq.py``, ch. 9): ``load_data_nmt`` and its steps, ``Encoder``,
  ``Decoder``, ``EncoderDecoder``, ``Seq2SeqEncoder``, ``sequence_mask``,
  ``MaskedSoftmaxCELoss``, ``train_seq2seq``, ``predict_seq2seq``, ``bleu``;
- attention (``attention.py``, ch. 10): ``masked_softmax``, ``AdditiveAttention``,
  ``DotProductAttention``, ``MultiHeadAttention``, ``PositionalEncoding``, ``EncoderBlock``,
  ``TransformerEncoder``, ``show_heatmaps``, ...;
- optimization (``optimization.py``, ch. 11): ``train_2d``, ``show_trace_2d``,
  ``get_data_ch11``, ``train_ch11``, ``train_concise_ch11``;
- the framework-neutral aliases (``aliases.py``): ``d2l.reshape``, ``d2l.reduce_sum``, ...

The helpers reach glasstorch only through what torch itself offers (``import glasstorch as
torch``, ``glasstorch.nn``, ``glasstorch.utils.data``) and otherwise use the standard library:
the tests run this same code on the real PyTorch (``tests/programs/_d2l_on_torch.py``) to
compare what the book's programs print on both.

matplotlib (and tqdm, for the terminal Animator) are optional: ``pip install 'glasstorch[plot]'``.
"""

from . import (
    aliases,
    animator,
    attention,
    cnn,
    data,
    hub,
    optimization,
    plotting,
    rnn,
    seq2seq,
    text,
    training,
)
from .aliases import *
from .animator import *
from .attention import *
from .cnn import *
from .data import *
from .hub import *
from .optimization import *
from .plotting import *
from .rnn import *
from .seq2seq import *
from .text import *
from .training import *

__all__ = [*aliases.__all__, *animator.__all__, *cnn.__all__, *data.__all__, *plotting.__all__,
           *training.__all__, *hub.__all__, *text.__all__, *rnn.__all__, *seq2seq.__all__,
           *attention.__all__, *optimization.__all__]


def __getattr__(name: str):
    # ``d2l.plt`` is matplotlib.pyplot, imported only when first asked for.
    if name == "plt":
        from .plotting import pyplot

        return pyplot()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
