"""Normalisation layers: ``BatchNorm1d``/``BatchNorm2d`` (and lazy forms), ``LayerNorm``."""

__all__: list[str] = []
