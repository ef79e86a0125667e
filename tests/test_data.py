"""glasstorch.utils.data in one process: datasets, samplers, collation, DataLoader (vs torch)."""

from __future__ import annotations

import collections

import numpy as np
import pytest

import glasstorch as gt
from glasstorch.utils import data as gdata
from oracle import assert_same, needs_torch
from oracle import torch as real_torch

Point = collections.namedtuple("Point", "x y")


def _error(fn, *args):
    """(exception type name, message) raised by ``fn(*args)``; fails if nothing is raised."""
    with pytest.raises(Exception) as info:
        fn(*args)
    return type(info.value).__name__, str(info.value)


# ---- datasets ------------------------------------------------------------------------------
def test_tensor_dataset_items_and_len():
    X = gt.tensor(np.arange(12.0, dtype=np.float32).reshape(6, 2))
    y = gt.tensor(np.arange(6))
    ds = gdata.TensorDataset(X, y)
    assert len(ds) == 6
    x3, y3 = ds[3]
    np.testing.assert_array_equal(x3.numpy(), [6.0, 7.0])
    assert y3.item() == 3 and y3.shape == () and y3.dtype == gt.int64
    x_last, _ = ds[-1]
    np.testing.assert_array_equal(x_last.numpy(), [10.0, 11.0])
    batch = ds.__getbatch__([4, 0])
    np.testing.assert_array_equal(batch[0].numpy(), [[8.0, 9.0], [0.0, 1.0]])


def test_tensor_dataset_row_is_a_view():
    X = gt.tensor(np.zeros((3, 2), dtype=np.float32))
    row, = gdata.TensorDataset(X)[1]
    assert row._vc is X._vc and np.shares_memory(row.numpy(), X.numpy())


@needs_torch
def test_dataset_errors_match_torch():
    torch = real_torch
    cases = [
        lambda lib, d: d.TensorDataset(lib.zeros(3), lib.zeros(4)),
        lambda lib, d: d.TensorDataset(lib.zeros(3))[3],
        lambda lib, d: d.ConcatDataset([]),
        lambda lib, d: d.ConcatDataset([d.TensorDataset(lib.zeros(2))])[-3],
        lambda lib, d: d.Dataset()[0],
        lambda lib, d: len(d.Dataset()),
        lambda lib, d: d.IterableDataset(),
        lambda lib, d: d.random_split(range(10), [3, 3]),
        lambda lib, d: d.random_split(range(10), [0.5, 0.4]),
        lambda lib, d: d.random_split(range(10), [1.5, -0.5]),
    ]
    for case in cases:
        assert _error(case, gt, gdata) == _error(case, torch, torch.utils.data)


def test_concat_and_add():
    a = gdata.TensorDataset(gt.tensor([1, 2, 3]))
    b = gdata.TensorDataset(gt.tensor([4, 5]))
    cat = a + b
    assert isinstance(cat, gdata.ConcatDataset)
    assert len(cat) == 5 and cat.cumulative_sizes == [3, 5]
    assert [cat[i][0].item() for i in range(5)] == [1, 2, 3, 4, 5]
    assert cat[-1][0].item() == 5 and cat[-5][0].item() == 1


class Stream(gdata.IterableDataset):
    def __init__(self, n):
        self.n = n

    def __iter__(self):
        info = gdata.get_worker_info()
        start, step = (0, 1) if info is None else (info.id, info.num_workers)
        return iter(range(start, self.n, step))


class SizedStream(Stream):
    def __len__(self):
        return self.n


def test_chain_dataset():
    chained = SizedStream(3) + SizedStream(2)
    assert isinstance(chained, gdata.ChainDataset)
    assert list(chained) == [0, 1, 2, 0, 1] and len(chained) == 5


def test_subset_and_stack_dataset():
    ds = gdata.TensorDataset(gt.tensor([10, 11, 12, 13]))
    sub = gdata.Subset(ds, [3, 1])
    assert len(sub) == 2 and sub[0][0].item() == 13
    assert [s[0].item() for s in sub.__getitems__([0, 1])] == [13, 11]
    assert sub.__getbatch__([1, 0])[0].tolist() == [11, 13]  # forwarded fast path
    assert not hasattr(gdata.Subset(list(range(5)), [1]), "__getbatch__")
    st = gdata.StackDataset(a=[1, 2], b=["x", "y"])
    assert st[1] == {"a": 2, "b": "y"} and len(st) == 2


@needs_torch
def test_random_split_lengths_match_torch():
    torch = real_torch
    for n, lengths in [(10, [0.33, 0.33, 0.34]), (11, [0.25, 0.25, 0.5]), (10, [3, 7]),
                       (7, [0.5, 0.5])]:
        ours = [len(s) for s in gdata.random_split(range(n), lengths)]
        theirs = [len(s) for s in torch.utils.data.random_split(range(n), lengths)]
        assert ours == theirs


def test_random_split_is_a_seeded_partition():
    parts = gdata.random_split(range(20), [0.7, 0.3], generator=gt.Generator().manual_seed(1))
    again = gdata.random_split(range(20), [0.7, 0.3], generator=gt.Generator().manual_seed(1))
    assert [list(p) for p in parts] == [list(p) for p in again]
    assert sorted(list(parts[0]) + list(parts[1])) == list(range(20))
    with pytest.warns(UserWarning, match="Length of split at index 2 is 0"):
        gdata.random_split(range(10), [0.5, 0.5, 0.0])


# ---- samplers ------------------------------------------------------------------------------
@needs_torch
def test_sampler_lengths_and_index_sets_match_torch():
    torch = real_torch
    ds = list(range(10))
    for make in [
        lambda d: d.SequentialSampler(ds),
        lambda d: d.RandomSampler(ds),
        lambda d: d.RandomSampler(ds, num_samples=25),
        lambda d: d.RandomSampler(ds, num_samples=4),
        lambda d: d.SubsetRandomSampler([2, 5, 7]),
        lambda d: d.BatchSampler(d.SequentialSampler(ds), 3, False),
        lambda d: d.BatchSampler(d.SequentialSampler(ds), 3, True),
    ]:
        ours, theirs = make(gdata), make(torch.utils.data)
        assert len(ours) == len(theirs)
        o, t = list(ours), list(theirs)
        assert len(o) == len(t)
        if isinstance(ours, (gdata.SequentialSampler, gdata.BatchSampler)):
            assert o == t
        else:
            assert all(isinstance(i, int) for i in o) and set(o) <= set(ds) | {2, 5, 7}
            counts = collections.Counter(o)
            full, part = divmod(len(o), len(set(t)))  # whole permutations, then a partial one
            assert sorted(collections.Counter(counts.values())) == sorted(
                collections.Counter(sorted(collections.Counter(t).values())))
            assert max(counts.values()) == full + (part > 0)


def test_random_sampler_with_replacement_and_weighted():
    draws = list(gdata.RandomSampler(range(5), replacement=True, num_samples=70))
    assert len(draws) == 70 and set(draws) <= set(range(5))
    w = list(gdata.WeightedRandomSampler([0.0, 1.0, 0.0, 3.0], 50))
    assert len(w) == 50 and set(w) <= {1, 3}
    no_rep = list(gdata.WeightedRandomSampler([1.0, 1.0, 1.0], 3, replacement=False))
    assert sorted(no_rep) == [0, 1, 2]


def test_random_sampler_reproducible():
    gt.manual_seed(3)
    first = [list(gdata.RandomSampler(range(30))) for _ in range(2)]
    gt.manual_seed(3)
    again = [list(gdata.RandomSampler(range(30))) for _ in range(2)]
    assert first == again and first[0] != first[1]
    g = gt.Generator().manual_seed(5)
    s = gdata.RandomSampler(range(30), generator=g)
    epochs = [list(s), list(s)]
    g.manual_seed(5)
    assert [list(s), list(s)] == epochs


@needs_torch
def test_sampler_errors_match_torch():
    torch = real_torch
    cases = [
        lambda d: d.BatchSampler(range(3), 0, False),
        lambda d: d.BatchSampler(range(3), True, False),
        lambda d: d.BatchSampler(range(3), 2.0, False),
        lambda d: d.BatchSampler(range(3), 2, 1),
        lambda d: d.RandomSampler(range(3), num_samples=0),
        lambda d: d.RandomSampler(range(3), num_samples=2.0),
        lambda d: d.RandomSampler(range(3), replacement=1),
        lambda d: d.WeightedRandomSampler([1.0, 2.0], 0),
        lambda d: d.WeightedRandomSampler([1.0, 2.0], 3, replacement=1),
        lambda d: d.WeightedRandomSampler([[1.0, 2.0]], 3),
        lambda d: list(d.WeightedRandomSampler([1.0, 2.0], 3, replacement=False)),
        lambda d: list(d.WeightedRandomSampler([0.0, 0.0], 3)),
    ]
    for case in cases:
        assert _error(case, gdata) == _error(case, torch.utils.data)


# ---- collation -----------------------------------------------------------------------------
def _collate_cases(lib):
    """Batches whose default_collate result must match torch's (values, types and dtypes)."""
    return [
        [1, 2],
        [1.5, 2],
        [True, False],
        [1, 2.5],
        ["a", "b"],
        [np.float32(1), np.float32(2)],
        [np.int32(1), np.int32(2)],
        [np.array([1, 2]), np.array([3, 4])],
        [np.array(1.0), np.array(2.0)],
        [np.array([1.0], dtype=np.float32), np.array([2.0], dtype=np.float32)],
        [(1, "a"), (2, "b")],
        [[1, 2], [3, 4]],
        [{"a": 1, "b": [1.0, 2.0]}, {"a": 2, "b": [3.0, 4.0]}],
        [Point(1, 2.0), Point(3, 4.0)],
        [collections.OrderedDict(a=1), collections.OrderedDict(a=2)],
        [lib.zeros(2), lib.ones(2)],
        [lib.zeros(2), lib.zeros(2, dtype=lib.int64)],
        [(lib.tensor([1, 2]), 0), (lib.tensor([3, 4]), 1)],
        [(np.array([1.0]), 1.0), (np.array([2.0]), 2.0)],
    ]


def _same_structure(ours, theirs, torch):
    if isinstance(theirs, torch.Tensor):
        assert_same(ours, theirs)
    elif isinstance(theirs, dict):
        assert type(ours) is type(theirs) and list(ours) == list(theirs)
        for k in theirs:
            _same_structure(ours[k], theirs[k], torch)
    elif isinstance(theirs, (list, tuple)):
        assert type(ours) is type(theirs) and len(ours) == len(theirs)
        for a, b in zip(ours, theirs):
            _same_structure(a, b, torch)
    else:
        assert ours == theirs


def test_default_collate_matches_torch(torch):
    for ours_batch, their_batch in zip(_collate_cases(gt), _collate_cases(torch)):
        ours = gdata.default_collate(ours_batch)
        theirs = torch.utils.data.default_collate(their_batch)
        _same_structure(ours, theirs, torch)


def test_default_collate_errors_match_torch(torch):
    cases = [
        lambda lib: [[1, 2], [3]],
        lambda lib: [object(), object()],
        lambda lib: [None, None],
        lambda lib: [np.array(["a"]), np.array(["b"])],
        lambda lib: [np.array([1], dtype=object), np.array([2], dtype=object)],
        lambda lib: [lib.zeros(2), lib.zeros(3)],
        lambda lib: [complex(1, 2), 1],
        lambda lib: [{"a": 1}, {"b": 2}],
        lambda lib: [lib.zeros(2), np.zeros(2)],
        lambda lib: [lib.zeros(2), 3],
    ]
    for case in cases:
        ours = _error(gdata.default_collate, case(gt))
        theirs = _error(torch.utils.data.default_collate, case(torch))
        if "object at" in theirs[1]:
            assert ours[0] == theirs[0]
        else:
            assert ours == theirs


def test_default_collate_keeps_the_graph():
    a = gt.ones(2, requires_grad=True)
    out = gdata.default_collate([a, a])
    assert out.requires_grad and type(out.grad_fn).__name__ == "StackBackward0"


def test_default_convert_matches_torch(torch):
    for make in [
        lambda lib: 1,
        lambda lib: "a",
        lambda lib: np.array([1, 2]),
        lambda lib: np.float32(1),
        lambda lib: (np.array([1]), 2),
        lambda lib: {"a": np.array([1])},
        lambda lib: Point(np.array([1]), 2),
        lambda lib: lib.zeros(2),
    ]:
        ours = gdata.default_convert(make(gt))
        theirs = torch.utils.data.default_convert(make(torch))
        _same_structure(ours, theirs, torch)
    arr = np.array(["a"])
    assert gdata.default_convert(arr) is arr


# ---- DataLoader ----------------------------------------------------------------------------
def _xy(n=10):
    X = np.arange(n * 2, dtype=np.float32).reshape(n, 2)
    return X, np.arange(n)


def test_loader_batches_like_torch(torch):
    X, y = _xy()
    for kwargs in [{}, dict(batch_size=3), dict(batch_size=3, drop_last=True),
                   dict(batch_size=None), dict(batch_size=4, collate_fn=lambda b: b)]:
        ours = list(gdata.DataLoader(gdata.TensorDataset(gt.tensor(X), gt.tensor(y)), **kwargs))
        loader = torch.utils.data.DataLoader(
            torch.utils.data.TensorDataset(torch.tensor(X), torch.tensor(y)), **kwargs)
        theirs = list(loader)
        assert len(ours) == len(theirs) == len(loader)
        _same_structure(ours, theirs, torch)


def test_fast_path_equals_item_path():
    X, y = _xy(23)
    ds = gdata.TensorDataset(gt.tensor(X), gt.tensor(y))

    class ItemOnly(gdata.Dataset):
        def __len__(self):
            return len(ds)

        def __getitem__(self, i):
            return ds[i]

    fast = list(gdata.DataLoader(ds, batch_size=5))
    slow = list(gdata.DataLoader(ItemOnly(), batch_size=5))
    assert len(fast) == len(slow) == 5
    for (a, b), (c, d) in zip(fast, slow):
        assert a.dtype == c.dtype and b.dtype == d.dtype
        np.testing.assert_array_equal(a.numpy(), c.numpy())
        np.testing.assert_array_equal(b.numpy(), d.numpy())


def test_getitems_called_once_per_batch():
    calls = []

    class Batched(gdata.Dataset):
        def __len__(self):
            return 7

        def __getitem__(self, i):
            raise AssertionError("__getitems__ should be used")

        def __getitems__(self, indices):
            calls.append(list(indices))
            return [(i, float(i)) for i in indices]

    batches = list(gdata.DataLoader(Batched(), batch_size=3))
    assert calls == [[0, 1, 2], [3, 4, 5], [6]]
    assert batches[2][0].tolist() == [6] and batches[0][1].dtype == gt.float64


def test_shuffle_reproducible_and_new_each_epoch():
    ds = gdata.TensorDataset(gt.tensor(np.arange(40)))

    def epochs(loader):
        return [[int(v) for b in loader for v in b[0].tolist()] for _ in range(2)]

    gt.manual_seed(0)
    a = epochs(gdata.DataLoader(ds, batch_size=8, shuffle=True))
    gt.manual_seed(0)
    b = epochs(gdata.DataLoader(ds, batch_size=8, shuffle=True))
    assert a == b and a[0] != a[1] and sorted(a[0]) == list(range(40))
    g = gt.Generator().manual_seed(7)
    c = epochs(gdata.DataLoader(ds, batch_size=8, shuffle=True, generator=g))
    g.manual_seed(7)
    assert epochs(gdata.DataLoader(ds, batch_size=8, shuffle=True, generator=g)) == c


def test_iterable_dataset_loader(torch):
    for kwargs in [dict(batch_size=3), dict(batch_size=3, drop_last=True), dict(batch_size=None)]:
        ours = list(gdata.DataLoader(SizedStream(7), **kwargs))
        their_ds = type("S", (torch.utils.data.IterableDataset,), {
            "__iter__": lambda self: iter(range(7)), "__len__": lambda self: 7})()
        loader = torch.utils.data.DataLoader(their_ds, **kwargs)
        _same_structure(ours, list(loader), torch)
        assert len(gdata.DataLoader(SizedStream(7), **kwargs)) == len(loader)
    with pytest.raises(TypeError, match="has no len"):
        len(gdata.DataLoader(Stream(7)))


def test_loader_attributes():
    ds = gdata.TensorDataset(gt.zeros(4))
    loader = gdata.DataLoader(ds, shuffle=True)
    assert isinstance(loader.sampler, gdata.RandomSampler)
    assert isinstance(loader.batch_sampler, gdata.BatchSampler)
    assert loader.collate_fn is gdata.default_collate
    assert gdata.DataLoader(ds, batch_size=None).collate_fn is gdata.default_convert
    assert gdata.get_worker_info() is None
    x, = next(iter(gdata.DataLoader(ds, batch_size=3)))
    assert x.shape == (3,)
    loader.num_workers = 0
    with pytest.raises(ValueError, match="batch_size attribute should not be set after"):
        loader.batch_size = 2
    with pytest.warns(UserWarning, match="pin_memory"):
        iter(gdata.DataLoader(ds, pin_memory=True))


@needs_torch
def test_loader_errors_match_torch():
    torch = real_torch

    def cases(lib, d):
        ds = d.TensorDataset(lib.zeros(10))
        bs = d.BatchSampler(d.SequentialSampler(ds), 2, False)
        it = type("It", (d.IterableDataset,), {"__iter__": lambda self: iter([])})()
        return [
            lambda: d.DataLoader(ds, shuffle=True, sampler=d.SequentialSampler(ds)),
            lambda: d.DataLoader(ds, batch_size=0),
            lambda: d.DataLoader(ds, batch_size=-1),
            lambda: d.DataLoader(ds, num_workers=-1),
            lambda: d.DataLoader(ds, timeout=-1),
            lambda: d.DataLoader(ds, batch_sampler=bs, batch_size=3),
            lambda: d.DataLoader(ds, batch_sampler=bs, drop_last=True),
            lambda: d.DataLoader(ds, batch_size=None, drop_last=True),
            lambda: d.DataLoader(ds, prefetch_factor=2),
            lambda: d.DataLoader(ds, num_workers=1, prefetch_factor=-1),
            lambda: d.DataLoader(ds, persistent_workers=True),
            lambda: d.DataLoader(ds, multiprocessing_context="fork"),
            lambda: d.DataLoader(ds, num_workers=1, multiprocessing_context="bogus"),
            lambda: d.DataLoader(it, shuffle=True),
            lambda: d.DataLoader(it, sampler=[1]),
            lambda: d.DataLoader(it, batch_sampler=[[1]]),
        ]

    for ours, theirs in zip(cases(gt, gdata), cases(torch, torch.utils.data)):
        assert _error(ours) == _error(theirs)


def test_iterable_longer_than_its_len_warns_like_torch(torch):
    def run(d):
        ds = type("Liar", (d.IterableDataset,), {
            "__iter__": lambda self: iter(range(5)), "__len__": lambda self: 2})()
        loader = d.DataLoader(ds, batch_size=2)
        assert len(loader) == 1
        with pytest.warns(UserWarning) as record:
            batches = list(loader)
        return len(batches), [str(w.message).replace(repr(ds), "DS") for w in record]

    assert run(gdata) == run(torch.utils.data)


def test_custom_sampler_and_batch_sampler():
    ds = gdata.TensorDataset(gt.tensor(np.arange(6)))
    got = [b[0].tolist() for b in gdata.DataLoader(ds, sampler=[5, 0, 3], batch_size=2)]
    assert got == [[5, 0], [3]]
    got = [b[0].tolist() for b in gdata.DataLoader(ds, batch_sampler=[[1, 2, 3], [4]])]
    assert got == [[1, 2, 3], [4]]


def test_subset_pickles():
    import pickle

    sub = gdata.Subset(gdata.TensorDataset(gt.tensor([1, 2, 3])), [2, 0])
    back = pickle.loads(pickle.dumps(sub))
    assert back.__getbatch__([0, 1])[0].tolist() == [3, 1]


def test_tensor_dataset_batches_without_per_item_calls(monkeypatch):
    ds = gdata.TensorDataset(gt.tensor(np.arange(10.0, dtype=np.float32)), gt.tensor(np.arange(10)))

    def no_items(self, index):
        raise AssertionError("the batch path should not fetch items one by one")

    monkeypatch.setattr(gdata.TensorDataset, "__getitem__", no_items)
    x, y = next(iter(gdata.DataLoader(ds, batch_size=4, shuffle=True)))
    assert x.shape == (4,) and x.dtype == gt.float32 and y.dtype == gt.int64
    np.testing.assert_array_equal(x.numpy(), y.numpy().astype(np.float32))
    # a custom collate_fn sees samples, as in torch, so it takes the per-item path
    with pytest.raises(AssertionError, match="one by one"):
        next(iter(gdata.DataLoader(ds, batch_size=4, collate_fn=lambda b: b)))


def test_generic_subscripting_as_in_torch():
    class Pairs(gdata.Dataset[tuple]):
        def __len__(self):
            return 2

        def __getitem__(self, i):
            return (i, float(i))

    class Evens(gdata.Sampler[int]):
        def __iter__(self):
            return iter([0])

    assert [b[0].tolist() for b in gdata.DataLoader(Pairs(), sampler=Evens())] == [[0]]
    assert gdata.IterableDataset[int].__origin__ is gdata.IterableDataset
