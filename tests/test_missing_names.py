"""A PyTorch name glasstorch lacks says so: NotImplementedError (and AttributeError, so probing
with hasattr/getattr keeps working); names that are not PyTorch's keep Python's own error."""

import importlib

import pytest

import glasstorch
from glasstorch._missing import TORCH_NAMESPACE, NotYetImplemented, torch_names


def lookup(namespace: str):
    if namespace == "glasstorch.Tensor":
        return glasstorch.ones(2)
    return importlib.import_module(namespace)


@pytest.mark.parametrize("namespace, name, shown", [
    ("glasstorch.nn", "Nope", None),
    ("glasstorch", "compile", "torch.compile"),
    ("glasstorch.nn.functional", "ctc_loss", "torch.nn.functional.ctc_loss"),
    ("glasstorch.optim", "SparseAdam", "torch.optim.SparseAdam"),
    ("glasstorch.utils.data", "IterDataPipe", "torch.utils.data.IterDataPipe"),
    ("glasstorch.vision.datasets", "CIFAR10", "torchvision.datasets.CIFAR10"),
    ("glasstorch.Tensor", "coalesce", "torch.Tensor.coalesce"),
])
def test_a_missing_torch_name_says_glasstorch_lacks_it(namespace, name, shown):
    obj = lookup(namespace)
    with pytest.raises(AttributeError) as info:
        getattr(obj, name)
    if shown is None:  # not a PyTorch name at all: Python's own wording
        assert not isinstance(info.value, NotImplementedError)
        assert str(info.value) == f"module '{namespace}' has no attribute '{name}'"
        return
    assert isinstance(info.value, NotImplementedError)
    assert isinstance(info.value, NotYetImplemented)
    assert str(info.value).startswith(f"glasstorch does not implement {shown} yet (")
    assert "docs/API_COVERAGE.md" in str(info.value)
    assert info.value.name == name
    assert not hasattr(obj, name)
    assert getattr(obj, name, "default") == "default"


def test_plain_attribute_errors_keep_python_wording():
    with pytest.raises(AttributeError, match="^module 'glasstorch' has no attribute 'nope'$"):
        glasstorch.nope  # noqa: B018
    with pytest.raises(AttributeError, match="^'Tensor' object has no attribute 'nope'$"):
        glasstorch.ones(1).nope  # noqa: B018
    with pytest.raises(AttributeError, match="^'Parameter' object has no attribute 'nope'$"):
        glasstorch.nn.Parameter(glasstorch.ones(1)).nope  # noqa: B018


def test_a_failing_property_keeps_its_own_error():
    class Odd(glasstorch.Tensor):
        @property
        def T(self):  # a torch name whose property fails inside
            raise AttributeError("the property's own reason")

    t = Odd([1.0, 2.0])
    with pytest.raises(AttributeError, match="the property's own reason"):
        t.T  # noqa: B018


@pytest.mark.parametrize("module", sorted(TORCH_NAMESPACE))
def test_every_torch_name_either_exists_or_says_it_is_missing(module):
    obj = lookup(module)
    for name in torch_names(TORCH_NAMESPACE[module]):
        if module == "glasstorch.Tensor" and hasattr(glasstorch.Tensor, name):
            continue  # a property may fail on this tensor for its own reasons (t.H on 1-D)
        try:
            getattr(obj, name)
        except NotYetImplemented:
            pass
        except Exception as e:  # noqa: BLE001 - the test reports which name misbehaves
            pytest.fail(f"{module}.{name}: {type(e).__name__}: {e}")


def test_imports_of_existing_names_are_unaffected():
    from glasstorch.nn import Linear  # noqa: F401
    from glasstorch.optim import SGD  # noqa: F401

    with pytest.raises(ImportError):
        from glasstorch.nn import NoSuchLayer  # noqa: F401


def test_the_name_list_matches_the_installed_torch():
    torch = pytest.importorskip("torch")
    listed = torch_names("torch.nn")
    ours = {n for n in dir(torch.nn) if not n.startswith("_")}
    # a torch upgrade changes the list: regenerate with scripts/torch_public_names.py
    assert {"Linear", "LSTM", "Conv2d", "MultiheadAttention"} <= listed
    assert len(listed & ours) > 0.9 * len(listed)


def test_an_import_error_gets_the_sentence_only_for_torch_names():
    from glasstorch._missing import explain_import_error

    try:
        from glasstorch.nn import CTCLoss  # noqa: F401
    except ImportError as e:
        explain_import_error(e)
        explain_import_error(e)  # once only
        assert e.__notes__ == [str(glasstorch._missing.missing("glasstorch.nn", "CTCLoss"))]
    try:
        from glasstorch.nn import Nope  # noqa: F401
    except ImportError as e:
        explain_import_error(e)
        assert not hasattr(e, "__notes__")
