"""``torch.linalg``: norms and singular values (``norms``); inverse, determinants, solvers,
Cholesky, matrix powers and products (``solve``).

Matrix functions work on the last two dimensions and batch over the rest: ``inv`` of
``(5, 3, 3)`` inverts five 3×3 matrices. The top-level ``torch.norm``/``torch.det``/... and their
``Tensor`` methods are in ``top_level``.
"""

from ..ops.linalg import matmul
from .norms import matrix_norm, norm, svdvals, vector_norm
from .solve import (
    LinAlgError,
    cholesky,
    cross,
    det,
    inv,
    matrix_power,
    multi_dot,
    slogdet,
    solve,
    vecdot,
)

__all__ = [
    "LinAlgError", "vector_norm", "matrix_norm", "norm", "svdvals", "inv", "det", "slogdet",
    "solve", "cholesky", "matrix_power", "multi_dot", "cross", "vecdot", "matmul",
]
