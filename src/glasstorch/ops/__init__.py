"""The op families. Importing each module binds its methods onto ``Tensor``."""

from .arithmetic import *  # noqa: F401,F403
from .reduction import *  # noqa: F401,F403
from .shape import *  # noqa: F401,F403
from . import arithmetic, reduction, shape  # noqa: F401

__all__ = arithmetic.__all__ + reduction.__all__ + shape.__all__
