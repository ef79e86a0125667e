"""The error catalogue beyond ops (``tests/errors/``), with PyTorch as the oracle.

For every ``ErrorCase``: glasstorch raises the catalogued exception type with the key wording (and
the fix, where torch's message has none); when PyTorch is installed, torch raises the same type and
its message holds the same key wording. Also: docs/ERRORS.md is what the tables generate.
"""

from __future__ import annotations

import importlib.util
import warnings
from pathlib import Path

import pytest

import glasstorch as gt
from errors import all_cases
from oracle import needs_torch, torch

CASES = all_cases()
ROOT = Path(__file__).resolve().parents[1]


def outcome(case, lib):
    """What ``case.fn(lib)`` does: ``(exception or None, [warnings emitted])``."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            case.fn(lib)
        except Exception as e:  # noqa: BLE001 - every case is about what is raised
            return e, list(caught)
        except SystemExit as e:  # the CLI cases: a command that exits with a status
            return e, list(caught)
    return None, list(caught)


def check(case, lib, phrases):
    """``case`` raises (or warns) ``case.exc`` under ``lib`` with each of ``phrases``."""
    error, caught = outcome(case, lib)
    if issubclass(case.exc, Warning):
        assert error is None, f"{case.id}: a warning was expected, {lib.__name__} raised {error!r}"
        found = [str(w.message) for w in caught if issubclass(w.category, case.exc)]
        assert found, f"{case.id}: {lib.__name__} emitted no {case.exc.__name__}"
        message = found[0]
    else:
        assert error is not None, f"{case.id}: {lib.__name__} raised nothing"
        assert isinstance(error, case.exc), (
            f"{case.id}: {lib.__name__} raised {type(error).__name__}({error}), "
            f"the catalogue says {case.exc.__name__}"
        )
        message = str(error)
    for phrase in phrases:
        assert phrase in message, f"{case.id}: {phrase!r} not in {lib.__name__}'s {message!r}"
    return message


def _param(case):
    marks = [pytest.mark.xfail(strict=True, reason=case.xfail)] if case.xfail else []
    return pytest.param(case, id=case.id, marks=marks)


@pytest.mark.parametrize("case", [_param(c) for c in CASES])
def test_glasstorch_raises_as_catalogued(case):
    message = check(case, gt, case.contains + case.fix)
    if case.area == "cli":  # a command's mistake is reported as one line, not a traceback
        assert "\n" not in message.strip(), f"{case.id}: more than one line: {message!r}"


_ORACLE = [c for c in CASES if c.torch]


@needs_torch
@pytest.mark.parametrize("case", _ORACLE, ids=[c.id for c in _ORACLE])
def test_torch_agrees(case):
    check(case, torch, case.contains)


def test_every_case_is_named_once_and_checks_wording():
    ids = [c.id for c in CASES]
    assert len(ids) == len(set(ids)), "duplicate case names"
    for c in CASES:
        assert c.contains or c.fix, f"{c.id}: no wording to check"


def _generator():
    spec = importlib.util.spec_from_file_location("error_catalogue", ROOT / "scripts" /
                                                  "error_catalogue.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_docs_listing_is_up_to_date():
    """docs/ERRORS.md is exactly what ``scripts/error_catalogue.py`` generates now (if this
    fails after changing a message or a table: run ``python scripts/error_catalogue.py``)."""
    generator = _generator()
    actual = (ROOT / "docs" / "ERRORS.md").read_text(encoding="utf-8")
    if generator.versions() not in actual.split("\n", 3)[2]:
        pytest.skip(f"docs/ERRORS.md was not generated with {generator.versions()}: some words "
                    "(errno texts, argparse's) differ between versions")
    expected = generator.render()
    assert actual == expected, "docs/ERRORS.md is stale: run `python scripts/error_catalogue.py`"
