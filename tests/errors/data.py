"""The data pipeline: ``Dataset``/``TensorDataset``/``ConcatDataset``, ``DataLoader`` options
that contradict each other, samplers, ``random_split`` and collating samples that do not stack."""

from . import ErrorCase


def _case(name, fn, exc, contains=(), **kw):
    return ErrorCase("data", name, fn, exc, contains, **kw)


def _loader(**kw):
    """``DataLoader(TensorDataset(arange(10.)), **kw)`` must fail with ValueError."""
    return lambda lib: lib.utils.data.DataLoader(
        lib.utils.data.TensorDataset(lib.arange(10.0)), **kw)


def _iterable(lib):
    """A one-sample ``IterableDataset`` (a stream: no length, no indices)."""
    class Stream(lib.utils.data.IterableDataset):
        def __iter__(self):
            return iter([lib.ones(2)])
    return Stream()


_MUTEX = ("batch_sampler option is mutually exclusive with batch_size, shuffle, sampler, and "
          "drop_last")

CASES = [
    # ---- DataLoader options ----
    _case("DataLoader/batch_size-0", _loader(batch_size=0), ValueError,
          "batch_size should be a positive integer value, but got batch_size=0"),
    _case("DataLoader/batch_size-negative", _loader(batch_size=-1), ValueError,
          "batch_size should be a positive integer value, but got batch_size=-1"),
    _case("DataLoader/batch_size-float", _loader(batch_size=2.5), ValueError,
          "batch_size should be a positive integer value, but got batch_size=2.5"),
    _case("DataLoader/batch_size-bool", _loader(batch_size=True), ValueError,
          "batch_size should be a positive integer value, but got batch_size=True"),
    _case("DataLoader/sampler-and-shuffle",
          lambda lib: lib.utils.data.DataLoader(range(10), sampler=range(10), shuffle=True),
          ValueError, "sampler option is mutually exclusive with shuffle"),
    _case("DataLoader/batch_sampler-and-batch_size",
          lambda lib: lib.utils.data.DataLoader(
              range(10), batch_size=2,
              batch_sampler=lib.utils.data.BatchSampler(range(10), 2, False)),
          ValueError, _MUTEX),
    _case("DataLoader/batch_sampler-and-shuffle",
          lambda lib: lib.utils.data.DataLoader(
              range(10), shuffle=True,
              batch_sampler=lib.utils.data.BatchSampler(range(10), 2, False)),
          ValueError, _MUTEX),
    _case("DataLoader/batch_sampler-and-drop_last",
          lambda lib: lib.utils.data.DataLoader(
              range(10), drop_last=True,
              batch_sampler=lib.utils.data.BatchSampler(range(10), 2, False)),
          ValueError, _MUTEX),
    _case("DataLoader/batch_sampler-and-sampler",
          lambda lib: lib.utils.data.DataLoader(
              range(10), sampler=range(10),
              batch_sampler=lib.utils.data.BatchSampler(range(10), 2, False)),
          ValueError, _MUTEX),
    _case("DataLoader/no-batching-and-drop_last", _loader(batch_size=None, drop_last=True),
          ValueError, "batch_size=None option disables auto-batching and is mutually exclusive "
                      "with drop_last"),
    _case("DataLoader/num_workers-negative", _loader(num_workers=-1), ValueError,
          ("num_workers option should be non-negative",
           "use num_workers=0 to disable multiprocessing")),
    _case("DataLoader/timeout-negative", _loader(timeout=-1), ValueError,
          "timeout option should be non-negative"),
    _case("DataLoader/prefetch_factor-without-workers", _loader(prefetch_factor=2), ValueError,
          ("prefetch_factor option could only be specified in multiprocessing",
           "otherwise set prefetch_factor to None")),
    _case("DataLoader/persistent_workers-without-workers", _loader(persistent_workers=True),
          ValueError, "persistent_workers option needs num_workers > 0"),
    _case("DataLoader/multiprocessing_context-without-workers",
          _loader(multiprocessing_context="spawn"), ValueError,
          "multiprocessing_context can only be used with multi-process loading (num_workers > 0)"),
    _case("DataLoader/None-dataset",
          lambda lib: next(iter(lib.utils.data.DataLoader(None))),
          TypeError, "object of type 'NoneType' has no len()"),
    _case("DataLoader/sampler-index-past-the-end",
          lambda lib: next(iter(lib.utils.data.DataLoader(
              lib.utils.data.TensorDataset(lib.arange(10.0)), sampler=[20]))),
          IndexError, "index 20 is out of bounds for dimension 0 with size 10"),
    _case("DataLoader/IterableDataset-shuffle",
          lambda lib: lib.utils.data.DataLoader(_iterable(lib), shuffle=True),
          ValueError, "DataLoader with IterableDataset: expected unspecified shuffle option, but "
                      "got shuffle=True"),
    _case("DataLoader/IterableDataset-sampler",
          lambda lib: lib.utils.data.DataLoader(_iterable(lib), sampler=[0]),
          ValueError, "DataLoader with IterableDataset: expected unspecified sampler option, but "
                      "got sampler=[0]"),
    _case("DataLoader/len-of-IterableDataset",
          lambda lib: len(lib.utils.data.DataLoader(_iterable(lib))),
          TypeError, "object of type 'Stream' has no len()"),
    # ---- collate ----
    _case("collate/tensors-of-different-shapes",
          lambda lib: next(iter(lib.utils.data.DataLoader([lib.ones(2), lib.ones(3)],
                                                          batch_size=2))),
          RuntimeError, "stack expects each tensor to be equal size, but got [2] at entry 0 and "
                        "[3] at entry 1"),
    _case("collate/objects",
          lambda lib: lib.utils.data.default_collate([object(), object()]),
          TypeError, "default_collate: batch must contain tensors, numpy arrays, numbers, dicts "
                     "or lists; found <class 'object'>"),
    _case("collate/None",
          lambda lib: lib.utils.data.default_collate([None, None]),
          TypeError, "default_collate: batch must contain tensors, numpy arrays, numbers, dicts "
                     "or lists; found <class 'NoneType'>"),
    _case("collate/string-arrays",
          lambda lib: lib.utils.data.default_collate([__import__("numpy").array(["a"])] * 2),
          TypeError, "default_collate: batch must contain tensors, numpy arrays, numbers, dicts "
                     "or lists; found <U1"),
    _case("collate/tuples-of-different-lengths",
          lambda lib: lib.utils.data.default_collate([(1, 2), (1,)]),
          RuntimeError, "each element in list of batch should be of equal size"),
    _case("collate/dicts-with-different-keys",
          lambda lib: lib.utils.data.default_collate([{"a": 1}, {"b": 2}]),
          KeyError, "'a'"),
    _case("collate/empty-batch",
          lambda lib: lib.utils.data.default_collate([]),
          IndexError, "list index out of range"),
    # ---- datasets ----
    _case("TensorDataset/sizes-differ",
          lambda lib: lib.utils.data.TensorDataset(lib.ones(3), lib.ones(4)),
          AssertionError, "Size mismatch between tensors"),
    _case("TensorDataset/index-past-the-end",
          lambda lib: lib.utils.data.TensorDataset(lib.arange(10.0))[10],
          IndexError, "index 10 is out of bounds for dimension 0 with size 10"),
    _case("Dataset/getitem-not-written",
          lambda lib: lib.utils.data.Dataset()[0],
          NotImplementedError, "Subclasses of Dataset should implement __getitem__."),
    _case("Dataset/len-not-written",
          lambda lib: len(lib.utils.data.Dataset()),
          TypeError, "object of type 'Dataset' has no len()"),
    _case("Subset/index-past-the-end",
          lambda lib: lib.utils.data.Subset(range(3), [5])[0],
          IndexError, "range object index out of range"),
    _case("ConcatDataset/empty",
          lambda lib: lib.utils.data.ConcatDataset([]),
          AssertionError, "datasets should not be an empty iterable"),
    _case("ConcatDataset/IterableDataset",
          lambda lib: lib.utils.data.ConcatDataset([_iterable(lib)]),
          AssertionError, "ConcatDataset does not support IterableDataset"),
    _case("ConcatDataset/negative-index-too-large",
          lambda lib: lib.utils.data.ConcatDataset([range(3)])[-5],
          ValueError, "absolute value of index should not exceed dataset length"),
    _case("random_split/lengths-do-not-add-up",
          lambda lib: lib.utils.data.random_split(range(10), [3, 3]),
          ValueError, "Sum of input lengths does not equal the length of the input dataset!"),
    _case("random_split/fractions-do-not-add-up",
          lambda lib: lib.utils.data.random_split(range(10), [0.5, 0.4]),
          ValueError, "Sum of input lengths does not equal the length of the input dataset!"),
    # ---- samplers ----
    _case("RandomSampler/num_samples-0",
          lambda lib: lib.utils.data.RandomSampler(range(3), num_samples=0),
          ValueError, "num_samples should be a positive integer value, but got num_samples=0"),
    _case("RandomSampler/replacement-not-bool",
          lambda lib: lib.utils.data.RandomSampler(range(3), replacement=1),
          TypeError, "replacement should be a boolean value, but got replacement=1"),
    _case("BatchSampler/batch_size-0",
          lambda lib: lib.utils.data.BatchSampler(range(3), 0, False),
          ValueError, "batch_size should be a positive integer value, but got batch_size=0"),
    _case("BatchSampler/drop_last-not-bool",
          lambda lib: lib.utils.data.BatchSampler(range(3), 2, "no"),
          ValueError, "drop_last should be a boolean value, but got drop_last=no"),
    _case("WeightedRandomSampler/num_samples-0",
          lambda lib: lib.utils.data.WeightedRandomSampler([1.0, 1.0], 0),
          ValueError, "num_samples should be a positive integer value, but got num_samples=0"),
    _case("WeightedRandomSampler/2-d-weights",
          lambda lib: lib.utils.data.WeightedRandomSampler([[1.0, 1.0]], 2),
          ValueError, "weights should be a 1d sequence but given weights have shape (1, 2)"),
    _case("RandomSampler/generator-not-a-Generator",
          lambda lib: list(lib.utils.data.RandomSampler(range(3), generator=3)),
          TypeError, "randperm() received an invalid combination of arguments - got (int, "
                     "generator=int)"),
    _case("RandomSampler/replacement-generator-not-a-Generator",
          lambda lib: list(lib.utils.data.RandomSampler(range(3), True, generator="seed")),
          TypeError, ("randint() received an invalid combination of arguments", "generator=str")),
    _case("SubsetRandomSampler/generator-not-a-Generator",
          lambda lib: list(lib.utils.data.SubsetRandomSampler([0, 1, 2], generator=3)),
          TypeError, "randperm() received an invalid combination of arguments - got (int, "
                     "generator=int)"),
    _case("WeightedRandomSampler/generator-not-a-Generator",
          lambda lib: list(lib.utils.data.WeightedRandomSampler([1.0, 1.0], 2, generator=3)),
          TypeError, "multinomial(): argument 'generator' must be torch.Generator, not int"),
]
