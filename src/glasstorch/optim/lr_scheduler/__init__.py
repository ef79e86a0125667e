"""``torch.optim.lr_scheduler``: change each parameter group's ``lr`` as training goes on.

``_base.py`` holds ``LRScheduler`` (what stepping means, state dicts, the call-order warning);
``schedules.py`` the schedules themselves; ``combined.py`` the schedulers made of others;
``plateau.py`` ``ReduceLROnPlateau``, which follows a metric.
"""

from ._base import LRScheduler, _LRScheduler
from .combined import ChainedScheduler, SequentialLR
from .plateau import ReduceLROnPlateau
from .schedules import (
    ConstantLR,
    CosineAnnealingLR,
    CosineAnnealingWarmRestarts,
    ExponentialLR,
    LambdaLR,
    LinearLR,
    MultiplicativeLR,
    MultiStepLR,
    OneCycleLR,
    PolynomialLR,
    StepLR,
)

__all__ = [
    "LRScheduler", "LambdaLR", "MultiplicativeLR", "StepLR", "MultiStepLR", "ConstantLR",
    "LinearLR", "ExponentialLR", "PolynomialLR", "CosineAnnealingLR", "CosineAnnealingWarmRestarts",
    "OneCycleLR", "SequentialLR", "ChainedScheduler", "ReduceLROnPlateau",
]

# torch defines every scheduler in ``torch.optim.lr_scheduler`` itself, and code tells its own
# schedules from torch's by ``scheduler.__module__ == lr_scheduler.__name__`` (d2l 11.11's
# ``train`` does): name this package as each class's home, as torch does.
for _name in __all__:
    globals()[_name].__module__ = __name__
