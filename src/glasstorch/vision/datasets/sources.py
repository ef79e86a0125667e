"""Where a dataset's files come from: a folder the user gave, a system package, or a download.

``find_file(name, folders)`` looks for ``name`` (``train-images-idx3-ubyte``) in each folder, raw or
gzipped, and returns the first hit. ``download_file`` fetches one file from a list of mirrors into
a folder, checking its MD5 checksum:

- the bytes go to a temporary file in the destination folder, renamed to the final name only once
  the checksum matches, so an interrupted or corrupt download never looks like a finished file;
- a checksum mismatch or a network error deletes the temporary file and tries the next mirror;
- ``opener`` (default ``urllib.request.urlopen``) is how a URL is opened, so tests can serve files
  from ``file://`` URLs or a fake without touching the network.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable, Sequence

__all__ = ["find_file", "download_file", "md5_of", "DownloadError"]

_CHUNK = 1 << 20


class DownloadError(RuntimeError):
    """No mirror delivered a file with the expected checksum."""


def find_file(name: str, folders: Iterable[str]) -> str | None:
    """The first of ``folder/name`` or ``folder/name.gz`` that exists, over ``folders`` in order."""
    for folder in folders:
        for candidate in (name, name + ".gz"):
            path = os.path.join(folder, candidate)
            if os.path.isfile(path):
                return path
    return None


def md5_of(path: str) -> str:
    """The hex MD5 digest of a file, read in 1 MiB chunks."""
    digest = hashlib.md5(usedforsecurity=False)
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(_CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _fetch(url: str, folder: str, filename: str, opener: Callable) -> tuple[str, str]:
    """Stream ``url`` into a temporary file in ``folder``; return (temporary path, its MD5)."""
    fd, tmp = tempfile.mkstemp(prefix=f".{filename}.", suffix=".part", dir=folder)
    digest = hashlib.md5(usedforsecurity=False)
    try:
        with os.fdopen(fd, "wb") as out, opener(url) as response:
            for chunk in iter(lambda: response.read(_CHUNK), b""):
                digest.update(chunk)
                out.write(chunk)
    except BaseException:
        os.remove(tmp)
        raise
    return tmp, digest.hexdigest()


def download_file(mirrors: Sequence[str], filename: str, md5: str, folder: str,
                  opener: Callable | None = None, quiet: bool = False) -> str:
    """Download ``filename`` from the first mirror that serves it with checksum ``md5``.

    ``mirrors`` are base URLs (ending in ``/``); the file's URL is ``mirror + filename``. The
    result is ``folder/filename`` (the folder is created). Raises ``DownloadError`` listing what
    went wrong at each mirror when none succeeded.
    """
    opener = opener or urllib.request.urlopen
    os.makedirs(folder, exist_ok=True)
    final = os.path.join(folder, filename)
    failures = []
    for mirror in mirrors:
        url = mirror + filename
        if not quiet:
            print(f"Downloading {url} to {final}")
        try:
            tmp, got = _fetch(url, folder, filename, opener)
        except (urllib.error.URLError, OSError, ValueError) as e:
            failures.append(f"{url}: {e}")
            if not quiet:
                print(f"Failed to download (trying next):\n{e}\n")
            continue
        if got != md5:
            os.remove(tmp)
            failures.append(f"{url}: checksum mismatch (MD5 {got}, expected {md5})")
            if not quiet:
                print(f"Checksum mismatch for {url}: the partial file was deleted (trying next)")
            continue
        os.replace(tmp, final)
        return final
    raise DownloadError(
        f"could not download {filename} into {folder}: " + "; ".join(failures)
    )
