"""``save`` and ``load``: paths that are missing or are folders, targets that are not files,
damaged archives and pickles that would run code (refused, never run, as torch's
``weights_only=True`` does), and (glasstorch-only) what a ``.safetensors`` file cannot hold and
safetensors files that are not valid."""

import os

from . import ErrorCase, scratch


def _case(name, fn, exc, contains=(), **kw):
    return ErrorCase("serialization", name, fn, exc, contains, **kw)


def _path(name: str) -> str:
    return os.path.join(scratch(), name)


def _file(name: str, content: bytes) -> str:
    """A file called ``name`` in the scratch folder holding ``content``; its path."""
    with open(_path(name), "wb") as f:
        f.write(content)
    return _path(name)


def _load_damaged_zip(lib):
    """load() of a torch.save file (a zip archive) whose contents were lost."""
    return lib.load(_file("damaged.pt", b"PK\x03\x04" + bytes(60)))


def _load_raw_pickle(lib):
    """load() of a plain pickle file (pickle.dump)."""
    import pickle

    return lib.load(_file("plain.pkl", pickle.dumps({"w": [1.0, 2.0]})))


class _RunsShell:
    """Unpickling this calls os.system: what a malicious checkpoint does."""

    def __reduce__(self):
        return (os.system, ("echo this should never run",))


def _load_malicious(lib):
    """load() of a checkpoint whose pickle calls os.system."""
    lib.save({"w": lib.ones(2), "x": _RunsShell()}, _path("evil.pt"))
    return lib.load(_path("evil.pt"))


def _load_whole_model(lib):
    """torch.save(model) then torch.load(path): weights_only=True refuses the module's class."""
    lib.save(lib.nn.Linear(2, 2), _path("whole-model.pt"))
    return lib.load(_path("whole-model.pt"))


def _load_empty(lib):
    """load() of an empty file."""
    return lib.load(_file("empty.safetensors", b""))


def _load_text(lib):
    """load() of a text file."""
    return lib.load(_file("notes.safetensors", b"these are my notes, not a checkpoint"))


def _load_truncated(lib):
    """load() of a checkpoint cut short (an interrupted copy)."""
    lib.save({"w": lib.ones(100)}, _path("whole.safetensors"))
    with open(_path("whole.safetensors"), "rb") as f:
        data = f.read()
    return lib.load(_file("cut.safetensors", data[: len(data) - 40]))


def _load_corrupt_header(lib):
    """load() of a checkpoint whose JSON header was overwritten."""
    lib.save({"w": lib.ones(4)}, _path("good.safetensors"))
    with open(_path("good.safetensors"), "rb") as f:
        data = bytearray(f.read())
    data[8:12] = b"\xff\xfe\xfd\xfc"
    return lib.load(_file("bad-header.safetensors", bytes(data)))


def _load_trailing(lib):
    """load() of a checkpoint with bytes appended after its data."""
    lib.save({"w": lib.ones(4)}, _path("good2.safetensors"))
    with open(_path("good2.safetensors"), "rb") as f:
        data = f.read()
    return lib.load(_file("trailing.safetensors", data + b"extra"))


CASES = [
    # ---- as in torch ----
    _case("load/missing-file",
          lambda lib: lib.load(_path("no-such-checkpoint.pt")),
          FileNotFoundError, "No such file or directory"),
    _case("load/a-folder",
          lambda lib: lib.load(scratch()),
          IsADirectoryError, "Is a directory"),
    _case("save/missing-parent-folder",
          lambda lib: lib.save(lib.ones(2), _path("no/such/folder/model.pt")),
          RuntimeError, ("Parent directory", "does not exist.")),
    _case("save/a-folder",
          lambda lib: lib.save(lib.ones(2), scratch()),
          RuntimeError, "Is a directory", fix=("file path",)),
    _case("save/None-as-target",
          lambda lib: lib.save(lib.ones(2), None),
          AttributeError, "expected 'f' to be string, path, or a file-like object"),
    _case("load/None-as-source",
          lambda lib: lib.load(None),
          AttributeError, "'NoneType' object has no attribute"),
    _case("save/file-opened-for-reading",
          lambda lib: [lib.save(lib.ones(2), f) for f in [open(os.devnull, "rb")]],
          OSError, "write"),
    _case("load/file-opened-for-writing",
          lambda lib: [lib.load(f) for f in [open(os.devnull, "wb")]],
          OSError, "read"),
    _case("load/map_location-cuda",
          lambda lib: [lib.load(_path("m.pt"), map_location="cuda")
                       for _ in [lib.save({"w": lib.ones(2)}, _path("m.pt"))]],
          RuntimeError, ("Attempting to deserialize object on a CUDA device but "
                         "torch.cuda.is_available() is False",
                         "map_location=torch.device('cpu')")),
    _case("load/damaged-zip", _load_damaged_zip, RuntimeError, "failed reading zip archive",
          fix="truncated or corrupted"),
    _case("load/plain-pickle-file", _load_raw_pickle, __import__("pickle").UnpicklingError,
          "weights_only", fix=("not a checkpoint written by torch.save", "pickle.load")),
    _case("load/pickle-that-runs-code", _load_malicious, __import__("pickle").UnpicklingError,
          ("system", "weights_only"), fix=("not allowed", "only for a file you trust")),
    _case("load/whole-model-with-weights_only", _load_whole_model,
          __import__("pickle").UnpicklingError, ("Linear", "weights_only"),
          fix=("weights_only=False", "state_dict()")),
    # ---- a .safetensors file: what it cannot hold ----
    _case("save/a-module", lambda lib: lib.save(lib.nn.Linear(2, 2), _path("m.safetensors")),
          TypeError, (), fix=("cannot store an object of type Linear", "state_dict()"),
          torch=False),
    _case("save/a-function", lambda lib: lib.save(lambda: 1, _path("m.safetensors")),
          TypeError, (), fix=("cannot store an object of type function", "state_dict()"),
          torch=False),
    _case("save/ndarray",
          lambda lib: lib.save(__import__("numpy").ones(2), _path("m.safetensors")),
          TypeError, (), fix=("cannot store an object of type ndarray", "tensors"),
          torch=False),
    _case("save/set", lambda lib: lib.save({1, 2}, _path("m.safetensors")),
          TypeError, (), fix=("cannot store an object of type set", "lists/tuples/dicts"),
          torch=False),
    _case("save/tensor-as-dict-key", lambda lib: lib.save({lib.ones(1): 1}, _path("m.safetensors")),
          TypeError, (), fix="cannot store a dict key of type Tensor", torch=False),
    _case("save/dict-that-contains-itself",
          lambda lib: [lib.save(d, _path("m.safetensors")) for d in [{}] if not d.update(me=d)],
          ValueError, (), fix="it contains itself", torch=False),
    # ---- a .safetensors file: files it refuses ----
    _case("load/empty-file", _load_empty, RuntimeError, (),
          fix=("is not a valid glasstorch/safetensors file (the file is empty)",
               "truncated or corrupted"), torch=False),
    _case("load/text-file", _load_text, RuntimeError, (),
          fix=("is not a valid glasstorch/safetensors file", "not written by glasstorch.save"),
          torch=False),
    _case("load/truncated-file", _load_truncated, RuntimeError, (),
          fix=("is not a valid glasstorch/safetensors file", "the data is cut short",
               "truncated"), torch=False),
    _case("load/corrupt-header", _load_corrupt_header, RuntimeError, (),
          fix=("is not a valid glasstorch/safetensors file", "corrupted"), torch=False),
    _case("load/bytes-after-the-data", _load_trailing, RuntimeError, (),
          fix=("is not a valid glasstorch/safetensors file", "there are bytes after the data"),
          torch=False),
]
