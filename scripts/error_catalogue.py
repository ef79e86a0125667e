"""Write docs/ERRORS.md: every error the test tables say a learner can trigger, with glasstorch's
exception type and message.

Two tables feed it: the op catalogue's ``ErrorSpec`` entries (``tests/catalogue/*.py``, one
section per op family) and the ``ErrorCase`` entries of ``tests/errors/*.py`` (tensors, modules,
optimizers, the data pipeline, save/load, the datasets, the command line). Each entry's call is
shown as the line of code it runs (``torch.`` as a learner writes it) or, for a glasstorch-only
case written as a function, that function's docstring; the message is what glasstorch says when
that line runs now. ``tests/test_error_catalogue.py`` checks that the file is up to date.

    python scripts/error_catalogue.py           # rewrite docs/ERRORS.md
    python scripts/error_catalogue.py --check   # exit status 1 if it is out of date
"""

from __future__ import annotations

import ast
import importlib
import os
import pkgutil
import re
import sys
import warnings
from functools import lru_cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUTPUT = ROOT / "docs" / "ERRORS.md"
if str(ROOT / "tests") not in sys.path:
    sys.path.insert(0, str(ROOT / "tests"))

AREA_TITLES = {
    "tensor": "Tensors and autograd",
    "modules": "nn: layers, losses, containers, the Module API",
    "optim": "Optimizers and learning-rate schedulers",
    "data": "Data pipeline (Dataset, DataLoader, samplers, collate)",
    "serialization": "save and load",
    "datasets": "Vision datasets and transforms",
    "cli": "The glasstorch command",
    "distributed": "Several processes (torch.distributed, DistributedDataParallel)",
}


# ---- the code of an entry ---------------------------------------------------------------------
@lru_cache(maxsize=None)
def _module_tree(path: str) -> tuple[str, ast.Module]:
    text = Path(path).read_text(encoding="utf-8")
    return text, ast.parse(text)


def _lambda_node(fn) -> tuple[str, ast.Lambda] | None:
    """The source text and AST node of the lambda ``fn`` (None for a ``def`` function)."""
    code = fn.__code__
    if code.co_name != "<lambda>":
        return None
    text, tree = _module_tree(code.co_filename)
    body_start = min((p[0], p[2]) for p in code.co_positions()  # (RESUME spans nothing)
                     if p[0] is not None and p[2] is not None and (p[1], p[3]) > (p[0], p[2]))
    candidates = [
        n for n in ast.walk(tree)
        if isinstance(n, ast.Lambda) and n.lineno <= body_start[0] <= (n.end_lineno or n.lineno)
        and len(n.args.args) == code.co_argcount
    ]
    # the innermost lambda that starts before the body: the last one in source order
    candidates.sort(key=lambda n: (n.lineno, n.col_offset))
    before = [n for n in candidates if (n.body.lineno, n.body.col_offset) <= body_start]
    return (text, before[-1]) if before else None


def _simple(value) -> bool:
    return isinstance(value, (str, int, float, bool, type(None)))


def code_of(fn) -> str | None:
    """``fn``'s lambda body as a learner writes it: ``lib.`` → ``torch.``, and the loop
    variables captured from a table (``opt``, ``**kw``) replaced by their values."""
    found = _lambda_node(fn)
    if found is None:
        return None
    text, node = found
    src = ast.get_source_segment(text, node.body) or ""
    src = re.sub(r"\s*\n\s*", " ", src)
    src = re.sub(r"([(\[{]) ", r"\1", src)
    code = fn.__code__
    names = [a.arg for a in node.args.args]
    captured = {}
    if fn.__closure__:
        captured.update(zip(code.co_freevars, (c.cell_contents for c in fn.__closure__)))
    if fn.__defaults__:
        captured.update(zip(names[len(names) - len(fn.__defaults__):], fn.__defaults__))
    for name, value in captured.items():
        if isinstance(value, dict) and all(isinstance(k, str) and _simple(v)
                                           for k, v in value.items()):
            src = src.replace(f"**{name}", ", ".join(f"{k}={v!r}" for k, v in value.items()))
        elif _simple(value):
            src = re.sub(rf"\b{name}\b", repr(value), src)
    src = re.sub(r"getattr\(([\w.]+), '(\w+)'\)", r"\1.\2", src)
    src = re.sub(r'__import__\("(\w+)"\)', lambda m: {"numpy": "np"}.get(m[1], m[1]), src)
    # the scratch folder of tests/errors (``scratch()``, ``_path(name)`` in it) as <tmp>
    src = re.sub(r'\b_path\("([^"]*)"\)', r'"<tmp>/\1"', src).replace("scratch()", '"<tmp>"')
    if names:
        src = re.sub(rf"\b{names[0]}\.", "torch.", src)
        src = re.sub(rf"\b{names[0]}\b", "torch", src)
    helpers = fn.__globals__
    for helper in set(re.findall(r"\b(_\w+)\(torch\)", src)):
        doc = (getattr(helpers.get(helper), "__doc__", None) or "").strip().splitlines()
        if doc:
            src = src.replace(f"{helper}(torch)", f"<{doc[0].rstrip('.')}>")
    return src


def _described(fn) -> str:
    code = code_of(fn)
    if code is not None:
        return "`" + code.replace("|", "\\|") + "`"
    doc = (fn.__doc__ or fn.__name__).strip().splitlines()[0]
    if len(doc) > 2 and doc[0] == doc[-1] == "`":  # a command line, shown as code
        return doc.replace("|", "\\|")
    return _escape(doc)


# ---- what glasstorch says ---------------------------------------------------------------------
def _scratch_paths() -> list[str]:
    from errors import _scratch

    return [p for s in _scratch for p in {s, os.path.realpath(s)}]


def _escape(text: str) -> str:
    """Markdown-safe table cell text (one line; ``<br>`` between the message's lines)."""
    for path in _scratch_paths():
        text = text.replace(path, "<tmp>")
    text = re.sub(r"0x[0-9a-f]{9,}", "0x…", text)  # object addresses
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = text.replace("|", "\\|").replace("*", "\\*").replace("`", "\\`")
    lines = [line.strip() for line in text.strip().splitlines()]
    return "<br>".join(line for line in lines if line)


def _outcome(call) -> tuple[str, str]:
    """(exception column, message column) of running ``call()`` with glasstorch now."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            call()
        except SystemExit as e:
            return f"exit status {e.code}", _escape(str(e))
        except Exception as e:  # noqa: BLE001 - the message is what we list
            return type(e).__name__, _escape(str(e))
    if caught:
        w = caught[0]
        return f"{w.category.__name__} (a warning)", _escape(str(w.message))
    return "(nothing raised)", ""


def _op_rows(module) -> list[str]:
    import glasstorch as gt
    from catalogue import spec_arrays
    from test_op_catalogue import _inputs

    rows = []
    for spec in getattr(module, "ERRORS", []):
        arrays = spec_arrays(spec)
        code = spec.fn.__code__
        names = code.co_varnames[1:code.co_argcount]
        inputs = ", ".join(f"{n}: {a.dtype.name} {tuple(a.shape)}" for n, a in zip(names, arrays))
        what = _described(spec.fn) + (f" with {inputs}" if inputs else "")
        kind, message = _outcome(lambda s=spec, a=arrays: s.fn(gt, *_inputs(gt, a)))
        rows.append(f"| {what} | {kind} | {message} | type |")
    return rows


def _case_rows(cases) -> list[str]:
    import glasstorch as gt

    rows = []
    for case in cases:
        what = _described(case.fn)
        if case.xfail:
            kind = case.exc.__name__ if not issubclass(case.exc, SystemExit) else "exit status"
            message = "*not yet: " + _escape(case.xfail) + "*"
        else:
            kind, message = _outcome(lambda c=case: c.fn(gt))
        checked = "type + wording" if case.torch else "—"
        rows.append(f"| {what} | {kind} | {message} | {checked} |")
    return rows


_HEAD = ["| what triggers it | exception | glasstorch's message | checked against torch |",
         "|---|---|---|---|"]


def versions() -> str:
    """The interpreter and NumPy this listing's messages come from (some of their words are
    theirs: errno texts, argparse, gzip), e.g. ``"Python 3.11, NumPy 2.1"``."""
    import numpy as np

    return (f"Python {sys.version_info.major}.{sys.version_info.minor}, "
            f"NumPy {'.'.join(np.__version__.split('.')[:2])}")


def render() -> str:
    """The text of docs/ERRORS.md."""
    import catalogue
    from errors import AREAS, all_cases

    sections = []  # (title, rows)
    for info in pkgutil.iter_modules(catalogue.__path__):
        if info.name == "spec":
            continue
        module = importlib.import_module(f"catalogue.{info.name}")
        if getattr(module, "ERRORS", []):
            sections.append((f"Ops: {info.name}", _op_rows(module)))
    cases = all_cases()
    for area in AREAS:
        sections.append((AREA_TITLES[area], _case_rows([c for c in cases if c.area == area])))

    total = sum(len(rows) for _, rows in sections)
    out = [
        "# Errors: what triggers them, and what glasstorch says",
        "",
        "<!-- generated by scripts/error_catalogue.py from tests/catalogue/*.py (ErrorSpec) and "
        f"tests/errors/*.py (ErrorCase): do not edit by hand; {versions()} -->",
        "",
        f"{total} mistakes a learner can make, each with the exception glasstorch raises (the "
        "type PyTorch 2.13 raises) and glasstorch's message. The code is written as with "
        "`import glasstorch as torch`. *Checked against torch*: `type + wording` — the test "
        "suite runs the same line with PyTorch and checks the exception type and the key "
        "wording; `type` — the exception type; `—` — glasstorch only (our file format, the "
        "datasets, the command line). Tests: `tests/test_op_catalogue.py`, "
        "`tests/test_error_catalogue.py`.",
        "",
        "| section | entries |",
        "|---|---|",
    ]
    for title, rows in sections:
        anchor = re.sub(r"[^\w\- ]", "", title.lower()).replace(" ", "-")
        out.append(f"| [{title}](#{anchor}) | {len(rows)} |")
    for title, rows in sections:
        out += ["", f"## {title}", "", *_HEAD, *rows]
    return "\n".join(out) + "\n"


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    text = render()
    if "--check" in argv:
        current = OUTPUT.read_text(encoding="utf-8") if OUTPUT.exists() else ""
        if current != text:
            print(f"{OUTPUT} is out of date: run python scripts/error_catalogue.py",
                  file=sys.stderr)
            return 1
        return 0
    OUTPUT.parent.mkdir(exist_ok=True)
    OUTPUT.write_text(text, encoding="utf-8")
    print(f"wrote {OUTPUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
