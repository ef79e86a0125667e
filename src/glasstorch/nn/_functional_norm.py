"""Normalisation as functions: ``batch_norm``, ``layer_norm`` and friends."""

__all__: list[str] = []
