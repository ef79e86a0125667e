"""Pooling as functions: max/avg pooling and their adaptive forms, vectorised over windows."""

__all__: list[str] = []
