"""Padding and resampling as functions: ``pad`` (all modes) and ``interpolate``."""

__all__: list[str] = []
