"""What a learner sees when reaching for a PyTorch name glasstorch does not have yet.

``torch.nn.LSTM`` on a glasstorch without it should not say ``module 'glasstorch.nn' has no
attribute 'LSTM'`` (is it a typo? a bug?) but that the name is real PyTorch API that glasstorch
has not written yet. Each public glasstorch namespace ends its module ``__getattr__`` with
``missing(namespace, name)``: a name in torch's public list (``_torch_names.py``, generated from
an installed torch by ``scripts/torch_public_names.py``) gives ``NotYetImplemented``; any other
name gives the plain ``AttributeError`` Python would give.

``NotYetImplemented`` is both a ``NotImplementedError`` (what it means) and an ``AttributeError``
(what a failed attribute lookup must raise), so ``hasattr(torch.nn, "LSTM")`` is still ``False``
and ``getattr(torch.nn, "LSTM", None)`` still ``None``: code that probes for a feature keeps
working.
"""

from __future__ import annotations

import re

COVERAGE_PAGE = "docs/API_COVERAGE.md"

# glasstorch's module → the PyTorch namespace it stands in for.
TORCH_NAMESPACE = {
    "glasstorch": "torch",
    "glasstorch.Tensor": "torch.Tensor",
    "glasstorch.nn": "torch.nn",
    "glasstorch.nn.functional": "torch.nn.functional",
    "glasstorch.optim": "torch.optim",
    "glasstorch.utils.data": "torch.utils.data",
    "glasstorch.vision": "torchvision",
    "glasstorch.vision.datasets": "torchvision.datasets",
}


class NotYetImplemented(NotImplementedError, AttributeError):
    """A PyTorch name glasstorch does not implement yet."""


def torch_names(namespace: str) -> frozenset[str]:
    """The public names of PyTorch's ``namespace`` (e.g. ``"torch.nn"``), empty if unknown."""
    from ._torch_names import PUBLIC_NAMES

    return PUBLIC_NAMES.get(namespace, frozenset())


def missing(module: str, name: str, owner: str | None = None) -> AttributeError:
    """The error for ``module.name`` not found (to ``raise``): ``NotYetImplemented`` when
    ``name`` is PyTorch API, else Python's own ``AttributeError`` wording. ``owner`` words the
    plain error for an object that is not a module (``'Tensor' object has no attribute``)."""
    namespace = TORCH_NAMESPACE.get(module)
    if namespace is not None and name in torch_names(namespace):
        error = NotYetImplemented(
            f"glasstorch does not implement {namespace}.{name} yet ({COVERAGE_PAGE} lists "
            f"what it has; run this program with PyTorch itself for now)"
        )
        error.name = name  # what AttributeError carries, for tools that read it
        return error
    if owner is not None:
        return AttributeError(f"'{owner}' object has no attribute '{name}'", name=name)
    return AttributeError(f"module '{module}' has no attribute '{name}'", name=name)


_IMPORT_FROM = re.compile(r"cannot import name '(\w+)' from '([\w.]+)'")


def explain_import_error(error: BaseException) -> None:
    """Add the "does not implement yet" sentence to ``from torch.nn import LSTM``'s ImportError.

    Python words that failure itself ("cannot import name 'LSTM' from 'glasstorch.nn'") and drops
    the module ``__getattr__``'s error, so ``glasstorch run`` and the notebook extension call this
    on an ImportError before showing it. Other errors are left as they are.
    """
    if not isinstance(error, ImportError) or isinstance(error, ModuleNotFoundError):
        return
    found = _IMPORT_FROM.search(str(error))
    if found is None:
        return
    name, module = found.groups()
    reason = missing(module, name)
    if isinstance(reason, NotYetImplemented) and str(reason) not in getattr(error, "__notes__", ()):
        error.add_note(str(reason))


def module_getattr(module: str):
    """A module ``__getattr__`` that only reports missing names (for modules with no lazy ones)."""

    def __getattr__(name: str):
        raise missing(module, name)

    return __getattr__
