"""The book's own ``d2l/torch.py`` (d2l 1.0.3 on PyPI) imported on glasstorch, running chapter
snippets of chapters 9-12 (the book's second edition numbering: RNNs, attention, optimization).

The file is found through the environment variable ``GLASSTORCH_D2L_TORCH_PY`` (a path to a
``torch.py`` of d2l 1.0.x, e.g. a checkout of the book's repository) or in the installed ``d2l``
package (``pip install --no-deps d2l==1.0.3``: its requirements pin an old torch, so install it
without them). The test skips when neither is there.

Each snippet runs in a fresh interpreter that maps ``torch`` to glasstorch as ``glasstorch run``
does, then loads ``torch.py`` as ``d2l.torch``. The book's module imports a few packages only some
of its chapters use (``requests`` to download, ``scipy.spatial`` for chapter 19's kernels); when
they are not installed, the driver puts in stand-ins whose use fails loudly, since no snippet here
needs them. Without IPython, ``IPython.display`` comes from glasstorch's shim (as under
``glasstorch run``) and ``matplotlib_inline.backend_inline.set_matplotlib_formats`` does nothing
(it only picks a notebook's image format). The data goes where the book's cache puts it
(``../data``).
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
import sys
import textwrap

import pytest

import glasstorch
from glasstorch.d2l import hub


def book_torch_py() -> str | None:
    path = os.environ.get("GLASSTORCH_D2L_TORCH_PY")
    if path:
        return path if os.path.isfile(path) else None
    spec = importlib.util.find_spec("d2l")
    if spec is None or not spec.submodule_search_locations:
        return None
    for folder in spec.submodule_search_locations:
        candidate = os.path.join(folder, "torch.py")
        if os.path.isfile(candidate):
            return candidate
    return None


TORCH_PY = book_torch_py()
pytestmark = pytest.mark.skipif(
    TORCH_PY is None, reason="the book's d2l/torch.py is not installed "
    "(pip install --no-deps d2l==1.0.3, or set GLASSTORCH_D2L_TORCH_PY)")

DRIVER = """
import importlib.util, sys, types
for hidden in {hide!r}:  # as on a machine without them
    sys.modules[hidden] = None

def stand_in(name, **attrs):
    try:
        if sys.modules.get(name, False) is None:  # hidden above
            raise ImportError(name)
        importlib.import_module(name)
    except ImportError:
        module = types.ModuleType(name)
        module.__dict__.update(attrs)
        sys.modules[name] = module
        parent, _, child = name.rpartition(".")
        if parent:
            setattr(sys.modules[parent], child, module)

def not_here(*args, **kwargs):
    raise ImportError("not installed: a stand-in put in by the test driver")

def notebook_only(*args, **kwargs):
    pass  # picks the image format a notebook shows: nothing to pick outside one

stand_in("requests", get=not_here)
stand_in("scipy")
stand_in("scipy.spatial", distance_matrix=not_here)
stand_in("matplotlib_inline")
stand_in("matplotlib_inline.backend_inline", set_matplotlib_formats=notebook_only)

from glasstorch.cli.run import install
from glasstorch.cli.ipython_shim import install as install_ipython_shim
install()
install_ipython_shim()  # as `glasstorch run` does: IPython.display when IPython is absent
import d2l  # the holder package glasstorch run makes
spec = importlib.util.spec_from_file_location("d2l.torch", {path!r})
book = importlib.util.module_from_spec(spec)
sys.modules["d2l.torch"] = book
spec.loader.exec_module(book)
d2l = book
import torch
from torch import nn
from torch.nn import functional as F
torch.manual_seed(0)
"""


def run_snippet(tmp_path, code: str, hide: tuple[str, ...] = ()) -> list[str]:
    data = tmp_path / "data"
    data.mkdir(exist_ok=True)
    shutil.copy(os.path.join(hub.SHIPPED, "timemachine.txt"), data / "timemachine.txt")
    shutil.copy(os.path.join(hub.SHIPPED, "airfoil_self_noise.dat"),
                data / "airfoil_self_noise.dat")
    work = tmp_path / "work"
    work.mkdir(exist_ok=True)
    script = work / "snippet.py"
    script.write_text(DRIVER.format(path=TORCH_PY, hide=list(hide)) + textwrap.dedent(code))
    # the glasstorch this test imported (a relative PYTHONPATH=src would not hold in ``work``)
    src = os.path.dirname(os.path.dirname(os.path.abspath(glasstorch.__file__)))
    env = dict(os.environ, MPLBACKEND="Agg", OMP_NUM_THREADS="1",
               GLASSTORCH_FIGURES=str(tmp_path),
               PYTHONPATH=os.pathsep.join([src, os.environ.get("PYTHONPATH", "")]))
    proc = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                          cwd=work, env=env, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return proc.stdout.splitlines()


def test_the_books_module_imports_with_its_aliases(tmp_path):
    out = run_snippet(tmp_path, """
        print(d2l.meshgrid is torch.meshgrid, d2l.batch_matmul is torch.bmm)
        x1, x2 = d2l.meshgrid(d2l.arange(3), d2l.arange(2), indexing='ij')
        print(tuple(x1.shape), d2l.size(x1), d2l.reduce_sum(x2).item())
        print(d2l.try_gpu(), d2l.num_gpus())
    """)
    assert out == ["True True", "(3, 2) 6 3", "cpu 0"]


def test_time_machine_data_and_vocab(tmp_path):
    out = run_snippet(tmp_path, """
        data = d2l.TimeMachine(batch_size=2, num_steps=10)
        corpus, vocab = data.build(data._download())
        print(len(corpus), len(vocab), vocab.idx_to_token[:5])
        X, Y = next(iter(data.train_dataloader()))
        print(tuple(X.shape), tuple(Y.shape), X.dtype, bool((X[:, 1:] == Y[:, :-1]).all()))
    """)
    assert out[0] == "173428 28 [' ', '<unk>', 'a', 'b', 'c']"  # d2l 1.0 sorts its Vocab
    assert out[1] == "(2, 10) (2, 10) torch.int64 True"


def test_rnn_from_scratch_forward_and_predict(tmp_path):
    out = run_snippet(tmp_path, """
        data = d2l.TimeMachine(batch_size=1024, num_steps=32)
        rnn = d2l.RNNScratch(num_inputs=len(data.vocab), num_hiddens=32)
        model = d2l.RNNLMScratch(rnn, vocab_size=len(data.vocab), lr=1)
        X = torch.ones((4, 7), dtype=torch.int64)
        print(tuple(model(X).shape))
        text = model.predict('it has', 20, data.vocab)
        print(len(text), text[:6])
    """)
    assert out == ["(4, 7, 28)", "26 it has"]


def test_rnn_from_scratch_trains_with_gradient_clipping(tmp_path):
    out = run_snippet(tmp_path, """
        data = d2l.TimeMachine(batch_size=64, num_steps=16, num_train=640, num_val=128)
        rnn = d2l.RNNScratch(num_inputs=len(data.vocab), num_hiddens=32)
        model = d2l.RNNLMScratch(rnn, vocab_size=len(data.vocab), lr=1)
        trainer = d2l.Trainer(max_epochs=2, gradient_clip_val=1, num_gpus=1)
        trainer.fit(model, data)
        print(len(model.predict('it has', 20, data.vocab, d2l.try_gpu())))
    """)
    assert out[-1] == "26"


def test_attention_and_transformer_encoder(tmp_path):
    out = run_snippet(tmp_path, """
        print(d2l.masked_softmax(torch.rand(2, 2, 4), torch.tensor([2, 3]))[:, :, 3].sum().item())
        queries, keys = torch.normal(0, 1, (2, 1, 20)), torch.normal(0, 1, (2, 10, 2))
        values, valid_lens = torch.normal(0, 1, (2, 10, 4)), torch.tensor([2, 6])
        attention = d2l.AdditiveAttention(num_hiddens=8, dropout=0.1)
        attention.eval()
        print(tuple(attention(queries, keys, values, valid_lens).shape))
        attention = d2l.DotProductAttention(dropout=0.5)
        attention.eval()
        print(tuple(attention(torch.normal(0, 1, (2, 1, 2)), keys, values, valid_lens).shape))
        attention = d2l.MultiHeadAttention(100, 5, 0.5)
        attention.eval()
        X, Y = torch.ones((2, 4, 100)), torch.ones((2, 6, 100))
        print(tuple(attention(X, Y, Y, torch.tensor([3, 2])).shape))
        pos = d2l.PositionalEncoding(32, 0)
        print(round(pos(torch.zeros((1, 60, 32)))[0, 1, 1].item(), 4))
        encoder = d2l.TransformerEncoder(200, 24, 48, 8, 2, 0.5)
        encoder.eval()
        print(tuple(encoder(torch.ones((2, 100), dtype=torch.long), valid_lens).shape))
    """)
    assert out == ["0.0", "(2, 1, 4)", "(2, 1, 4)", "(2, 4, 100)", "0.5403", "(2, 100, 24)"]


def test_optimization_chapter_helpers(tmp_path):
    out = run_snippet(tmp_path, """
        def f_2d(x1, x2):
            return x1 ** 2 + 2 * x2 ** 2
        def gd_2d(x1, x2, s1, s2):
            return (x1 - 0.1 * 2 * x1, x2 - 0.1 * 4 * x2, 0, 0)
        d2l.show_trace_2d(f_2d, d2l.train_2d(gd_2d))
        data_iter, feature_dim = d2l.get_data_ch11(10)
        def sgd(params, states, hyperparams):
            for p in params:
                p.data.sub_(hyperparams['lr'] * p.grad)
                p.grad.data.zero_()
        d2l.train_ch11(sgd, None, {'lr': 0.05}, data_iter, feature_dim, 1)
        d2l.train_concise_ch11(torch.optim.SGD, {'lr': 0.01}, data_iter, 1)
    """)
    assert out[0] == "epoch 20, x1: -0.057646, x2: -0.000073"
    # (the book's Animator also prints figures: keep the result lines)
    results = [line for line in out if line.startswith("loss: ")]
    assert len(results) == 2 and all(re.fullmatch(r"loss: 0\.\d{3}, \d+\.\d{3} sec/epoch", r)
                                     for r in results), out


def test_the_books_module_without_ipython_or_matplotlib_inline(tmp_path):
    out = run_snippet(tmp_path, """
        import IPython
        d2l.plot(d2l.arange(5), [d2l.arange(5) ** 2], "x", "y")
        print(type(IPython).__name__, IPython.get_ipython())
    """, hide=("IPython", "IPython.display", "matplotlib_inline",
               "matplotlib_inline.backend_inline"))
    assert out[-1] == "module None"
