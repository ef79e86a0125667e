"""Where a dataset's files come from: a folder the user gave, a system package, or a download.

``find_file(name, folders)`` looks for ``name`` (``train-images-idx3-ubyte``) in each folder, raw or
gzipped, and returns the first hit. ``link_or_copy`` puts a file a system package installed into a
dataset's folder (the "download" when the data is already on the machine). ``download_file``
fetches one file from a list of mirrors into a folder, with a progress bar (tqdm's, when
installed), checking its MD5 checksum:

- the bytes go to a temporary file in the destination folder, renamed to the final name only once
  the checksum matches, so an interrupted or corrupt download never looks like a finished file;
- a checksum mismatch or a network error deletes the temporary file and tries the next mirror;
- ``opener`` (default ``urllib.request.urlopen``) is how a URL is opened, so tests can serve files
  from ``file://`` URLs or a fake without touching the network.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sys
import tempfile
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable, Sequence

__all__ = ["find_file", "link_or_copy", "download_file", "md5_of", "DownloadError"]

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


def link_or_copy(path: str, folder: str, quiet: bool = False) -> str:
    """``folder/<path's name>`` made a symbolic link to ``path`` (a copy where links are not
    allowed); returns it. Says so in one line on stderr (stdout stays the program's own)."""
    os.makedirs(folder, exist_ok=True)
    target = os.path.join(folder, os.path.basename(path))
    if not quiet:
        print(f"Using {path} (already on this machine) for {target}", file=sys.stderr)
    try:
        os.symlink(os.path.abspath(path), target)
    except FileExistsError:  # another process put it there meanwhile
        pass
    except OSError:  # no symbolic links here (some Windows setups): copy the bytes
        fd, tmp = tempfile.mkstemp(prefix=f".{os.path.basename(path)}.", suffix=".part",
                                   dir=folder)
        os.close(fd)
        shutil.copyfile(path, tmp)
        os.replace(tmp, target)
    return target


class _Progress:
    """A download's progress bar: tqdm's when installed, else a percentage on one line."""

    def __init__(self, total: int | None, name: str, quiet: bool):
        self.total, self.done, self.shown, self.bar = total, 0, -1, None
        self.quiet, self.name = quiet, name
        if quiet:
            return
        try:
            from tqdm import tqdm
        except ImportError:
            return
        self.bar = tqdm(total=total, unit="B", unit_scale=True, unit_divisor=1024, desc=name,
                        file=sys.stderr)

    def update(self, n: int) -> None:
        self.done += n
        if self.bar is not None:
            self.bar.update(n)
        elif not self.quiet and self.total:
            percent = 100 * self.done // self.total
            if percent // 10 != self.shown // 10:
                self.shown = percent
                print(f"\r{self.name}: {percent:3d}%", end="", file=sys.stderr, flush=True)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
        elif not self.quiet and self.total and self.shown >= 0:
            print(file=sys.stderr)


def md5_of(path: str) -> str:
    """The hex MD5 digest of a file, read in 1 MiB chunks."""
    digest = hashlib.md5(usedforsecurity=False)
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(_CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _size_of(response) -> int | None:
    """The Content-Length a response announces, if any (for the progress bar's total)."""
    headers = getattr(response, "headers", None)
    length = headers.get("Content-Length") if headers is not None else None
    return int(length) if length and str(length).isdigit() else None


def _fetch(url: str, folder: str, filename: str, opener: Callable,
           quiet: bool = False) -> tuple[str, str]:
    """Stream ``url`` into a temporary file in ``folder``; return (temporary path, its MD5)."""
    fd, tmp = tempfile.mkstemp(prefix=f".{filename}.", suffix=".part", dir=folder)
    digest = hashlib.md5(usedforsecurity=False)
    progress = None
    try:
        with os.fdopen(fd, "wb") as out, opener(url) as response:
            progress = _Progress(_size_of(response), filename, quiet)
            for chunk in iter(lambda: response.read(_CHUNK), b""):
                digest.update(chunk)
                out.write(chunk)
                progress.update(len(chunk))
    except BaseException:
        os.remove(tmp)
        raise
    finally:
        if progress is not None:
            progress.close()
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
            tmp, got = _fetch(url, folder, filename, opener, quiet)
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
