"""Index lookups: ``one_hot`` and ``embedding`` (rows of a weight table picked by index)."""

from __future__ import annotations

import numpy as np

from ..._dtype import scalar_name
from ..._tensor import Tensor, _wrap
from ...autograd import grad_mode
from ...autograd.graph import Node
from .activation import _not_tensor


# ---- one_hot and embedding ---------------------------------------------------------------------
def one_hot(tensor: Tensor, num_classes: int = -1) -> Tensor:
    """Class indices (*,) → int64 one-hot rows (*, num_classes); -1 infers ``max + 1``."""
    if not isinstance(tensor, Tensor):
        raise _not_tensor("one_hot", "input", 1, tensor)
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
    return _wrap((t[..., None] == np.arange(num_classes)).astype(np.int64))


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
    res = _wrap(w[idx])
    if weight._rg and grad_mode.state.enabled:
        res._rg = True
        node = EmbeddingBackward0(weight)
        node.save(input)
        node.idx, node.n, node.padding_idx, node.by_freq = idx, n, padding_idx, scale_grad_by_freq
        res._grad_fn = node
    return res


class EmbeddingBackward0(Node):
    """The gradient of row r of the table is the sum of the output gradients at every position
    that looked up r: sort the positions by index and add each run with ``np.add.reduceat``."""

    def backward(self, grad):
        self.saved_tensors  # noqa: B018  (raises torch's error if the graph was already freed)
        idx = self.idx.reshape(-1)
        if grad_mode.state.enabled:
            return self._graph(grad, idx)
        g = grad._data.reshape(idx.size, -1)
        out = np.zeros((self.n, g.shape[1]), g.dtype)
        if idx.size:
            order = np.argsort(idx, kind="stable")
            sorted_idx = idx[order]
            starts = np.flatnonzero(np.r_[True, sorted_idx[1:] != sorted_idx[:-1]])
            sums = np.add.reduceat(g[order], starts, axis=0)
            if self.by_freq:
                sums /= np.diff(np.r_[starts, idx.size])[:, None].astype(g.dtype)
            out[sorted_idx[starts]] = sums
        if self.padding_idx is not None:
            out[self.padding_idx] = 0
        return _wrap(out)

    def _graph(self, grad, idx):
        """create_graph=True: the same sum as a product with the (n, positions) selection
        matrix, so it stays differentiable in ``grad``."""
        select = np.zeros((self.n, idx.size), grad._data.dtype)
        select[idx, np.arange(idx.size)] = 1
        if self.by_freq:
            select /= np.maximum(select.sum(1, keepdims=True), 1)
        if self.padding_idx is not None:
            select[self.padding_idx] = 0
        return _wrap(select) @ grad.reshape(idx.size, -1)


__all__ = ["one_hot", "embedding"]
