"""Mismatch classes we know about, each with its reason; filled in below."""

KNOWN: dict[str, str] = {}
