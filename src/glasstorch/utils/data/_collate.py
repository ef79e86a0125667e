"""Collation: turning a list of samples into one batch.

``default_collate(batch)`` looks at the first sample and recurses through its structure:

============================  ==================================================================
sample element                batch element
============================  ==================================================================
Tensor of shape ``S``         Tensor of shape ``(B, *S)`` (stacked; dtypes promote as ``stack``)
NumPy array / NumPy scalar    the same, as a Tensor with the array's dtype
Python ``float``              float64 Tensor of shape ``(B,)`` (not float32!)
Python ``int`` / ``bool``     ``tensor(batch)``: int64 (bool if all are bools)
``str`` / ``bytes``           the list of them, unchanged
dict (any mapping)            a mapping of the same type, each key collated
namedtuple                    the same namedtuple, each field collated
tuple                         a *list*, position ``k`` collated from every sample's ``[k]``
list (other sequences)        the same type when it can be rebuilt, else a list
============================  ==================================================================

So a ``TensorDataset(X, y)`` whose samples are ``(x_i, y_i)`` batches to ``[X_batch, y_batch]``.

``default_convert(data)`` is what the loader applies with ``batch_size=None`` (no batching): NumPy
arrays and scalars become tensors, containers are walked, everything else is left alone.
"""

from __future__ import annotations

import collections.abc
import copy

import numpy as np

from ... import _dtype
from ..._tensor import Tensor, _wrap
from ...autograd import grad_mode

__all__ = ["default_collate", "default_convert"]

_ERR = (
    "default_collate: batch must contain tensors, numpy arrays, numbers, dicts or lists; found {}"
)


def _is_numpy_value(x) -> bool:
    """An ndarray or a NumPy scalar (``np.float32(1)``), but not ``np.str_`` (that is a str)."""
    return type(x).__module__ == "numpy" and not isinstance(x, (str, bytes))


def _array_to_tensor(arr) -> Tensor:
    """An ndarray (or NumPy scalar) as a tensor sharing its memory when it can."""
    arr = np.asarray(arr)
    _dtype.from_numpy_dtype(arr.dtype)  # raises torch's TypeError for unsupported dtypes
    return _wrap(arr)


def _stack(batch: list) -> Tensor:
    """Stack same-shape tensors along a new first dimension (the dtype torch's ``stack`` gives)."""
    for i, t in enumerate(batch):
        if not isinstance(t, Tensor):
            kind = type(t)
            name = kind.__qualname__
            if kind.__module__ != "builtins":
                name = f"{kind.__module__}.{name}"
            raise TypeError(f"expected Tensor as element {i} in argument 0, but got {name}")
    if grad_mode.state.enabled and any(t._rg for t in batch):
        from ...ops import stack  # keeps the graph: grad_fn=<StackBackward0>

        return stack(batch)
    arrays = [t._data for t in batch]
    shape = arrays[0].shape
    for i, a in enumerate(arrays):
        if a.shape != shape:
            raise RuntimeError(
                f"stack expects each tensor to be equal size, but got {list(shape)} at entry 0 "
                f"and {list(a.shape)} at entry {i}"
            )
    first = arrays[0].dtype
    if any(a.dtype != first for a in arrays):
        target = _dtype._from_np[first]
        for a in arrays:
            target = _dtype.promote_types(target, _dtype._from_np[a.dtype])
        return _wrap(np.stack(arrays).astype(target.np, copy=False))
    return _wrap(np.stack(arrays))


def _rebuild(elem, items: list):
    """A container like ``elem`` (same type when possible) holding ``items`` / a key→value map."""
    if isinstance(elem, collections.abc.Mapping):
        try:
            if isinstance(elem, collections.abc.MutableMapping):
                clone = copy.copy(elem)  # keeps the mapping's type and attributes
                clone.update(items)
                return clone
            return type(elem)(items)
        except TypeError:
            return dict(items)
    try:
        if isinstance(elem, collections.abc.MutableSequence):
            clone = copy.copy(elem)
            for i, v in enumerate(items):
                clone[i] = v
            return clone
        return type(elem)(items)
    except TypeError:
        return items


def default_collate(batch):
    """Merge a list of samples into a batch (see the module docstring for the rules).

    >>> default_collate([(torch.tensor([1., 2.]), 0), (torch.tensor([3., 4.]), 1)])
    [tensor([[1., 2.],
            [3., 4.]]), tensor([0, 1])]
    """
    elem = batch[0]
    if isinstance(elem, Tensor):
        return _stack(batch)
    if _is_numpy_value(elem):
        if isinstance(elem, np.ndarray) and elem.dtype.kind in "SaUO":
            raise TypeError(_ERR.format(elem.dtype))
        if isinstance(elem, np.ndarray):
            return _stack([_array_to_tensor(b) for b in batch])
        return _array_to_tensor(np.array(batch))  # NumPy scalars keep their dtype
    if isinstance(elem, float):
        from ..._creation import tensor

        return tensor(batch, dtype=_dtype.float64)
    if isinstance(elem, int):
        from ..._creation import tensor

        return tensor(batch)
    if isinstance(elem, (str, bytes)):
        return batch
    if isinstance(elem, collections.abc.Mapping):
        return _rebuild(elem, {key: default_collate([d[key] for d in batch]) for key in elem})
    if isinstance(elem, tuple) and hasattr(elem, "_fields"):  # namedtuple
        return type(elem)(*(default_collate(field) for field in zip(*batch)))
    if isinstance(elem, collections.abc.Sequence):
        size = len(elem)
        if any(len(sample) != size for sample in batch):
            raise RuntimeError("each element in list of batch should be of equal size")
        columns = [default_collate(col) for col in zip(*batch)]
        if isinstance(elem, tuple):
            return columns  # tuples become lists, as in torch
        return _rebuild(elem, columns)
    raise TypeError(_ERR.format(type(elem)))


def default_convert(data):
    """Turn NumPy arrays and scalars inside ``data`` into tensors; leave everything else as is.

    Containers are walked: tuples become lists, mappings and namedtuples keep their type.
    Arrays of strings or objects stay arrays.
    """
    if isinstance(data, Tensor):
        return data
    if _is_numpy_value(data):
        if isinstance(data, np.ndarray) and data.dtype.kind in "SaUO":
            return data
        if isinstance(data, (np.ndarray, np.number, np.bool_)):
            return _array_to_tensor(data)
        return data
    if isinstance(data, collections.abc.Mapping):
        return _rebuild(data, {key: default_convert(data[key]) for key in data})
    if isinstance(data, tuple) and hasattr(data, "_fields"):
        return type(data)(*(default_convert(d) for d in data))
    if isinstance(data, tuple):
        return [default_convert(d) for d in data]
    if isinstance(data, collections.abc.Sequence) and not isinstance(data, (str, bytes)):
        return _rebuild(data, [default_convert(d) for d in data])
    return data
