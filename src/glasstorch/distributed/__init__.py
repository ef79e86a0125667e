"""``torch.distributed`` on MPI: process groups, collectives, point-to-point and object
collectives for a job of several processes (``glasstorch run --nproc N script.py``).

    import glasstorch.distributed as dist
    dist.init_process_group("gloo")          # "gloo" and "mpi" both run on MPI (mpi4py)
    t = glasstorch.ones(3) * dist.get_rank()
    dist.all_reduce(t)                        # every rank now holds the sum over the ranks

Files: ``mpi.py`` (the one door to mpi4py), ``process_group.py`` (init, groups, timeout watchdog,
error propagation), ``collectives.py``, ``point_to_point.py``, ``objects.py``, ``work.py``
(``async_op=True`` handles). ``import glasstorch.distributed`` works without mpi4py:
``is_available()`` is then False and ``init_process_group`` says what to install.
"""

from .collectives import *
from .collectives import __all__ as _collectives
from .objects import *
from .objects import __all__ as _objects
from .point_to_point import *
from .point_to_point import __all__ as _p2p
from .process_group import (
    Backend,
    GroupMember,
    ProcessGroup,
    ReduceOp,
    destroy_process_group,
    get_backend,
    get_global_rank,
    get_process_group_ranks,
    get_rank,
    get_world_size,
    group,
    init_process_group,
    is_available,
    is_gloo_available,
    is_initialized,
    is_mpi_available,
    is_nccl_available,
    is_torchelastic_launched,
    new_group,
)
from .work import Work

__all__ = [
    *_collectives, *_objects, *_p2p, "Backend", "GroupMember", "ProcessGroup", "ReduceOp",
    "Work", "destroy_process_group", "get_backend", "get_global_rank", "get_process_group_ranks",
    "get_rank", "get_world_size", "group", "init_process_group", "is_available",
    "is_gloo_available", "is_initialized", "is_mpi_available", "is_nccl_available",
    "is_torchelastic_launched", "new_group",
]
