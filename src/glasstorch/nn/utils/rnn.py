"""Batches of sequences of different lengths: padding and packing.

A batch of sequences of lengths 3, 2 and 1 can be held two ways:

- **padded**: one tensor (T, B, *) (or (B, T, *) with ``batch_first``), the short sequences
  filled up with ``padding_value`` (``pad_sequence``);
- **packed**: a ``PackedSequence`` whose ``data`` (N, *) holds only the real steps, time step by
  time step (step 0 of every sequence, then step 1 of those still running, ...), and whose
  ``batch_sizes`` says how many sequences run at each step: here ``[3, 2, 1]``
  (``pack_padded_sequence``, ``pack_sequence``).

``nn.RNN``/``nn.GRU``/``nn.LSTM`` accept a ``PackedSequence``: each sequence is then run for its
own length only (the final hidden state of each is the one after its own last step), and the
output is packed the same way; ``pad_packed_sequence`` turns it back into a padded tensor and the
lengths. Packing keeps sequences sorted longest first; ``enforce_sorted=False`` sorts them for
you and remembers the order (``sorted_indices``, ``unsorted_indices``) so that results come back
in yours.

Every function is composed of differentiable glasstorch ops (indexing, ``cat``, ``stack``), so
gradients flow through packing and padding.

Devices, as torch places them: ``data``, ``sorted_indices`` and ``unsorted_indices`` live on the
input's device; ``batch_sizes`` and the ``lengths`` (given and returned) stay on the CPU.
"""

from __future__ import annotations

from collections import namedtuple

import numpy as np

from ... import _array, _creation
from ..._dtype import scalar_name
from ..._tensor import Tensor, _wrap
from ...autograd.graph import Node, attach
from ...ops.join import cat, stack

_PackedSequenceBase = namedtuple(
    "PackedSequence", ["data", "batch_sizes", "sorted_indices", "unsorted_indices"])


class PackedSequence(_PackedSequenceBase):
    """A batch of variable-length sequences, packed step by step (see the module docstring).

    Fields:
        data: (N, *) the steps of all sequences, step 0 of every sequence first.
        batch_sizes: int64 tensor (T,): how many sequences are running at each step.
        sorted_indices: int64 tensor (B,) or None: the order (longest first) the sequences were
            packed in, as indices of the original batch.
        unsorted_indices: its inverse: where each original sequence sits in the packed order.

    Make one with ``pack_padded_sequence`` or ``pack_sequence``, not directly.
    """

    __slots__ = ()

    def __new__(cls, data, batch_sizes=None, sorted_indices=None, unsorted_indices=None):
        if batch_sizes is None:  # PackedSequence((data, batch_sizes))
            data, batch_sizes = data
        if unsorted_indices is None and sorted_indices is not None:
            unsorted_indices = invert_permutation(sorted_indices)
        return super().__new__(cls, data, batch_sizes, sorted_indices, unsorted_indices)

    def _with_data(self, data) -> PackedSequence:
        return type(self)(data, self.batch_sizes, self.sorted_indices, self.unsorted_indices)

    def to(self, *args, **kwargs) -> PackedSequence:
        """The same packing with ``data.to(*args, **kwargs)`` (itself if nothing changes); the
        indices follow ``data`` to its device, ``batch_sizes`` stays on the CPU."""
        data = self.data.to(*args, **kwargs)
        if data is self.data:
            return self

        def move(t):
            return None if t is None else t.to(data.device)

        return type(self)(data, self.batch_sizes, move(self.sorted_indices),
                          move(self.unsorted_indices))

    def cuda(self, *args, **kwargs) -> PackedSequence:
        return self.to(*args, **kwargs) if self.data.to(*args, **kwargs).is_cuda else self.to(
            *args, device="cuda", **kwargs)

    def cpu(self, *args, **kwargs) -> PackedSequence:
        return self.to(*args, device="cpu", **kwargs)

    def double(self) -> PackedSequence:
        return self._with_data(self.data.double())

    def float(self) -> PackedSequence:
        return self._with_data(self.data.float())

    def half(self) -> PackedSequence:
        return self._with_data(self.data.half())

    def long(self) -> PackedSequence:
        return self._with_data(self.data.long())

    def int(self) -> PackedSequence:
        return self._with_data(self.data.int())

    @property
    def is_cuda(self) -> bool:
        return self.data.is_cuda

    def is_pinned(self) -> bool:
        pinned = getattr(type(self.data), "is_pinned", None)  # Tensor.is_pinned, where it exists
        return bool(pinned is not None and pinned(self.data))


def invert_permutation(permutation: Tensor | None) -> Tensor | None:
    """The inverse permutation: ``out[permutation[i]] = i``."""
    if permutation is None:
        return None
    p = permutation._data
    inv = np.empty_like(p)
    inv[p] = _array.namespace(p).arange(p.size, dtype=p.dtype)
    return _wrap(inv)


def _lengths_array(lengths) -> np.ndarray:
    if isinstance(lengths, Tensor):
        if lengths._data.ndim != 1 or not _array.on_host(lengths._data):
            where = "cpu" if _array.on_host(lengths._data) else str(lengths.device)
            raise RuntimeError(
                f"'lengths' argument should be a 1D CPU int64 tensor, but got "
                f"{lengths._data.ndim}D {where} {scalar_name(lengths._data.dtype)} tensor")
        return lengths._data.astype(np.int64)
    return np.asarray(lengths, dtype=np.int64).reshape(-1)


def _batch_sizes(lengths: np.ndarray) -> np.ndarray:
    """For lengths sorted longest first: how many sequences run at each step (T,)."""
    steps = np.arange(int(lengths[0]))
    return (lengths[None, :] > steps[:, None]).sum(1).astype(np.int64)


def packed_positions(batch_sizes, batch: int) -> np.ndarray:
    """Where each packed row sits in a (T, B) grid flattened to T * B: step t, sequence b →
    ``t * B + b``, for the running sequences of each step."""
    return np.concatenate([t * batch + np.arange(bs) for t, bs in enumerate(batch_sizes)])


def pack_padded_sequence(input: Tensor, lengths, batch_first: bool = False,
                         enforce_sorted: bool = True) -> PackedSequence:
    """Pack a padded batch (T, B, *) (``batch_first``: (B, T, *)) whose sequence b has
    ``lengths[b]`` real steps.

    With ``enforce_sorted=True`` the lengths must be in decreasing order; ``False`` sorts the
    batch (the order is kept in ``sorted_indices`` and undone by ``pad_packed_sequence`` and by
    the recurrent layers' final states).

    Example::

        >>> x = torch.tensor([[1, 2, 3], [4, 5, 0]]).T       # (T=3, B=2), lengths 3 and 2
        >>> nn.utils.rnn.pack_padded_sequence(x, [3, 2]).data
        tensor([1, 4, 2, 5, 3])
    """
    lens = _lengths_array(lengths)
    batch_dim = 0 if batch_first else 1
    if enforce_sorted:
        sorted_indices = None
    else:
        order = np.argsort(-lens, kind="stable")
        lens = lens[order]
        sorted_indices = _wrap(_array.like(input._data, order.astype(np.int64)))
        input = input.index_select(batch_dim, sorted_indices)
    if batch_first:
        input = input.transpose(0, 1)
    T, B = input.shape[0], input.shape[1]
    if lens.size != B:
        raise RuntimeError(
            f"Expected `len(lengths)` to be equal to batch_size, but got {lens.size} "
            f"(batch_size={B})")
    if lens.size and lens[-1] <= 0:
        raise RuntimeError(
            "Length of all samples has to be greater than 0, but found an element in 'lengths' "
            "that is <= 0")
    if np.any(lens[:-1] < lens[1:]):
        raise RuntimeError(
            "`lengths` array must be sorted in decreasing order when `enforce_sorted` is True. "
            "You can pass `enforce_sorted=False` to pack_padded_sequence and/or pack_sequence "
            "to sidestep this requirement if you do not need ONNX exportability.")
    if lens[0] > T:
        raise RuntimeError(
            f"Expected sequence length to be at most {T} (the padded length), but got "
            f"{int(lens[0])}")
    sizes = _batch_sizes(lens)
    positions = packed_positions(sizes, B)
    rows = input._data.reshape(T * B, *input.shape[2:])
    data = attach(_wrap(rows[_array.like(rows, positions)]), PackPaddedSequenceBackward0, input,
                  positions=positions, shape=tuple(input.shape))
    return PackedSequence(data, _creation.tensor(sizes), sorted_indices, None)


class PackPaddedSequenceBackward0(Node):
    """Backward of packing: each packed row's gradient goes back to its place in the padded
    (T, B, *) input; the padding gets 0."""

    def __init__(self, input, *, positions, shape):
        super().__init__(input)
        self.positions, self.shape = positions, shape

    def backward(self, grad):
        T, B = self.shape[0], self.shape[1]
        out = padded_from_packed(grad, None, T, positions=self.positions, batch=B)
        return out.reshape(self.shape)


def pad_packed_sequence(sequence: PackedSequence, batch_first: bool = False,
                        padding_value: float = 0.0, total_length: int | None = None):
    """Undo ``pack_padded_sequence``: ``(padded, lengths)`` with padded (T, B, *) (or
    (B, T, *)) filled with ``padding_value`` past each sequence's end, and ``lengths`` an int64
    tensor (B,), both in the batch's original order. ``total_length`` pads T up to that length
    (for ``DataParallel``-style fixed shapes)."""
    data, batch_sizes, _, unsorted_indices = sequence
    sizes = np.asarray(batch_sizes._data, dtype=np.int64)
    T, B = sizes.size, int(sizes[0])
    if total_length is not None:
        if total_length < T:
            raise ValueError(
                "Expected total_length to be at least the length of the longest sequence in "
                f"input, but got total_length={total_length} and max sequence length being {T}")
        T = total_length
    padded = padded_from_packed(data, sizes, T, padding_value)
    lengths = (sizes[None, :] > np.arange(B)[:, None]).sum(1).astype(np.int64)
    if unsorted_indices is not None:
        padded = padded.index_select(1, unsorted_indices)
        lengths = lengths[_array.to_host(unsorted_indices._data)]  # lengths stay on the CPU
    if batch_first:
        padded = padded.transpose(0, 1)
    return padded, _creation.tensor(lengths)


def padded_from_packed(data: Tensor, batch_sizes, steps: int, padding_value: float = 0.0,
                       positions=None, batch: int | None = None):
    """The packed rows ``data`` (N, *) laid out as (steps, B, *), ``padding_value`` elsewhere
    (written with differentiable ops: a gather from the rows plus one row of padding)."""
    if positions is None:
        sizes = [int(b) for b in batch_sizes]
        batch, positions = sizes[0], packed_positions(sizes, sizes[0])
    N = data.shape[0]
    fill = _creation.full((1, *data.shape[1:]), padding_value, dtype=data.dtype,
                          device=data.device)
    where = np.full(steps * batch, N, dtype=np.int64)  # row N of the stacked rows is the padding
    where[positions] = np.arange(N)
    index = _wrap(_array.like(data._data, where))
    return cat([data, fill])[index].reshape(steps, batch, *data.shape[1:])


def pad_sequence(sequences, batch_first: bool = False, padding_value: float = 0.0,
                 padding_side: str = "right") -> Tensor:
    """Stack sequences of shapes (L_i, *) into one tensor (T, B, *) (``batch_first``:
    (B, T, *)) with T the longest L_i, filling with ``padding_value`` after each sequence
    (``padding_side="left"``: before it).

    Example::

        >>> nn.utils.rnn.pad_sequence([torch.ones(3), torch.ones(1)]).T
        tensor([[1., 1., 1.],
                [1., 0., 0.]])
    """
    if padding_side not in ("left", "right"):
        raise RuntimeError(
            f"Expected padding_side to be one of left or right, but got {padding_side}.")
    if isinstance(sequences, Tensor):
        sequences = list(sequences.unbind(0))
    sequences = list(sequences)
    if not sequences:
        raise RuntimeError("received an empty list of sequences")
    _check_trailing(sequences)
    T = max(s.shape[0] for s in sequences)
    padded = []
    for s in sequences:
        missing = T - s.shape[0]
        if missing:
            fill = _creation.full((missing, *s.shape[1:]), padding_value, dtype=s.dtype,
                                  device=s.device)
            s = cat([s, fill] if padding_side == "right" else [fill, s])
        padded.append(s)
    return stack(padded, 0 if batch_first else 1)


def _check_trailing(sequences) -> None:
    """Every sequence must have the first one's trailing shape (torch's copy error if not)."""
    if any(s.dim() == 0 for s in sequences):
        raise RuntimeError("ArrayRef: invalid slice, N = 1; size = 0 (pad_sequence: every "
                           "sequence needs a first dimension, its length)")
    first = sequences[0].shape
    for s in sequences[1:]:
        for d in range(1, min(len(first), len(s.shape))):
            if first[d] != s.shape[d]:
                raise RuntimeError(
                    f"The size of tensor a ({first[d]}) must match the size of tensor b "
                    f"({s.shape[d]}) at non-singleton dimension {d} (pad_sequence: every "
                    f"sequence must have the shape (length, {', '.join(map(str, first[1:]))}))")


def unpad_sequence(padded_sequences: Tensor, lengths, batch_first: bool = False) -> list:
    """Split a padded batch back into its sequences: a list of (L_i, *) tensors."""
    if not batch_first:
        padded_sequences = padded_sequences.transpose(0, 1)
    lens = _lengths_array(lengths)
    return [padded_sequences[b, :int(n)] for b, n in enumerate(lens)]


def pack_sequence(sequences, enforce_sorted: bool = True) -> PackedSequence:
    """Pack a list of sequences (L_i, *) (longest first unless ``enforce_sorted=False``)."""
    lengths = [s.shape[0] for s in sequences]
    return pack_padded_sequence(pad_sequence(sequences), lengths, enforce_sorted=enforce_sorted)


def unpack_sequence(packed_sequences: PackedSequence) -> list:
    """The list of sequences (L_i, *) packed in ``packed_sequences``, in their original order."""
    padded, lengths = pad_packed_sequence(packed_sequences, batch_first=True)
    return unpad_sequence(padded, lengths, batch_first=True)


__all__ = ["PackedSequence", "invert_permutation", "pack_padded_sequence", "pad_packed_sequence",
           "pad_sequence", "unpad_sequence", "pack_sequence", "unpack_sequence"]
