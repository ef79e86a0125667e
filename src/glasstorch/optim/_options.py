"""Argument checks shared by the newer optimizers (Adamax, NAdam, RAdam, Adadelta).

Each raises the error torch raises, in torch's words, so a learner's typo reads the same here.
"""

from __future__ import annotations


def _check_betas(betas) -> tuple:
    """``betas = (β₁, β₂)``, each in ``[0, 1)``: ``Invalid beta parameter at index i: v``."""
    for i, beta in enumerate(betas):
        if not 0.0 <= beta < 1.0:
            raise ValueError(f"Invalid beta parameter at index {i}: {beta}")
    return tuple(betas)


def _check_capturable(capturable: bool) -> None:
    """``capturable=True`` asks for CUDA-graph-safe state; there is no GPU here to capture."""
    if capturable:
        raise NotImplementedError(
            "capturable=True (keeping optimizer state on the GPU for CUDA graph capture) is not "
            "supported by glasstorch, which runs on the CPU; leave capturable=False"
        )
