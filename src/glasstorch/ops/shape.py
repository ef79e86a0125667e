"""Shape ops: the same values seen in another shape or order.

Most of these are *views*: the result shares memory and the version counter with its input
(``_base`` points at the tensor that owns the memory), so writing into one is seen by the other,
exactly as in torch. NumPy gives the views for free (``reshape``, ``transpose``, slicing,
``broadcast_to``); ``view_of`` wraps them; ``clone`` and ``contiguous`` copy.
Each backward undoes the op on the gradient: a permutation is undone by the inverse permutation,
a reshape by reshaping back, a broadcast by summing (``unbroadcast``).

Joining, tiling, reordering copies and splitting (``cat``, ``stack``, ``repeat``, ``flip``,
``roll``, ``split``, ``narrow``, ...) live in ``join``, which builds on this file.
"""

from __future__ import annotations

import warnings

import numpy as np
from numpy.lib.stride_tricks import as_strided as _as_strided

from .. import _array, _dtype
from .._size import Size
from .._tensor import Tensor, _dim, _wrap
from ..autograd import grad_mode
from ..autograd.graph import Node, attach, refresh_view, set_history
from ..autograd.views import AsStridedBackward0, stand_in, strided_geometry, view_of
from ._broadcast import broadcast_shape, unbroadcast
from ._positions import put_into_zeros


def _shape_args(shape) -> tuple:
    """Sizes given as ``f(2, 3)`` or ``f((2, 3))``, as a tuple of ints: ``(2, 3)``."""
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = shape[0]
    return tuple(int(s) for s in shape)


# ---- reshape family -------------------------------------------------------------------------
def reshape(input, *shape, **kw):
    """The same values in a new shape (one size may be -1). Shares memory when it can."""
    shape = _shape_args(shape or (kw["shape"],))
    x = input._data
    try:
        if shape and min(shape) < -1:
            raise ValueError  # NumPy would read any negative size as "infer"
        arr = x.reshape(shape)
    except ValueError:
        raise RuntimeError(_bad_shape(shape, x.size)) from None
    base = arr.base
    if arr is x or (base is not None and (base is x or base is x.base)):
        res = view_of(input, arr)
        # fast path: a tensor outside the graph skips the call into attach (as in view, t, ...)
        return attach(res, ViewBackward0, input) if input._rg else res
    # the memory order forbids a view: as torch, a contiguous copy (clone) is reshaped instead
    copy = contiguous(input)
    return attach(_wrap(copy._data.reshape(shape)), UnsafeViewBackward0, copy)


def _bad_shape(shape: tuple, size: int) -> str:
    """torch's message for a ``shape`` that ``size`` elements cannot take: with no elements and
    a ``-1`` beside a zero (``[0, -1]``) the -1 could be anything, which torch says."""
    for i, n in enumerate(shape):
        if n < -1:  # (NumPy reads any negative size as "infer")
            return f"invalid shape dimension {n} at index {i} of shape {list(shape)}"
    if shape.count(-1) > 1:
        return "only one dimension can be inferred"
    if size == 0 and -1 in shape:
        return (f"cannot reshape tensor of 0 elements into shape {list(shape)} because the "
                "unspecified dimension size -1 can be any value and is ambiguous")
    return f"shape '{list(shape)}' is invalid for input of size {size}"


def view(input, *shape, **kw):
    """Like ``reshape``, but never copies (as torch, an error when the memory layout forbids it).

    ``x.view(dtype)`` instead reinterprets the same bytes as another dtype (bit-casting).
    """
    shape = shape or (kw.get("size", kw.get("dtype")),)
    if len(shape) == 1 and not isinstance(shape[0], (tuple, list, int)):
        return _view_dtype(input, shape[0])
    x = input._data
    shape_t = _shape_args(shape)
    try:
        if shape_t and min(shape_t) < -1:
            raise ValueError  # (as in reshape)
        arr = x.view()
        arr.shape = shape_t
    except AttributeError:
        raise RuntimeError(
            "view size is not compatible with input tensor's size and stride (at least one "
            "dimension spans across two contiguous subspaces). Use .reshape(...) instead."
        ) from None
    except ValueError:
        raise RuntimeError(_bad_shape(shape_t, x.size)) from None
    res = view_of(input, arr)
    return attach(res, ViewBackward0, input) if input._rg else res  # fast path: as reshape


def _view_dtype(input, dtype):
    npd = _dtype.to_dtype(dtype).np
    x = input._data
    try:
        arr = x.view(npd)
    except ValueError:
        ratio = max(npd.itemsize, x.itemsize) // min(npd.itemsize, x.itemsize)
        raise RuntimeError(
            f"self.size(-1) must be divisible by {ratio} to view {_dtype.scalar_name(x)} as "
            f"{_dtype.scalar_name(npd)} (different element sizes), but got "
            f"{x.shape[-1] if x.ndim else 1}"
        ) from None
    return view_of(input, arr)


class ViewBackward0(Node):
    """Backward of ``view``/``reshape``: the gradient reshaped back to the input's shape."""

    def __init__(self, x):
        super().__init__(x)
        self.shape = x._data.shape

    def backward(self, grad):
        return grad.reshape(self.shape)


class UnsafeViewBackward0(ViewBackward0):
    """Backward of a ``reshape`` that had to copy: the reshape of the (cloned) copy."""


def view_as(input, other):
    """``input.view(other.shape)``."""
    return view(input, other._data.shape)


def reshape_as(input, other):
    """``input.reshape(other.shape)``."""
    return reshape(input, other._data.shape)


def flatten(input, start_dim: int = 0, end_dim: int = -1):
    """Merge dimensions ``start_dim..end_dim`` into one: ``(2, 3, 4).flatten(1)`` is ``(2, 12)``.

    A 0-d tensor becomes shape ``(1,)``; flattening a single dimension returns ``input`` itself.
    """
    shape = input._data.shape
    nd = len(shape)
    if nd == 0:
        return reshape(input, (1,))
    s, e = _dim(start_dim, nd), _dim(end_dim, nd)
    if s > e:
        raise RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim")
    if s == e:
        return input
    merged = 1
    for n in shape[s:e + 1]:
        merged *= n  # (not -1: it would be ambiguous when another size is 0)
    return reshape(input, shape[:s] + (merged,) + shape[e + 1:])


def ravel(input):
    """All elements in one dimension (a view when the memory allows, else a copy)."""
    return view(contiguous(input), -1)


def unflatten(input, dim: int, sizes):
    """Split dimension ``dim`` into ``sizes`` (one may be -1): ``(2, 12).unflatten(1, (3, 4))``."""
    shape = input._data.shape
    d = _dim(dim, len(shape))
    sizes = tuple(int(s) for s in sizes)
    if not sizes:
        raise RuntimeError("unflatten: sizes must be non-empty")
    known = int(np.prod([s for s in sizes if s != -1]))
    if sizes.count(-1) > 1:
        raise RuntimeError("unflatten: only one dimension can be inferred")
    inferred = -1 in sizes
    if (inferred and (known == 0 or shape[d] % known)) or (not inferred and known != shape[d]):
        raise RuntimeError(
            f"unflatten: Provided sizes {list(sizes)} don't multiply up to the size of dim {dim} "
            f"({shape[d]}) in the input tensor"
        )
    return reshape(input, shape[:d] + sizes + shape[d + 1:])


# ---- squeeze / unsqueeze --------------------------------------------------------------------
def squeeze(input, dim=None, *, axis=None):
    """Drop size-1 dimensions: all of them, or only ``dim`` (an int or a tuple) where size is 1.

    ``(3, 1, 4).squeeze()`` is ``(3, 4)``; a named dimension whose size is not 1 is kept.
    """
    arr, form = _squeezed(input._data, axis if dim is None else dim)
    return attach(view_of(input, arr), _SQUEEZE_NODES[form], input)


def _squeezed(x: np.ndarray, dim):
    """``x`` without the size-1 dims ``squeeze(dim)`` drops (a view), and which form of the call
    it was: 0 all dims, 1 one dim, 2 a tuple of dims (the node names differ by form)."""
    if dim is None:
        form, drop = 0, tuple(i for i, n in enumerate(x.shape) if n == 1)
    elif isinstance(dim, (tuple, list)):
        form, dims = 2, [_dim(int(d), x.ndim) for d in dim]
        if len(set(dims)) != len(dims):
            dup = next(d for d in dims if dims.count(d) > 1)
            raise RuntimeError(f"dim {dup} appears multiple times in the list of dims")
        drop = tuple(d for d in dims if x.ndim and x.shape[d] == 1)
    else:
        form, d = 1, _dim(int(dim), x.ndim)
        drop = (d,) if x.ndim and x.shape[d] == 1 else ()
    return (x.squeeze(drop) if drop else x.view()), form


class SqueezeBackward0(ViewBackward0):
    """Backward of ``squeeze()``: put the dropped size-1 dimensions back."""


class SqueezeBackward1(ViewBackward0):
    """Backward of ``squeeze(dim)``."""


class SqueezeBackward2(ViewBackward0):
    """Backward of ``squeeze((d0, d1, ...))``."""


_SQUEEZE_NODES = (SqueezeBackward0, SqueezeBackward1, SqueezeBackward2)


def unsqueeze(input, dim: int = None, *, axis=None):
    """Insert a size-1 dimension at ``dim`` (-1 appends): ``(3,).unsqueeze(0)`` is ``(1, 3)``."""
    x = input._data
    d = _dim(axis if dim is None else dim, x.ndim + 1)
    arr = x.reshape(x.shape[:d] + (1,) + x.shape[d:])  # a view; strides as torch gives them
    return attach(view_of(input, arr), UnsqueezeBackward0, input)


class UnsqueezeBackward0(ViewBackward0):
    """Backward of ``unsqueeze`` (drop the inserted dimension again), or of an index
    ``x[..., None]`` whose last step inserts a dimension (``key``: the gradient goes at ``key``)."""

    def __init__(self, x, *, key=None):
        super().__init__(x)
        self.key = key

    def backward(self, grad):
        if self.key is None:  # squeeze the inserted dim (the first where the shapes differ)
            d = next((i for i, n in enumerate(self.shape) if grad.shape[i] != n), len(self.shape))
            return grad.squeeze(d)
        return put_into_zeros(grad, self.shape, self.key)


# ---- reordering dimensions ------------------------------------------------------------------
def permute(input, *dims, **kw):
    """Reorder the dimensions: output dimension ``i`` is input dimension ``dims[i]``.

    ``x`` of shape ``(2, 3, 4)``: ``x.permute(2, 0, 1)`` has shape ``(4, 2, 3)`` (a view).
    """
    if len(dims) == 1 and isinstance(dims[0], (tuple, list)):
        dims = dims[0]
    elif not dims and "dims" in kw:
        dims = tuple(kw["dims"])
    x = input._data
    if len(dims) != x.ndim:
        raise RuntimeError(
            "permute(): number of dimensions in the tensor input does not match the length of the "
            f"desired ordering of dimensions i.e. input.dim() = {x.ndim} is not equal to "
            f"len(dims) = {len(dims)}"
        )
    perm = tuple(_dim(int(d), x.ndim) for d in dims)
    if len(set(perm)) != len(perm):
        raise RuntimeError("permute(): duplicate dims are not allowed.")
    return attach(view_of(input, x.transpose(perm)), PermuteBackward0, input, perm=perm)


class PermuteBackward0(Node):
    """Backward of ``permute``: the gradient permuted by the inverse permutation."""

    def __init__(self, x, *, perm):
        super().__init__(x)
        self.perm = perm

    def backward(self, grad):
        inverse = [0] * len(self.perm)  # output dim i came from input dim perm[i]
        for i, p in enumerate(self.perm):
            inverse[p] = i
        return grad.permute(inverse)


def transpose(input, dim0: int, dim1: int):
    """Swap two dimensions (a view): ``(2, 3, 4).transpose(0, 2)`` is ``(4, 3, 2)``."""
    x = input._data
    a, b = _dim(dim0, x.ndim), _dim(dim1, x.ndim)
    res = view_of(input, x.swapaxes(a, b) if x.ndim else x.view())
    if not input._rg:  # fast path: as reshape
        return res
    return attach(res, TransposeBackward0, input, dim0=a, dim1=b)


class TransposeBackward0(Node):
    """Backward of ``transpose``: the same two dimensions swapped back."""

    def __init__(self, x, *, dim0, dim1):
        super().__init__(x)
        self.dims = (dim0, dim1)

    def backward(self, grad):
        return grad.transpose(*self.dims)


def t(input):
    """The transpose of a matrix; 0-d and 1-D tensors come back unchanged (as views)."""
    x = input._data
    if x.ndim > 2:
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {x.ndim}D")
    res = view_of(input, x.T)
    return attach(res, TBackward0, input) if input._rg else res  # fast path: as reshape


class TBackward0(Node):
    """Backward of ``t``: the gradient transposed back."""

    def backward(self, grad):
        return grad.t()


# ---- the in-place forms: the tensor itself takes the new shape and strides ------------------
def _reshape_in_place(self, arr: np.ndarray, make_node) -> Tensor:
    """Make ``self`` look at its memory through ``arr`` (a view of its array with another shape
    or order), as torch's ``t_``/``squeeze_``/... do: same object, same memory, version bumped.
    When autograd records, ``self`` takes the node ``make_node(old)`` (``old``: ``self`` as it
    was); a leaf that requires grad (or a view of one) is refused, as for any in-place op."""
    from ._inplace import recording  # (_inplace builds on the view machinery this file uses)

    record = recording(self)
    if record:
        base = self._base
        if base is not None and base._grad_fn is not self._vfn:
            refresh_view(self)  # the history to build on is the view's current one
        node = make_node(stand_in(self))
    self._data = arr
    self._vc[0] += 1
    if record:
        set_history(self, node)
    return self


def t_(self):
    """In-place ``t``: this matrix becomes its transpose (0-d and 1-D tensors stay as they are)."""
    x = self._data
    if x.ndim > 2:
        raise RuntimeError(f"t_() expects a tensor with <= 2 dimensions, but self is {x.ndim}D")
    return _reshape_in_place(self, x.T, TBackward1)


def transpose_(self, dim0: int, dim1: int):
    """In-place ``transpose``: dimensions ``dim0`` and ``dim1`` of this tensor swap."""
    x = self._data
    a, b = _dim(dim0, x.ndim), _dim(dim1, x.ndim)
    return _reshape_in_place(self, x.swapaxes(a, b) if x.ndim else x.view(),
                             lambda old: TransposeBackward1(old, dim0=a, dim1=b))


def squeeze_(self, dim=None):
    """In-place ``squeeze``: this tensor loses its size-1 dimensions (all, or those in ``dim``)."""
    arr, form = _squeezed(self._data, dim)
    return _reshape_in_place(self, arr, _SQUEEZE_NODES_IN_PLACE[form])


def unsqueeze_(self, dim: int):
    """In-place ``unsqueeze``: this tensor gains a size-1 dimension at ``dim``."""
    x = self._data
    d = _dim(dim, x.ndim + 1)
    return _reshape_in_place(self, x.reshape(x.shape[:d] + (1,) + x.shape[d:]), UnsqueezeBackward1)


class TBackward1(TBackward0):
    """Backward of ``t_``."""


class TransposeBackward1(TransposeBackward0):
    """Backward of ``transpose_`` (``swapdims_``, ``swapaxes_``)."""


class SqueezeBackward3(SqueezeBackward0):
    """Backward of ``squeeze_()``."""


class SqueezeBackward4(SqueezeBackward1):
    """Backward of ``squeeze_(dim)``."""


class SqueezeBackward5(SqueezeBackward2):
    """Backward of ``squeeze_((d0, d1, ...))``."""


class UnsqueezeBackward1(UnsqueezeBackward0):
    """Backward of ``unsqueeze_``."""


_SQUEEZE_NODES_IN_PLACE = (SqueezeBackward3, SqueezeBackward4, SqueezeBackward5)


def _T(self):
    """All dimensions reversed (``x.T``); meant for matrices, torch warns for other ranks."""
    nd = self._data.ndim
    if nd == 2:  # the common case, without permute's checks
        return attach(view_of(self, self._data.T), PermuteBackward0, self, perm=(1, 0))
    if nd == 0:
        warnings.warn("Tensor.T is deprecated on 0-D tensors. This function is the identity in "
                      "these cases.", UserWarning, stacklevel=2)
    elif nd != 2:
        warnings.warn(
            "The use of `x.T` on tensors of dimension other than 2 to reverse their shape is "
            "deprecated and it will throw an error in a future release. Consider `x.mT` to "
            "transpose batches of matrices or `x.permute(*torch.arange(x.ndim - 1, -1, -1))` to "
            "reverse the dimensions of a tensor.", UserWarning, stacklevel=2)
    return permute(self, tuple(range(nd - 1, -1, -1)))


def _mT(self):
    """Each matrix of a batch transposed: the last two dimensions swapped (``x.mT``)."""
    if self._data.ndim < 2:
        raise RuntimeError(
            "tensor.mT is only supported on matrices or batches of matrices. Got "
            f"{self._data.ndim}-D tensor."
        )
    return transpose(self, -2, -1)


def movedim(input, source, destination):
    """Move dimension(s) ``source`` to position(s) ``destination``; the others keep their order."""
    nd = input._data.ndim
    src = [source] if isinstance(source, int) else list(source)
    dst = [destination] if isinstance(destination, int) else list(destination)
    if len(src) != len(dst):
        raise RuntimeError(
            f"movedim: Invalid source or destination dims: source ({src} dims) should contain the "
            f"same number of dims as destination ({dst} dims)"
        )
    src = [_dim(d, nd) for d in src]
    dst = [_dim(d, nd) for d in dst]
    for name, ds, orig in (("source", src, source), ("destination", dst, destination)):
        if len(set(ds)) != len(ds):
            raise RuntimeError(f"movedim: repeated dim in `{name}` ({list(np.atleast_1d(orig))})")
    order = [d for d in range(nd) if d not in src]
    perm = [-1] * nd
    for s, d in zip(src, dst):
        perm[d] = s
    rest = iter(order)
    perm = [p if p != -1 else next(rest) for p in perm]
    return permute(input, perm)


# ---- broadcasting ---------------------------------------------------------------------------
def expand(input, *sizes, **kw):
    """A broadcast view with size-1 dimensions stretched to ``sizes`` (-1 keeps a size)."""
    sizes = _shape_args(sizes or (kw["size"],))
    x = input._data
    lead = len(sizes) - x.ndim
    if lead < 0:
        raise RuntimeError(
            f"expand(torch.{input.dtype.name.capitalize()}Tensor{{{list(x.shape)}}}, "
            f"size={list(sizes)}): the number of sizes provided ({len(sizes)}) must be greater or "
            f"equal to the number of dimensions in the tensor ({x.ndim})"
        )
    target = tuple(x.shape[i - lead] if s == -1 and i >= lead else s for i, s in enumerate(sizes))
    # a view that writes go through (torch allows fill_ on it, and any in-place op when no two
    # elements share memory): stride 0 along each stretched dimension
    strides = [0] * lead
    for n, st, want in zip(x.shape, x.strides, target[lead:]):
        strides.append(st if n == want else 0 if n == 1 and want >= 0 else None)
    if None not in strides and min(target, default=0) >= 0 and type(x) is np.ndarray:
        arr = _as_strided(x, target, strides, writeable=x.flags.writeable)
    else:
        arr = _broadcast_or_raise(x, target, sizes, lead)
    return attach(view_of(input, arr), ExpandBackward0, input)


def _broadcast_or_raise(x: np.ndarray, target: tuple, sizes, lead: int) -> np.ndarray:
    """``x`` broadcast to ``target``, or torch's error saying which dimension cannot stretch."""
    try:
        return np.broadcast_to(x, target)
    except ValueError:
        bad = next(i for i in range(len(target) - 1, -1, -1)
                   if i >= lead and x.shape[i - lead] not in (1, target[i]))
        raise RuntimeError(
            f"The expanded size of the tensor ({target[bad]}) must match the existing size "
            f"({x.shape[bad - lead]}) at non-singleton dimension {bad}.  Target sizes: "
            f"{list(sizes)}.  Tensor sizes: {list(x.shape)}"
        ) from None


class ExpandBackward0(Node):
    """Backward of ``expand``: the gradient summed over the stretched dimensions."""

    def __init__(self, x):
        super().__init__(x)
        self.shape = x._data.shape

    def backward(self, grad):
        return unbroadcast(grad, self.shape)


def expand_as(input, other):
    """``input.expand(other.shape)``."""
    return expand(input, other._data.shape)


def broadcast_to(input, *size, **kw):
    """``input.expand(size)``: a view with the shape of broadcasting ``input`` to ``size``
    (``torch.broadcast_to(x, (2, 3))``, ``x.broadcast_to(2, 3)``)."""
    return expand(input, *size, **kw)


def broadcast_shapes(*shapes):
    """The shape broadcasting tensors of ``shapes`` together gives (a ``torch.Size``)."""
    return Size(broadcast_shape(*[(s,) if isinstance(s, int) else tuple(s) for s in shapes]))


def broadcast_tensors(*tensors):
    """Views of all ``tensors`` expanded to their common broadcast shape."""
    if len(tensors) == 1 and isinstance(tensors[0], (tuple, list)):
        tensors = tensors[0]
    shape = tuple(broadcast_shapes(*(t._data.shape for t in tensors)))
    return tuple(expand(t, shape) for t in tensors)


_meshgrid_warned = False  # torch warns about a missing ``indexing`` once per process


def meshgrid(*tensors, indexing: str | None = None):
    """Coordinate grids from 1-D coordinate vectors: one output per input, all the same shape.

    With ``indexing='ij'`` (matrix indexing) inputs of lengths ``n0, n1, ..., nk`` give outputs of
    shape ``(n0, n1, ..., nk)`` and output ``i`` varies along dimension ``i``: ``X[a, b] = x[a]``,
    ``Y[a, b] = y[b]``. With ``indexing='xy'`` (Cartesian, as NumPy's default) the first two
    dimensions swap, so the shape is ``(n1, n0, n2, ...)`` and ``X[b, a] = x[a]`` -- the layout a
    plot's ``contour(X, Y, Z)`` expects. Without ``indexing``, torch warns (once) and uses 'ij'.

    Each output is an expanded *view* of its input (nothing copied); a 0-d input counts as
    length 1. Tensors come as arguments or as one list: ``meshgrid(x, y)``,
    ``meshgrid([x, y], indexing='xy')``.

    Example::

        >>> X, Y = torch.meshgrid(torch.arange(3), torch.arange(2), indexing='ij')
        >>> X.shape, X[:, 0], Y[0]
        (torch.Size([3, 2]), tensor([0, 1, 2]), tensor([0, 1]))
    """
    global _meshgrid_warned
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    for i, t in enumerate(tensors):
        if not isinstance(t, Tensor):
            raise TypeError(
                f"expected Tensor as element {i} in argument 0, but got {type(t).__name__}")
    if indexing is None:
        if not _meshgrid_warned:
            _meshgrid_warned = True
            warnings.warn("torch.meshgrid: in an upcoming release, it will be required to pass "
                          "the indexing argument.", UserWarning, stacklevel=2)
        indexing = "ij"
    if not tensors:
        raise RuntimeError("meshgrid expects a non-empty TensorList")
    if any(t._data.dtype != tensors[0]._data.dtype for t in tensors):
        names = ", ".join(str(t.dtype) for t in tensors)
        raise RuntimeError(f"meshgrid expects all tensors to have the same dtype (got {names})")
    for t in tensors:
        if t._data.ndim > 1:
            raise RuntimeError(
                "torch.meshgrid: Expected 0D or 1D tensor in the tensor list but got a "
                f"{t._data.ndim}-D tensor of shape {list(t._data.shape)}: flatten it first")
    if indexing not in ("ij", "xy"):
        raise RuntimeError('torch.meshgrid: indexing must be one of "xy" or "ij", but '
                           f"received: {indexing}")
    sizes = [t._data.size for t in tensors]
    axes = list(range(len(tensors)))  # the output dimension each input runs along
    if indexing == "xy" and len(tensors) >= 2:
        axes[0], axes[1] = 1, 0
        sizes[0], sizes[1] = sizes[1], sizes[0]
    grids = []
    for t, axis in zip(tensors, axes):
        lined_up = [1] * len(tensors)
        lined_up[axis] = t._data.size
        grids.append(expand(reshape(t, lined_up), sizes))
    return tuple(grids)


def atleast_1d(*tensors):
    """Each tensor with at least 1 dimension: a 0-d ``x`` becomes shape ``(1,)`` (a view);
    others come back as they are. Several tensors (or one list) give a tuple."""
    return _atleast(tensors, lambda t: view(t, 1) if t._data.ndim == 0 else t)


def atleast_2d(*tensors):
    """Each tensor with at least 2 dimensions: ``()`` → ``(1, 1)``, ``(n,)`` → ``(1, n)``."""
    def lift(t):
        nd = t._data.ndim
        return view(t, 1, 1) if nd == 0 else unsqueeze(t, 0) if nd == 1 else t
    return _atleast(tensors, lift)


def atleast_3d(*tensors):
    """Each tensor with at least 3 dimensions: ``()`` → ``(1, 1, 1)``, ``(n,)`` →
    ``(1, n, 1)``, ``(m, n)`` → ``(m, n, 1)``."""
    def lift(t):
        nd = t._data.ndim
        if nd == 0:
            return view(t, 1, 1, 1)
        if nd == 1:
            return unsqueeze(unsqueeze(t, 0), -1)
        return unsqueeze(t, -1) if nd == 2 else t
    return _atleast(tensors, lift)


def _atleast(tensors, lift):
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        return tuple(lift(t) for t in tensors[0])
    if len(tensors) == 1:
        return lift(tensors[0])
    return tuple(lift(t) for t in tensors)


# ---- windows and raw strides ----------------------------------------------------------------
def unfold(input, dimension: int, size: int, step: int):
    """All windows of ``size`` elements, ``step`` apart, along ``dimension`` (a view).

    The windows take ``dimension``'s place and the elements of each window form a new last
    dimension: ``x`` of shape ``(7,)``, ``x.unfold(0, 3, 2)`` has shape ``(3, 3)``, rows
    ``x[0:3]``, ``x[2:5]``, ``x[4:7]``. Windows may share elements (``step < size``); their
    gradients then add up."""
    x = input._data
    nd = x.ndim
    d = _dim(dimension, max(nd, 1))
    n = x.shape[d] if nd else 1
    if size < 0:
        raise RuntimeError(f"size is {size} but must be >= 0")
    if size > n:
        raise RuntimeError(f"maximum size for tensor at dimension {d} is {n} but size is {size}")
    if step <= 0:
        raise RuntimeError(f"step is {step} but must be > 0")
    if nd == 0:
        arr = x.reshape(1)
        return attach(view_of(input, arr), UnfoldBackward0, input, dim=0, size=size, step=step)
    count = (n - size) // step + 1
    shape = x.shape[:d] + (count,) + x.shape[d + 1:] + (size,)
    strides = x.strides[:d] + (x.strides[d] * step,) + x.strides[d + 1:] + (x.strides[d],)
    arr = _strided(x, shape, strides)
    return attach(view_of(input, arr), UnfoldBackward0, input, dim=d, size=size, step=step)


class UnfoldBackward0(Node):
    """Backward of ``unfold``: each window's gradient added back at the elements it covers."""

    def __init__(self, x, *, dim, size, step):
        super().__init__(x)
        self.shape, self.dim, self.size, self.step = x._data.shape, dim, size, step

    def backward(self, grad):
        if not self.shape:  # a 0-d input unfolded into one window of one element
            return grad.reshape(())
        d = self.dim
        count = grad.shape[d]
        # element j of window i sits at i * step + j along d
        where = (np.arange(count)[:, None] * self.step + np.arange(self.size)).reshape(-1)
        g = grad.movedim(-1, d + 1)
        g = g.reshape(g.shape[:d] + (count * self.size,) + g.shape[d + 2:])
        gd = grad._data
        zeros = _wrap(_array.namespace(gd).zeros(self.shape, gd.dtype))
        return zeros.index_add(d, _wrap(_array.like(gd, where)), g)


def as_strided(input, size, stride, storage_offset=None):
    """A view of ``input``'s memory with any ``size`` and ``stride`` (in elements), starting
    ``storage_offset`` elements into the memory (default: where ``input`` starts).

    ``x = arange(7.)``: ``x.as_strided((3, 3), (2, 1))`` is ``x.unfold(0, 3, 2)``. Elements may
    repeat (a stride of 0); nothing checks the windows make sense, only that they stay inside the
    memory."""
    size, stride = tuple(int(n) for n in size), tuple(int(s) for s in stride)
    if len(size) != len(stride):
        raise RuntimeError("mismatch in length of strides and shape")
    if any(s < 0 for s in stride):
        raise RuntimeError("as_strided: Negative strides are not supported at the moment, got "
                           f"strides: {list(stride)}")
    root = input if input._base is None else input._base
    memory = root._data
    if not memory.flags.c_contiguous:
        raise RuntimeError("as_strided on a tensor whose memory is not row-major is not "
                           "supported by glasstorch; call .contiguous() first.")
    item = memory.itemsize
    start = (_array.address(input._data) - _array.address(memory)) // item
    offset = start if storage_offset is None else int(storage_offset)
    need = offset + 1 + sum((n - 1) * s for n, s in zip(size, stride)) if all(size) else 0
    if need > memory.size:
        raise RuntimeError(
            f"setStorage: sizes {list(size)}, strides {list(stride)}, storage offset {offset}, "
            f"and itemsize {item} requiring a storage size of {need * item} are out of bounds "
            f"for storage of size {memory.size * item}")
    arr = _strided(memory.reshape(-1)[offset:], size, tuple(s * item for s in stride))
    if not (grad_mode.state.enabled and input._rg):
        return view_of(input, arr)
    geom, where = strided_geometry(input, size, stride, offset)
    return attach(view_of(input, arr), AsStridedBackward0, input, geom=geom, memory=where)


def _strided(x, shape: tuple, strides: tuple):
    """A view of ``x``'s memory with ``shape`` and ``strides`` (bytes), writeable when ``x`` is
    (CuPy's arrays are always writeable, and its ``as_strided`` takes no ``writeable``)."""
    if _array.on_host(x):
        return _as_strided(x, shape, strides, writeable=x.flags.writeable)
    return _array.namespace(x).lib.stride_tricks.as_strided(x, shape, strides)


def _H(self):
    """The conjugate transpose of a matrix (``x.H``); for real tensors, ``x.T``."""
    nd = self._data.ndim
    if nd == 0:
        warnings.warn("Tensor.H is deprecated on 0-D tensors. Consider using x.conj().",
                      UserWarning, stacklevel=2)
        return self
    if nd != 2:
        hint = " For batches of matrices, consider using tensor.mH" if nd > 2 else ""
        raise RuntimeError(
            f"tensor.H is only supported on matrices (2-D tensors). Got {nd}-D tensor.{hint}")
    out = transpose(self, 0, 1)
    return out.conj() if self._data.dtype.kind == "c" else out


# ---- copies ---------------------------------------------------------------------------------
def clone(input, *, memory_format=None):
    """A copy with its own memory; gradients flow straight through (``CloneBackward0``).

    As torch's default ``preserve_format``, a transposed input gives a transposed copy (same
    strides); ask ``contiguous()`` for row-major memory.
    """
    order = "C" if memory_format is not None and "contiguous" in str(memory_format) else "K"
    return attach(_wrap(input._data.copy(order=order)), CloneBackward0, input)


class CloneBackward0(Node):
    """Backward of ``clone``/``contiguous``: the gradient passes through unchanged."""

    def backward(self, grad):
        return grad


def contiguous(input, memory_format=None):
    """``input`` itself if its memory is C-ordered, else a C-ordered copy (``clone``)."""
    x = input._data
    return input if x.flags.c_contiguous else attach(_wrap(x.copy()), CloneBackward0, input)


swapaxes = swapdims = transpose
moveaxis = movedim

Tensor.reshape, Tensor.view, Tensor.expand = reshape, view, expand
Tensor.view_as, Tensor.reshape_as, Tensor.expand_as = view_as, reshape_as, expand_as
Tensor.flatten, Tensor.unflatten, Tensor.ravel = flatten, unflatten, ravel
Tensor.squeeze, Tensor.unsqueeze = squeeze, unsqueeze
Tensor.permute, Tensor.transpose, Tensor.swapaxes, Tensor.swapdims = (
    permute, transpose, transpose, transpose)
Tensor.t, Tensor.movedim, Tensor.moveaxis = t, movedim, movedim
Tensor.t_, Tensor.transpose_, Tensor.squeeze_, Tensor.unsqueeze_ = (
    t_, transpose_, squeeze_, unsqueeze_)
Tensor.swapdims_ = Tensor.swapaxes_ = transpose_
Tensor.T, Tensor.mT, Tensor.H = property(_T), property(_mT), property(_H)
Tensor.broadcast_to, Tensor.unfold, Tensor.as_strided = broadcast_to, unfold, as_strided
Tensor.clone, Tensor.contiguous = clone, contiguous

__all__ = [
    "reshape", "flatten", "ravel", "unflatten", "squeeze", "unsqueeze",
    "permute", "transpose", "swapaxes", "swapdims", "t", "movedim", "moveaxis", "broadcast_to",
    "broadcast_shapes", "broadcast_tensors", "clone", "atleast_1d", "atleast_2d", "atleast_3d",
    "as_strided", "meshgrid",
]
