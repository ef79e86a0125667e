"""glasstorch.d2l's chapter 8-11 helpers: data hub, text, RNN training, seq2seq, attention,
optimization; checked against known values and against the book's definitions re-stated for
PyTorch in the test's own words (``book_*``)."""

from __future__ import annotations

import math
import os
import random
import re
import zipfile

import numpy as np
import pytest

import glasstorch as gt
from glasstorch import d2l
from glasstorch.d2l import hub
from oracle import assert_same, needs_torch
from oracle import torch as real_torch

TIME_MACHINE_SHA1 = "090b5e7e70c295757f55df93cb0a180b9691891a"
AIRFOIL_SHA1 = "76e5be1548fd8222e5074cf0faae75edff8cf93f"


@pytest.fixture
def offline(tmp_path, monkeypatch):
    """Run in an empty folder with no user data folder and no network."""
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    monkeypatch.setenv("GLASSTORCH_OFFLINE", "1")
    monkeypatch.setenv("GLASSTORCH_D2L_DATA", str(tmp_path / "user-data"))
    return tmp_path


# --- the data hub ----------------------------------------------------------------------------

def test_shipped_files_have_the_books_sha1():
    assert hub.sha1_of(os.path.join(hub.SHIPPED, "timemachine.txt")) == TIME_MACHINE_SHA1
    assert hub.sha1_of(os.path.join(hub.SHIPPED, "airfoil_self_noise.dat")) == AIRFOIL_SHA1
    assert d2l.DATA_HUB["time_machine"][1] == TIME_MACHINE_SHA1
    assert d2l.DATA_HUB["airfoil"][1] == AIRFOIL_SHA1
    assert d2l.DATA_URL.endswith("/")
    provenance = open(os.path.join(hub.SHIPPED, "PROVENANCE.md")).read()
    assert "public domain" in provenance and "CC BY 4.0" in provenance


def test_download_finds_shipped_data_offline(offline):
    path = d2l.download("time_machine")
    assert os.path.dirname(path) == hub.SHIPPED
    # the d2l 1.0 form: url, folder, sha1
    url, sha1 = d2l.DATA_HUB["airfoil"]
    assert d2l.download(url, os.path.join("..", "data"), sha1) == os.path.join(
        hub.SHIPPED, "airfoil_self_noise.dat")


def test_download_prefers_the_books_cache_and_checks_sha1(offline):
    cache = offline / "data"
    cache.mkdir()
    good = cache / "timemachine.txt"
    good.write_bytes(open(os.path.join(hub.SHIPPED, "timemachine.txt"), "rb").read())
    assert os.path.abspath(d2l.download("time_machine")) == str(good)
    good.write_text("not the book")  # wrong SHA-1: skipped, the shipped copy is used
    assert os.path.dirname(d2l.download("time_machine")) == hub.SHIPPED


def test_download_unknown_name_and_missing_file(offline):
    with pytest.raises(KeyError, match="not in d2l.DATA_HUB"):
        d2l.download("no-such-data")
    with pytest.raises(FileNotFoundError) as e:
        d2l.download("fra-eng")
    msg = str(e.value)
    assert "fra-eng.zip" in msg and "GLASSTORCH_OFFLINE=1" in msg
    assert d2l.DATA_HUB["fra-eng"][0] in msg and "user-data" in msg


def test_read_data_nmt_says_where_to_put_the_corpus(offline):
    with pytest.raises(FileNotFoundError) as e:
        d2l.read_data_nmt()
    msg = str(e.value)
    assert "../data/fra-eng.zip" in msg and "~/.glasstorch/data/fra-eng.zip" in msg
    assert "94646ad1522d915e7b0f9296181140edcf86a4f5" in msg


PAIRS = ["Go.\tVa !", "Hi.\tSalut !", "Run!\tCours\u202f!", "Run!\tCourez\u202f!",
         "Who?\tQui ?", "Wow!\tÇa alors\u202f!", "Fire!\tAu feu !", "Help!\tÀ l'aide\u202f!",
         "Jump.\tSaute.", "Stop!\tÇa suffit\u202f!", "Stop!\tStop\u202f!", "Wait!\tAttends !",
         "Go on.\tPoursuis.", "Go on.\tContinuez.", "I see.\tJe comprends.", "I try.\tJ'essaye.",
         "Go now.\tVa maintenant !"]


def make_fra_eng(folder) -> str:
    """A small fra-eng.zip laid out like the book's (fra-eng/fra.txt); returns its SHA-1."""
    folder.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(folder / "fra-eng.zip", "w") as z:
        z.writestr("fra-eng/fra.txt", "\n".join(PAIRS) + "\n")
    return hub.sha1_of(str(folder / "fra-eng.zip"))


def test_load_data_nmt_from_a_zip_in_the_books_cache(offline, monkeypatch):
    sha1 = make_fra_eng(offline / "data")
    monkeypatch.setitem(d2l.DATA_HUB, "fra-eng", (d2l.DATA_URL + "fra-eng.zip", sha1))
    raw = d2l.read_data_nmt()
    assert raw.startswith("Go.\tVa !\nHi.")
    text = d2l.preprocess_nmt(raw)
    assert text.startswith("go .\tva !\nhi .\tsalut !\nrun !\tcours !")
    source, target = d2l.tokenize_nmt(text)
    assert source[:2] == [["go", "."], ["hi", "."]] and target[2] == ["cours", "!"]
    assert len(d2l.tokenize_nmt(text, 3)[0]) == 4  # stops after line 3, as the book
    train_iter, src_vocab, tgt_vocab = d2l.load_data_nmt(batch_size=4, num_steps=5)
    assert src_vocab.idx_to_token[:4] == ["<unk>", "<pad>", "<bos>", "<eos>"]
    X, X_valid_len, Y, Y_valid_len = next(iter(train_iter))
    assert X.shape == (4, 5) and Y.shape == (4, 5) and X.dtype == gt.int64
    assert X_valid_len.dtype == gt.int64
    for row, n in zip(X.tolist(), X_valid_len.tolist()):
        assert row[n - 1] == src_vocab["<eos>"] or n == 5
        assert all(t == src_vocab["<pad>"] for t in row[n:])


def test_a_wrong_zip_is_not_used(offline):
    make_fra_eng(offline / "user-data")  # not the book's SHA-1
    with pytest.raises(FileNotFoundError, match="another SHA-1"):
        d2l.read_data_nmt()


# --- text ------------------------------------------------------------------------------------

def test_time_machine_corpus_as_the_book_reports_it():
    lines = d2l.read_time_machine()
    assert len(lines) == 3221
    assert lines[0] == "the time machine by h g wells"
    assert lines[10] == "twinkled and his usually pale face was flushed and animated the"
    tokens = d2l.tokenize(lines)
    assert tokens[0] == ["the", "time", "machine", "by", "h", "g", "wells"]
    vocab = d2l.Vocab(tokens)
    assert list(vocab.token_to_idx.items())[:5] == [
        ("<unk>", 0), ("the", 1), ("i", 2), ("and", 3), ("of", 4)]
    assert vocab[["the", "time", "zzz"]] == [1, 19, 0]
    assert vocab.to_tokens([1, 19]) == ["the", "time"] and vocab.to_tokens(gt.tensor(2)) == "i"
    corpus, vocab = d2l.load_corpus_time_machine()
    assert (len(corpus), len(vocab)) == (170580, 28)
    assert vocab.token_freqs[:3] == [(" ", 29927), ("e", 17838), ("t", 13515)]
    assert len(d2l.load_corpus_time_machine(500)[0]) == 500


def test_vocab_min_freq_reserved_and_errors():
    vocab = d2l.Vocab([["a", "b", "a"], ["c", "a", "b"]], min_freq=2, reserved_tokens=["<pad>"])
    assert vocab.idx_to_token == ["<unk>", "<pad>", "a", "b"] and len(vocab) == 4
    assert vocab["c"] == vocab.unk == 0
    assert d2l.count_corpus(["x", "y", "x"])["x"] == 2
    assert d2l.tokenize(["ab c"], "char") == [["a", "b", " ", "c"]]
    with pytest.raises(ValueError, match="unknown token type 'byte'"):
        d2l.tokenize(["ab"], "byte")


@pytest.mark.parametrize("fn", ["seq_data_iter_random", "seq_data_iter_sequential"])
def test_sequence_iterators_shift_by_one(fn):
    random.seed(3)
    corpus = list(range(35))
    batches = list(getattr(d2l, fn)(corpus, 2, 5))
    assert 2 <= len(batches) <= 3
    for X, Y in batches:
        assert X.shape == (2, 5) and X.dtype == gt.int64
        assert (Y - X).tolist() == [[1] * 5, [1] * 5]
    starts = [row[0] for X, _ in batches for row in X.tolist()]
    assert len(set(starts)) == len(starts)
    if fn == "seq_data_iter_sequential":  # each row continues the previous batch's row
        for (X0, _), (X1, _) in zip(batches, batches[1:]):
            assert (X1[:, 0] - X0[:, -1]).tolist() == [1, 1]


def test_load_data_time_machine_restarts_each_epoch():
    random.seed(0)
    train_iter, vocab = d2l.load_data_time_machine(32, 35)
    assert len(vocab) == 28 and len(train_iter.corpus) == 10000
    first = [X.shape for X, _ in train_iter]
    assert first == [(32, 35)] * len(first) and len(first) in (8, 9)
    assert len(list(train_iter)) in (8, 9)
    random_iter, _ = d2l.load_data_time_machine(32, 35, use_random_iter=True)
    assert random_iter.data_iter_fn is d2l.seq_data_iter_random


# --- RNN training ----------------------------------------------------------------------------

def scratch_rnn(vocab_size, num_hiddens, seed=0):
    """The book's 8.5 model (tanh RNN), weights from NumPy."""
    rng = np.random.default_rng(seed)
    shapes = [(vocab_size, num_hiddens), (num_hiddens, num_hiddens), (num_hiddens,),
              (num_hiddens, vocab_size), (vocab_size,)]
    weights = [rng.normal(0, 0.1, s).astype(np.float32) for s in shapes]

    def get_params(vocab_size, num_hiddens, device):
        return [gt.tensor(w, requires_grad=True) for w in weights]

    def init_state(batch_size, num_hiddens, device):
        return (gt.zeros((batch_size, num_hiddens)),)

    def forward(inputs, state, params):
        W_xh, W_hh, b_h, W_hq, b_q = params
        (H,) = state
        outputs = []
        for X in inputs:
            H = gt.tanh(X @ W_xh + H @ W_hh + b_h)
            outputs.append(H @ W_hq + b_q)
        return gt.cat(outputs, dim=0), (H,)

    net = d2l.RNNModelScratch(vocab_size, num_hiddens, "cpu", get_params, init_state, forward)
    return net, weights


def book_rnn_loss_and_grads(torch, weights, X, Y):
    """The same model's mean cross-entropy and gradients on PyTorch."""
    W = [torch.tensor(w, requires_grad=True) for w in weights]
    inputs = torch.nn.functional.one_hot(torch.tensor(X).T, W[0].shape[0]).float()
    H = torch.zeros((X.shape[0], W[1].shape[0]))
    outs = []
    for x in inputs:
        H = torch.tanh(x @ W[0] + H @ W[1] + W[2])
        outs.append(H @ W[3] + W[4])
    loss = torch.nn.functional.cross_entropy(torch.cat(outs), torch.tensor(Y).T.reshape(-1))
    loss.backward()
    return loss, [w.grad for w in W]


@needs_torch
def test_scratch_rnn_loss_and_grad_clipping_match_torch():
    net, weights = scratch_rnn(28, 16)
    rng = np.random.default_rng(1)
    X, Y = rng.integers(0, 28, (4, 7)), rng.integers(0, 28, (4, 7))
    y_hat, _ = net(gt.tensor(X), net.begin_state(4, "cpu"))
    loss = gt.nn.functional.cross_entropy(y_hat, gt.tensor(Y).T.reshape(-1))
    loss.backward()
    t_loss, t_grads = book_rnn_loss_and_grads(real_torch, weights, X, Y)
    assert_same(loss, t_loss, atol=1e-6, rtol=1e-5)
    for p, g in zip(net.params, t_grads):
        assert_same(p.grad, g, atol=1e-6, rtol=1e-4)
    norm = math.sqrt(sum(float((g ** 2).sum()) for g in t_grads))
    theta = norm / 3
    d2l.grad_clipping(net, theta)
    real_torch.nn.utils.clip_grad_norm_([real_torch.nn.Parameter(g) for g in t_grads], theta)
    for p, g in zip(net.params, t_grads):
        assert_same(p.grad, g * (theta / norm), atol=1e-6, rtol=1e-4)
    clipped = [p.grad.clone() for p in net.params]
    d2l.grad_clipping(net, norm)  # already within the bound: untouched
    assert all(bool((p.grad == c).all()) for p, c in zip(net.params, clipped))


def test_grad_clipping_of_a_module():
    lin = gt.nn.Linear(3, 2)
    lin(gt.ones(4, 3)).sum().mul(100).backward()
    d2l.grad_clipping(lin, 1)
    total = math.sqrt(sum(float((p.grad ** 2).sum()) for p in lin.parameters()))
    assert abs(total - 1) < 1e-5


def test_predict_ch8_and_train_ch8(capsys, tmp_path, monkeypatch):
    pytest.importorskip("matplotlib")
    monkeypatch.setenv("GLASSTORCH_FIGURES", str(tmp_path))
    monkeypatch.setenv("MPLBACKEND", "Agg")
    random.seed(0)
    train_iter, vocab = d2l.load_data_time_machine(8, 10, max_tokens=400)
    net, _ = scratch_rnn(len(vocab), 16)
    text = d2l.predict_ch8("time ", 6, net, vocab, "cpu")
    assert text.startswith("time ") and len(text) == 11
    d2l.train_ch8(net, train_iter, vocab, 1, 2, "cpu")
    out = capsys.readouterr().out.splitlines()
    assert out[-3].startswith("perplexity ") and out[-3].endswith("tokens/sec on cpu")
    assert out[-2].startswith("time traveller") and len(out[-2]) == 64
    assert out[-1].startswith("traveller") and len(out[-1]) == 59
    ppl, speed = d2l.train_epoch_ch8(net, train_iter, gt.nn.CrossEntropyLoss(),
                                     lambda batch_size: d2l.sgd(net.params, 1, batch_size),
                                     "cpu", True)
    assert 1 < ppl < 28 and speed > 0


# --- sequence to sequence --------------------------------------------------------------------

def test_truncate_pad_build_array_and_sequence_mask():
    assert d2l.truncate_pad([1, 2, 3], 5, 0) == [1, 2, 3, 0, 0]
    assert d2l.truncate_pad([1, 2, 3], 2, 0) == [1, 2]
    vocab = d2l.Vocab([["a", "b"]], reserved_tokens=["<pad>", "<bos>", "<eos>"])
    array, valid_len = d2l.build_array_nmt([["a"], ["b", "a", "b"]], vocab, 3)
    eos, pad = vocab["<eos>"], vocab["<pad>"]
    assert array.tolist() == [[vocab["a"], eos, pad], [vocab["b"], vocab["a"], vocab["b"]]]
    assert valid_len.tolist() == [2, 3]
    X = gt.tensor([[1, 2, 3], [4, 5, 6]])
    assert d2l.sequence_mask(X, gt.tensor([1, 2])).tolist() == [[1, 0, 0], [4, 5, 0]]
    X = gt.ones(2, 3, 4)
    assert d2l.sequence_mask(X, gt.tensor([1, 2]), value=-1)[:, :, 0].tolist() == [
        [1, -1, -1], [1, 1, -1]]


@needs_torch
def test_masked_softmax_ce_loss_matches_torch():
    rng = np.random.default_rng(0)
    pred, label = rng.normal(size=(3, 4, 10)).astype(np.float32), rng.integers(0, 10, (3, 4))
    valid = np.array([4, 2, 0])
    ours = d2l.MaskedSoftmaxCELoss()(gt.tensor(pred, requires_grad=True), gt.tensor(label),
                                     gt.tensor(valid))
    ce = real_torch.nn.functional.cross_entropy(real_torch.tensor(pred).permute(0, 2, 1),
                                                real_torch.tensor(label), reduction="none")
    mask = real_torch.arange(4)[None, :] < real_torch.tensor(valid)[:, None]
    assert_same(ours, (ce * mask).mean(dim=1))
    ones = d2l.MaskedSoftmaxCELoss()(gt.ones(3, 4, 10), gt.ones((3, 4), dtype=gt.long),
                                     gt.tensor([4, 2, 0]))
    assert np.allclose(ones.numpy(), [2.3026, 1.1513, 0.0], atol=1e-4)


def test_bleu():
    assert d2l.bleu("il a froid .", "il a froid .", 2) == 1.0
    assert math.isclose(d2l.bleu("a b", "a b c d", 2), math.exp(-1))
    # one bigram of two matches: exp(0) * 1^(1/2) * (1/2)^(1/4)
    assert math.isclose(d2l.bleu("a b c", "a b d", 2), (2 / 3) ** 0.5 * (1 / 2) ** 0.25)
    assert d2l.bleu("a", "a b", 2) == 0.0  # too short for a bigram (the book divides by zero)


def test_encoder_decoder_interfaces():
    with pytest.raises(NotImplementedError, match="forward"):
        d2l.Encoder()(gt.ones(1))
    with pytest.raises(NotImplementedError, match="init_state"):
        d2l.Decoder().init_state(None)
    with pytest.raises(NotImplementedError, match="attention_weights"):
        d2l.AttentionDecoder().attention_weights  # noqa: B018


# --- attention -------------------------------------------------------------------------------

def book_masked_softmax(torch, X, valid_lens):
    if valid_lens is None:
        return torch.softmax(X, dim=-1)
    shape = X.shape
    lens = (torch.repeat_interleave(valid_lens, shape[1]) if valid_lens.dim() == 1
            else valid_lens.reshape(-1))
    X = X.reshape(-1, shape[-1])
    X[~(torch.arange(shape[-1])[None, :] < lens[:, None])] = -1e6
    return torch.softmax(X.reshape(shape), dim=-1)


@needs_torch
@pytest.mark.parametrize("lens", [None, [2, 3], [[1, 3], [2, 4]]])
def test_masked_softmax_matches_the_book_and_its_gradient(lens):
    X = np.random.default_rng(0).normal(size=(2, 2, 4)).astype(np.float32)
    ours_x = gt.tensor(X, requires_grad=True)
    # (the book masks in place: on a leaf that requires grad torch refuses it too, hence * 1)
    ours = d2l.masked_softmax(ours_x * 1, None if lens is None else gt.tensor(lens))
    t_x = real_torch.tensor(X, requires_grad=True)
    t_lens = None if lens is None else real_torch.tensor(lens)
    theirs = book_masked_softmax(real_torch, t_x * 1, t_lens)
    assert_same(ours, theirs)
    w = np.arange(16, dtype=np.float32).reshape(2, 2, 4)
    (ours * gt.tensor(w)).sum().backward()
    (theirs * real_torch.tensor(w)).sum().backward()
    assert_same(ours_x.grad, t_x.grad)


def copy_linear(torch_lin, ours):
    with gt.no_grad():
        ours.weight.copy_(gt.tensor(torch_lin.weight.detach().numpy()))
        if ours.bias is not None:
            ours.bias.copy_(gt.tensor(torch_lin.bias.detach().numpy()))


@needs_torch
def test_additive_and_multi_head_attention_match_torch():
    torch = real_torch
    torch.manual_seed(0)
    rng = np.random.default_rng(0)
    q = rng.normal(size=(2, 3, 20)).astype(np.float32)
    k = rng.normal(size=(2, 10, 2)).astype(np.float32)
    v = rng.normal(size=(2, 10, 4)).astype(np.float32)
    lens = np.array([2, 6])
    add = d2l.AdditiveAttention(2, 20, 8, 0.0)
    W_k, W_q, w_v = (torch.nn.Linear(*s, bias=False) for s in [(2, 8), (20, 8), (8, 1)])
    for t_lin, ours in [(W_k, add.W_k), (W_q, add.W_q), (w_v, add.w_v)]:
        copy_linear(t_lin, ours)
    scores = w_v(torch.tanh(W_q(torch.tensor(q)).unsqueeze(2)
                            + W_k(torch.tensor(k)).unsqueeze(1))).squeeze(-1)
    weights = book_masked_softmax(torch, scores, torch.tensor(lens))
    ours = add(gt.tensor(q), gt.tensor(k), gt.tensor(v), gt.tensor(lens))
    assert_same(add.attention_weights, weights)
    assert_same(ours, torch.bmm(weights, torch.tensor(v)))

    # multi-head: the same as torch's own nn.MultiheadAttention (no biases, key padding mask)
    num_hiddens, heads = 8, 2
    x = rng.normal(size=(2, 5, num_hiddens)).astype(np.float32)
    mha = d2l.MultiHeadAttention(num_hiddens, num_hiddens, num_hiddens, num_hiddens, heads, 0)
    ref = torch.nn.MultiheadAttention(num_hiddens, heads, bias=False, batch_first=True)
    w = ref.in_proj_weight.detach().numpy()
    with gt.no_grad():
        for i, lin in enumerate([mha.W_q, mha.W_k, mha.W_v]):
            lin.weight.copy_(gt.tensor(w[i * num_hiddens:(i + 1) * num_hiddens]))
        mha.W_o.weight.copy_(gt.tensor(ref.out_proj.weight.detach().numpy()))
    lens = np.array([3, 5])
    ours = mha(gt.tensor(x), gt.tensor(x), gt.tensor(x), gt.tensor(lens))
    pad = torch.arange(5)[None, :] >= torch.tensor(lens)[:, None]
    theirs, _ = ref(*[torch.tensor(x)] * 3, key_padding_mask=pad)
    assert_same(ours, theirs, atol=1e-5, rtol=1e-4)


def test_transpose_qkv_round_trip_and_positional_encoding():
    X = gt.arange(2 * 3 * 8, dtype=gt.float32).reshape(2, 3, 8)
    heads = d2l.transpose_qkv(X, 4)
    assert heads.shape == (8, 3, 2)
    assert heads[1].tolist() == X[0, :, 2:4].tolist()
    assert d2l.transpose_output(heads, 4).tolist() == X.tolist()
    pe = d2l.PositionalEncoding(32, 0)
    P = pe(gt.zeros((1, 60, 32)))[0].numpy()
    i, j = np.arange(60)[:, None], np.arange(0, 32, 2)[None, :]
    angle = i / np.power(10000, j / 32)
    assert np.allclose(P[:, 0::2], np.sin(angle), atol=1e-6)
    assert np.allclose(P[:, 1::2], np.cos(angle), atol=1e-6)


def test_transformer_encoder_shapes_and_weights():
    enc = d2l.TransformerEncoder(200, 24, 24, 24, 24, [24], 24, 48, 8, 2, 0.5)
    enc.eval()
    out = enc(gt.ones((2, 100), dtype=gt.long), gt.tensor([3, 2]))
    assert out.shape == (2, 100, 24)
    assert len(enc.attention_weights) == 2 and enc.attention_weights[0].shape == (16, 100, 100)
    # keys past each example's valid length get no weight
    assert float(enc.attention_weights[0][0, :, 3:].detach().abs().sum()) == 0
    assert "blks.block1.ffn.dense2.weight" in enc.state_dict()
    blk = d2l.EncoderBlock(24, 24, 24, 24, [100, 24], 24, 48, 8, 0.5)
    blk.eval()
    assert blk(gt.ones((2, 100, 24)), gt.tensor([3, 2])).shape == (2, 100, 24)
    ffn = d2l.PositionWiseFFN(4, 4, 8)
    assert ffn(gt.ones((2, 3, 4))).shape == (2, 3, 8)
    add_norm = d2l.AddNorm([3, 4], 0.5)
    add_norm.eval()
    assert add_norm(gt.ones((2, 3, 4)), gt.ones((2, 3, 4))).shape == (2, 3, 4)


# --- optimization ----------------------------------------------------------------------------

def test_train_2d_and_show_trace(capsys, monkeypatch):
    pytest.importorskip("matplotlib")
    monkeypatch.setenv("MPLBACKEND", "Agg")

    def gd_2d(x1, x2, s1, s2):
        return x1 - 0.1 * 2 * x1, x2 - 0.1 * 4 * x2, 0, 0

    results = d2l.train_2d(gd_2d)
    assert len(results) == 21 and results[0] == (-5, -2)
    assert capsys.readouterr().out == "epoch 20, x1: -0.057646, x2: -0.000073\n"
    d2l.show_trace_2d(lambda x1, x2: x1 ** 2 + 2 * x2 ** 2, results)
    d2l.annotate("min", (0, 0), (-2, -1))
    d2l.plt.close("all")


def test_get_data_ch11_and_train_ch11(capsys, tmp_path, monkeypatch):
    pytest.importorskip("matplotlib")
    monkeypatch.setenv("GLASSTORCH_FIGURES", str(tmp_path))
    monkeypatch.setenv("MPLBACKEND", "Agg")
    data_iter, feature_dim = d2l.get_data_ch11(10)
    assert feature_dim == 5 and len(data_iter) == 150
    X, y = next(iter(data_iter))
    assert X.shape == (10, 5) and y.shape == (10,) and X.dtype == gt.float32
    raw = np.genfromtxt(d2l.download("airfoil"), dtype=np.float32, delimiter="\t")
    assert raw.shape == (1503, 6)

    def sgd(params, states, hyperparams):
        for p in params:
            p.data.sub_(hyperparams["lr"] * p.grad)
            p.grad.data.zero_()

    gt.manual_seed(0)
    times, losses = d2l.train_ch11(sgd, None, {"lr": 0.05}, data_iter, feature_dim, 1)
    assert len(times) == len(losses) == 7 and losses[-1] < 0.3
    d2l.train_concise_ch11(gt.optim.SGD, {"lr": 0.01}, data_iter, 1)
    lines = capsys.readouterr().out.splitlines()
    assert [bool(re.fullmatch(r"loss: 0\.\d{3}, \d+\.\d{3} sec/epoch", s)) for s in lines[-2:]] \
        == [True, True]


def test_book_aliases():
    assert d2l.meshgrid is gt.meshgrid and d2l.ones_like is gt.ones_like
    x = gt.ones(2, 3)
    assert d2l.expand_dims(x, 0).shape == (1, 2, 3)
    assert d2l.swapaxes(x, 0, 1).shape == (3, 2)
    assert d2l.repeat(x, 2, 1).shape == (4, 3)



# --- with the recurrent layers ---------------------------------------------------------------

@needs_torch
@pytest.mark.parametrize("kind", ["RNN", "GRU", "LSTM"])
def test_rnn_model_matches_torch_and_trains(kind):
    torch = real_torch
    torch.manual_seed(0)
    vocab_size, hiddens = 28, 16
    ref_layer = getattr(torch.nn, kind)(vocab_size, hiddens)
    ref_linear = torch.nn.Linear(hiddens, vocab_size)
    net = d2l.RNNModel(getattr(gt.nn, kind)(vocab_size, hiddens), vocab_size)
    net.rnn.load_state_dict({k: gt.tensor(v.numpy()) for k, v in ref_layer.state_dict().items()})
    copy_linear(ref_linear, net.linear)
    X = np.random.default_rng(0).integers(0, vocab_size, (3, 5))
    state = net.begin_state("cpu", batch_size=3)
    assert (len(state) == 2) if kind == "LSTM" else (state.shape == (1, 3, hiddens))
    out, new_state = net(gt.tensor(X), state)
    t_in = torch.nn.functional.one_hot(torch.tensor(X).T, vocab_size).float()
    t_y, _ = ref_layer(t_in)
    assert_same(out, ref_linear(t_y.reshape(-1, hiddens)), atol=1e-5, rtol=1e-4)
    assert out.shape == (15, vocab_size)


def test_train_ch8_with_a_gru_and_a_bidirectional_layer(capsys, tmp_path, monkeypatch):
    pytest.importorskip("matplotlib")
    monkeypatch.setenv("GLASSTORCH_FIGURES", str(tmp_path))
    monkeypatch.setenv("MPLBACKEND", "Agg")
    random.seed(0)
    gt.manual_seed(0)
    train_iter, vocab = d2l.load_data_time_machine(16, 20, max_tokens=1500)
    net = d2l.RNNModel(gt.nn.GRU(len(vocab), 32), len(vocab))
    d2l.train_ch8(net, train_iter, vocab, 1, 2, d2l.try_gpu())
    out = capsys.readouterr().out.splitlines()
    assert re.fullmatch(r"perplexity \d+\.\d, \d+\.\d tokens/sec on cpu", out[-3])
    bi = d2l.RNNModel(gt.nn.LSTM(len(vocab), 8, bidirectional=True, num_layers=2), len(vocab))
    assert bi.linear.in_features == 16 and bi.begin_state("cpu", 4)[0].shape == (4, 4, 8)
    ppl, _ = d2l.train_epoch_ch8(bi, train_iter, gt.nn.CrossEntropyLoss(),
                                 gt.optim.SGD(bi.parameters(), 1), "cpu", False)
    assert 1 < ppl < 40


class Seq2SeqDecoder(d2l.Decoder):
    """The book's 9.7 decoder (defined in the chapter, not in d2l): GRU on [embedding; context]."""

    def __init__(self, vocab_size, embed_size, num_hiddens, num_layers, dropout=0):
        super().__init__()
        self.embedding = gt.nn.Embedding(vocab_size, embed_size)
        self.rnn = gt.nn.GRU(embed_size + num_hiddens, num_hiddens, num_layers, dropout=dropout)
        self.dense = gt.nn.Linear(num_hiddens, vocab_size)

    def init_state(self, enc_outputs, *args):
        return enc_outputs[1]

    def forward(self, X, state):
        X = self.embedding(X).permute(1, 0, 2)
        context = state[-1].repeat(X.shape[0], 1, 1)
        output, state = self.rnn(gt.cat((X, context), 2), state)
        return self.dense(output).permute(1, 0, 2), state


def test_seq2seq_trains_and_translates(offline, monkeypatch, capsys):
    pytest.importorskip("matplotlib")
    monkeypatch.setenv("GLASSTORCH_FIGURES", str(offline))
    monkeypatch.setenv("MPLBACKEND", "Agg")
    sha1 = make_fra_eng(offline / "user-data")
    monkeypatch.setitem(d2l.DATA_HUB, "fra-eng", (d2l.DATA_URL + "fra-eng.zip", sha1))
    gt.manual_seed(0)
    train_iter, src_vocab, tgt_vocab = d2l.load_data_nmt(8, 6)
    encoder = d2l.Seq2SeqEncoder(len(src_vocab), 8, 16, 2)
    encoder.eval()
    output, state = encoder(gt.zeros((4, 7), dtype=gt.long))
    assert output.shape == (7, 4, 16) and state.shape == (2, 4, 16)
    net = d2l.EncoderDecoder(d2l.Seq2SeqEncoder(len(src_vocab), 16, 32, 1),
                             Seq2SeqDecoder(len(tgt_vocab), 16, 32, 1))
    d2l.train_seq2seq(net, train_iter, 0.01, 60, tgt_vocab, "cpu")
    line = capsys.readouterr().out.splitlines()[-1]
    assert re.fullmatch(r"loss \d\.\d{3}, \d+\.\d tokens/sec on cpu", line)
    assert float(line.split()[1][:-1]) < 0.5
    translation, weights = d2l.predict_seq2seq(net, "go .", src_vocab, tgt_vocab, 6, "cpu")
    assert translation == "va !" and weights == []


def test_train_epoch_ch8_on_a_corpus_too_short_for_a_batch():
    random.seed(0)
    train_iter, vocab = d2l.load_data_time_machine(32, 35, max_tokens=500)
    net, _ = scratch_rnn(len(vocab), 4)
    with pytest.raises(ValueError, match="gave no minibatch"):
        d2l.train_epoch_ch8(net, train_iter, gt.nn.CrossEntropyLoss(),
                            lambda batch_size: d2l.sgd(net.params, 1, batch_size), "cpu", False)


def test_extract_tar_and_zip(tmp_path):
    import tarfile

    src = tmp_path / "pkg"
    src.mkdir()
    (src / "a.txt").write_text("hello")
    with tarfile.open(tmp_path / "pkg.tar.gz", "w:gz") as t:
        t.add(src / "a.txt", arcname="pkg/a.txt")
    out = tmp_path / "out"
    assert d2l.extract(str(tmp_path / "pkg.tar.gz"), str(out)) == str(out)
    assert (out / "pkg" / "a.txt").read_text() == "hello"
    with pytest.raises(ValueError, match="not a .zip"):
        d2l.extract(str(src / "a.txt"))


BOOK_ALIASES = ("ones_like ones zeros_like zeros tensor arange meshgrid sin sinh cos cosh tanh "
                "linspace exp log normal rand randn matmul int32 int64 float32 concat stack abs "
                "eye sigmoid batch_matmul numpy size reshape to reduce_sum argmax astype "
                "transpose reduce_mean expand_dims swapaxes repeat").split()


def test_every_alias_at_the_end_of_the_books_torch_py():
    missing = [name for name in BOOK_ALIASES if not hasattr(d2l, name)]
    assert not missing


def test_heatmaps_and_length_histograms(monkeypatch):
    pytest.importorskip("matplotlib")
    monkeypatch.setenv("MPLBACKEND", "Agg")
    d2l.show_heatmaps(gt.eye(10).reshape((1, 1, 10, 10)), xlabel="Keys", ylabel="Queries",
                      titles=["eye"])
    fig = d2l.plt.gcf()
    assert [ax.get_xlabel() for ax in fig.axes][:1] == ["Keys"] and len(fig.axes) == 2
    d2l.plt.close("all")
    d2l.show_list_len_pair_hist(["source", "target"], "# tokens per sequence", "count",
                                [["a", "b"], ["c"]], [["x"], ["y", "z", "w"]])
    assert d2l.plt.gca().get_ylabel() == "count"
    d2l.plt.close("all")
