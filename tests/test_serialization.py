"""glasstorch.save / load: round trips (torch's format and safetensors), atomic writes, refusing
broken files, and exchanging state dicts with PyTorch through safetensors. PyTorch's own format
both ways, and malicious pickles: tests/test_torch_checkpoints.py."""

import io
import os
import pickle
from collections import Counter, OrderedDict

import numpy as np
import pytest

import glasstorch as gt
from glasstorch.serialization import _to_bytes, load, save
from oracle import needs_torch, torch

pytest.importorskip("safetensors")

DTYPES = [gt.bool, gt.uint8, gt.int8, gt.int16, gt.int32, gt.int64, gt.float16, gt.float32,
          gt.float64, gt.complex64, gt.complex128]
SHAPES = [(), (0,), (3,), (2, 0, 3), (2, 3, 4)]


def _round_trip(obj, tmp_path=None, name="obj.pt"):
    """Save and load ``obj``: through a file object (torch's format), or a file called ``name``
    (``.safetensors``: safetensors; anything else: torch's format)."""
    if tmp_path is None:
        buf = io.BytesIO()
        save(obj, buf)
        buf.seek(0)
        return load(buf)
    path = tmp_path / name
    save(obj, path)
    return load(path)


FORMATS = ["obj.pt", "obj.safetensors"]


def _same_tensor(a, b):
    assert isinstance(a, gt.Tensor) and type(a) is type(b)
    assert a.dtype == b.dtype and tuple(a.shape) == tuple(b.shape)
    assert a.requires_grad == b.requires_grad
    np.testing.assert_array_equal(a.detach().numpy(), b.detach().numpy())


@pytest.mark.parametrize("dtype", DTYPES, ids=str)
@pytest.mark.parametrize("shape", SHAPES, ids=str)
def test_tensor_round_trip_every_dtype_and_shape(dtype, shape):
    rng = np.random.default_rng(0)
    values = rng.standard_normal(shape) * 10
    if dtype.is_complex:
        values = values + 1j * rng.standard_normal(shape)
    t = gt.tensor(values.astype(dtype.np))
    _same_tensor(_round_trip(t), t)


def test_non_contiguous_tensor_round_trips():
    t = gt.tensor(np.arange(12.0).reshape(3, 4).T)
    assert not t.is_contiguous()
    _same_tensor(_round_trip(t), t)


@pytest.mark.parametrize("name", FORMATS)
def test_plain_values_and_containers_round_trip(tmp_path, name):
    obj = {
        "epoch": 3, "loss": 0.125, "best": float("inf"), "worst": float("-inf"), "name": "mlp",
        "done": False, "nothing": None, "z": 1 + 2j, "big": 2**70, "dtype": gt.float64,
        "device": gt.device("cpu"), "size": gt.Size([2, 3]), "nested": [1, [2, (3, "4")], {}],
        "tuple": (1, 2.0, None), "odict": OrderedDict([("b", 1), ("a", 2)]),
        "counter": Counter([3, 3, 5]), 7: "int key", (1, "x"): "tuple key", 2.5: "float key",
        None: "none key", "np": (np.float32(1.5), np.int64(4), np.bool_(True)),
    }
    back = _round_trip(obj, tmp_path, name)
    expected = dict(obj, np=(1.5, 4, True))
    assert back == expected
    assert list(back) == list(obj)
    for key in ("odict", "counter", "size", "tuple", "dtype"):
        assert type(back[key]) is type(obj[key]), key
    assert type(back["np"][1]) is int and type(back["big"]) is int
    nan = _round_trip({"x": float("nan")}, tmp_path, name)["x"]
    assert nan != nan


@pytest.mark.parametrize("name", FORMATS)
def test_tensors_inside_containers_keep_flags_and_identity(tmp_path, name):
    w = gt.tensor([[1.0, 2.0]], requires_grad=True)
    p = gt.nn.Parameter(gt.zeros(2))
    frozen = gt.nn.Parameter(gt.ones(1), requires_grad=False)
    obj = {"w": w, "again": [w, (w,)], "p": p, "frozen": frozen, "i": gt.arange(3)}
    back = _round_trip(obj, tmp_path, name)
    _same_tensor(back["w"], w)
    assert back["again"][0] is back["w"] and back["again"][1][0] is back["w"]
    assert isinstance(back["p"], gt.nn.Parameter) and back["p"].requires_grad
    assert isinstance(back["frozen"], gt.nn.Parameter) and not back["frozen"].requires_grad
    assert not back["i"].requires_grad and back["i"].is_leaf
    if name.endswith(".safetensors"):
        non_leaf = w * 2
        loaded = _round_trip(non_leaf, tmp_path, name)
        assert loaded.requires_grad and loaded.is_leaf  # a leaf that requires grad
    else:  # as torch.save
        with pytest.raises(RuntimeError, match="Cowardly refusing to serialize non-leaf tensor"):
            _round_trip(w * 2, tmp_path, name)


def test_shared_tensor_stored_once():
    big = gt.zeros(1000)
    one = io.BytesIO()
    save([big], one)
    two = io.BytesIO()
    save([big, big, {"x": big}], two)
    assert len(two.getvalue()) - len(one.getvalue()) < 500


def test_module_and_optimizer_state_dicts_round_trip(tmp_path):
    model = gt.nn.Linear(3, 2)
    opt = gt.optim.Adam(model.parameters(), lr=0.01, amsgrad=True)
    sched = gt.optim.lr_scheduler.MultiStepLR(opt, milestones=[2, 4])
    for p in model.parameters():
        p.grad = gt.ones_like(p)
    opt.step()
    sched.step()
    ckpt = {"model": model.state_dict(), "optim": opt.state_dict(), "sched": sched.state_dict()}
    save(ckpt, tmp_path / "ckpt.pt")
    back = load(tmp_path / "ckpt.pt")
    assert list(back["model"]) == ["weight", "bias"]
    for k, v in ckpt["model"].items():
        _same_tensor(back["model"][k], v)
    assert back["optim"]["param_groups"] == ckpt["optim"]["param_groups"]
    assert back["sched"] == ckpt["sched"]
    for i, state in ckpt["optim"]["state"].items():
        assert list(back["optim"]["state"][i]) == list(state)
        for name, v in state.items():
            _same_tensor(back["optim"]["state"][i][name], v)
    model2 = gt.nn.Linear(3, 2)
    model2.load_state_dict(back["model"])
    opt2 = gt.optim.Adam(model2.parameters(), lr=0.5)
    opt2.load_state_dict(back["optim"])
    assert repr(opt2) == repr(opt)


def test_path_forms(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    t = gt.tensor([1, 2, 3])
    save(t, "~/a.pt")
    assert (tmp_path / "a.pt").exists()
    _same_tensor(load("~/a.pt"), t)
    _same_tensor(load(str(tmp_path / "a.pt")), t)
    with open(tmp_path / "b.pt", "wb") as f:
        save(t, f)
    with open(tmp_path / "b.pt", "rb") as f:
        _same_tensor(load(f), t)
    with pytest.raises(RuntimeError, match="Parent directory .* does not exist"):
        save(t, tmp_path / "missing" / "c.pt")
    with pytest.raises(FileNotFoundError):
        load(tmp_path / "nope.pt")


def test_unsupported_objects_are_refused_by_safetensors(tmp_path):
    with pytest.raises(TypeError, match="cannot store an object of type Linear"):
        save(gt.nn.Linear(2, 2), tmp_path / "m.safetensors")
    with pytest.raises(TypeError, match="cannot store an object of type object"):
        save({"x": object()}, tmp_path / "m.safetensors")
    with pytest.raises(AttributeError, match="expected 'f' to be string, path, or a file-like"):
        save(gt.ones(1), 3)


def test_map_location():
    for buf, keep in [(io.BytesIO(), lambda storage, where: storage),
                      (io.BytesIO(_to_bytes({"x": gt.ones(2)})), lambda t, where: t * 2)]:
        if not buf.getvalue():
            save({"x": gt.ones(2)}, buf)
        for loc in ("cpu", gt.device("cpu"), {"cuda:0": "cpu"}, keep):
            buf.seek(0)
            assert load(buf, map_location=loc)["x"].tolist()[0] in (1.0, 2.0)
        buf.seek(0)
        with pytest.raises(RuntimeError, match="CUDA"):
            load(buf, map_location="cuda")
    doubled = load(io.BytesIO(_to_bytes({"x": gt.ones(2)})), map_location=lambda t, where: t * 2)
    assert doubled["x"].tolist() == [2.0, 2.0]


# ---- atomic writes --------------------------------------------------------------------------
@pytest.mark.parametrize("failing", ["fsync", "replace"])
def test_failed_write_keeps_old_file_and_leaves_no_temp(tmp_path, monkeypatch, failing):
    path = tmp_path / "ckpt.pt"
    save({"v": gt.tensor([1.0])}, path)
    before = path.read_bytes()

    def boom(*args):
        raise OSError("disk full")

    monkeypatch.setattr(os, failing, boom)
    with pytest.raises(OSError, match="disk full"):
        save({"v": gt.tensor([2.0])}, path)
    monkeypatch.undo()
    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == ["ckpt.pt"]
    assert load(path)["v"].tolist() == [1.0]


def test_save_replaces_and_keeps_permissions(tmp_path):
    path = tmp_path / "x.pt"
    save(gt.ones(1), path)
    os.chmod(path, 0o640)
    save(gt.zeros(1), path)
    assert load(path).tolist() == [0.0]
    assert os.stat(path).st_mode & 0o777 == 0o640
    assert os.listdir(tmp_path) == ["x.pt"]


# ---- refusing what is not ours ----------------------------------------------------------------
def test_pickle_file_is_refused_without_running_it(tmp_path):
    marker = tmp_path / "pwned"
    evil = tmp_path / "evil.pt"
    evil.write_bytes(pickle.dumps({"x": _Opens(str(marker))}))
    with pytest.raises(pickle.UnpicklingError, match="names the global .*open.*weights_only=False"):
        load(evil)
    assert not marker.exists()


class _Opens:
    """Unpickling this would create a file: proof that code ran."""

    def __init__(self, path):
        self.path = path

    def __reduce__(self):
        return (open, (self.path, "w"))


def _good_bytes():
    """A safetensors checkpoint (what save writes to a ``.safetensors`` path)."""
    return _to_bytes({"a": gt.arange(10.0), "b": [1, gt.ones(3)]})


@pytest.mark.parametrize(
    "data,why",
    [
        (b"", "empty"),
        (b"abc", "too short"),
        (b"hello world, this is not a checkpoint", "header length"),
        ((20).to_bytes(8, "little") + b"[1, 2, 3]           ", "not JSON"),
        ((20).to_bytes(8, "little") + b"{not json at all!!!}", "not valid JSON"),
        ((10).to_bytes(8, "little") + b"{}", "header is cut short"),
    ],
)
def test_garbage_is_a_clear_error(tmp_path, data, why):
    path = tmp_path / "bad.safetensors"
    path.write_bytes(data)
    with pytest.raises(RuntimeError, match=f"{path} is not a valid .*{why}"):
        load(path)


def test_truncated_and_padded_files(tmp_path):
    good = _good_bytes()
    path = tmp_path / "cut.safetensors"
    for cut in (len(good) - 1, len(good) - 40, 12, 9):
        path.write_bytes(good[:cut])
        with pytest.raises(RuntimeError, match=f"{path} is not a valid"):
            load(path)
    path.write_bytes(good + b"\0")
    with pytest.raises(RuntimeError, match="bytes after the data"):
        load(path)


def _tamper(old: bytes, new: bytes) -> bytes:
    """The good file with a piece of its header replaced (same length keeps it framed)."""
    good = _good_bytes()
    assert old in good and len(old) == len(new)
    return good.replace(old, new)


@pytest.mark.parametrize(
    "old,new,why",
    [
        (b'\\"dtype\\": \\"float32\\"', b'\\"dtype\\": \\"float64\\"', "stored as float32"),
        (b'\\"shape\\": [10]', b'\\"shape\\": [11]', "described as float32"),
        (b'\\"tensor\\": \\"b.1\\"', b'\\"tensor\\": \\"b.9\\"', "missing from the file"),
        (b'{\\"dict', b'{\\"dic_', "unknown entry"),
    ],
)
def test_inconsistent_structure_is_a_clear_error(old, new, why):
    with pytest.raises(RuntimeError, match=why):
        load(io.BytesIO(_tamper(old, new)))


# ---- PyTorch interop ---------------------------------------------------------------------------
@needs_torch
def test_state_dict_saved_here_loads_in_torch(tmp_path):
    from safetensors.torch import load_file

    model = gt.nn.Linear(4, 3)
    path = tmp_path / "model.safetensors"
    save(model.state_dict(), path)
    tensors = load_file(str(path))
    assert list(tensors) == ["bias", "weight"] or set(tensors) == {"weight", "bias"}
    tmodel = torch.nn.Linear(4, 3)
    tmodel.load_state_dict(tensors)
    x = np.random.default_rng(0).standard_normal((5, 4)).astype(np.float32)
    ours = model(gt.tensor(x)).detach().numpy()
    theirs = tmodel(torch.tensor(x)).detach().numpy()
    np.testing.assert_allclose(ours, theirs, rtol=1e-6, atol=1e-6)


@needs_torch
def test_torch_safetensors_file_loads_here(tmp_path):
    from safetensors.torch import save_file

    tmodel = torch.nn.Linear(4, 3)
    path = tmp_path / "torch.safetensors"
    save_file(tmodel.state_dict(), str(path))
    sd = load(path)
    assert set(sd) == {"weight", "bias"}
    model = gt.nn.Linear(4, 3)
    model.load_state_dict(sd)
    for k, v in tmodel.state_dict().items():
        np.testing.assert_array_equal(sd[k].numpy(), v.numpy())
        assert str(sd[k].dtype) == str(v.dtype)


@needs_torch
def test_tied_tensors_in_a_flat_dict_keep_every_key(tmp_path):
    from safetensors.torch import load_file

    w = gt.ones(2, 2)
    path = tmp_path / "tied.safetensors"
    save({"enc": w, "dec": w}, path)
    assert set(load_file(str(path))) == {"enc", "dec"}
    back = load(path)
    assert back["enc"] is back["dec"]


@needs_torch
def test_nested_object_is_readable_by_safetensors(tmp_path):
    from safetensors.torch import load_file

    p = gt.tensor([1.0, 2.0], requires_grad=True)
    opt = gt.optim.SGD([p], lr=0.1, momentum=0.9)
    p.grad = gt.ones(2)
    opt.step()
    path = tmp_path / "opt.safetensors"
    save(opt.state_dict(), path)
    flat = load_file(str(path))
    assert list(flat) == ["state.0.momentum_buffer"]
    assert flat["state.0.momentum_buffer"].tolist() == [1.0, 1.0]


def test_deeply_nested_garbage_is_a_clear_error():
    import safetensors.numpy as stn

    deep = '{"format": 1, "object": ' + "[" * 100_000 + "]" * 100_000 + "}"
    data = stn.save({"x": np.zeros(1, np.float32)}, metadata={"glasstorch": deep})
    with pytest.raises(RuntimeError, match="not a valid"):
        load(io.BytesIO(data))


def test_d2l_file_io_chapter():
    """d2l 6.6: save a tensor, a list, a dict, and an MLP's parameters; load them back."""
    import tempfile

    with tempfile.TemporaryDirectory() as d:
        x, y = gt.arange(4), gt.zeros(4)
        save(x, os.path.join(d, "x-file"))
        assert load(os.path.join(d, "x-file")).tolist() == [0, 1, 2, 3]
        save([x, y], os.path.join(d, "x-files"))
        x2, y2 = load(os.path.join(d, "x-files"))
        assert x2.tolist() == x.tolist() and y2.tolist() == y.tolist()
        save({"x": x, "y": y}, os.path.join(d, "mydict"))
        assert set(load(os.path.join(d, "mydict"))) == {"x", "y"}
        net = gt.nn.Sequential(gt.nn.Linear(20, 256), gt.nn.ReLU(), gt.nn.Linear(256, 10))
        X = gt.randn(2, 20)
        save(net.state_dict(), os.path.join(d, "mlp.params"))
        clone = gt.nn.Sequential(gt.nn.Linear(20, 256), gt.nn.ReLU(), gt.nn.Linear(256, 10))
        clone.load_state_dict(load(os.path.join(d, "mlp.params")))
        clone.eval()
        assert (clone(X) == net(X)).all()


def test_save_through_a_symlink_replaces_the_target(tmp_path):
    target = tmp_path / "real.pt"
    save(gt.ones(1), target)
    link = tmp_path / "link.pt"
    link.symlink_to(target)
    save(gt.zeros(2), link)
    assert link.is_symlink()
    assert load(target).tolist() == [0.0, 0.0]


def test_cyclic_object_is_refused_by_safetensors_kept_by_torch_format(tmp_path):
    loop = [gt.ones(1)]
    loop.append(loop)
    with pytest.raises(ValueError, match="contains itself"):
        save(loop, tmp_path / "loop.safetensors")
    back = _round_trip(loop)
    assert back[1] is back and back[0].tolist() == [1.0]
