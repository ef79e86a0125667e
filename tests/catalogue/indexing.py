"""Catalogue: indexing (``x[key]``, ``x[key] = v``) and the index/mask ops (gather, scatter,
index_select, masked_fill, take, nonzero, ...)."""

import numpy as np

from .spec import ErrorSpec, OpSpec


def _set(y, key, value):
    """``y[key] = value`` as an expression (returns ``y``)."""
    y[key] = value
    return y


def _view_set(lib, x, v):
    """Write through a view of a non-leaf: ``y``'s history must see it (CopySlices)."""
    y = x * 1
    row = y[1]
    row[1:] = v
    return y * y


def _view_masked_fill(lib, x):
    y = x * 2
    y[:, 0].masked_fill_(y[:, 0] > 0, 0.5)
    return y


def _ix(lib, values, dtype=None):
    return lib.tensor(values, dtype=dtype)


OPS = [
    # ---- basic keys: views
    OpSpec("getitem/int", lambda L, x: x[1], [(3, 4)]),
    OpSpec("getitem/neg-int", lambda L, x: x[-1], [(3, 4)]),
    OpSpec("getitem/int-int", lambda L, x: x[2, -3], [(3, 4)]),
    OpSpec("getitem/slice-step", lambda L, x: x[::2], [(5, 3)]),
    OpSpec("getitem/slice-2d", lambda L, x: x[1:, ::3], [(3, 7)]),
    OpSpec("getitem/col", lambda L, x: x[:, 1], [(3, 4)]),
    OpSpec("getitem/none", lambda L, x: x[None], [(3, 4)]),
    OpSpec("getitem/none-mid", lambda L, x: x[:, None, 2:], [(3, 4)]),
    OpSpec("getitem/ellipsis", lambda L, x: x[..., 0], [(2, 3, 4)]),
    OpSpec("getitem/ellipsis-mid", lambda L, x: x[1, ..., 1:3], [(2, 3, 4)]),
    OpSpec("getitem/empty-slice", lambda L, x: x[2:1], [(3, 4)]),
    OpSpec("getitem/clamped-slice", lambda L, x: x[1:99], [(3, 4)]),
    OpSpec("getitem/0d-none", lambda L, x: x[None], [()]),
    OpSpec("getitem/0d-ellipsis", lambda L, x: x[...], [()]),
    OpSpec("getitem/0d-tensor-int", lambda L, x: x[_ix(L, 1)], [(3, 4)]),
    OpSpec("getitem/int-dtype", lambda L, x: x[1, 1:], [(3, 4)], dtype="int64", grad=False),
    OpSpec("getitem/bool-dtype", lambda L, x: x[:, 0], [(3, 4)], dtype="bool", grad=False),
    OpSpec("getitem/empty-tensor", lambda L, x: x[:, 1:], [(0, 3)]),
    # ---- advanced keys: copies, gradients accumulate
    OpSpec("getitem/mask", lambda L, x: x[x > 0], [(3, 4)]),
    OpSpec("getitem/mask-row", lambda L, x: x[x[:, 0] > 0], [(5, 2)]),
    OpSpec("getitem/mask-list", lambda L, x: x[[True, False, True]], [(3, 4)]),
    OpSpec("getitem/mask-col", lambda L, x: x[:, x[0] > 0], [(3, 4)]),
    OpSpec("getitem/mask-all-false", lambda L, x: x[x > 10], [(3, 4)]),
    OpSpec("getitem/int-tensor", lambda L, x: x[_ix(L, [2, 0, 2])], [(3, 4)]),
    OpSpec("getitem/int32-tensor", lambda L, x: x[_ix(L, [1, 0], L.int32)], [(3, 4)]),
    OpSpec("getitem/list", lambda L, x: x[[0, 2]], [(3, 4)]),
    OpSpec("getitem/2d-index", lambda L, x: x[_ix(L, [[0, 1], [1, 1]])], [(3, 2)]),
    OpSpec("getitem/range-labels", lambda L, x, y: x[range(4), y], [(4, 3), (4,)],
           dtypes=(None, "int64"), domain=(0, 2)),
    OpSpec("getitem/list-labels", lambda L, x, y: x[[0, 1], y], [(3, 3), (2,)],
           dtypes=(None, "int64"), domain=(0, 2)),
    OpSpec("getitem/repeated", lambda L, x: x[[0, 0, 1, 0], [1, 1, 2, 1]], [(2, 3)]),
    OpSpec("getitem/repeated-rows", lambda L, x: x[_ix(L, [1, 1, 0, 1])], [(3, 2)]),
    OpSpec("getitem/neg-index", lambda L, x: x[_ix(L, [-1, 0, -1])], [(3, 2)]),
    OpSpec("getitem/slice-then-list", lambda L, x: x[:, [2, 0]], [(3, 4)]),
    OpSpec("getitem/split-advanced", lambda L, x: x[[0, 1], :, [1, 0]], [(2, 3, 4)]),
    OpSpec("getitem/int-with-list", lambda L, x: x[0, :, [0, 1]], [(2, 3, 4)]),
    OpSpec("getitem/none-and-list", lambda L, x: x[None, [1, 0], None, 0], [(3, 4)]),
    OpSpec("getitem/empty-list", lambda L, x: x[[]], [(3, 4)]),
    OpSpec("getitem/adv-int-dtype", lambda L, x: x[x > 0], [(3, 4)], dtype="int64", grad=False),
    # ---- x[key] = value (in place on a non-leaf; gradients to x and value)
    OpSpec("setitem/scalar-slice", lambda L, x: _set(x * 1, (slice(0, 2), slice(None)), 12.0),
           [(3, 4)]),
    OpSpec("setitem/scalar-int", lambda L, x: _set(x * 1, 1, -1.0), [(3, 4)]),
    OpSpec("setitem/tensor-broadcast", lambda L, x, v: _set(x * 1, (slice(None), 1), v),
           [(3, 4), (1,)]),
    OpSpec("setitem/tensor-row", lambda L, x, v: _set(x * 1, 0, v), [(3, 4), (4,)]),
    OpSpec("setitem/whole", lambda L, z, x, y: _set(z * 1, slice(None), x + y),
           [(3, 4), (3, 4), (3, 4)]),
    OpSpec("setitem/mask", lambda L, x: _set(x * 1, x < 0, 0.0), [(3, 4)]),
    OpSpec("setitem/mask-tensor", lambda L, x, v: _set(x * 1, x[:, 0] > 0, v), [(5, 3), (3,)]),
    OpSpec("setitem/advanced", lambda L, x, v: _set(x * 1, ([0, 2], [1, 3]), v), [(3, 4), (2,)]),
    OpSpec("setitem/advanced-scalar", lambda L, x: _set(x * 1, [0, 2], 0.0), [(3, 4)]),
    OpSpec("setitem/int-with-list", lambda L, x, v: _set(x * 1, (1, [0, 2]), v), [(3, 4), ()]),
    OpSpec("setitem/leaf-no-grad", lambda L, x, v: _set(x.detach().clone(), 1, v),
           [(3, 4), (4,)], grad_inputs=(1,)),
    OpSpec("setitem/int-cast", lambda L, x: _set(x, 0, 2.7), [(3, 4)], dtype="int64", grad=False),
    OpSpec("setitem/through-view", _view_set, [(3, 4), (3,)]),
    OpSpec("setitem/through-view-inplace-op", _view_masked_fill, [(3, 4)]),
    # ---- gather / scatter
    OpSpec("gather/dim1", lambda L, x: L.gather(x, 1, _ix(L, [[0], [3], [1]])), [(3, 4)]),
    OpSpec("gather/dim0-repeat", lambda L, x: x.gather(0, _ix(L, [[0, 0, 1, 0]])), [(2, 4)]),
    OpSpec("gather/neg-dim", lambda L, x: x.gather(-1, _ix(L, [[1, 1], [0, 2]])), [(2, 3)]),
    OpSpec("gather/labels", lambda L, x, y: x.gather(1, y.unsqueeze(1)), [(4, 3), (4,)],
           dtypes=(None, "int64"), domain=(0, 2)),
    OpSpec("gather/0d", lambda L, x: x.gather(0, _ix(L, [0, 0])), [()]),
    OpSpec("index_select/0d", lambda L, x: x.index_select(0, _ix(L, [0])), [()]),
    OpSpec("scatter/src", lambda L, x, s: x.scatter(1, _ix(L, [[0, 1], [2, 0]]), s),
           [(2, 3), (2, 2)]),
    OpSpec("scatter/src-larger", lambda L, x, s: x.scatter(1, _ix(L, [[0, 1], [2, 0]]), s),
           [(2, 3), (2, 3)], grad=False,
           note="torch's own ScatterBackward0 fails when src is larger than index"),
    OpSpec("scatter/value", lambda L, x: L.scatter(x, 0, _ix(L, [[1, 0, 1]]), 5.0), [(2, 3)]),
    OpSpec("scatter/value-kw", lambda L, x: x.scatter(1, _ix(L, [[0], [1]]), value=-1.0),
           [(2, 3)]),
    OpSpec("scatter/reduce-add", lambda L, x: x.scatter(1, _ix(L, [[0, 0], [1, 1]]), 2.0,
                                                        reduce="add"), [(2, 3)], grad=False),
    OpSpec("scatter_add", lambda L, x, s: L.scatter_add(x, 1, _ix(L, [[0, 0], [2, 2]]), s),
           [(2, 3), (2, 2)]),
    OpSpec("scatter_add/int", lambda L, x, s: x.scatter_add(0, _ix(L, [[0, 0, 0]]), s),
           [(2, 3), (1, 3)], dtype="int64", grad=False),
    OpSpec("scatter_/inplace", lambda L, x, s: (x * 1).scatter_(1, _ix(L, [[1], [0]]), s),
           [(2, 3), (2, 1)]),
    OpSpec("scatter_add_/inplace", lambda L, x, s: (x * 1).scatter_add_(0, _ix(L, [[1, 1]]), s),
           [(2, 2), (1, 2)]),
    # ---- index_put
    OpSpec("index_put/accumulate", lambda L, x, v: L.index_put(x, (_ix(L, [0, 0, 2]),), v,
                                                              accumulate=True),
           [(3, 2), (3, 2)]),
    OpSpec("index_put/set", lambda L, x, v: x.index_put((_ix(L, [2, 0]), _ix(L, [1, 1])), v),
           [(3, 2), (2,)]),
    OpSpec("index_put_/0d-index", lambda L, x, v: (x * 1).index_put_(
        (_ix(L, 1), _ix(L, [0, 1])), v, accumulate=True), [(2, 2), ()]),
    # ---- index_select / index_add / index_copy / take
    OpSpec("index_select/dim0", lambda L, x: x.index_select(0, _ix(L, [2, 0, 2])), [(3, 4)]),
    OpSpec("index_select/dim1", lambda L, x: L.index_select(x, 1, _ix(L, [3, 3])), [(2, 4)]),
    OpSpec("index_select/empty", lambda L, x: x.index_select(0, _ix(L, [], L.int64)), [(3, 4)]),
    OpSpec("index_add", lambda L, x, s: L.index_add(x, 0, _ix(L, [0, 0, 2]), s),
           [(3, 2), (3, 2)]),
    OpSpec("index_add_/alpha", lambda L, x, s: (x * 1).index_add_(1, _ix(L, [1, 1]), s, alpha=2),
           [(2, 3), (2, 2)]),
    OpSpec("index_copy_", lambda L, x, s: (x * 1).index_copy_(0, _ix(L, [2, 0]), s),
           [(3, 2), (2, 2)]),
    OpSpec("index_copy", lambda L, x, s: L.index_copy(x, 1, _ix(L, [1]), s), [(2, 3), (2, 1)]),
    OpSpec("take", lambda L, x: L.take(x, _ix(L, [[0, 5], [-1, 5]])), [(3, 4)]),
    OpSpec("take/0d", lambda L, x: x.take(_ix(L, [0, 0])), [()]),
    # ---- masks
    OpSpec("masked_fill/scalar", lambda L, x: x.masked_fill(x > 0, 0.0), [(3, 4)]),
    OpSpec("masked_fill/broadcast-mask", lambda L, x: L.masked_fill(x, _ix(L, [True, False]), 1.0),
           [(3, 2)]),
    OpSpec("masked_fill/tensor-value", lambda L, x, v: x.masked_fill(x < 0, v), [(3, 4), ()]),
    OpSpec("masked_fill/int", lambda L, x: x.masked_fill(x > 0, 7), [(3, 4)], dtype="int64",
           grad=False),
    OpSpec("masked_fill_", lambda L, x: (x * 1).masked_fill_(x > 0.5, -1.0), [(3, 4)]),
    OpSpec("masked_select", lambda L, x: L.masked_select(x, x > 0), [(3, 4)]),
    OpSpec("masked_select/broadcast", lambda L, x: x.masked_select(_ix(L, [[True], [False]])),
           [(2, 3)]),
    OpSpec("nonzero", lambda L, x: L.nonzero(x), [(3, 4)], dtype="int64", domain=(0, 1),
           grad=False),
    OpSpec("nonzero/tuple", lambda L, x: x.nonzero(as_tuple=True), [(3, 4)], dtype="bool",
           grad=False),
    OpSpec("nonzero/0d", lambda L, x: x.nonzero(), [()], dtype="int64", domain=(1, 2),
           grad=False),
    OpSpec("nonzero/0d-tuple", lambda L, x: L.nonzero(x, as_tuple=True), [()], dtype="int64",
           domain=(1, 2), grad=False),
    OpSpec("argwhere", lambda L, x: L.argwhere(x), [(2, 3)], dtype="bool", grad=False),
]

ERRORS = [
    ErrorSpec("getitem/out-of-bounds", lambda L, x: x[5], [(3, 4)], exc=IndexError,
              contains=("index 5 is out of bounds for dimension 0 with size 3",)),
    ErrorSpec("getitem/neg-out-of-bounds", lambda L, x: x[0, -5], [(3, 4)], exc=IndexError,
              contains=("index -5 is out of bounds for dimension 1 with size 4",)),
    ErrorSpec("getitem/list-out-of-bounds", lambda L, x: x[[0, 3]], [(3, 4)], exc=IndexError,
              contains=("index 3 is out of bounds for dimension 0 with size 3",)),
    ErrorSpec("getitem/too-many", lambda L, x: x[0, 0, 0], [(3, 4)], exc=IndexError,
              contains=("too many indices for tensor of dimension 2",)),
    ErrorSpec("getitem/0d-int", lambda L, x: x[0], [()], exc=IndexError,
              contains=("invalid index of a 0-dim tensor",)),
    ErrorSpec("getitem/mask-shape", lambda L, x: x[L.tensor([True, False])], [(3, 4)],
              exc=IndexError,
              contains=("The shape of the mask [2] at index 0 does not match the shape of the "
                        "indexed tensor [3, 4] at index 0",)),
    ErrorSpec("getitem/broadcast", lambda L, x: x[[0, 1], [0, 1, 2]], [(3, 4)], exc=IndexError,
              contains=("shape mismatch: indexing tensors could not be broadcast together with "
                        "shapes [2], [3]",)),
    ErrorSpec("getitem/float", lambda L, x: x[1.5], [(3, 4)], exc=IndexError,
              contains=("only integers, slices (`:`), ellipsis (`...`), None and long or byte "
                        "Variables are valid indices (got float)",)),
    ErrorSpec("getitem/float-tensor", lambda L, x: x[L.tensor([1.0])], [(3, 4)], exc=IndexError,
              contains=("tensors used as indices must be long, int, byte or bool tensors",)),
    ErrorSpec("getitem/neg-step", lambda L, x: x[::-1], [(3, 4)], exc=ValueError,
              contains=("step must be greater than zero",)),
    ErrorSpec("setitem/leaf", lambda L, x: _set(x.requires_grad_(), [0], 1.0), [(3, 4)],
              contains=("a leaf Variable that requires grad is being used in an in-place "
                        "operation.",)),
    ErrorSpec("setitem/view-of-leaf", lambda L, x: _set(x.requires_grad_(), 0, 1.0), [(3, 4)],
              contains=("a view of a leaf Variable that requires grad",)),
    ErrorSpec("setitem/expand-size", lambda L, x, v: _set(x, 0, v), [(3, 4), (5,)],
              contains=("The expanded size of the tensor (4) must match the existing size (5) at "
                        "non-singleton dimension 0.  Target sizes: [4].  Tensor sizes: [5]",)),
    ErrorSpec("setitem/advanced-shape", lambda L, x, v: _set(x, [0, 1], v), [(3, 4), (3, 4)],
              contains=("shape mismatch: value tensor of shape [3, 4] cannot be broadcast to "
                        "indexing result of shape [2, 4]",)),
    ErrorSpec("setitem/dtype", lambda L, x, v: _set(x, [0], v), [(3, 4), (4,)],
              values=[np.zeros((3, 4), np.float32), np.ones(4, np.float64)],
              contains=("Index put requires the source and destination dtypes match, got Float "
                        "for the destination and Double for the source.",)),
    ErrorSpec("setitem/out-of-bounds", lambda L, x: _set(x, 5, 1.0), [(3, 4)], exc=IndexError,
              contains=("index 5 is out of bounds for dimension 0 with size 3",)),
    ErrorSpec("setitem/list-value", lambda L, x: _set(x, 0, [1.0, 2.0, 3.0, 4.0]), [(3, 4)],
              exc=TypeError, contains=("can't assign a list to a torch.FloatTensor",)),
    ErrorSpec("setitem/overlap", lambda L, x: _set(x, slice(1, None), x[:-1]), [(5,)],
              contains=("some elements of the input tensor and the written-to tensor refer to a "
                        "single memory location",)),
    ErrorSpec("gather/out-of-bounds", lambda L, x: x.gather(1, L.tensor([[0], [1], [5]])),
              [(3, 4)], contains=("index 5 is out of bounds for dimension 1 with size 4",)),
    ErrorSpec("gather/ndim", lambda L, x: x.gather(1, L.tensor([0, 1])), [(3, 4)],
              contains=("Index tensor must have the same number of dimensions as input tensor",)),
    ErrorSpec("gather/dtype", lambda L, x: x.gather(1, L.tensor([[0.0]])), [(3, 4)],
              contains=("gather(): Expected dtype int32/int64 for index",)),
    ErrorSpec("gather/size", lambda L, x: x.gather(1, L.tensor([[0], [1], [2], [0]])), [(3, 4)],
              contains=("Size does not match at dimension 0 expected index [4, 1] to be no larger "
                        "than self [3, 4] apart from dimension 1",)),
    ErrorSpec("scatter/reduce", lambda L, x: x.scatter(1, L.tensor([[0]]), 1.0, reduce="mean"),
              [(3, 4)], contains=("reduce argument must be either add or multiply.",)),
    ErrorSpec("index_select/out-of-range", lambda L, x: x.index_select(0, L.tensor([5])),
              [(3, 4)], exc=IndexError, contains=("index out of range in self",)),
    ErrorSpec("index_select/matrix", lambda L, x: x.index_select(0, L.tensor([[0]])), [(3, 4)],
              exc=IndexError, contains=("index_select(): Index is supposed to be a vector",)),
    ErrorSpec("index_select/dtype", lambda L, x: x.index_select(0, L.tensor([0.0])), [(3, 4)],
              contains=("index_select(): Expected dtype int32 or int64 for index",)),
    ErrorSpec("masked_fill/mask-dtype", lambda L, x: x.masked_fill(L.tensor([1, 0, 0, 1]), 1.0),
              [(3, 4)], contains=("masked_fill_ only supports boolean masks, but got mask with "
                                  "dtype long int",)),
    ErrorSpec("masked_fill/value-dim", lambda L, x: x.masked_fill(x > 0, L.tensor([1.0, 2.0])),
              [(3, 4)], contains=("only supports a 0-dimensional value tensor, but got tensor "
                                  "with 1 dimension(s).",)),
    ErrorSpec("masked_fill/mask-shape", lambda L, x: x.masked_fill(L.ones(5, dtype=L.bool), 1.0),
              [(3, 4)], contains=("The size of tensor a (5) must match the size of tensor b (4) "
                                  "at non-singleton dimension 1",)),
    ErrorSpec("masked_fill_/leaf", lambda L, x: x.requires_grad_().masked_fill_(x > 0, 1.0),
              [(3, 4)], contains=("a leaf Variable that requires grad",)),
    ErrorSpec("scatter/dtype", lambda L, x, s: x.scatter(1, L.tensor([[0], [1]]), s),
              [(2, 3), (2, 1)], values=[np.zeros((2, 3), np.float32), np.ones((2, 1))],
              contains=("scatter(): Expected self.dtype to be equal to src.dtype",)),
    ErrorSpec("index_add/dtype", lambda L, x, s: x.index_add(0, L.tensor([0]), s),
              [(2, 3), (1, 3)], values=[np.zeros((2, 3), np.float32), np.ones((1, 3))],
              contains=("index_add_(): self (Float) and source (Double) must have the same "
                        "scalar type",)),
    ErrorSpec("index_add/count", lambda L, x, s: x.index_add(0, L.tensor([0, 1]), s),
              [(2, 3), (1, 3)],
              contains=("Number of indices (2) should be equal to source.size(dim): (1)",)),
    ErrorSpec("index_add/bounds", lambda L, x, s: x.index_add(0, L.tensor([5]), s),
              [(2, 3), (1, 3)],
              contains=("index 5 is out of bounds for dimension 0 with size 2",)),
    ErrorSpec("index_copy/bounds", lambda L, x, s: x.index_copy(0, L.tensor([5]), s),
              [(2, 3), (1, 3)], exc=IndexError,
              contains=("index_copy_(): index 5 is out of bounds for dimension 0 with size 2",)),
    ErrorSpec("index_copy/dtype", lambda L, x, s: x.index_copy(0, L.tensor([0]), s),
              [(2, 3), (1, 3)], values=[np.zeros((2, 3), np.float32), np.ones((1, 3))],
              contains=("index_copy_(): self and source expected to have the same dtype",)),
    ErrorSpec("index_put/shape", lambda L, x, v: x.index_put_((L.tensor([0, 0, 2]),), v, True),
              [(3,), (2,)],
              contains=("shape mismatch: value tensor of shape [2] cannot be broadcast to "
                        "indexing result of shape [3]",)),
    ErrorSpec("index_put/not-tuple", lambda L, x, v: x.index_put_(L.tensor([0]), v), [(3,), ()],
              exc=TypeError, contains=("must be tuple of Tensors, not Tensor",)),
    ErrorSpec("take/int32", lambda L, x: x.take(L.tensor([0], dtype=L.int32)), [(3, 4)],
              contains=("take(): Expected a long tensor for index, but got Int",)),
    ErrorSpec("take/out-of-range", lambda L, x: x.take(L.tensor([12])), [(3, 4)],
              exc=IndexError,
              contains=("out of range: tried to access index 12 on a tensor of 12 elements.",)),
    ErrorSpec("select/out-of-range", lambda L, x: x.select(1, 4), [(3, 4)], exc=IndexError,
              contains=("select(): index 4 out of range for tensor of size [3, 4] at dimension "
                        "1",)),
]
