"""The book's data hub (d2l 4.10): ``DATA_HUB``, ``DATA_URL``, ``download``, ``download_extract``.

The book registers each data file it needs as ``DATA_HUB[name] = (url, sha1)`` and calls
``d2l.download(name)``, which returns the path of a local copy whose SHA-1 matches, downloading
it into the cache folder (``../data``, relative to the working folder) when there is none.

glasstorch looks, in this order, in

1. the cache folder the book uses (``cache_dir``, by default ``../data``);
2. ``~/.glasstorch/data`` (or the folder named by the environment variable
   ``GLASSTORCH_D2L_DATA``): a place for files this machine cannot download, such as
   ``fra-eng.zip``;
3. the files shipped with glasstorch (``data_files/``: ``timemachine.txt`` and
   ``airfoil_self_noise.dat``, see ``data_files/PROVENANCE.md``), returned where they lie;

and only then downloads (skipped when ``GLASSTORCH_OFFLINE=1``). A file found with the wrong
SHA-1 is not used. When nothing works, ``FileNotFoundError`` names every place looked at and the
URL, so the file can be fetched by hand.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tarfile
import urllib.request
import zipfile

__all__ = ["DATA_HUB", "DATA_URL", "download", "extract", "download_extract", "download_all",
           "sha1_of", "data_search_path"]

DATA_URL = "http://d2l-data.s3-accelerate.amazonaws.com/"
DATA_HUB: dict[str, tuple[str, str]] = {
    "time_machine": (DATA_URL + "timemachine.txt", "090b5e7e70c295757f55df93cb0a180b9691891a"),
    "fra-eng": (DATA_URL + "fra-eng.zip", "94646ad1522d915e7b0f9296181140edcf86a4f5"),
    "airfoil": (DATA_URL + "airfoil_self_noise.dat", "76e5be1548fd8222e5074cf0faae75edff8cf93f"),
    "kaggle_house_train": (DATA_URL + "kaggle_house_pred_train.csv",
                           "585e9cc93e70b39160e7921475f9bcd7d31219ce"),
    "kaggle_house_test": (DATA_URL + "kaggle_house_pred_test.csv",
                          "fa19780a7b011d9b009e8bff8e99922a8ee2eb90"),
}

SHIPPED = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data_files")


def sha1_of(path: str) -> str:
    """The SHA-1 of a file's bytes, as a hex string (read 1 MiB at a time)."""
    digest = hashlib.sha1()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def data_search_path(cache_dir: str = os.path.join("..", "data")) -> list[str]:
    """The folders ``download`` looks in, in order (see the module docstring)."""
    user = os.environ.get("GLASSTORCH_D2L_DATA") or os.path.join("~", ".glasstorch", "data")
    return [cache_dir, os.path.expanduser(user), SHIPPED]


def _resolve(name: str, sha1_hash: str | None) -> tuple[str, str | None]:
    """``(url, sha1)`` for a ``DATA_HUB`` name, or for a URL given with its hash (d2l 1.0)."""
    if name in DATA_HUB:
        return DATA_HUB[name]
    if "/" in name:
        return name, sha1_hash
    raise KeyError(f"download: {name!r} is not in d2l.DATA_HUB (known: {', '.join(DATA_HUB)}); "
                   "register it first: DATA_HUB[name] = (url, sha1)")


def download(name: str, cache_dir: str = os.path.join("..", "data"),
             sha1_hash: str | None = None) -> str:
    """The path of a local copy of ``DATA_HUB[name]`` whose SHA-1 matches.

    ``name`` is a key of ``DATA_HUB`` (d2l 0.17) or a URL given with ``sha1_hash`` (d2l 1.0,
    whose second argument is the folder). Looks in ``data_search_path(cache_dir)`` first; only
    then downloads into ``cache_dir``. ``sha1_hash=None`` with a URL accepts any local copy.
    """
    url, sha1 = _resolve(name, sha1_hash)
    fname = url.split("/")[-1]
    looked, wrong = [], []
    for folder in data_search_path(cache_dir):
        path = os.path.join(folder, fname)
        looked.append(path)
        if os.path.isfile(path):
            if sha1 is None or sha1_of(path) == sha1:
                return path
            wrong.append(path)
    target = os.path.join(cache_dir, fname)
    error = None
    if os.environ.get("GLASSTORCH_OFFLINE") != "1":
        print(f"Downloading {target} from {url}...")
        try:
            os.makedirs(cache_dir, exist_ok=True)
            with urllib.request.urlopen(url, timeout=30) as response, \
                    open(target + ".part", "wb") as f:
                shutil.copyfileobj(response, f)
            got = sha1_of(target + ".part")
            if sha1 is None or got == sha1:
                os.replace(target + ".part", target)
                return target
            error = f"the downloaded file has SHA-1 {got}"
        except OSError as e:
            error = f"the download failed ({e})"
        finally:
            if os.path.exists(target + ".part"):
                os.remove(target + ".part")
    else:
        error = "GLASSTORCH_OFFLINE=1 forbids downloading"
    bad = f"; found with another SHA-1 (not used): {', '.join(wrong)}" if wrong else ""
    raise FileNotFoundError(
        f"download: no copy of {fname!r} with SHA-1 {sha1} was found and {error}. Looked in: "
        f"{', '.join(looked)}{bad}. Fetch {url} on a machine that can and put it at "
        f"{os.path.abspath(target)} (the book's cache) or in {looked[1]}")


def extract(filename: str, folder: str | None = None) -> str:
    """Unpack a ``.zip``, ``.tar`` or ``.tar.gz`` archive into ``folder`` (default: beside it).

    Returns the folder it was unpacked into (as d2l 1.0's ``extract``).
    """
    base_dir = folder if folder is not None else os.path.dirname(filename)
    if filename.endswith(".zip"):
        with zipfile.ZipFile(filename, "r") as fp:
            fp.extractall(base_dir)
    elif filename.endswith((".tar", ".gz", ".tgz")):
        with tarfile.open(filename, "r") as fp:
            if hasattr(tarfile, "data_filter"):  # refuse links and paths that leave base_dir
                fp.extractall(base_dir, filter="data")
            else:
                fp.extractall(base_dir)
    else:
        raise ValueError(f"extract: {filename!r} is not a .zip, .tar or .tar.gz archive")
    return base_dir


def download_extract(name: str, folder: str | None = None) -> str:
    """``download(name)`` and unpack it beside the archive; returns the unpacked folder.

    The folder is ``folder`` (a subfolder the archive holds) when given, else the archive's name
    without its extension (``../data/fra-eng`` for ``fra-eng.zip``), as in the book.
    """
    fname = download(name)
    base_dir = os.path.dirname(fname)
    data_dir = os.path.splitext(fname)[0]
    if data_dir.endswith(".tar"):
        data_dir = data_dir[:-4]
    extract(fname, base_dir)
    return os.path.join(base_dir, folder) if folder else data_dir


def download_all() -> None:
    """Download every file of ``DATA_HUB`` (each found locally is kept)."""
    for name in DATA_HUB:
        download(name)
