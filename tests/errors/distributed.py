"""``torch.distributed`` used before ``init_process_group`` (the learner forgot it, or ran the
script without ``glasstorch run --nproc N``), and the sampler's rank checks. Each runs in this
one process, without MPI: the checks come before any communication."""


from . import ErrorCase

NOT_INIT = "Default process group has not been initialized, please make sure to call " \
           "init_process_group."


def _case(name, fn, exc, contains=(), **kw):
    return ErrorCase("distributed", name, fn, exc, contains, **kw)


def _dist(lib):
    import importlib

    return importlib.import_module(f"{lib.__name__}.distributed")


def _data(lib):
    import importlib

    return importlib.import_module(f"{lib.__name__}.utils.data")


def _ddp(lib):
    import importlib

    return importlib.import_module(f"{lib.__name__}.nn.parallel").DistributedDataParallel


CASES = [
    _case("get_rank/before-init", lambda lib: _dist(lib).get_rank(), ValueError, NOT_INIT),
    _case("all_reduce/before-init", lambda lib: _dist(lib).all_reduce(lib.ones(2)), ValueError,
          NOT_INIT),
    _case("barrier/before-init", lambda lib: _dist(lib).barrier(), ValueError, NOT_INIT),
    _case("destroy_process_group/before-init", lambda lib: _dist(lib).destroy_process_group(),
          AssertionError, "Process group cannot be None"),
    _case("init_process_group/timeout-not-timedelta",
          lambda lib: _dist(lib).init_process_group("gloo", timeout=5), TypeError,
          "Expected timeout argument to be of type datetime.timedelta, got 5"),
    _case("DistributedDataParallel/before-init",
          lambda lib: _ddp(lib)(lib.nn.Linear(2, 2)), ValueError, NOT_INIT),
    _case("DistributedSampler/before-init",
          lambda lib: _data(lib).DistributedSampler(range(5)), ValueError, NOT_INIT),
    _case("DistributedSampler/rank-too-large",
          lambda lib: _data(lib).DistributedSampler(range(5), num_replicas=2, rank=2),
          ValueError, "Invalid rank 2, rank should be in the interval [0, 1]"),
    _case("DistributedSampler/negative-rank",
          lambda lib: _data(lib).DistributedSampler(range(5), num_replicas=2, rank=-1),
          ValueError, "Invalid rank -1, rank should be in the interval [0, 1]"),
]

