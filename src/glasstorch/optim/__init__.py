"""torch.optim: algorithms that update parameters from their gradients, and lr schedules.

The training loop every optimizer serves::

    opt = glasstorch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    for X, y in data:
        opt.zero_grad()                 # forget the last batch's gradients
        loss_fn(model(X), y).backward() # fill p.grad for every parameter
        opt.step()                      # move every parameter against its gradient

``Optimizer`` (``optimizer.py``) holds the parameter groups and state; each algorithm file
(``sgd.py``, ``adam.py``, ``rmsprop.py``, ``adagrad.py``) writes its update rule, in math, in its
docstring. ``lr_scheduler`` changes the groups' learning rates as training goes on.
"""

from .._missing import module_getattr as _module_getattr
from . import lr_scheduler
from .adadelta import Adadelta
from .adagrad import Adagrad
from .adam import Adam, AdamW
from .adamax import Adamax
from .asgd import ASGD
from .lbfgs import LBFGS
from .nadam import NAdam
from .optimizer import Optimizer
from .radam import RAdam
from .rmsprop import RMSprop
from .rprop import Rprop
from .sgd import SGD

__all__ = [
    "Optimizer", "SGD", "Adam", "AdamW", "RMSprop", "Adagrad", "Adadelta", "Adamax", "NAdam",
    "RAdam", "ASGD", "LBFGS", "Rprop", "lr_scheduler",
]

__getattr__ = _module_getattr(__name__)  # a torch name not here yet says so
