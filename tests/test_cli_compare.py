"""``glasstorch compare SCRIPT``: both runs, lined up; numbers compared; exit status."""

from __future__ import annotations

import textwrap

import pytest

from glasstorch.cli import compare as cmp
from glasstorch.cli import main
from oracle import needs_torch

# Under `glasstorch run`, `torch` is the glasstorch module, so torch.__name__ tells the runs apart.
SCRIPT = """
    import sys
    import torch
    ours = torch.__name__ != "torch"
    print("sum", torch.arange(6.0).sum().item())
    print("close", 1.00001 if ours else 1.0)
    print("far", 3.0 if ours else 2.0, "same", 7)
    if not ours:
        print("only in PyTorch")
    print("args", sys.argv[1:])
"""


def script(tmp_path, code=SCRIPT, name="learner.py"):
    path = tmp_path / name
    path.write_text(textwrap.dedent(code))
    return str(path)


def compare(capsys, *args):
    code = main(["compare", "--color", "never", *args])
    out, err = capsys.readouterr()
    return code, out, err


def row(out: str, text: str) -> str:
    lines = [line for line in out.splitlines() if text in line]
    assert lines, out
    return lines[0]


@needs_torch
def test_side_by_side(tmp_path, capsys):
    code, out, _ = compare(capsys, script(tmp_path), "--x", "1")
    assert code == 0
    head = out.splitlines()[0]
    assert "PyTorch" in head and "glasstorch" in head and " s)" in head
    assert row(out, "sum").startswith("= sum 15.0")
    assert row(out, "close").startswith("≈ close 1.0") and "rel 1.0e-05" in row(out, "close")
    far = row(out, "far")
    assert far.startswith("≠ far 2.0") and "│ far 3.0 same 7" in far and "rel 3.3e-01" in far
    assert "↳ 2 vs 3" in out
    assert row(out, "only in PyTorch").startswith("< only in PyTorch")
    assert row(out, "args").startswith("= args ['--x', '1']")   # script arguments pass through
    assert "1 only in PyTorch" in out
    summary = out.splitlines()[-3:]
    assert summary[0].startswith("PyTorch 2") and summary[0].endswith(" s wall")
    assert summary[1].startswith("glasstorch 0") and "exit 0" in summary[1]


@needs_torch
def test_a_failed_run_fails_the_comparison(tmp_path, capsys):
    path = script(tmp_path, """
        import torch
        from IPython import display   # provided to both runs when IPython is not installed
        display.clear_output(wait=True)
        print("before", 1.5)
        if torch.__name__ != "torch":
            raise ValueError("only glasstorch fails")
    """)
    code, out, _ = compare(capsys, path)
    assert code == 1
    assert row(out, "before").startswith("= before 1.5")
    assert "FAILED (exit 1)" in out and "ValueError: only glasstorch fails" in out


def test_without_torch(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(cmp, "torch_available", lambda: False)
    code, out, _ = compare(capsys, script(tmp_path), "a")
    assert code == 0
    assert "PyTorch is not installed" in out.splitlines()[0]
    assert "  sum 15.0" in out and "  close 1.00001" in out and "args ['a']" in out
    assert "only in PyTorch" not in out
    assert "exit 0" in out.splitlines()[-1]


def test_no_torch_option_and_failure(tmp_path, capsys):
    code, out, _ = compare(capsys, "--no-torch", script(tmp_path, "import sys\nsys.exit(4)\n"))
    assert code == 1
    assert "--no-torch" in out.splitlines()[0] and "FAILED (exit 4)" in out


def test_bad_usage_is_one_line(tmp_path, capsys):
    code, _, err = compare(capsys, str(tmp_path / "missing.py"))
    assert code == 2 and len(err.strip().splitlines()) == 1
    assert err.startswith("glasstorch compare: can't open file")
    code, _, err = compare(capsys)
    assert code == 2 and "required: SCRIPT" in err and len(err.strip().splitlines()) == 1
    code, _, err = compare(capsys, "--rtol", "x", "s.py")
    assert code == 2 and "--rtol" in err


@pytest.mark.parametrize("line, expected", [
    ("epoch 1, loss 0.25, acc 0.9", [1.0, 0.25, 0.9]),
    ("tensor([ 1.5410, -0.2934, 2e-05, nan, -inf])", [1.541, -0.2934, 2e-05, float("nan"),
                                                     float("-inf")]),
    ("MmBackward0 x2 conv3d v1.2.3", []),
    ("w = [2.0, -3.4]", [2.0, -3.4]),
])
def test_numbers(line, expected):
    got = cmp.numbers(line)
    assert len(got) == len(expected)
    assert all(a == b or (a != a and b != b) for a, b in zip(got, expected))


def test_align_and_judge():
    left = ["start", "loss 1.0", "loss 0.5", "extra", "done 3"]
    right = ["start", "loss 1.0", "loss 0.50001", "done 4", "tail"]
    rows = cmp.align(left, right)
    assert rows == [("start", "start"), ("loss 1.0", "loss 1.0"), ("loss 0.5", "loss 0.50001"),
                    ("extra", None), ("done 3", "done 4"), (None, "tail")]
    marks = [cmp.judge(a, b, 1e-4)[0] for a, b in rows]
    assert marks == ["=", "=", "≈", "<", "≠", ">"]
    mark, rel, differing = cmp.judge("done 3", "done 4", 1e-4)
    assert rel == pytest.approx(0.25) and differing == [(3.0, 4.0)]
    assert cmp.judge("a 1", "b 1", 1e-4)[0] == "≠"   # the text differs
    assert cmp.relative_difference(float("nan"), float("nan")) == 0.0
    assert cmp.relative_difference(0.0, 1e-9) == 1.0


def test_side_by_side_highlights_differences(capsys):
    left = cmp.Run("PyTorch", 0, 2.0, "loss 0.5\nacc 0.9\nonly here\n", "")
    right = cmp.Run("glasstorch", 0, 1.0, "loss 0.50000001\nacc 0.8\n", "")
    stats = cmp.side_by_side(left, right, 1e-4, color=True, width=80)
    out = capsys.readouterr().out.splitlines()
    assert stats["counts"] == {"=": 0, "≈": 1, "≠": 1, "<": 1, ">": 0}
    assert stats["worst"] == pytest.approx(0.1 / 0.9)
    assert "PyTorch (2.00 s)" in out[0] and "glasstorch (1.00 s)" in out[0]
    assert out[2].startswith("\033[33m≈ loss 0.5") and out[2].endswith("\033[0m")
    assert out[3].startswith("\033[31m≠ acc 0.9") and "rel 1.1e-01" in out[3]
    assert "↳ 0.9 vs 0.8" in out[4]
    assert out[5].startswith("\033[36m< only here")
