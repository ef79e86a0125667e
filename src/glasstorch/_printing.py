"""torch's printed form of a tensor (placeholder until the full formatter lands)."""


def tensor_repr(t) -> str:
    return f"tensor({t._data.tolist()})"
