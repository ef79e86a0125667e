"""How much of PyTorch's public API exists in glasstorch (by name), and which names are missing.

For each namespace (``torch``, ``torch.Tensor``, ``torch.nn``, ``torch.nn.functional``,
``torch.optim``) the public names are those of ``dir()`` not starting with ``_`` (for ``torch``
also ``__all__`` is not used: it omits dtypes and submodules users reach for), without the names
that are not API for a learner (deprecated/internal aliases such as ``torch.Tensor.is_cuda`` stay
in: a learner may call them). A name "exists" when ``hasattr`` finds it on glasstorch's matching
object. Dunder methods of Tensor (``__add__``...) are counted separately.

    python scripts/api_surface.py                       # figures
    python scripts/api_surface.py --missing missing.txt # and the missing names, one a line
"""

from __future__ import annotations

import argparse
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "src"))

import torch  # noqa: E402

import glasstorch  # noqa: E402

NAMESPACES = {
    "torch": (torch, glasstorch),
    "torch.Tensor": (torch.Tensor, glasstorch.Tensor),
    "torch.nn": (torch.nn, glasstorch.nn),
    "torch.nn.functional": (torch.nn.functional, glasstorch.nn.functional),
    "torch.optim": (torch.optim, glasstorch.optim),
}


def public(obj) -> list[str]:
    return sorted(n for n in dir(obj) if not n.startswith("_"))


def dunders(obj) -> list[str]:
    return sorted(n for n in dir(obj) if n.startswith("__") and n.endswith("__"))


def survey() -> list[tuple[str, int, list[str]]]:
    """``(namespace, torch's name count, missing names)`` for each namespace."""
    rows = []
    for label, (theirs, ours) in NAMESPACES.items():
        names = public(theirs)
        rows.append((label, len(names), [n for n in names if not hasattr(ours, n)]))
    names = dunders(torch.Tensor)
    rows.append(("torch.Tensor dunders", len(names),
                 [n for n in names if not hasattr(glasstorch.Tensor, n)]))
    return rows


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--missing", help="write the missing names here, one a line")
    args = ap.parse_args(argv)
    rows = survey()
    print(f"torch {torch.__version__}")
    print(f"{'namespace':24s} {'torch':>6s} {'glasstorch':>10s} {'share':>6s}")
    for label, total, missing in rows:
        have = total - len(missing)
        print(f"{label:24s} {total:6d} {have:10d} {100 * have / total:5.1f}%")
    if args.missing:
        with open(args.missing, "w") as f:
            for label, _, missing in rows:
                f.writelines(f"{label}.{n}\n" for n in missing)
        print(f"missing names written to {args.missing}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
