"""PDFium's functions declared afresh to take plain addresses and numbers.

pypdfium2 declares each function with pointer types and converts every argument on every call:
for a function called once a character (a box, a text object) or once a page object, that
conversion is most of the call's cost. ``lean`` gives the same function, from its address in
the same library, declared with ``c_void_p`` for pointers: it is called with addresses
(``ctypes.addressof`` of a structure, a handle's value) and returns handles as integers.
"""

from __future__ import annotations

import ctypes
from typing import Any

_DECLARED: dict[str, Any] = {}


def lean(raw: Any, name: str, restype: Any, *argtypes: Any) -> Any:
    """PDFium's function ``name`` (of ``pypdfium2.raw``) returning ``restype`` and taking
    ``argtypes``; None when this PDFium lacks it."""
    if name not in _DECLARED:
        function = getattr(raw, name, None)
        _DECLARED[name] = None if function is None else ctypes.CFUNCTYPE(restype, *argtypes)(
            ctypes.cast(function, ctypes.c_void_p).value)
    return _DECLARED[name]


def address(handle: Any) -> int:
    """The address a pypdfium2 handle (a ctypes pointer) holds."""
    return ctypes.cast(handle, ctypes.c_void_p).value or 0
