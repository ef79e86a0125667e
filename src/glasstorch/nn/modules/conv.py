"""Convolution layers: ``Conv1d``, ``Conv2d`` and their lazy forms."""

__all__: list[str] = []
