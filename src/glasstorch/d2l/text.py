"""Text and language-model data of d2l chapter 8: The Time Machine as token indices and minibatches.

- ``read_time_machine()``: the book's text as lines of lowercase letters and spaces (8.2);
- ``tokenize(lines, token='word')``: each line as a list of words or of characters;
- ``Vocab(tokens, min_freq=0, reserved_tokens=None)``: token ↔ index, ``'<unk>'`` first (index
  0), then the reserved tokens, then the others from most to least frequent;
- ``load_corpus_time_machine(max_tokens=-1)``: the character indices of the whole book and its
  vocabulary (28 tokens: ``'<unk>'``, space and 26 letters);
- ``seq_data_iter_random`` / ``seq_data_iter_sequential``: minibatches ``(X, Y)`` of shape
  ``(batch_size, num_steps)`` where ``Y`` is ``X`` shifted by one token (8.3);
- ``SeqDataLoader`` and ``load_data_time_machine(batch_size, num_steps)``: both wrapped as an
  iterable that starts afresh each epoch.

Randomness (the offset and the order of subsequences) comes from Python's ``random`` module, as
in the book, so ``random.seed(...)`` makes the batches repeatable.
"""

from __future__ import annotations

import collections
import random
import re

import glasstorch as torch

from .hub import download

__all__ = ["read_time_machine", "tokenize", "Vocab", "count_corpus", "load_corpus_time_machine",
           "seq_data_iter_random", "seq_data_iter_sequential", "SeqDataLoader",
           "load_data_time_machine"]


def read_time_machine() -> list[str]:
    """The lines of *The Time Machine*, each reduced to lowercase letters and single spaces.

    Every run of characters other than ``A-Z``/``a-z`` becomes one space; lines are stripped, so
    blank lines stay as ``''``. The file comes from ``download('time_machine')`` (shipped).
    """
    with open(download("time_machine")) as f:
        lines = f.readlines()
    return [re.sub("[^A-Za-z]+", " ", line).strip().lower() for line in lines]


def tokenize(lines, token: str = "word") -> list[list[str]]:
    """Split each line into tokens: words (``token='word'``, split on whitespace) or characters
    (``token='char'``, spaces included)."""
    if token == "word":
        return [line.split() for line in lines]
    if token == "char":
        return [list(line) for line in lines]
    raise ValueError(f"tokenize: unknown token type {token!r}; use 'word' or 'char'")


def count_corpus(tokens) -> collections.Counter:
    """How often each token occurs, in a flat list of tokens or a list of token lists."""
    if len(tokens) == 0 or isinstance(tokens[0], list):
        tokens = [tok for line in tokens for tok in line]
    return collections.Counter(tokens)


class Vocab:
    """A vocabulary: maps tokens to indices and back.

    Index 0 is ``'<unk>'`` (what any unknown token maps to), then come ``reserved_tokens`` (such
    as ``'<pad>'``, ``'<bos>'``, ``'<eos>'``), then the tokens of ``tokens`` (a list of tokens or
    of token lists) seen at least ``min_freq`` times, from most to least frequent (ties in order
    of first appearance).

    ``vocab[token]`` is an index; ``vocab[[t1, t2]]`` a list of them. ``vocab.to_tokens(i)``
    goes back. ``len(vocab)`` is the number of tokens; ``vocab.token_freqs`` the ``(token,
    count)`` pairs, most frequent first.

    This is d2l 0.17's ordering; d2l 1.0's ``Vocab`` sorts the tokens alphabetically instead.
    """

    def __init__(self, tokens=None, min_freq: int = 0, reserved_tokens=None) -> None:
        tokens = [] if tokens is None else tokens
        reserved_tokens = [] if reserved_tokens is None else list(reserved_tokens)
        counter = count_corpus(tokens)
        self._token_freqs = sorted(counter.items(), key=lambda pair: pair[1], reverse=True)
        self.idx_to_token = ["<unk>", *reserved_tokens]
        self.token_to_idx = {tok: idx for idx, tok in enumerate(self.idx_to_token)}
        for tok, freq in self._token_freqs:
            if freq < min_freq:
                break  # sorted: every later token is rarer still
            if tok not in self.token_to_idx:
                self.token_to_idx[tok] = len(self.idx_to_token)
                self.idx_to_token.append(tok)

    def __len__(self) -> int:
        return len(self.idx_to_token)

    def __getitem__(self, tokens):
        if not isinstance(tokens, (list, tuple)):
            return self.token_to_idx.get(tokens, self.unk)
        return [self[tok] for tok in tokens]

    def to_tokens(self, indices):
        """The token of an index, or the list of tokens of a list (or 1-d tensor) of indices."""
        if isinstance(indices, torch.Tensor):
            indices = indices.tolist()
        if not isinstance(indices, (list, tuple)):
            return self.idx_to_token[int(indices)]
        return [self.idx_to_token[int(i)] for i in indices]

    @property
    def unk(self) -> int:
        """The index of the unknown token: 0."""
        return 0

    @property
    def token_freqs(self) -> list[tuple[str, int]]:
        """``(token, count)`` for every token counted, most frequent first."""
        return self._token_freqs

    def __repr__(self) -> str:
        head = ", ".join(repr(t) for t in self.idx_to_token[:8])
        more = ", ..." if len(self) > 8 else ""
        return f"Vocab({len(self)} tokens: [{head}{more}])"


def load_corpus_time_machine(max_tokens: int = -1):
    """``(corpus, vocab)``: every character of the book as an index, and the character vocabulary.

    The lines are joined without separators (as in the book). ``max_tokens > 0`` keeps only the
    first ``max_tokens`` indices.
    """
    tokens = tokenize(read_time_machine(), "char")
    vocab = Vocab(tokens)
    corpus = [vocab[tok] for line in tokens for tok in line]
    if max_tokens > 0:
        corpus = corpus[:max_tokens]
    return corpus, vocab


def seq_data_iter_random(corpus, batch_size: int, num_steps: int):
    """Minibatches of random, non-overlapping subsequences (random sampling, 8.3).

    The corpus is cut at a random offset in ``[0, num_steps - 1]`` into subsequences of
    ``num_steps`` tokens; these are shuffled and dealt out ``batch_size`` at a time. Yields
    ``(X, Y)``, both int64 of shape ``(batch_size, num_steps)``, ``Y`` being each row of ``X``
    one token later. Two consecutive batches are not adjacent in the text.
    """
    corpus = corpus[random.randint(0, num_steps - 1):]
    num_subseqs = (len(corpus) - 1) // num_steps  # -1: every X token needs a label after it
    starts = list(range(0, num_subseqs * num_steps, num_steps))
    random.shuffle(starts)
    num_batches = num_subseqs // batch_size
    for i in range(0, batch_size * num_batches, batch_size):
        batch = starts[i:i + batch_size]
        X = [corpus[j:j + num_steps] for j in batch]
        Y = [corpus[j + 1:j + 1 + num_steps] for j in batch]
        yield torch.tensor(X), torch.tensor(Y)


def seq_data_iter_sequential(corpus, batch_size: int, num_steps: int):
    """Minibatches whose rows continue where the previous batch's rows stopped (8.3).

    After a random offset in ``[0, num_steps]``, the corpus is laid out as ``batch_size`` long
    rows and read ``num_steps`` columns at a time, so row ``i`` of one batch is followed in the
    text by row ``i`` of the next: the hidden state can be carried over between batches. Yields
    ``(X, Y)`` of shape ``(batch_size, num_steps)``, ``Y`` one token later than ``X``.
    """
    offset = random.randint(0, num_steps)
    num_tokens = ((len(corpus) - offset - 1) // batch_size) * batch_size
    Xs = torch.tensor(corpus[offset:offset + num_tokens]).reshape(batch_size, -1)
    Ys = torch.tensor(corpus[offset + 1:offset + 1 + num_tokens]).reshape(batch_size, -1)
    num_batches = Xs.shape[1] // num_steps
    for i in range(0, num_steps * num_batches, num_steps):
        yield Xs[:, i:i + num_steps], Ys[:, i:i + num_steps]


class SeqDataLoader:
    """The Time Machine's minibatches, as an iterable that starts afresh each epoch.

    ``use_random_iter`` chooses ``seq_data_iter_random`` over ``seq_data_iter_sequential``;
    ``max_tokens`` limits the corpus (see ``load_corpus_time_machine``). Holds ``corpus`` and
    ``vocab``.
    """

    def __init__(self, batch_size: int, num_steps: int, use_random_iter: bool,
                 max_tokens: int) -> None:
        self.data_iter_fn = seq_data_iter_random if use_random_iter else seq_data_iter_sequential
        self.corpus, self.vocab = load_corpus_time_machine(max_tokens)
        self.batch_size, self.num_steps = batch_size, num_steps

    def __iter__(self):
        return self.data_iter_fn(self.corpus, self.batch_size, self.num_steps)


def load_data_time_machine(batch_size: int, num_steps: int, use_random_iter: bool = False,
                           max_tokens: int = 10000):
    """``(data_iter, vocab)``: a ``SeqDataLoader`` over the first ``max_tokens`` characters of the
    book and its character vocabulary (8.3)."""
    data_iter = SeqDataLoader(batch_size, num_steps, use_random_iter, max_tokens)
    return data_iter, data_iter.vocab
