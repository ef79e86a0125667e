"""``torch.hub``'s checkpoint cache: where downloaded weights live, and loading them from there.

glasstorch never downloads. ``load_state_dict_from_url(url)`` loads the file named as the URL's
last part from ``<hub dir>/checkpoints`` (``$TORCH_HOME/hub``, by default
``~/.cache/torch/hub``: the very folder PyTorch downloads to, so weights fetched once by
PyTorch, or by hand, are found) and otherwise says which file to put where.
"""

from __future__ import annotations

import os
from urllib.parse import urlparse

_hub_dir: str | None = None


def get_dir() -> str:
    """The hub folder: ``set_dir``'s, else ``$TORCH_HOME/hub``, else
    ``$XDG_CACHE_HOME/torch/hub``, else ``~/.cache/torch/hub``."""
    if _hub_dir is not None:
        return _hub_dir
    torch_home = os.environ.get("TORCH_HOME") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.join("~", ".cache"), "torch")
    return os.path.join(os.path.expanduser(torch_home), "hub")


def set_dir(d) -> None:
    """Use ``d`` as the hub folder from now on."""
    global _hub_dir
    _hub_dir = os.path.expanduser(os.fspath(d))


class DownloadNeeded(RuntimeError):
    """A checkpoint is not in the hub cache, and glasstorch does not download."""


def cached_file(url: str, model_dir: str | None = None, file_name: str | None = None,
                what: str = "", size_mb: float | None = None) -> str:
    """The path of ``url``'s file in the cache; ``DownloadNeeded`` (saying how to get it) if
    it is not there."""
    folder = model_dir or os.path.join(get_dir(), "checkpoints")
    name = file_name or os.path.basename(urlparse(url).path)
    path = os.path.join(folder, name)
    if os.path.isfile(path):
        return path
    size = f" (about {size_mb:.0f} MB)" if size_mb else ""
    raise DownloadNeeded(
        f"{what or 'this checkpoint'}: pretrained weights need a download, and glasstorch does "
        f"not download. Get {url}{size} yourself and put it at {path}, e.g.\n"
        f"    mkdir -p {folder} && curl -L -o {path} {url}\n"
        "(PyTorch keeps its downloads in the same folder, so a file it fetched is found "
        "there). Or pass weights=None for an untrained model."
    )


def load_state_dict_from_url(url: str, model_dir: str | None = None, map_location=None,
                             progress: bool = True, check_hash: bool = False,
                             file_name: str | None = None, weights_only: bool = False):
    """Load the checkpoint ``url`` names from the hub cache (see ``cached_file``) with
    ``glasstorch.load``. ``weights_only`` defaults to False, as in PyTorch: pass True for files
    from sources you do not trust."""
    from .serialization import load

    path = cached_file(url, model_dir, file_name)
    return load(path, map_location=map_location, weights_only=weights_only)
