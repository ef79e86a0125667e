"""torch.utils: ``data`` (datasets and loaders) and ``hooks`` (the handle every hook returns).

``data`` is loaded on first use, so that autograd can take ``hooks`` without pulling in the
data pipeline.
"""


def __getattr__(name: str):
    if name == "data":
        import importlib

        return importlib.import_module(f"{__name__}.data")
    raise AttributeError(f"module '{__name__}' has no attribute '{name}'")
