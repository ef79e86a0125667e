"""Anomaly mode (``autograd.detect_anomaly`` / ``set_detect_anomaly``), against torch.

Under anomaly mode each node records the stack of the forward call that created it; a NaN coming
out of a backward step raises torch's RuntimeError, and any error in a backward step first warns
"Error detected in <Node>. Traceback of forward call that caused the error:" followed by that
stack, whose last entry is the user's own line.
"""

import threading
import warnings

import pytest

import glasstorch as gt


def _line_of(marker: str) -> int:
    """The line number in this file of the (unique) source line containing ``marker``."""
    with open(__file__, encoding="utf-8") as f:
        lines = f.read().splitlines()
    hits = [n for n, text in enumerate(lines, 1) if text.rstrip().endswith("# " + marker)]
    assert len(hits) == 1, hits
    return hits[0]


def _sqrt_of_negative(lib):
    x = lib.tensor([-1.0, 4.0], requires_grad=True)
    y = x.sqrt()  # FORWARD-SQRT
    return y.sum()


def _anomaly_flags(lib) -> tuple[bool, bool]:
    """(anomaly mode on, NaN check on): top-level functions in torch, in ``autograd`` here."""
    home = lib if hasattr(lib, "is_anomaly_enabled") else lib.autograd
    return home.is_anomaly_enabled(), home.is_anomaly_check_nan_enabled()


def _run_backward_capturing(lib, make_loss, **anomaly):
    """Run ``make_loss(lib).backward()`` in anomaly mode: (error message, warning messages)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with lib.autograd.detect_anomaly(**anomaly):
            loss = make_loss(lib)
            try:
                loss.backward()
            except RuntimeError as e:
                error = str(e)
            else:
                error = None
    return error, [str(w.message) for w in caught if issubclass(w.category, UserWarning)]


def test_nan_in_backward_raises_and_shows_the_forward_line():
    error, warned = _run_backward_capturing(gt, _sqrt_of_negative)
    assert error == "Function 'SqrtBackward0' returned nan values in its 0th output."
    report = [w for w in warned if w.startswith("Error detected in SqrtBackward0.")]
    assert len(report) == 1
    text = report[0]
    assert "Traceback of forward call that caused the error:" in text
    assert f'File "{__file__}", line {_line_of("FORWARD-SQRT")}, in _sqrt_of_negative' in text
    assert "y = x.sqrt()" in text
    # the trace ends at the user's line: no frame from inside glasstorch
    assert "glasstorch/ops" not in text and "autograd/graph.py" not in text
    assert text.rstrip().endswith("y = x.sqrt()  # FORWARD-SQRT")


def test_same_error_and_warning_header_as_torch(torch):
    ours, our_warned = _run_backward_capturing(gt, _sqrt_of_negative)
    theirs, their_warned = _run_backward_capturing(torch, _sqrt_of_negative)
    assert ours == theirs
    assert our_warned[0] == their_warned[0]  # "Anomaly Detection has been enabled. ..."
    header = "Error detected in SqrtBackward0. Traceback of forward call that caused the error:"
    assert any(w.startswith(header) for w in our_warned)
    assert any(w.startswith(header) for w in their_warned)


def _inplace_after_save(lib):
    a = lib.tensor([1.0, 2.0], requires_grad=True)
    b = a * 2
    c = b * b  # FORWARD-MUL
    b.add_(1)
    return c.sum()


def test_inplace_error_under_anomaly_mode_names_the_node_and_its_forward_line(torch):
    ours, our_warned = _run_backward_capturing(gt, _inplace_after_save, check_nan=False)
    theirs, _ = _run_backward_capturing(torch, _inplace_after_save, check_nan=False)
    assert ours == theirs  # with the anomaly-mode hint: "the backtrace further above shows ..."
    assert "the backtrace further above shows" in ours
    report = [w for w in our_warned if w.startswith("Error detected in MulBackward0.")]
    assert len(report) == 1
    assert f"line {_line_of('FORWARD-MUL')}, in _inplace_after_save" in report[0]


def test_check_nan_false_lets_nan_through_as_torch(torch):
    def grad_of(lib):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with lib.autograd.detect_anomaly(check_nan=False):
                assert _anomaly_flags(lib) == (True, False)
                x = lib.tensor([-1.0, 4.0], requires_grad=True)
                x.sqrt().sum().backward()
        return x.grad.tolist()

    ours, theirs = grad_of(gt), grad_of(torch)
    assert str(ours) == str(theirs) == "[nan, 0.25]"


def test_set_detect_anomaly_as_call_and_as_context_manager():
    ag = gt.autograd
    assert not ag.is_anomaly_enabled()
    try:
        ag.set_detect_anomaly(True)
        assert ag.is_anomaly_enabled() and ag.is_anomaly_check_nan_enabled()
        with ag.set_detect_anomaly(False):
            assert not ag.is_anomaly_enabled()
        assert ag.is_anomaly_enabled()
        with pytest.raises(RuntimeError, match="'SqrtBackward0' returned nan"):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                _sqrt_of_negative(gt).backward()
    finally:
        ag.set_detect_anomaly(False)
    assert not ag.is_anomaly_enabled()


def test_anomaly_mode_is_process_wide_as_torch(torch):
    """Unlike grad mode, anomaly mode is one switch for all threads (in torch as here)."""
    def seen_from_a_thread(lib):
        seen = []
        with lib.autograd.set_detect_anomaly(True):
            t = threading.Thread(target=lambda: seen.append(_anomaly_flags(lib)[0]))
            t.start()
            t.join()
        return seen

    assert seen_from_a_thread(gt) == seen_from_a_thread(torch) == [True]


def test_detect_anomaly_as_a_decorator():
    with pytest.warns(UserWarning, match="Anomaly Detection has been enabled"):
        @gt.autograd.detect_anomaly()
        def step():
            _sqrt_of_negative(gt).backward()

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(RuntimeError, match="returned nan values in its 0th output"):
            step()
    assert not gt.autograd.is_anomaly_enabled()


def test_no_trace_is_recorded_outside_anomaly_mode():
    x = gt.tensor([1.0], requires_grad=True)
    y = x.exp()
    assert y.grad_fn._trace is None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with gt.autograd.detect_anomaly():
            z = x.exp()
    assert z.grad_fn._trace  # recorded only here


class _Root(gt.nn.Module):
    def forward(self, x):
        return x.sqrt()  # FORWARD-IN-MODULE


def test_a_module_call_shows_the_call_line_and_the_forward_line():
    def loss_of(lib):
        net = _Root()
        return net(lib.tensor([-1.0], requires_grad=True)).sum()  # CALL-NET

    error, warned = _run_backward_capturing(gt, loss_of)
    assert error == "Function 'SqrtBackward0' returned nan values in its 0th output."
    (report,) = [w for w in warned if w.startswith("Error detected in SqrtBackward0")]
    call = report.index(f"line {_line_of('CALL-NET')}, in loss_of")
    inner = report.index(f"line {_line_of('FORWARD-IN-MODULE')}, in forward")
    assert call < inner  # outermost first, as a Python traceback


def test_error_in_a_custom_function_backward_shows_its_forward_line():
    class Broken(gt.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, grad):
            raise ValueError("my backward is broken")

    x = gt.tensor([1.0], requires_grad=True)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with gt.autograd.detect_anomaly():
            y = Broken.apply(x)  # FORWARD-CUSTOM
            with pytest.raises(ValueError, match="my backward is broken"):
                y.sum().backward()
    report = [str(w.message) for w in caught if "Error detected in" in str(w.message)]
    assert len(report) == 1
    assert f"line {_line_of('FORWARD-CUSTOM')}," in report[0]
