"""Convolutions as functions: ``conv1d`` and ``conv2d`` by im2col and one BLAS product."""

__all__: list[str] = []
