"""The op families, one module (or package) each. Importing a module binds its methods onto
``Tensor``; ``__all__`` of each lists the functions exported as ``glasstorch.<name>``."""

from . import (
    arithmetic,
    conversion,
    indexing,
    linalg,
    linalg_contract,
    matrices,
    pointwise,
    reduction,
    shape,
)
from .arithmetic import *  # noqa: F401,F403
from .conversion import *  # noqa: F401,F403
from .indexing import *  # noqa: F401,F403
from .linalg import *  # noqa: F401,F403
from .linalg_contract import *  # noqa: F401,F403
from .matrices import *  # noqa: F401,F403
from .pointwise import *  # noqa: F401,F403
from .reduction import *  # noqa: F401,F403
from .shape import *  # noqa: F401,F403

__all__ = (
    arithmetic.__all__ + conversion.__all__ + indexing.__all__ + linalg.__all__
    + linalg_contract.__all__ + matrices.__all__ + pointwise.__all__ + reduction.__all__
    + shape.__all__
)
