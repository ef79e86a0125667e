"""Index lookups: ``one_hot`` and ``embedding`` (rows of a weight table picked by index)."""

from __future__ import annotations

import numpy as np

from ... import _array
from ..._dtype import scalar_name
from ..._errors import not_tensor
from ..._tensor import Tensor, _wrap
from ...autograd.graph import Node, attach


# ---- one_hot and embedding ---------------------------------------------------------------------
def one_hot(tensor: Tensor, num_classes: int = -1) -> Tensor:
    """Class indices (*,) → int64 one-hot rows (*, num_classes); -1 infers ``max + 1``."""
    if not isinstance(tensor, Tensor):
        raise not_tensor("one_hot", tensor)
    t = tensor._data
    if t.dtype != np.int64:
        raise RuntimeError("one_hot is only applicable to index tensor of type LongTensor.")
    if num_classes == -1:
        if t.size == 0:
            raise RuntimeError("Can not infer total number of classes from empty tensor.")
        num_classes = int(t.max()) + 1
    if t.size:
        if t.min() < 0:
            raise RuntimeError("Class values must be non-negative.")
        if t.max() >= num_classes:
            raise RuntimeError("Class values must be smaller than num_classes.")
    classes = _array.namespace(t).arange(num_classes)
    return _wrap((t[..., None] == classes).astype(np.int64))


def embedding(input: Tensor, weight: Tensor, padding_idx: int | None = None,
              max_norm: float | None = None, norm_type: float = 2.0,
              scale_grad_by_freq: bool = False, sparse: bool = False) -> Tensor:
    """Look up rows of ``weight`` (num_embeddings, D) at the integer ``input`` (*) → (*, D).

    ``padding_idx``: that row gets no gradient. ``max_norm``: rows looked up whose ``norm_type``
    norm exceeds it are rescaled in place first. ``scale_grad_by_freq``: each row's gradient is
    divided by how often it occurs in the batch. (``sparse`` gradients are returned dense.)
    """
    idx, w = input._data, weight._data
    if idx.dtype not in (np.int64, np.int32):
        raise RuntimeError(
            "Expected tensor for argument #1 'indices' to have one of the following scalar types: "
            f"Long, Int; but got torch.{scalar_name(idx)}Tensor instead "
            "(while checking arguments for embedding)"
        )
    if w.ndim != 2:
        raise RuntimeError("'weight' must be 2-D")
    n = w.shape[0]
    if padding_idx is not None:
        if not -n <= padding_idx < n:
            raise AssertionError("Padding_idx must be within num_embeddings")
        padding_idx %= n
    if idx.size and (idx.min() < 0 or idx.max() >= n):
        raise IndexError("index out of range in self")
    if max_norm is not None:
        rows = np.unique(idx)
        norms = np.linalg.norm(w[rows], ord=norm_type, axis=1)
        big = norms > max_norm
        w[rows[big]] *= (max_norm / (norms[big] + 1e-7))[:, None].astype(w.dtype)
        weight._vc[0] += 1
    return attach(_wrap(w[idx]), EmbeddingBackward0, weight, indices=input,
                  padding_idx=padding_idx, scale_grad_by_freq=scale_grad_by_freq)


class EmbeddingBackward0(Node):
    """The gradient of row r of the table is the sum of the output gradients at every position
    that looked up r (``index_add`` of the gradient's rows at the indices); a padding row gets
    none, and ``scale_grad_by_freq`` divides each position's share by how often its index occurs.

    Keeps the index tensor (``save``: version-checked, as torch does) and the table's shape
    (num_embeddings, D): an empty index gives a (0, D) gradient, hence a zero table.
    """

    def __init__(self, weight, *, indices, padding_idx, scale_grad_by_freq):
        super().__init__(weight)
        self.save(indices)
        self.n_rows, self.dim = weight._data.shape
        self.padding_idx, self.by_freq = padding_idx, scale_grad_by_freq

    def backward(self, grad):
        (indices,) = self.saved_tensors
        idx = indices._data.reshape(-1)
        rows = grad.reshape(idx.size, self.dim)
        if self.by_freq or self.padding_idx is not None:
            share = _array.namespace(idx).ones(idx.size, rows._data.dtype)
            if self.by_freq:
                counts = np.bincount(idx, minlength=self.n_rows)
                share /= counts[idx]
            if self.padding_idx is not None:
                share[idx == self.padding_idx] = 0
            rows = rows * _wrap(share[:, None])
        table = _wrap(_array.namespace(idx).zeros((self.n_rows, self.dim), rows._data.dtype))
        return table.index_add(0, _wrap(idx.astype(np.int64, copy=False)), rows)


__all__ = ["one_hot", "embedding"]
