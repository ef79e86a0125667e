"""Collectives on Python objects: each object is pickled, sent as bytes and unpickled.

Only between the job's own processes: unpickling runs code the sender chose, which is safe here
because every rank runs the same script (never use them to receive from anyone else).
"""

from __future__ import annotations

from .process_group import resolve


def all_gather_object(object_list: list, obj, group=None) -> None:
    """Fill ``object_list[i]`` with rank ``i``'s ``obj`` on every rank."""
    pg = resolve(group)
    if pg is None:
        return None
    _check_list(object_list, pg.size, "all_gather_object", "object_list")
    object_list[:] = _call(pg, "all_gather_object", lambda: pg.comm.allgather(obj))
    return None


def broadcast_object_list(object_list: list, src=None, group=None, device=None,
                          group_src=None) -> None:
    """Replace ``object_list``'s items on every rank with those of ``src``'s list (same length)."""
    pg = resolve(group)
    if pg is None:
        return None
    from .collectives import _root

    root = _root(pg, src, group_src, "broadcast_object_list", "src")
    got = _call(pg, "broadcast_object_list",
                lambda: pg.comm.bcast(list(object_list) if pg.rank == root else None, root))
    if len(got) != len(object_list):
        raise RuntimeError(
            f"broadcast_object_list: rank {pg.global_ranks[root]} sent {len(got)} objects but this "
            f"rank's list holds {len(object_list)}: give every rank a list of the same length"
        )
    object_list[:] = got
    return None


def gather_object(obj, object_gather_list=None, dst=None, group=None, group_dst=None) -> None:
    """Collect every rank's ``obj`` into ``object_gather_list`` on ``dst``."""
    pg = resolve(group)
    if pg is None:
        return None
    from .collectives import _root

    root = _root(pg, dst, group_dst, "gather_object", "dst")
    if pg.rank == root:
        _check_list(object_gather_list, pg.size, "gather_object", "object_gather_list")
    got = _call(pg, "gather_object", lambda: pg.comm.gather(obj, root))
    if pg.rank == root:
        object_gather_list[:] = got
    return None


def scatter_object_list(scatter_object_output_list: list, scatter_object_input_list=None,
                        src=None, group=None, group_src=None) -> None:
    """Rank ``i`` receives ``scatter_object_input_list[i]`` of ``src`` into
    ``scatter_object_output_list[0]``."""
    pg = resolve(group)
    if pg is None:
        return None
    from .collectives import _root

    root = _root(pg, src, group_src, "scatter_object_list", "src")
    if not isinstance(scatter_object_output_list, list) or not scatter_object_output_list:
        raise ValueError("Expected argument scatter_object_output_list to be a list of size at "
                         "least 1.")
    if pg.rank == root:
        _check_list(scatter_object_input_list, pg.size, "scatter_object_list",
                    "scatter_object_input_list")
    items = list(scatter_object_input_list) if pg.rank == root else None
    scatter_object_output_list[0] = _call(pg, "scatter_object_list",
                                          lambda: pg.comm.scatter(items, root))
    return None


def _check_list(lst, size: int, what: str, name: str) -> None:
    if not isinstance(lst, list) or len(lst) != size:
        got = len(lst) if isinstance(lst, list) else type(lst).__name__
        raise ValueError(f"{what}: {name} must be a list of world_size ({size}) items, got {got}")


def _call(pg, what: str, fn):
    pg.calls += 1
    pg.busy = what
    try:
        return fn()
    finally:
        pg.busy = None


__all__ = ["all_gather_object", "broadcast_object_list", "gather_object", "scatter_object_list"]
