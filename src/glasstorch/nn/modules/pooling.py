"""Pooling and resampling layers: ``MaxPool2d``, ``AvgPool2d``, the adaptive pools, ``Upsample``."""

__all__: list[str] = []
