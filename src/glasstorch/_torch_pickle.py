"""Pickles as PyTorch checkpoints hold them: a restricted reader that never runs code, and a writer.

A ``torch.save`` file stores its object as a pickle: a small program of opcodes ("push the
string 'w'", "look up the global ``collections.OrderedDict``", "call it with these arguments").
Python's own ``pickle.load`` runs that program with no limits: a ``GLOBAL os.system`` followed by
``REDUCE`` runs a shell command. So ``_WeightsUnpickler`` is our own interpreter of the opcodes,
as PyTorch's ``weights_only=True`` loader is: a global is looked up only in ``_ALLOWED`` (tensor
and storage rebuilders, ``OrderedDict``, ``Counter``, ``set``, ``torch.Size``, dtypes,
``torch.device``), and the only calls it makes are to those. Anything else — a class, a function,
an opcode that builds arbitrary objects — stops the load with ``pickle.UnpicklingError`` naming
it. Tensors' bytes are not in the pickle: it refers to them by a *persistent id*
``('storage', <storage type>, key, location, numel)`` that the caller resolves
(``persistent_load``).

``_CheckpointPickler`` writes the same opcodes (protocol 2, as ``torch.save``): tensors become
``torch._utils._rebuild_tensor_v2(storage, offset, size, stride, requires_grad, hooks)`` calls
on persistent storage ids, so real PyTorch's ``torch.load`` reads the file.
"""

from __future__ import annotations

import codecs
import pickle
import struct
from collections import Counter, OrderedDict

import numpy as np

WHY_REFUSED = (
    "torch.load(weights_only=True), the default, rebuilds only tensors, storages, dicts, "
    "OrderedDicts, lists, tuples, sets, numbers, strings, torch.Size, dtypes and devices. If the "
    "file holds a whole model (torch.save(model)), pass weights_only=False, but only for a file "
    "you trust: unpickling it can run any code its author chose. Better: save and load "
    "model.state_dict()."
)


def refused(name: str, why: str) -> pickle.UnpicklingError:
    return pickle.UnpicklingError(f"Weights only load of {name} failed: {why}. {WHY_REFUSED}")


class _Global:
    """A global a checkpoint may name: how it is written (``module``, ``name``) and what it
    rebuilds when called (``build``, or None for a value used as is, e.g. a dtype)."""

    __slots__ = ("module", "name", "build", "value", "user")

    def __init__(self, module: str, name: str, build=None, value=None, user=False):
        self.module, self.name, self.build, self.value = module, name, build, value
        self.user = user  # registered with add_safe_globals: its instances may get state

    def __repr__(self) -> str:
        return f"{self.module}.{self.name}"

    def __call__(self, *args):  # Python's pickler writes only callables as REDUCE functions
        if self.build is None:
            raise TypeError(f"{self!r} cannot be called here")
        return self.build(*args)


def _encode(text, encoding="latin1"):
    """``_codecs.encode``: how protocol 2 stores ``bytes`` (a str, then latin-1 encoding)."""
    if not isinstance(text, str) or encoding != "latin1":
        raise pickle.UnpicklingError("_codecs.encode is allowed only on (str, 'latin1')")
    return codecs.encode(text, encoding)


def _set_of(items=()):
    return set(items)


class _Unpickling:
    """The stack machine of one load: opcodes in ``data``, globals from ``allowed``."""

    def __init__(self, data: bytes, name: str, allowed: dict, persistent_load):
        self.data = data
        self.pos = 0
        self.name = name
        self.allowed = allowed
        self.persistent_load = persistent_load
        self.stack: list = []
        self.marks: list[int] = []
        self.memo: dict = {}
        # classes and functions add_safe_globals allowed: callable, and their objects may get
        # state, as torch allows for them
        self.user_types: list = list(getattr(allowed, "user_objects", ()))

    # ---- reading the opcode stream ----
    def take(self, n: int) -> bytes:
        if n < 0 or self.pos + n > len(self.data):
            raise pickle.UnpicklingError(f"{self.name}: the pickle is cut short")
        out = self.data[self.pos:self.pos + n]
        self.pos += n
        return out

    def line(self) -> bytes:
        end = self.data.find(b"\n", self.pos)
        if end < 0:
            raise pickle.UnpicklingError(f"{self.name}: the pickle is cut short")
        out = self.data[self.pos:end]
        self.pos = end + 1
        return out

    def uint(self, n: int) -> int:
        return int.from_bytes(self.take(n), "little")

    def pop_mark(self) -> list:
        if not self.marks:
            raise pickle.UnpicklingError(f"{self.name}: a pickle opcode found no MARK")
        at = self.marks.pop()
        items = self.stack[at:]
        del self.stack[at:]
        return items

    def pop(self):
        if not self.stack or (self.marks and len(self.stack) <= self.marks[-1]):
            raise pickle.UnpicklingError(f"{self.name}: the pickle's stack is empty")
        return self.stack.pop()

    def top(self):
        if not self.stack:
            raise pickle.UnpicklingError(f"{self.name}: the pickle's stack is empty")
        return self.stack[-1]

    def lookup(self, module: str, qualname: str):
        found = self.allowed.get((module, qualname))
        if found is not None and found.user:  # the very object add_safe_globals was given
            return found.build
        if found is None:
            raise refused(self.name,
                          f"it names the global {module}.{qualname}, which is not allowed")
        return found if found.value is None else found.value  # a dtype, a storage type

    def call(self, fn, args):
        if any(fn is t for t in self.user_types) and isinstance(args, tuple):
            return fn(*args)  # a callable the user declared safe
        if not isinstance(fn, _Global) or fn.build is None:
            raise refused(self.name, f"it calls {fn!r}, which is not a function it may call")
        if not isinstance(args, tuple):
            raise pickle.UnpicklingError(f"{self.name}: {fn!r} is called without a tuple")
        try:
            return fn.build(*args)
        except pickle.UnpicklingError:
            raise
        except (TypeError, ValueError, KeyError, IndexError, OverflowError, RuntimeError) as e:
            raise pickle.UnpicklingError(f"{self.name}: {fn!r}{_short(args)} failed: {e}") from None

    # ---- the interpreter ----
    def run(self):
        stack = self.stack
        while True:
            op = self.take(1)[0]
            handler = _OPS.get(op)
            if handler is None:
                raise refused(self.name, f"it uses the pickle opcode {bytes([op])!r} "
                                         f"({_OPNAMES.get(op, 'unknown')}), which may build "
                                         "arbitrary objects")
            if handler is _stop:
                if len(stack) != 1 or self.marks:
                    raise pickle.UnpicklingError(f"{self.name}: the pickle ends unbalanced")
                return stack.pop()
            handler(self)


def _short(args) -> str:
    text = repr(args)
    return text if len(text) < 80 else text[:77] + "...)"


# ---- opcode handlers (names as in the pickletools documentation) ----
def _stop(u):
    pass


def _proto(u):
    if u.take(1)[0] > 5:
        raise pickle.UnpicklingError(f"{u.name}: unsupported pickle protocol")


def _frame(u):
    u.take(8)  # a frame's length: framing only groups opcodes, nothing to check


def _push(value):
    return lambda u: u.stack.append(value)


def _int_line(u):
    text = u.line()
    u.stack.append({b"00": False, b"01": True}.get(text) if text in (b"00", b"01")
                   else _number(u, int, text))


def _number(u, kind, text: bytes):
    try:
        return kind(text.rstrip(b"L").decode("ascii"))
    except (ValueError, UnicodeDecodeError):
        raise pickle.UnpicklingError(f"{u.name}: a malformed number in the pickle") from None


def _str_line(u):  # protocol 0 STRING: a quoted Python literal
    text = u.line()
    if len(text) < 2 or text[:1] != text[-1:] or text[:1] not in (b"'", b'"'):
        raise pickle.UnpicklingError(f"{u.name}: a malformed string in the pickle")
    u.stack.append(codecs.escape_decode(text[1:-1])[0].decode("latin1"))


def _unicode_line(u):
    u.stack.append(u.line().decode("raw-unicode-escape"))


def _text(size_bytes: int, decode):
    def handler(u):
        raw = u.take(u.uint(size_bytes))
        try:
            u.stack.append(decode(raw))
        except UnicodeDecodeError:
            raise pickle.UnpicklingError(f"{u.name}: a string that is not UTF-8") from None
    return handler


def _mark(u):
    u.marks.append(len(u.stack))


def _pop(u):
    if u.marks and u.marks[-1] == len(u.stack):
        u.marks.pop()  # POP of a MARK just pushed, as Python's unpickler allows
    else:
        u.pop()


def _setitems(u):
    items = u.pop_mark()
    target = u.top()
    if not isinstance(target, dict) or len(items) % 2:
        raise pickle.UnpicklingError(f"{u.name}: SETITEMS on {type(target).__name__}")
    for k, v in zip(items[::2], items[1::2]):
        _set_key(u, target, k, v)


def _setitem(u):
    v = u.pop()
    k = u.pop()
    target = u.top()
    if not isinstance(target, dict):
        raise pickle.UnpicklingError(f"{u.name}: SETITEM on {type(target).__name__}")
    _set_key(u, target, k, v)


def _set_key(u, target, k, v):
    try:
        target[k] = v
    except TypeError:
        raise pickle.UnpicklingError(f"{u.name}: an unhashable dict key "
                                     f"({type(k).__name__})") from None


def _appends(u):
    items = u.pop_mark()
    target = u.top()
    if not isinstance(target, list):
        raise pickle.UnpicklingError(f"{u.name}: APPENDS on {type(target).__name__}")
    target.extend(items)


def _append(u):
    v = u.pop()
    target = u.top()
    if not isinstance(target, list):
        raise pickle.UnpicklingError(f"{u.name}: APPEND on {type(target).__name__}")
    target.append(v)


def _additems(u):
    items = u.pop_mark()
    target = u.top()
    if not isinstance(target, set):
        raise pickle.UnpicklingError(f"{u.name}: ADDITEMS on {type(target).__name__}")
    try:
        target.update(items)
    except TypeError:
        raise pickle.UnpicklingError(f"{u.name}: an unhashable set item") from None


def _dict(u):
    items = u.pop_mark()
    out: dict = {}
    for k, v in zip(items[::2], items[1::2]):
        _set_key(u, out, k, v)
    u.stack.append(out)


def _frozenset(u):
    try:
        u.stack.append(frozenset(u.pop_mark()))
    except TypeError:
        raise pickle.UnpicklingError(f"{u.name}: an unhashable set item") from None


def _tuple_n(n: int):
    def handler(u):
        if len(u.stack) - (u.marks[-1] if u.marks else 0) < n:
            raise pickle.UnpicklingError(f"{u.name}: the pickle's stack is empty")
        items = tuple(u.stack[len(u.stack) - n:]) if n else ()
        del u.stack[len(u.stack) - n:]
        u.stack.append(items)
    return handler


def _global_line(u):
    module = u.line().decode("utf-8", "replace")
    qualname = u.line().decode("utf-8", "replace")
    u.stack.append(u.lookup(module, qualname))


def _stack_global(u):
    qualname = u.pop()
    module = u.pop()
    if not (isinstance(module, str) and isinstance(qualname, str)):
        raise pickle.UnpicklingError(f"{u.name}: STACK_GLOBAL needs two strings")
    u.stack.append(u.lookup(module, qualname))


def _reduce(u):
    args = u.pop()
    fn = u.pop()
    u.stack.append(u.call(fn, args))


def _newobj(u):
    """NEWOBJ: ``cls.__new__(cls, *args)`` — for the allowed rebuilders a call, and for a class
    registered with add_safe_globals its own ``__new__``."""
    args = u.pop()
    cls = u.pop()
    if isinstance(cls, type) and any(cls is t for t in u.user_types):
        u.stack.append(cls.__new__(cls, *args))
        return
    u.stack.append(u.call(cls, args))


def _build(u):
    """BUILD: set an object's state. Only an OrderedDict's attributes (a state dict's
    ``_metadata``) and a tensor's empty or dict state are accepted, as torch does."""
    state = u.pop()
    target = u.top()
    if isinstance(target, OrderedDict) and isinstance(state, dict):
        for key, value in state.items():
            if not isinstance(key, str) or key.startswith("__"):
                raise refused(u.name, f"it sets the attribute {key!r} of an OrderedDict")
            setattr(target, key, value)
        return
    if any(type(target) is t for t in u.user_types):  # a class declared safe: its own way
        setstate = getattr(target, "__setstate__", None)
        if setstate is not None:
            setstate(state)
        elif isinstance(state, dict):
            target.__dict__.update(state)
        else:
            raise refused(u.name, f"it sets the state of a {type(target).__name__} object")
        return
    from ._tensor import Tensor

    if isinstance(target, Tensor) and (state is None or state == {} or state == ((), {})):
        return
    raise refused(u.name, f"it sets the state of a {type(target).__name__} object")


def _persid_line(u):
    u.stack.append(u.persistent_load(u.line().decode("ascii", "replace")))


def _binpersid(u):
    u.stack.append(u.persistent_load(u.pop()))


def _put(u, index):
    if not u.stack:
        raise pickle.UnpicklingError(f"{u.name}: the pickle's stack is empty")
    u.memo[index] = u.stack[-1]


def _get(u, index):
    if index not in u.memo:
        raise pickle.UnpicklingError(f"{u.name}: the pickle refers to memo entry {index}, "
                                     "which was never stored")
    u.stack.append(u.memo[index])


def _long(u, n):
    u.stack.append(int.from_bytes(u.take(n), "little", signed=True))


_OPS = {
    pickle.PROTO[0]: _proto,
    pickle.FRAME[0]: _frame,
    pickle.STOP[0]: _stop,
    pickle.MARK[0]: _mark,
    pickle.POP[0]: _pop,
    pickle.POP_MARK[0]: lambda u: u.pop_mark(),
    pickle.DUP[0]: lambda u: u.stack.append(u.top()),
    pickle.NONE[0]: _push(None),
    pickle.NEWTRUE[0]: _push(True),
    pickle.NEWFALSE[0]: _push(False),
    pickle.INT[0]: _int_line,
    pickle.BININT[0]: lambda u: u.stack.append(struct.unpack("<i", u.take(4))[0]),
    pickle.BININT1[0]: lambda u: u.stack.append(u.uint(1)),
    pickle.BININT2[0]: lambda u: u.stack.append(u.uint(2)),
    pickle.LONG[0]: lambda u: u.stack.append(_number(u, int, u.line())),
    pickle.LONG1[0]: lambda u: _long(u, u.uint(1)),
    pickle.LONG4[0]: lambda u: _long(u, struct.unpack("<i", u.take(4))[0]),
    pickle.FLOAT[0]: lambda u: u.stack.append(_number(u, float, u.line())),
    pickle.BINFLOAT[0]: lambda u: u.stack.append(struct.unpack(">d", u.take(8))[0]),
    pickle.STRING[0]: _str_line,
    pickle.BINSTRING[0]: _text(4, lambda b: b.decode("latin1")),
    pickle.SHORT_BINSTRING[0]: _text(1, lambda b: b.decode("latin1")),
    pickle.BINBYTES[0]: _text(4, bytes),
    pickle.SHORT_BINBYTES[0]: _text(1, bytes),
    pickle.BINBYTES8[0]: _text(8, bytes),
    pickle.BYTEARRAY8[0]: _text(8, bytearray),
    pickle.UNICODE[0]: _unicode_line,
    pickle.BINUNICODE[0]: _text(4, lambda b: b.decode("utf-8", "surrogatepass")),
    pickle.SHORT_BINUNICODE[0]: _text(1, lambda b: b.decode("utf-8", "surrogatepass")),
    pickle.BINUNICODE8[0]: _text(8, lambda b: b.decode("utf-8", "surrogatepass")),
    pickle.EMPTY_TUPLE[0]: lambda u: u.stack.append(()),
    pickle.TUPLE[0]: lambda u: u.stack.append(tuple(u.pop_mark())),
    pickle.TUPLE1[0]: _tuple_n(1),
    pickle.TUPLE2[0]: _tuple_n(2),
    pickle.TUPLE3[0]: _tuple_n(3),
    pickle.EMPTY_LIST[0]: lambda u: u.stack.append([]),
    pickle.LIST[0]: lambda u: u.stack.append(u.pop_mark()),
    pickle.APPEND[0]: _append,
    pickle.APPENDS[0]: _appends,
    pickle.EMPTY_DICT[0]: lambda u: u.stack.append({}),
    pickle.DICT[0]: _dict,
    pickle.SETITEM[0]: _setitem,
    pickle.SETITEMS[0]: _setitems,
    pickle.EMPTY_SET[0]: lambda u: u.stack.append(set()),
    pickle.ADDITEMS[0]: _additems,
    pickle.FROZENSET[0]: _frozenset,
    pickle.GLOBAL[0]: _global_line,
    pickle.STACK_GLOBAL[0]: _stack_global,
    pickle.REDUCE[0]: _reduce,
    pickle.NEWOBJ[0]: _newobj,
    pickle.BUILD[0]: _build,
    pickle.PERSID[0]: _persid_line,
    pickle.BINPERSID[0]: _binpersid,
    pickle.PUT[0]: lambda u: _put(u, _number(u, int, u.line())),
    pickle.BINPUT[0]: lambda u: _put(u, u.uint(1)),
    pickle.LONG_BINPUT[0]: lambda u: _put(u, u.uint(4)),
    pickle.MEMOIZE[0]: lambda u: _put(u, len(u.memo)),
    pickle.GET[0]: lambda u: _get(u, _number(u, int, u.line())),
    pickle.BINGET[0]: lambda u: _get(u, u.uint(1)),
    pickle.LONG_BINGET[0]: lambda u: _get(u, u.uint(4)),
}
_OPNAMES = {
    getattr(pickle, n)[0]: n for n in dir(pickle)
    if n.isupper() and isinstance(getattr(pickle, n), bytes) and len(getattr(pickle, n)) == 1
}


def weights_only_load(data: bytes, name: str, allowed: dict, persistent_load, start: int = 0):
    """Run the pickle that starts at ``data[start]`` with only the globals in ``allowed``;
    return its object and the position just after it."""
    try:
        machine = _Unpickling(data, name, allowed, persistent_load)
        machine.pos = start
        return machine.run(), machine.pos
    except RecursionError:  # a key whose hash or comparison recurses (deep tuples)
        raise pickle.UnpicklingError(f"{name}: the pickle is nested too deeply") from None
    except MemoryError:
        raise pickle.UnpicklingError(f"{name}: the pickle asks for more memory than there "
                                     "is") from None


def base_allowed() -> dict:
    """The plain-data globals every checkpoint may name (the tensor ones are added by the
    caller, ``_torch_format``)."""
    table = {
        ("collections", "OrderedDict"): _Global("collections", "OrderedDict", OrderedDict),
        ("collections", "Counter"): _Global("collections", "Counter", Counter),
        ("_codecs", "encode"): _Global("_codecs", "encode", _encode),
    }
    # protocol 2 names builtins as Python 2 did (__builtin__)
    for module in ("builtins", "__builtin__"):
        for name, build in (("set", _set_of), ("bytearray", bytearray), ("complex", complex)):
            table[(module, name)] = _Global(module, name, build)
    return table


# ---- writing ---------------------------------------------------------------------------------
class _CheckpointPickler(pickle._Pickler):
    """Python's pickler (its pure-Python form, so that globals can be written by name) with two
    hooks: ``reduce_torch(obj)`` returns how to write a tensor, dtype, Size or device in torch's
    names (or None), and ``storage_id(obj)`` the persistent id of a storage (or None).

    ``torch_names`` are ``_Global`` objects standing for torch's functions and classes (which do
    not exist here): they are written as ``GLOBAL module name`` without being imported.
    """

    def __init__(self, file, reduce_torch, storage_id):
        super().__init__(file, protocol=2)
        self._reduce_torch = reduce_torch
        self._storage_id = storage_id

    def save(self, obj, save_persistent_id=True):
        if isinstance(obj, np.generic) and obj.dtype.kind in "biufc":
            obj = obj.item()  # a NumPy scalar is stored as the equal Python number
        elif isinstance(obj, _Global):
            memo = self.memo.get(id(obj))
            if memo is None:
                self.save_global(obj)
            else:
                self.write(self.get(memo[0]))
            return
        super().save(obj, save_persistent_id)

    def reducer_override(self, obj):
        rv = self._reduce_torch(obj)
        return NotImplemented if rv is None else rv

    def persistent_id(self, obj):
        return self._storage_id(obj)

    def save_global(self, obj, name=None):
        if isinstance(obj, _Global):
            self.write(pickle.GLOBAL + f"{obj.module}\n{obj.name}\n".encode("utf-8"))
            self.memoize(obj)
            return
        super().save_global(obj, name)
