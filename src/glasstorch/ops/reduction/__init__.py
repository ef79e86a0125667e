"""Reductions: ops that fold dimensions of a tensor into fewer values.

- ``sums``: sum, mean, prod, all/any, count_nonzero, cumsum/cumprod/logcumsumexp, logsumexp
- ``minmax``: max/min, amax/amin, aminmax, argmax/argmin, median, cummax/cummin, unique
- ``sort``: sort, argsort, msort, topk, kthvalue
- ``stats``: var/std, std_mean/var_mean, nansum/nanmean, dist
- ``norms``: vector_norm (exported as ``glasstorch.linalg.vector_norm``)
- ``_dims``: how ``dim``/``keepdim`` are read, and how a backward spreads a reduced gradient back
- ``return_types``: the named tuples (``values``, ``indices``) some of them return

Importing each module binds its methods onto ``Tensor`` (``x.sum()``).
"""

from .minmax import *  # noqa: F401,F403
from .minmax import __all__ as _minmax_all
from .sort import *  # noqa: F401,F403  (binds the name ``sort`` to the function, as torch.sort)
from .sort import __all__ as _sort_all
from .stats import *  # noqa: F401,F403
from .stats import __all__ as _stats_all
from .sums import *  # noqa: F401,F403
from .sums import __all__ as _sums_all

__all__ = _sums_all + _minmax_all + _stats_all + _sort_all
