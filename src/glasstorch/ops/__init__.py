"""The op families, one module (or package) each. Importing a module binds its methods onto
``Tensor``; ``__all__`` of each lists the functions exported as ``glasstorch.<name>``."""

import sys

from .arithmetic import *  # noqa: F401,F403
from .conversion import *  # noqa: F401,F403
from .gather import *  # noqa: F401,F403
from .indexing import *  # noqa: F401,F403
from .join import *  # noqa: F401,F403
from .linalg import *  # noqa: F401,F403
from .linalg_contract import *  # noqa: F401,F403
from .masking import *  # noqa: F401,F403
from .matrices import *  # noqa: F401,F403
from .pointwise import *  # noqa: F401,F403
from .reduction import *  # noqa: F401,F403
from .shape import *  # noqa: F401,F403

_FAMILIES = ("arithmetic", "conversion", "gather", "indexing", "join", "linalg", "linalg_contract",
             "masking", "matrices", "pointwise", "reduction", "shape")
__all__ = [name for family in _FAMILIES for name in sys.modules[f"{__name__}.{family}"].__all__]
