"""Machine translation helpers of d2l chapter 9 (9.5-9.7): data, encoder-decoder, training, BLEU.

Data (English-French pairs, one ``source<TAB>target`` per line):

- ``read_data_nmt()`` reads ``fra-eng/fra.txt`` from the book's ``fra-eng.zip`` (not shipped:
  see ``load_data_nmt``); ``preprocess_nmt`` lowercases and puts a space before punctuation;
  ``tokenize_nmt`` splits into word lists; ``truncate_pad`` / ``build_array_nmt`` make
  fixed-length index arrays ending in ``'<eos>'``; ``load_data_nmt`` does it all.

Models: ``Encoder`` / ``Decoder`` / ``EncoderDecoder`` (the interfaces), ``Seq2SeqEncoder``
(embedding + ``nn.GRU``). Training: ``sequence_mask``, ``MaskedSoftmaxCELoss``,
``train_seq2seq``; inference and scoring: ``predict_seq2seq``, ``bleu``.
"""

from __future__ import annotations

import collections
import math
import os

import glasstorch as torch
from glasstorch import nn

from .animator import Accumulator, Animator, Timer
from .data import load_array
from .hub import DATA_HUB, download_extract
from .plotting import pyplot, set_figsize
from .rnn import grad_clipping
from .text import Vocab

__all__ = ["read_data_nmt", "preprocess_nmt", "tokenize_nmt", "show_list_len_pair_hist",
           "truncate_pad", "build_array_nmt", "load_data_nmt", "Encoder", "Decoder",
           "EncoderDecoder", "Seq2SeqEncoder", "sequence_mask", "MaskedSoftmaxCELoss",
           "train_seq2seq", "predict_seq2seq", "bleu"]


def read_data_nmt() -> str:
    """The whole text of ``fra.txt`` from the book's ``fra-eng.zip``.

    The corpus (Tatoeba sentence pairs, CC BY 2.0 FR) is not shipped with glasstorch: put the
    book's ``fra-eng.zip`` (SHA-1 ``DATA_HUB['fra-eng'][1]``) at ``../data/fra-eng.zip``
    (relative to the working folder, the book's cache) or in ``~/.glasstorch/data/``; it is
    unpacked beside itself. Raises ``FileNotFoundError`` saying so when it is not found.
    """
    try:
        data_dir = download_extract("fra-eng")
    except FileNotFoundError as e:
        url, sha1 = DATA_HUB["fra-eng"]
        raise FileNotFoundError(
            f"read_data_nmt: the English-French corpus is not on this machine. Download {url} "
            f"(SHA-1 {sha1}) and put it at ../data/fra-eng.zip (relative to the folder you run "
            f"from) or at ~/.glasstorch/data/fra-eng.zip. Details: {e}") from None
    with open(os.path.join(data_dir, "fra.txt"), encoding="utf-8") as f:
        return f.read()


def preprocess_nmt(text: str) -> str:
    """Lowercase, turn non-breaking spaces into spaces, and put a space before each ``,.!?``
    that follows a non-space (so punctuation becomes its own token)."""
    text = text.replace("\u202f", " ").replace("\xa0", " ").lower()
    out = [" " + char if i > 0 and char in ",.!?" and text[i - 1] != " " else char
           for i, char in enumerate(text)]
    return "".join(out)


def tokenize_nmt(text: str, num_examples: int | None = None):
    """``(source, target)``: lists of word lists, one pair per ``source<TAB>target`` line.

    Lines without exactly one tab are skipped. With ``num_examples``, reading stops after line
    number ``num_examples`` (so at most ``num_examples + 1`` pairs, as in the book).
    """
    source, target = [], []
    for i, line in enumerate(text.split("\n")):
        if num_examples and i > num_examples:
            break
        parts = line.split("\t")
        if len(parts) == 2:
            source.append(parts[0].split(" "))
            target.append(parts[1].split(" "))
    return source, target


def show_list_len_pair_hist(legend, xlabel, ylabel, xlist, ylist) -> None:
    """Side-by-side histograms of the lengths of the lists in ``xlist`` and ``ylist`` (the
    second hatched)."""
    plt = pyplot()
    set_figsize()
    _, _, patches = plt.hist([[len(seq) for seq in xlist], [len(seq) for seq in ylist]])
    plt.xlabel(xlabel)
    plt.ylabel(ylabel)
    for patch in patches[1].patches:
        patch.set_hatch("/")
    plt.legend(legend)


def truncate_pad(line, num_steps: int, padding_token):
    """``line`` cut to ``num_steps`` items, or padded with ``padding_token`` up to it."""
    if len(line) > num_steps:
        return line[:num_steps]
    return line + [padding_token] * (num_steps - len(line))


def build_array_nmt(lines, vocab, num_steps: int):
    """``(array, valid_len)``: each token list as indices plus ``'<eos>'``, truncated or padded
    with ``'<pad>'`` to ``num_steps``; ``array`` is int64 ``(len(lines), num_steps)`` and
    ``valid_len`` the number of non-padding tokens of each row (int64, ``(len(lines),)``)."""
    rows = [vocab[line] + [vocab["<eos>"]] for line in lines]
    array = torch.tensor([truncate_pad(row, num_steps, vocab["<pad>"]) for row in rows])
    valid_len = (array != vocab["<pad>"]).type(torch.int32).sum(1)
    return array, valid_len


def load_data_nmt(batch_size: int, num_steps: int, num_examples: int = 600):
    """``(data_iter, src_vocab, tgt_vocab)`` for English → French (9.5).

    The first ``num_examples`` pairs of ``fra.txt`` (see ``read_data_nmt`` for where to put
    ``fra-eng.zip``); both vocabularies keep tokens seen at least twice and reserve ``'<pad>'``,
    ``'<bos>'``, ``'<eos>'``. Each batch is ``(X, X_valid_len, Y, Y_valid_len)``, ``X`` and ``Y``
    of shape ``(batch_size, num_steps)``, shuffled each epoch.
    """
    text = preprocess_nmt(read_data_nmt())
    source, target = tokenize_nmt(text, num_examples)
    reserved = ["<pad>", "<bos>", "<eos>"]
    src_vocab = Vocab(source, min_freq=2, reserved_tokens=reserved)
    tgt_vocab = Vocab(target, min_freq=2, reserved_tokens=reserved)
    src_array, src_valid_len = build_array_nmt(source, src_vocab, num_steps)
    tgt_array, tgt_valid_len = build_array_nmt(target, tgt_vocab, num_steps)
    data_iter = load_array((src_array, src_valid_len, tgt_array, tgt_valid_len), batch_size)
    return data_iter, src_vocab, tgt_vocab


class Encoder(nn.Module):
    """The encoder interface: ``forward(X, *args)`` turns the source into encoded outputs."""

    def forward(self, X, *args):
        raise NotImplementedError(f"{type(self).__name__} must define forward(X, *args)")


class Decoder(nn.Module):
    """The decoder interface: ``init_state(enc_outputs, *args)`` makes its first state from the
    encoder's outputs; ``forward(X, state)`` returns ``(output, new_state)``."""

    def init_state(self, enc_outputs, *args):
        raise NotImplementedError(f"{type(self).__name__} must define init_state(enc_outputs, "
                                  "*args)")

    def forward(self, X, state):
        raise NotImplementedError(f"{type(self).__name__} must define forward(X, state)")


class EncoderDecoder(nn.Module):
    """An encoder and a decoder: ``net(enc_X, dec_X, *args)`` encodes ``enc_X``, initialises the
    decoder's state from it (``*args``, such as the source's valid lengths, go to both) and
    decodes ``dec_X``; returns the decoder's ``(output, state)``."""

    def __init__(self, encoder, decoder, **kwargs) -> None:
        super().__init__(**kwargs)
        self.encoder = encoder
        self.decoder = decoder

    def forward(self, enc_X, dec_X, *args):
        enc_outputs = self.encoder(enc_X, *args)
        dec_state = self.decoder.init_state(enc_outputs, *args)
        return self.decoder(dec_X, dec_state)


class Seq2SeqEncoder(Encoder):
    """The RNN encoder of 9.7: ``embedding`` (``nn.Embedding(vocab_size, embed_size)``) then
    ``rnn`` (``nn.GRU(embed_size, num_hiddens, num_layers, dropout=dropout)``).

    ``X`` ``(batch_size, num_steps)`` → ``output`` ``(num_steps, batch_size, num_hiddens)`` and
    ``state`` ``(num_layers, batch_size, num_hiddens)``; the GRU starts from zeros.
    """

    def __init__(self, vocab_size: int, embed_size: int, num_hiddens: int, num_layers: int,
                 dropout: float = 0, **kwargs) -> None:
        super().__init__(**kwargs)
        self.embedding = nn.Embedding(vocab_size, embed_size)
        self.rnn = nn.GRU(embed_size, num_hiddens, num_layers, dropout=dropout)

    def forward(self, X, *args):
        X = self.embedding(X).permute(1, 0, 2)  # time-major: (num_steps, batch, embed_size)
        output, state = self.rnn(X)
        return output, state


def sequence_mask(X, valid_len, value=0):
    """Set ``X[i, j] = value`` wherever ``j >= valid_len[i]`` (in place); returns ``X``.

    ``X`` has shape ``(n, maxlen, ...)`` and ``valid_len`` ``(n,)``: each row keeps its first
    ``valid_len[i]`` entries.
    """
    maxlen = X.size(1)
    mask = torch.arange(maxlen, dtype=torch.float32, device=X.device)[None, :] < valid_len[:, None]
    X[~mask] = value
    return X


class MaskedSoftmaxCELoss(nn.CrossEntropyLoss):
    """Cross-entropy that ignores padding: ``loss(pred, label, valid_len)``.

    ``pred`` ``(batch_size, num_steps, vocab_size)`` logits, ``label`` ``(batch_size,
    num_steps)``, ``valid_len`` ``(batch_size,)``. Returns ``(batch_size,)``: each sequence's
    loss summed over its valid positions and divided by ``num_steps`` (the mean over all
    positions with the padded ones counted as zero, as in the book).
    """

    def forward(self, pred, label, valid_len):
        weights = sequence_mask(torch.ones_like(label), valid_len)
        self.reduction = "none"
        unweighted_loss = super().forward(pred.permute(0, 2, 1), label)
        return (unweighted_loss * weights).mean(dim=1)


def _xavier_init_weights(m) -> None:
    if type(m) is nn.Linear:
        nn.init.xavier_uniform_(m.weight)
    if type(m) is nn.GRU:
        for name, param in m.named_parameters(recurse=False):
            if "weight" in name:
                nn.init.xavier_uniform_(param)


def train_seq2seq(net, data_iter, lr: float, num_epochs: int, tgt_vocab, device) -> None:
    """Train an encoder-decoder with Adam and teacher forcing (9.7).

    Weights of ``nn.Linear`` and ``nn.GRU`` layers are re-initialised (Xavier uniform). The
    decoder's input is ``'<bos>'`` followed by the target without its last token; the loss is
    ``MaskedSoftmaxCELoss`` (summed over the batch), gradients are clipped to norm 1. Plots the
    loss per token every 10 epochs and ends by printing ``loss 0.019, 12345.6 tokens/sec on
    cpu`` (the last epoch's figures).
    """
    net.apply(_xavier_init_weights)
    net.to(device)
    optimizer = torch.optim.Adam(net.parameters(), lr=lr)
    loss = MaskedSoftmaxCELoss()
    net.train()
    animator = Animator(xlabel="epoch", ylabel="loss", xlim=[10, num_epochs])
    for epoch in range(num_epochs):
        timer = Timer()
        metric = Accumulator(2)  # sum of losses, number of tokens
        for batch in data_iter:
            optimizer.zero_grad()
            X, X_valid_len, Y, Y_valid_len = [x.to(device) for x in batch]
            bos = torch.tensor([tgt_vocab["<bos>"]] * Y.shape[0], device=device).reshape(-1, 1)
            dec_input = torch.cat([bos, Y[:, :-1]], 1)  # teacher forcing
            Y_hat, _ = net(X, dec_input, X_valid_len)
            l = loss(Y_hat, Y, Y_valid_len)
            l.sum().backward()
            grad_clipping(net, 1)
            num_tokens = Y_valid_len.sum()
            optimizer.step()
            with torch.no_grad():
                metric.add(l.sum(), num_tokens)
        if (epoch + 1) % 10 == 0:
            animator.add(epoch + 1, (metric[0] / metric[1],))
    print(f"loss {metric[0] / metric[1]:.3f}, {metric[1] / timer.stop():.1f} "
          f"tokens/sec on {str(device)}")


def predict_seq2seq(net, src_sentence: str, src_vocab, tgt_vocab, num_steps: int, device,
                    save_attention_weights: bool = False):
    """Translate ``src_sentence`` greedily: ``(translation, attention_weights)``.

    The sentence is lowercased, split on spaces, ended with ``'<eos>'`` and padded to
    ``num_steps``; the decoder starts from ``'<bos>'`` and feeds back its most likely token until
    it predicts ``'<eos>'`` or ``num_steps`` tokens are out. With ``save_attention_weights``, the
    decoder's ``attention_weights`` after each step are collected (attention decoders, 10.4).
    ``net`` is left in evaluation mode.
    """
    net.eval()
    src_tokens = src_vocab[src_sentence.lower().split(" ")] + [src_vocab["<eos>"]]
    enc_valid_len = torch.tensor([len(src_tokens)], device=device)
    src_tokens = truncate_pad(src_tokens, num_steps, src_vocab["<pad>"])
    enc_X = torch.unsqueeze(torch.tensor(src_tokens, dtype=torch.long, device=device), dim=0)
    enc_outputs = net.encoder(enc_X, enc_valid_len)
    dec_state = net.decoder.init_state(enc_outputs, enc_valid_len)
    dec_X = torch.unsqueeze(torch.tensor([tgt_vocab["<bos>"]], dtype=torch.long, device=device),
                            dim=0)
    output_seq, attention_weight_seq = [], []
    for _ in range(num_steps):
        Y, dec_state = net.decoder(dec_X, dec_state)
        dec_X = Y.argmax(dim=2)
        pred = dec_X.squeeze(dim=0).type(torch.int32).item()
        if save_attention_weights:
            attention_weight_seq.append(net.decoder.attention_weights)
        if pred == tgt_vocab["<eos>"]:
            break
        output_seq.append(pred)
    return " ".join(tgt_vocab.to_tokens(output_seq)), attention_weight_seq


def bleu(pred_seq: str, label_seq: str, k: int) -> float:
    """BLEU of a predicted sentence against one reference (9.7), n-grams up to ``k``.

    ``exp(min(0, 1 - len_label / len_pred)) * Π_n p_n ** (1 / 2**n)``, where ``p_n`` is the
    fraction of the prediction's n-grams found in the label (each label n-gram matched at most
    as often as it occurs). 1.0 for a perfect match; 0.0 when the prediction is too short to
    have any ``k``-gram (where the book divides by zero).
    """
    pred_tokens, label_tokens = pred_seq.split(" "), label_seq.split(" ")
    len_pred, len_label = len(pred_tokens), len(label_tokens)
    if len_pred < k:
        return 0.0
    score = math.exp(min(0, 1 - len_label / len_pred))
    for n in range(1, k + 1):
        num_matches = 0
        label_subs = collections.Counter(" ".join(label_tokens[i:i + n])
                                         for i in range(len_label - n + 1))
        for i in range(len_pred - n + 1):
            ngram = " ".join(pred_tokens[i:i + n])
            if label_subs[ngram] > 0:
                num_matches += 1
                label_subs[ngram] -= 1
        score *= math.pow(num_matches / (len_pred - n + 1), math.pow(0.5, n))
    return score
