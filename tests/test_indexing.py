"""Indexing beyond the catalogue: random keys (hypothesis) against NumPy and torch, for reading,
writing and gradients; views sharing memory and the version counter; writes through views
rewriting the base's history (CopySlices); the d2l idioms."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import glasstorch as gt
from oracle import needs_torch, torch

SETTINGS = dict(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


# ---- random keys ----------------------------------------------------------------------------
@st.composite
def shape_and_key(draw):
    """A shape and a key spec: a list of (kind, payload) items valid for that shape.

    Kinds: int, slice, none, ellipsis, mask (bools over one dimension), ints (an index array, as a
    list or a tensor). At most one mask; index arrays share one length so they broadcast.
    """
    shape = tuple(draw(st.lists(st.integers(0, 4), min_size=1, max_size=4)))
    nd = len(shape)
    advanced = draw(st.sampled_from(["none", "mask", "ints"]))
    n_dims_used = draw(st.integers(0, nd))
    kinds = []
    for _ in range(n_dims_used):
        kinds.append(draw(st.sampled_from(["int", "slice", "slice", advanced])))
    if advanced == "mask":  # only one mask
        first = next((i for i, k in enumerate(kinds) if k == "mask"), None)
        kinds = [k if k != "mask" or i == first else "slice" for i, k in enumerate(kinds)]
    for _ in range(draw(st.integers(0, 2))):
        kinds.insert(draw(st.integers(0, len(kinds))), "none")
    if draw(st.booleans()):
        kinds.insert(draw(st.integers(0, len(kinds))), "ellipsis")
    # map dimension-consuming items to dims: before the ellipsis from the front, after from the back
    consuming = [i for i, k in enumerate(kinds) if k not in ("none", "ellipsis")]
    ell = kinds.index("ellipsis") if "ellipsis" in kinds else len(kinds)
    before = [i for i in consuming if i < ell]
    after = [i for i in consuming if i > ell]
    dim_of = {i: d for d, i in enumerate(before)}
    dim_of.update({i: nd - len(after) + d for d, i in enumerate(after)})
    length = draw(st.integers(0, 3))
    items = []
    for i, k in enumerate(kinds):
        n = shape[dim_of[i]] if i in dim_of else 0
        if k == "int" or (k == "ints" and n == 0):
            if n == 0:
                k = "slice"
            else:
                items.append(("int", draw(st.integers(-n, n - 1))))
                continue
        if k == "slice":
            bound = st.none() | st.integers(-n - 1, n + 1)
            step = draw(st.sampled_from([None, 1, 2, 3]))
            items.append(("slice", (draw(bound), draw(bound), step)))
        elif k == "none":
            items.append(("none", None))
        elif k == "ellipsis":
            items.append(("ellipsis", None))
        elif k == "mask":
            items.append(("mask", (draw(st.lists(st.booleans(), min_size=n, max_size=n)),
                                   draw(st.booleans()))))
        else:
            vals = draw(st.lists(st.integers(-n, n - 1), min_size=length, max_size=length))
            items.append(("ints", (vals, draw(st.booleans()))))
    bare = len(items) == 1 and draw(st.booleans())
    return shape, items, bare


def build_key(lib, items, bare):
    """The key for ``lib`` (glasstorch or torch) from a key spec."""
    out = []
    for kind, p in items:
        if kind == "int":
            out.append(p)
        elif kind == "slice":
            out.append(slice(*p))
        elif kind == "none":
            out.append(None)
        elif kind == "ellipsis":
            out.append(Ellipsis)
        elif kind == "mask":
            vals, as_tensor = p
            out.append(lib.tensor(vals, dtype=lib.bool) if as_tensor else vals)
        else:
            vals, as_tensor = p
            out.append(lib.tensor(vals, dtype=lib.int64) if as_tensor else vals)
    if bare and not (items[0][0] in ("mask", "ints") and not items[0][1][1]):
        return out[0]
    return tuple(out)


def numpy_key(items):
    return tuple(
        p if k == "int" else slice(*p) if k == "slice" else None if k == "none" else
        Ellipsis if k == "ellipsis" else np.array(p[0], dtype=bool if k == "mask" else np.int64)
        for k, p in items
    )


def _is_basic(items):
    return all(k not in ("mask", "ints") for k, _ in items)


def _numpy_agrees(items):
    """NumPy and torch index alike unless an int is mixed with index arrays (torch selects
    first), or several index arrays have length 0 and 1 mixed (fine either way)."""
    kinds = {k for k, _ in items}
    return not ("int" in kinds and kinds & {"mask", "ints"})


def _name(node) -> str:
    """The grad_fn's class name (torch's ``name()`` prefixes some with ``torch::autograd::``)."""
    return type(node).__name__


def _values(shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape).astype(np.float32)


# ---- reading --------------------------------------------------------------------------------
@settings(**SETTINGS)
@given(shape_and_key())
def test_getitem_matches_numpy(case):
    shape, items, bare = case
    a = _values(shape)
    x = gt.tensor(a)
    out = x[build_key(gt, items, bare)]
    if _numpy_agrees(items):
        expected = a[numpy_key(items)]
        assert out.shape == expected.shape
        np.testing.assert_array_equal(out.numpy(), expected)
    if _is_basic(items):
        assert out._vc is x._vc  # a view: same version counter, same memory
        assert out.numel() == 0 or np.shares_memory(out.numpy(), x.numpy())


@needs_torch
@settings(**SETTINGS)
@given(shape_and_key())
def test_getitem_values_and_gradients_match_torch(case):
    shape, items, bare = case
    a = _values(shape)
    x = gt.tensor(a, requires_grad=True)
    tx = torch.tensor(a, requires_grad=True)
    out = x[build_key(gt, items, bare)]
    tout = tx[build_key(torch, items, bare)]
    assert tuple(out.shape) == tuple(tout.shape)
    np.testing.assert_array_equal(out.detach().numpy(), tout.detach().numpy())
    assert _name(out.grad_fn) == _name(tout.grad_fn)
    w = _values(tuple(tout.shape), seed=1)
    (out * gt.tensor(w)).sum().backward()
    (tout * torch.tensor(w)).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-6, atol=1e-6)


# ---- writing --------------------------------------------------------------------------------
@st.composite
def setitem_case(draw):
    shape, items, bare = draw(shape_and_key())
    a = _values(shape)
    target = gt.tensor(a)[build_key(gt, items, bare)].shape
    if draw(st.booleans()):
        return shape, items, bare, None  # a Python number
    k = draw(st.integers(0, len(target)))
    vshape = tuple(1 if draw(st.booleans()) else n for n in target[len(target) - k:])
    return shape, items, bare, vshape


@settings(**SETTINGS)
@given(setitem_case())
def test_setitem_matches_numpy(case):
    shape, items, bare, vshape = case
    a = _values(shape)
    v = 7.5 if vshape is None else _values(vshape, seed=2)
    x = gt.tensor(a)
    before = x._version
    ident = id(x)
    x[build_key(gt, items, bare)] = v if vshape is None else gt.tensor(v)
    assert id(x) == ident and x._version == before + 1
    if _numpy_agrees(items) and (_is_basic(items) or len({p[0].count(True) if k == "mask"
                                                          else 0 for k, p in items}) <= 2):
        expected = a.copy()
        expected[numpy_key(items)] = v
        np.testing.assert_array_equal(x.numpy(), expected)


@needs_torch
@settings(**SETTINGS)
@given(setitem_case())
def test_setitem_values_and_gradients_match_torch(case):
    shape, items, bare, vshape = case
    a = _values(shape)
    x, tx = gt.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
    y, ty = x * 1, tx * 1
    if vshape is None:
        y[build_key(gt, items, bare)] = 7.5
        ty[build_key(torch, items, bare)] = 7.5
        v = tv = None
    else:
        b = _values(vshape, seed=2)
        v, tv = gt.tensor(b, requires_grad=True), torch.tensor(b, requires_grad=True)
        y[build_key(gt, items, bare)] = v
        ty[build_key(torch, items, bare)] = tv
    np.testing.assert_array_equal(y.detach().numpy(), ty.detach().numpy())
    assert _name(y.grad_fn) == _name(ty.grad_fn)
    w = _values(shape, seed=3)
    (y * gt.tensor(w)).sum().backward()
    (ty * torch.tensor(w)).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-6, atol=1e-6)
    if v is not None and not _has_repeats(items):
        np.testing.assert_allclose(v.grad.numpy(), tv.grad.numpy(), rtol=1e-5, atol=1e-5)


def _has_repeats(items):
    """With a repeated position torch's value gradient still counts every write; which write wins
    the forward is unspecified, so only the x gradient is compared then."""
    return any(k == "ints" and len(set(p[0])) < len(p[0]) for k, p in items)


# ---- views and the version counter ----------------------------------------------------------
def test_basic_index_is_a_view_sharing_the_version_counter():
    x = gt.arange(12.0).reshape(3, 4)
    row = x[1]
    row[2] = 100.0
    assert x[1, 2].item() == 100.0
    assert x._version == row._version == 1
    x[0] = 5.0
    assert row._version == 2


def test_advanced_index_is_a_copy():
    x = gt.arange(6.0)
    picked = x[[0, 1]]
    picked[0] = 50.0
    assert x[0].item() == 0.0


def test_setitem_then_backward_through_saved_value_raises():
    x = gt.ones(3, requires_grad=True)
    y = x * 2
    z = y * y
    y[0] = 1.0
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        z.sum().backward()


def test_setitem_on_leaf_outside_no_grad_raises_inside_is_fine():
    w = gt.zeros(3, requires_grad=True)
    with pytest.raises(RuntimeError, match="a leaf Variable that requires grad"):
        w[w > 0] = 1.0
    with gt.no_grad():
        w[0] = 1.0
    assert w.tolist() == [1.0, 0.0, 0.0] and w.requires_grad and w.grad_fn is None


def test_relu_backward_idiom_grad_h_mask():
    h = gt.tensor([[-1.0, 2.0], [3.0, -4.0]])
    grad_h = gt.ones(2, 2)
    grad_h[h < 0] = 0
    assert grad_h.tolist() == [[0.0, 1.0], [1.0, 0.0]]


def test_cross_entropy_pick_and_repeated_index_accumulate():
    y_hat = gt.tensor([[0.1, 0.3, 0.6], [0.3, 0.2, 0.5]], requires_grad=True)
    y = gt.tensor([0, 2])
    picked = y_hat[range(len(y_hat)), y]
    assert picked.tolist() == pytest.approx([0.1, 0.5])
    assert picked.grad_fn.name() == "IndexBackward0"
    (-gt.log(picked)).sum().backward() if hasattr(gt, "log") else picked.sum().backward()
    assert y_hat.grad[0, 1].item() == 0.0 and y_hat.grad[0, 0].item() != 0.0
    x = gt.zeros(3, requires_grad=True)
    x[[0, 0, 0, 2]].sum().backward()
    assert x.grad.tolist() == [3.0, 0.0, 1.0]


def test_accumulation_in_big_table_matches_dense_one_hot():
    rng = np.random.default_rng(0)
    table = gt.tensor(rng.standard_normal((50, 4)).astype(np.float32), requires_grad=True)
    idx = rng.integers(0, 50, size=200)
    w = rng.standard_normal((200, 4)).astype(np.float32)
    (table[gt.tensor(idx)] * gt.tensor(w)).sum().backward()
    one_hot = np.eye(50, dtype=np.float32)[idx]  # (200, 50)
    np.testing.assert_allclose(table.grad.numpy(), one_hot.T @ w, rtol=1e-5, atol=1e-5)


@needs_torch
def test_write_through_view_rewrites_base_history():
    a = _values((3, 4))
    for lib in (gt, torch):
        x = lib.tensor(a, requires_grad=True)
        y = x * 1
        col = y[:, 1]
        z = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
        col[:] = z * 2
        (y * y).sum().backward()
        if lib is gt:
            names = (_name(y.grad_fn), _name(col.grad_fn))
            ours = (x.grad.numpy().copy(), z.grad.numpy().copy())
        else:
            assert names == (_name(y.grad_fn), _name(col.grad_fn))
            np.testing.assert_allclose(ours[0], x.grad.numpy())
            np.testing.assert_allclose(ours[1], z.grad.numpy())


@needs_torch
def test_inplace_op_on_view_of_non_leaf_matches_torch():
    a = _values((2, 3))
    grads = []
    for lib in (gt, torch):
        x = lib.tensor(a, requires_grad=True)
        y = x * 3
        y[0].masked_fill_(y[0] > 0, 0.0)
        y[1].index_add_(0, lib.tensor([0, 0]), lib.ones(2))
        (y * y).sum().backward()
        grads.append(x.grad.numpy().copy())
    np.testing.assert_allclose(grads[0], grads[1], rtol=1e-6)


def test_view_of_leaf_inplace_raises():
    x = gt.ones(2, 3, requires_grad=True)
    with pytest.raises(RuntimeError, match="a view of a leaf Variable that requires grad"):
        x[0].masked_fill_(gt.tensor([True, False, True]), 0.0)
    with pytest.raises(RuntimeError, match="a view of a leaf Variable that requires grad"):
        x[0] = 1.0


def test_setitem_value_requiring_grad_into_plain_tensor():
    z = gt.tensor(2.0, requires_grad=True)
    buf = gt.zeros(2, 3)
    row = buf[1]
    row[1] = z
    assert buf.requires_grad and buf.grad_fn.name() == "CopySlices"
    (buf * 5).sum().backward()
    assert z.grad.item() == 5.0


def test_double_backward_through_indexing():
    x = gt.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = (x[[0, 0, 2]] ** 3).sum()
    (g,) = gt.autograd.grad(y, x, create_graph=True)
    assert g.tolist() == [6.0, 0.0, 27.0]
    g.sum().backward()
    assert x.grad.tolist() == [12.0, 0.0, 18.0]


@needs_torch
def test_augmented_assignment_through_index_matches_torch():
    grads = []
    for lib in (gt, torch):
        x = lib.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], requires_grad=True)
        y = x * 1
        y[0] += 1
        y[:, 1] *= 3
        y[y > 4] *= 2
        (y * y).sum().backward()
        grads.append((x.grad.numpy().copy(), y.detach().numpy().copy()))
    np.testing.assert_allclose(grads[0][0], grads[1][0])
    np.testing.assert_allclose(grads[0][1], grads[1][1])


@needs_torch
def test_arithmetic_inplace_method_on_view_of_non_leaf():
    grads = []
    for lib in (gt, torch):
        x = lib.ones(2, 3, requires_grad=True)
        y = x * 1
        y[0].mul_(2)
        y[1].exp_()
        y.sum().backward()
        grads.append(x.grad.numpy().copy())
    np.testing.assert_allclose(grads[0], grads[1])


@needs_torch
def test_writers_on_views_of_non_leaf_route_gradients():
    grads = []
    for lib in (gt, torch):
        x = lib.ones(2, 3, requires_grad=True)
        z = lib.full((2,), 2.0, requires_grad=True)
        y = x * 3
        y[0].zero_()
        y[:, 1].copy_(z)
        y[1, 2:].fill_(5.0)
        (y * y).sum().backward()
        grads.append((x.grad.numpy().copy(), z.grad.numpy().copy()))
    np.testing.assert_allclose(grads[0][0], grads[1][0])
    np.testing.assert_allclose(grads[0][1], grads[1][1])


def test_detached_view_does_not_rewrite_the_original():
    x = gt.ones(3, requires_grad=True)
    d = x.detach()
    z = gt.ones(3, requires_grad=True)
    d.copy_(z * 2)
    assert x.grad_fn is None and x.is_leaf
    np.testing.assert_allclose(x.detach().numpy(), [2.0, 2.0, 2.0])


def test_setitem_rejects_sequences_as_values():
    x = gt.zeros(2, 3)
    with pytest.raises(TypeError, match="can't assign a list to a torch.FloatTensor"):
        x[0] = [1.0, 2.0, 3.0]


# ---- view or copy, as torch -----------------------------------------------------------------
_VIEW_OPS = {
    "reshape": lambda L, x: x.reshape(6, 4),
    "reshape-copy": lambda L, x: x.transpose(0, 1).reshape(-1),
    "flatten": lambda L, x: x.flatten(1),
    "flatten-copy": lambda L, x: x.mT.flatten(),
    "ravel-copy": lambda L, x: x.mT.ravel(),
    "squeeze": lambda L, x: x[:, :1].squeeze(1),
    "unsqueeze": lambda L, x: x.unsqueeze(1),
    "unsqueeze-noncontig": lambda L, x: x.permute(2, 0, 1).unsqueeze(1),
    "permute": lambda L, x: x.permute(2, 0, 1),
    "transpose": lambda L, x: x.transpose(0, 2),
    "t": lambda L, x: x[0].t(),
    "mT": lambda L, x: x.mT,
    "movedim": lambda L, x: x.movedim(0, 2),
    "expand": lambda L, x: x[:, :1].expand(2, 5, 4),
    "broadcast_to": lambda L, x: L.broadcast_to(x, (3, 2, 3, 4)),
    "narrow": lambda L, x: x.narrow(2, 1, 2),
    "select": lambda L, x: x.select(1, 2),
    "split": lambda L, x: x.split(2, 2)[1],
    "chunk": lambda L, x: x.chunk(2, 1)[0],
    "unbind": lambda L, x: x.unbind(2)[3],
    "unflatten": lambda L, x: x.unflatten(2, (2, 2)),
    "contiguous-copy": lambda L, x: x.mT.contiguous(),
    "clone-preserves-strides": lambda L, x: x.mT.clone(),
    "clone-of-slice": lambda L, x: x[:, :, ::2].clone(),
    "repeat": lambda L, x: x.repeat(1, 1, 2),
    "flip": lambda L, x: x.flip(0),
    "roll": lambda L, x: x.roll(1, 0),
    "cat": lambda L, x: L.cat([x, x], 1),
    "getitem-slice": lambda L, x: x[:, 1:],
    "getitem-ellipsis": lambda L, x: x[..., 1],
    "getitem-list": lambda L, x: x[[0, 1]],
}


@needs_torch
@pytest.mark.parametrize("name", list(_VIEW_OPS))
def test_view_or_copy_and_node_match_torch(name):
    fn = _VIEW_OPS[name]
    a = _values((2, 3, 4))
    facts = []
    for lib in (gt, torch):
        x = lib.tensor(a, requires_grad=True) * 1
        y = fn(lib, x)
        is_view = (y._base is not None) if lib is gt else y._is_view()
        facts.append((tuple(y.shape), _name(y.grad_fn), is_view, y.is_contiguous(),
                      tuple(y.stride())))
    assert facts[0] == facts[1]


# ---- joining and splitting, random shapes ---------------------------------------------------
@st.composite
def pieces_case(draw):
    nd = draw(st.integers(1, 3))
    base = [draw(st.integers(1, 3)) for _ in range(nd)]
    dim = draw(st.integers(-nd, nd - 1))
    sizes = draw(st.lists(st.integers(0, 3), min_size=1, max_size=4))
    shapes = [tuple(s if i == dim % nd else n for i, n in enumerate(base)) for s in sizes]
    return shapes, dim


@needs_torch
@settings(**SETTINGS)
@given(pieces_case())
def test_cat_then_split_round_trip_matches_torch(case):
    shapes, dim = case
    arrays = [_values(s, seed=i) for i, s in enumerate(shapes)]
    sizes = [s[dim] for s in shapes]
    results = []
    for lib in (gt, torch):
        xs = [lib.tensor(a, requires_grad=True) for a in arrays]
        joined = lib.cat(xs, dim)
        parts = joined.split(sizes, dim)
        total = sum(((p * (i + 1)) ** 2).sum() for i, p in enumerate(parts))
        total.backward()
        results.append((joined.detach().numpy().copy(), [x.grad.numpy().copy() for x in xs]))
    np.testing.assert_array_equal(results[0][0], results[1][0])
    for ours, theirs in zip(results[0][1], results[1][1]):
        np.testing.assert_allclose(ours, theirs, rtol=1e-5, atol=1e-6)


@needs_torch
@settings(**SETTINGS)
@given(st.lists(st.integers(0, 3), min_size=0, max_size=3), st.integers(1, 4), st.data())
def test_stack_chunk_unbind_match_torch(shape, count, data):
    shape = tuple(shape)
    dim = data.draw(st.integers(-len(shape) - 1, len(shape)))
    chunks = data.draw(st.integers(1, 4))
    arrays = [_values(shape, seed=i) for i in range(count)]
    results = []
    for lib in (gt, torch):
        xs = [lib.tensor(a, requires_grad=True) for a in arrays]
        stacked = lib.stack(xs, dim)
        pieces = stacked.chunk(chunks, dim) + stacked.unbind(dim)
        total = sum((p * (i + 1)).sum() for i, p in enumerate(pieces))
        total.backward()
        results.append(([tuple(p.shape) for p in pieces], [x.grad.numpy().copy() for x in xs]))
    assert results[0][0] == results[1][0]
    for ours, theirs in zip(results[0][1], results[1][1]):
        np.testing.assert_allclose(ours, theirs, rtol=1e-5, atol=1e-6)


@needs_torch
@settings(**SETTINGS)
@given(st.lists(st.integers(1, 3), min_size=1, max_size=4), st.randoms(use_true_random=False))
def test_permute_transpose_movedim_match_torch(shape, rnd):
    nd = len(shape)
    perm = list(range(nd))
    rnd.shuffle(perm)
    a, b = rnd.randrange(-nd, nd), rnd.randrange(-nd, nd)
    arr = _values(tuple(shape))
    results = []
    for lib in (gt, torch):
        x = lib.tensor(arr, requires_grad=True)
        y = x.permute(perm).transpose(a, b).movedim(0, -1).flip(0)
        (y * lib.tensor(_values(tuple(y.shape), seed=5))).sum().backward()
        results.append((y.detach().numpy().copy(), x.grad.numpy().copy()))
    np.testing.assert_array_equal(results[0][0], results[1][0])
    np.testing.assert_allclose(results[0][1], results[1][1], rtol=1e-6)


@needs_torch
def test_write_through_view_of_column_major_base():
    grads = []
    for lib in (gt, torch):
        base = lib.from_numpy(np.asfortranarray(np.arange(12.0).reshape(3, 4)))
        col = base[:, 1]
        z = lib.tensor([5.0, 6.0, 7.0], requires_grad=True)
        col[1:3] = z[:2] * 2
        (base * base * lib.arange(12.0).reshape(3, 4)).sum().backward()
        grads.append(z.grad.numpy().copy())
    np.testing.assert_allclose(grads[0], grads[1])


# ---- an index tensor changed in place after it was read -------------------------------------
def _ones_requiring_grad(lib, *shape):
    return lib.ones(*shape, requires_grad=True)


_INDEX_READERS = {
    "getitem": lambda lib, x, i: x[i],
    "getitem_after_an_int": lambda lib, x, i: x[0, i],
    "index_select": lambda lib, x, i: x.index_select(0, i),
    "take": lambda lib, x, i: x.take(i),
    "gather": lambda lib, x, i: x[:, 0].gather(0, i),
    "scatter": lambda lib, x, i: x[:, 0].scatter(0, i, _ones_requiring_grad(lib, 2)),
    "scatter_add": lambda lib, x, i: x[:, 0].scatter_add(0, i, _ones_requiring_grad(lib, 2)),
    "index_add": lambda lib, x, i: x.index_add(0, i, _ones_requiring_grad(lib, 2, 3)),
    "index_copy": lambda lib, x, i: x.index_copy(0, i, _ones_requiring_grad(lib, 2, 3)),
    "index_put": lambda lib, x, i: x.index_put((i,), _ones_requiring_grad(lib, 2, 3)),
}


def _read_then_change_index(lib, reader):
    x = lib.arange(12.0).reshape(4, 3).requires_grad_()
    i = lib.tensor([0, 1])
    y = _INDEX_READERS[reader](lib, x, i)
    i[0] = 2
    try:
        y.sum().backward()
    except RuntimeError as e:
        return str(e).split(" Hint:")[0]
    return x.grad.tolist()


@needs_torch
@pytest.mark.parametrize("reader", sorted(_INDEX_READERS))
def test_index_changed_in_place_after_the_read_is_caught_as_in_torch(reader):
    """The node keeps the index tensor with its version: backward refuses a changed index
    instead of sending the gradient to the new positions."""
    ours = _read_then_change_index(gt, reader)
    assert ours == _read_then_change_index(torch, reader)
    assert "modified by an inplace operation" in ours


@needs_torch
@pytest.mark.parametrize("op", ["getitem", "masked_fill", "masked_select"])
def test_mask_changed_in_place_after_the_read_is_caught_as_in_torch(op):
    def run(lib):
        x = lib.arange(4.0).requires_grad_()
        m = lib.tensor([True, False, True, False])
        y = x[m] if op == "getitem" else getattr(x, op)(m, 0.0) if op == "masked_fill" else (
            x.masked_select(m))
        m[1] = True
        with pytest.raises(RuntimeError, match="modified by an inplace operation"):
            y.sum().backward()

    run(gt)
    run(torch)
