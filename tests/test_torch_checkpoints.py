"""PyTorch's checkpoint format both ways: files real ``torch.save`` writes load here (zip and
legacy formats), files ``glasstorch.save`` writes load in real ``torch.load`` (its default
``weights_only=True``), and pickles that would run code are refused without running it."""

import io
import os
import pickle
import zipfile
from collections import Counter, OrderedDict

import numpy as np
import pytest

import glasstorch as gt
from oracle import needs_torch, torch

# dtypes both libraries have (bfloat16: torch only, tested on its own)
DTYPE_NAMES = ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "float32",
               "float64", "complex64", "complex128"]


def _values(name: str, shape=(2, 3)) -> np.ndarray:
    rng = np.random.default_rng(len(name))
    values = rng.standard_normal(shape) * 10
    if name.startswith("complex"):
        values = values + 1j * rng.standard_normal(shape)
    return values.astype(np.dtype("bool" if name == "bool" else name))


def _torch_bytes(obj, zip_format=True) -> bytes:
    buf = io.BytesIO()
    torch.save(obj, buf, _use_new_zipfile_serialization=zip_format)
    return buf.getvalue()


def _ours_bytes(obj) -> bytes:
    buf = io.BytesIO()
    gt.save(obj, buf)
    return buf.getvalue()


def _same(ours, theirs):
    """A glasstorch tensor and a torch tensor hold the same dtype, shape, strides and values."""
    assert str(ours.dtype) == str(theirs.dtype)
    assert tuple(ours.shape) == tuple(theirs.shape)
    assert ours.stride() == theirs.stride()
    assert ours.requires_grad == theirs.requires_grad
    np.testing.assert_array_equal(ours.detach().numpy(), theirs.detach().numpy())


# ---- torch -> glasstorch ----------------------------------------------------------------------
@needs_torch
@pytest.mark.parametrize("zip_format", [True, False], ids=["zip", "legacy"])
@pytest.mark.parametrize("name", DTYPE_NAMES)
def test_every_dtype_written_by_torch_loads(name, zip_format):
    t = torch.from_numpy(_values(name))
    back = gt.load(io.BytesIO(_torch_bytes({"t": t, "dtype": t.dtype}, zip_format)))
    _same(back["t"], t)
    assert back["dtype"] is getattr(gt, name)


@needs_torch
@pytest.mark.parametrize("zip_format", [True, False], ids=["zip", "legacy"])
def test_bfloat16_loads_as_float32_with_a_warning(zip_format):
    t = torch.tensor([1.5, -2.25, 3e38], dtype=torch.bfloat16)
    with pytest.warns(UserWarning, match="no bfloat16 .* as float32"):
        back = gt.load(io.BytesIO(_torch_bytes(t, zip_format)))
    assert back.dtype == gt.float32
    assert back.tolist() == t.float().tolist()


@needs_torch
@pytest.mark.parametrize("zip_format", [True, False], ids=["zip", "legacy"])
def test_views_written_by_torch_keep_sharing_their_storage(zip_format):
    base = torch.arange(24.0).reshape(4, 6)
    views = {"base": base, "t": base.t(), "row": base[2], "cols": base[:, 1::2],
             "flat": base.view(-1)[5:], "expanded": base[0, :1].expand(3, 4)}
    back = gt.load(io.BytesIO(_torch_bytes(views, zip_format)))
    for key, view in views.items():
        _same(back[key], view)
    back["base"][2, 3] = -1.0  # one storage: the change shows through every view
    assert back["t"][3, 2].item() == -1.0 and back["row"][3].item() == -1.0
    assert back["cols"][2, 1].item() == -1.0 and back["flat"][10].item() == -1.0


@needs_torch
@pytest.mark.parametrize("zip_format", [True, False], ids=["zip", "legacy"])
def test_module_and_optimizer_state_dicts_written_by_torch_load(zip_format):
    torch.manual_seed(0)
    net = torch.nn.Sequential(torch.nn.Linear(4, 3), torch.nn.BatchNorm1d(3), torch.nn.ReLU(),
                              torch.nn.Linear(3, 2))
    opt = torch.optim.Adam(net.parameters(), lr=0.01)
    net(torch.randn(5, 4)).sum().backward()
    opt.step()
    ckpt = {"epoch": 7, "model": net.state_dict(), "optim": opt.state_dict(),
            "loss": 0.25, "history": [1.0, 0.5], "shape": torch.Size([5, 4])}
    back = gt.load(io.BytesIO(_torch_bytes(ckpt, zip_format)))
    assert back["epoch"] == 7 and back["loss"] == 0.25 and back["history"] == [1.0, 0.5]
    assert back["shape"] == gt.Size([5, 4]) and type(back["shape"]) is gt.Size
    assert type(back["model"]) is OrderedDict and list(back["model"]) == list(net.state_dict())
    assert back["model"]._metadata == net.state_dict()._metadata
    for key, value in net.state_dict().items():
        _same(back["model"][key], value)
    ours = gt.nn.Sequential(gt.nn.Linear(4, 3), gt.nn.BatchNorm1d(3), gt.nn.ReLU(),
                            gt.nn.Linear(3, 2))
    ours.load_state_dict(back["model"])
    x = np.random.default_rng(1).standard_normal((6, 4)).astype(np.float32)
    net.eval()
    ours.eval()
    np.testing.assert_allclose(ours(gt.tensor(x)).detach().numpy(),
                               net(torch.from_numpy(x)).detach().numpy(), rtol=1e-5, atol=1e-6)
    assert back["optim"]["param_groups"][0]["lr"] == 0.01
    for i, state in opt.state_dict()["state"].items():
        for key, value in state.items():
            _same(back["optim"]["state"][i][key], value)
    gt_opt = gt.optim.Adam(ours.parameters(), lr=0.5)
    gt_opt.load_state_dict(back["optim"])
    assert gt_opt.param_groups[0]["lr"] == 0.01


@needs_torch
def test_parameters_and_requires_grad_written_by_torch_load(tmp_path):
    p = torch.nn.Parameter(torch.ones(2))
    frozen = torch.nn.Parameter(torch.zeros(1), requires_grad=False)
    leaf = torch.tensor([3.0], requires_grad=True)
    back = gt.load(io.BytesIO(_torch_bytes([p, frozen, leaf, p])))
    assert isinstance(back[0], gt.nn.Parameter) and back[0].requires_grad
    assert isinstance(back[1], gt.nn.Parameter) and not back[1].requires_grad
    assert type(back[2]) is gt.Tensor and back[2].requires_grad and back[2].is_leaf
    assert back[3] is back[0]
    path = tmp_path / "model.pth"  # a path, as a course's checkpoint is
    torch.save({"w": p}, path)
    assert gt.load(path, map_location="cpu")["w"].tolist() == [1.0, 1.0]


@needs_torch
def test_containers_and_plain_values_written_by_torch_load():
    obj = {"int": 3, "big": 2**70, "float": -0.5, "inf": float("inf"), "str": "ünï",
           "bytes": b"\x00\xff", "none": None, "bools": (True, False), "complex": 1 - 2j,
           "set": {1, 2}, "counter": Counter("aab"), "odict": OrderedDict(b=1, a=2),
           (1, "k"): "tuple key", 2.5: "float key", "dtypes": [torch.float16, torch.int64],
           "device": torch.device("cpu"), "nested": [[[]], {"x": ({},)}]}
    back = gt.load(io.BytesIO(_torch_bytes(obj)))
    expected = dict(obj, dtypes=[gt.float16, gt.int64], device=gt.device("cpu"))
    assert back == expected
    assert type(back["counter"]) is Counter and type(back["odict"]) is OrderedDict


# ---- glasstorch -> torch ----------------------------------------------------------------------
@needs_torch
@pytest.mark.parametrize("name", DTYPE_NAMES)
def test_every_dtype_written_here_loads_in_torch(name, tmp_path):
    t = gt.tensor(_values(name))
    path = tmp_path / "t.pt"
    gt.save({"t": t, "dtype": t.dtype, "0d": t[0, 0]}, path)
    back = torch.load(path)  # weights_only=True, torch's default
    _same(t, back["t"])
    _same(t[0, 0], back["0d"])
    assert back["dtype"] is getattr(torch, name)


@needs_torch
def test_views_written_here_share_one_storage_in_torch():
    base = gt.arange(24.0).reshape(4, 6)
    views = [base, base.t(), base[2], base[:, 1::2], base[1:3, 2:]]
    back = torch.load(io.BytesIO(_ours_bytes(views)))
    for ours, theirs in zip(views, back):
        _same(ours, theirs)
    pointers = {t.untyped_storage().data_ptr() for t in back}
    assert len(pointers) == 1
    back[0][2, 3] = -1.0
    assert back[1][3, 2].item() == -1.0 and back[3][2, 1].item() == -1.0


@needs_torch
def test_non_contiguous_and_odd_tensors_written_here_load_in_torch():
    x = gt.arange(12.0).reshape(3, 4)
    cases = [x.t(), x[:, ::3], x.expand(2, 3, 4), gt.zeros(0, 3), gt.tensor(5),
             gt.tensor(np.arange(6.0)[::-1].copy()).flip(0), x.t().contiguous()]
    back = torch.load(io.BytesIO(_ours_bytes(cases)))
    for ours, theirs in zip(cases, back):
        np.testing.assert_array_equal(ours.numpy(), theirs.numpy())
        assert tuple(ours.shape) == tuple(theirs.shape) and str(ours.dtype) == str(theirs.dtype)


@needs_torch
def test_state_dicts_written_here_load_in_torch(tmp_path):
    gt.manual_seed(0)
    ours = gt.nn.Sequential(gt.nn.Conv2d(1, 2, 3), gt.nn.BatchNorm2d(2), gt.nn.Flatten(),
                            gt.nn.Linear(8, 2))
    opt = gt.optim.SGD(ours.parameters(), lr=0.1, momentum=0.9)
    ours(gt.randn(3, 1, 4, 4)).sum().backward()
    opt.step()
    path = tmp_path / "ckpt.pt"
    gt.save({"model": ours.state_dict(), "optim": opt.state_dict(), "epoch": 2}, path)
    back = torch.load(path)
    net = torch.nn.Sequential(torch.nn.Conv2d(1, 2, 3), torch.nn.BatchNorm2d(2),
                              torch.nn.Flatten(), torch.nn.Linear(8, 2))
    net.load_state_dict(back["model"])
    for key, value in ours.state_dict().items():
        _same(value, back["model"][key])
    torch_opt = torch.optim.SGD(net.parameters(), lr=0.5, momentum=0.9)
    torch_opt.load_state_dict(back["optim"])
    assert torch_opt.param_groups[0]["lr"] == 0.1 and back["epoch"] == 2
    x = np.random.default_rng(2).standard_normal((2, 1, 4, 4)).astype(np.float32)
    ours.eval()
    net.eval()
    np.testing.assert_allclose(ours(gt.tensor(x)).detach().numpy(),
                               net(torch.from_numpy(x)).detach().numpy(), rtol=1e-5, atol=1e-6)


@needs_torch
def test_parameters_and_plain_values_written_here_load_in_torch():
    p = gt.nn.Parameter(gt.ones(2))
    obj = {"p": p, "again": p, "frozen": gt.nn.Parameter(gt.zeros(1), requires_grad=False),
           "leaf": gt.tensor([1.0], requires_grad=True), "size": gt.Size([2, 3]),
           "device": gt.device("cpu"), "numbers": (1, 2**70, 0.5, 1 + 1j, True, None),
           "strings": ["a", "ü", b"\x00"], "set": {3, 4}, "odict": OrderedDict(z=1, a=2),
           "np": np.float32(0.25)}
    back = torch.load(io.BytesIO(_ours_bytes(obj)))
    assert isinstance(back["p"], torch.nn.Parameter) and back["p"].requires_grad
    assert back["again"] is back["p"]
    assert isinstance(back["frozen"], torch.nn.Parameter) and not back["frozen"].requires_grad
    assert back["leaf"].requires_grad and back["leaf"].is_leaf
    assert back["size"] == torch.Size([2, 3]) and type(back["size"]) is torch.Size
    assert back["device"] == torch.device("cpu")
    assert back["numbers"] == obj["numbers"] and back["strings"] == obj["strings"]
    assert back["set"] == {3, 4} and list(back["odict"]) == ["z", "a"] and back["np"] == 0.25


@needs_torch
def test_archive_layout_is_torchs():
    data = _ours_bytes({"w": gt.ones(3)})
    archive = zipfile.ZipFile(io.BytesIO(data))
    names = archive.namelist()
    assert names[0] == "archive/data.pkl" and "archive/data/0" in names
    assert archive.read("archive/byteorder") == b"little"
    assert archive.read("archive/version") == b"3\n"
    info = archive.getinfo("archive/data/0")
    assert info.compress_type == zipfile.ZIP_STORED
    start = info.header_offset + 30 + len(info.filename) + len(info.extra)
    assert start % 64 == 0  # storages aligned as torch writes them (mmap=True needs it)
    assert torch.load(io.BytesIO(data), mmap=False)["w"].tolist() == [1.0] * 3


def test_saving_a_non_leaf_that_requires_grad_is_refused():
    w = gt.ones(2, requires_grad=True)
    with pytest.raises(RuntimeError, match="Cowardly refusing to serialize non-leaf tensor"):
        gt.save(w * 2, io.BytesIO())
    assert gt.load(io.BytesIO(_ours_bytes((w * 2).detach()))).tolist() == [2.0, 2.0]


# ---- whole models: weights_only=False -------------------------------------------------------
def test_whole_model_needs_weights_only_false(tmp_path):
    model = gt.nn.Sequential(gt.nn.Linear(3, 2), gt.nn.ReLU())
    path = tmp_path / "model.pth"
    gt.save(model, path)
    with pytest.raises(pickle.UnpicklingError, match="Sequential, which is not allowed") as e:
        gt.load(path)
    assert "weights_only=False" in str(e.value) and "state_dict()" in str(e.value)
    back = gt.load(path, weights_only=False)
    assert type(back) is gt.nn.Sequential and repr(back) == repr(model)
    x = gt.randn(4, 3)
    assert gt.equal(back(x), model(x))


@needs_torch
def test_whole_torch_model_explains_what_to_do(tmp_path):
    path = tmp_path / "model.pth"
    torch.save(torch.nn.Linear(2, 2), path)
    with pytest.raises(pickle.UnpicklingError, match="torch.nn.modules.linear.Linear"):
        gt.load(path)
    with pytest.raises(pickle.UnpicklingError, match="glasstorch cannot rebuild.*state_dict"):
        gt.load(path, weights_only=False)


# ---- refusing code, damaged files -------------------------------------------------------------
class _CreatesFile:
    """Unpickling this creates a file: proof that code ran."""

    def __init__(self, path):
        self.path = path

    def __reduce__(self):
        return (open, (self.path, "w"))


class _RunsShell:
    def __init__(self, path):
        self.path = path

    def __reduce__(self):
        return (os.system, (f"touch {self.path}",))


@pytest.mark.parametrize("payload", [_CreatesFile, _RunsShell])
@pytest.mark.parametrize("how", ["glasstorch", "torch-zip", "torch-legacy", "plain"])
def test_pickles_that_run_code_are_refused_unrun(tmp_path, payload, how):
    marker = tmp_path / "pwned"
    obj = {"w": gt.ones(2) if how in ("glasstorch", "plain") else None,
           "evil": payload(str(marker))}
    if how == "glasstorch":
        data = _ours_bytes(obj)
    elif how == "plain":
        data = pickle.dumps(obj)
    else:
        if torch is None:
            pytest.skip("needs torch to write the file")
        data = _torch_bytes(obj, zip_format=how == "torch-zip")
    with pytest.raises(pickle.UnpicklingError, match="which is not allowed"):
        gt.load(io.BytesIO(data))
    assert not marker.exists()


@pytest.mark.parametrize("opcode", [b"i", b"o", b"\x82", b"\x83", b"\x84"])
def test_opcodes_that_build_arbitrary_objects_are_refused(opcode):
    data = b"\x80\x02(" + opcode + b"."  # INST, OBJ, EXT1, EXT2, EXT4
    with pytest.raises(pickle.UnpicklingError, match="opcode"):
        gt.load(io.BytesIO(data))


def test_build_on_anything_but_a_state_dict_is_refused():
    # OrderedDict() then BUILD({'__class__': ...}): setting a dunder attribute
    data = (b"\x80\x02ccollections\nOrderedDict\n)R}X\t\x00\x00\x00__class__Ns" + b"b.")
    with pytest.raises(pickle.UnpicklingError, match="attribute '__class__'"):
        gt.load(io.BytesIO(data))


def test_truncated_and_damaged_torch_files_are_clear_errors(tmp_path):
    good = _ours_bytes({"w": gt.arange(100.0), "n": [1, 2]})
    for cut in (len(good) - 1, len(good) // 2, 30, 5):
        with pytest.raises(RuntimeError, match="failed reading zip archive|not a valid PyTorch"):
            gt.load(io.BytesIO(good[:cut]))
    data = bytearray(good)
    at = good.index(np.arange(100.0, dtype=np.float32).tobytes()[:8])
    data[at] ^= 0xFF  # a flipped bit in the tensor data: zip's CRC catches it
    with pytest.raises(RuntimeError, match="not a valid PyTorch checkpoint"):
        gt.load(io.BytesIO(bytes(data)))


def test_storage_larger_than_the_file_is_refused_before_allocating():
    # a legacy-format file whose only storage claims 10**12 floats
    parts = [pickle.dumps(0x1950A86A20F9469CFC6C, protocol=2), pickle.dumps(1001, protocol=2),
             pickle.dumps({"little_endian": True}, protocol=2)]
    obj = (b"\x80\x02ctorch._utils\n_rebuild_tensor_v2\n((X\x07\x00\x00\x00storage"
           b"ctorch\nFloatStorage\nX\x01\x00\x00\x000X\x03\x00\x00\x00cpu"
           b"\x8a\x06\x00\x10\xa5\xd4\xe8\x00tQK\x00K\x01\x85K\x01\x85\x89)tR.")
    data = b"".join(parts) + obj + pickle.dumps(["0"], protocol=2)
    with pytest.raises(RuntimeError, match="more than the whole file"):
        gt.load(io.BytesIO(data))


def test_a_view_reaching_past_its_storage_is_refused():
    good = _ours_bytes(gt.arange(4.0))
    archive = zipfile.ZipFile(io.BytesIO(good))
    pkl = archive.read("archive/data.pkl")
    assert b"K\x04\x85" in pkl  # size (4,)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for info in archive.infolist():
            body = archive.read(info)
            z.writestr(info, body.replace(b"K\x04\x85", b"K\x09\x85") if info.filename
                       .endswith("data.pkl") else body)
    with pytest.raises(pickle.UnpicklingError, match="reaches element 8 of a storage of 4"):
        gt.load(io.BytesIO(out.getvalue()))


# ---- torch.serialization's safe globals, torch.load's keywords ----------------------------------
@needs_torch
def test_add_safe_globals_lets_trusted_classes_load_as_in_torch():
    from glasstorch import serialization

    data = _torch_bytes({"w": torch.ones(2), "arr": np.arange(3.0)})
    with pytest.raises(pickle.UnpicklingError, match="_reconstruct, which is not allowed"):
        gt.load(io.BytesIO(data))
    import numpy.core.multiarray as multiarray

    safe = [multiarray._reconstruct, np.ndarray, np.dtype, type(np.dtype(np.float64))]
    with serialization.safe_globals(safe):
        assert serialization.get_safe_globals() == safe
        back = gt.load(io.BytesIO(data))
    np.testing.assert_array_equal(back["arr"], np.arange(3.0))
    assert serialization.get_safe_globals() == []
    with pytest.raises(pickle.UnpicklingError):  # the context is over
        gt.load(io.BytesIO(data))
    serialization.add_safe_globals(safe)
    try:
        assert gt.load(io.BytesIO(data))["w"].tolist() == [1.0, 1.0]
    finally:
        serialization.clear_safe_globals()


def test_load_and_save_accept_torchs_keywords():
    data = _ours_bytes({"w": gt.ones(2)})
    assert gt.load(io.BytesIO(data), mmap=True, weights_only=None)["w"].tolist() == [1.0, 1.0]
    with pytest.raises(NotImplementedError, match="pickle_module"):
        gt.load(io.BytesIO(data), pickle_module=pickle)
    with pytest.raises(NotImplementedError, match="zip format with pickle protocol 2"):
        gt.save(gt.ones(1), io.BytesIO(), _use_new_zipfile_serialization=False)
