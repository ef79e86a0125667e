"""Named tuples for ops that return several tensors (``torch.return_types``): ``x.max(1)`` gives
``(values, indices)``, readable as ``r.values`` and ``r.indices`` or unpacked as a tuple."""

from __future__ import annotations


class _ReturnType(tuple):
    """A tuple whose items also have names (``r.values``, ``r.indices``), printed as torch does."""

    __slots__ = ()
    _fields: tuple = ()

    def __new__(cls, *items):
        return tuple.__new__(cls, items)

    def __repr__(self) -> str:
        body = ",\n".join(f"{f}={v!r}" for f, v in zip(self._fields, self))
        return f"torch.return_types.{type(self).__name__}(\n{body})"

    def __reduce__(self):
        return (type(self), tuple(self))


def _return_type(name: str, fields: tuple) -> type:
    ns = {"__slots__": (), "_fields": fields, "n_fields": len(fields),
          "n_sequence_fields": len(fields), "__module__": "glasstorch.return_types"}
    for i, f in enumerate(fields):
        ns[f] = property(lambda self, i=i: self[i])
    return type(name, (_ReturnType,), ns)


return_types = {n: _return_type(n, ("values", "indices")) for n in ("max", "min", "median", "mode")}
return_types["aminmax"] = _return_type("aminmax", ("min", "max"))
return_types.update({n: _return_type(n, ("values", "indices")) for n in ("cummax", "cummin")})
