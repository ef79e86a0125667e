"""``RemovableHandle``: what every ``register_*_hook`` returns, in autograd, ``nn`` and ``optim``.

A hook is kept in a dict under the handle's id (``hooks[handle.id] = fn``), so ``handle.remove()``
deletes exactly that entry, however many hooks were added or removed since. The handle holds the
dict by weak reference: a forgotten handle does not keep a module or a graph node alive.
"""

from __future__ import annotations

import itertools
import weakref


class RemovableHandle:
    """Returned by ``register_*_hook``: ``handle.remove()`` unregisters the hook.

    Also a context manager: the hook is removed when the ``with`` block ends.
    ``extra_dict``: further dicts holding an entry under the same id (a module's
    "this pre-hook takes kwargs" flags), removed together with the hook.
    """

    _next_id = itertools.count()

    def __init__(self, hooks_dict: dict, *, extra_dict=None):
        self.hooks_dict_ref = weakref.ref(hooks_dict)
        self.id = next(RemovableHandle._next_id)
        if isinstance(extra_dict, dict):
            extra_dict = (extra_dict,)
        self.extra_dict_ref = tuple(weakref.ref(d) for d in (extra_dict or ()))

    def remove(self) -> None:
        for ref in (self.hooks_dict_ref, *self.extra_dict_ref):
            d = ref()
            if d is not None and self.id in d:
                del d[self.id]

    def __getstate__(self):
        # Weak references cannot be pickled: save the dicts themselves (as torch does).
        extra = tuple(ref() for ref in self.extra_dict_ref)
        return self.hooks_dict_ref(), self.id, extra

    def __setstate__(self, state) -> None:
        hooks_dict, self.id, extra = state
        self.hooks_dict_ref = weakref.ref({} if hooks_dict is None else hooks_dict)
        self.extra_dict_ref = tuple(weakref.ref(d) for d in extra if d is not None)
        RemovableHandle._next_id = itertools.count(
            max(self.id + 1, next(RemovableHandle._next_id))
        )

    def __enter__(self) -> RemovableHandle:
        return self

    def __exit__(self, *exc) -> None:
        self.remove()
