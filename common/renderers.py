"""The API's JSON renderer: DRF's output, byte for byte, produced by orjson.

DRF's ``JSONRenderer`` runs the standard library's pure-Python encoder path for every response (its custom
encoder class disables the C accelerator); orjson builds the same compact UTF-8 bytes in a fraction of the
CPU. Types orjson does not know (lazy strings, decimals, datetimes — DRF writes UTC as ``Z``) go through
DRF's own encoder, and anything orjson refuses (an integer past 64 bits, a pretty-printing
``Accept: application/json; indent=4``) is rendered by DRF itself, so the bytes do not change. One
difference is left, in form only: a float below 1e-4 is written ``0.00001`` where Python writes ``1e-05``
(the same JSON number; no field of this API carries such values).
"""

from __future__ import annotations

import orjson
from rest_framework.renderers import JSONRenderer
from rest_framework.utils.encoders import JSONEncoder

_default = JSONEncoder().default
# Datetimes through DRF's encoder ("Z" for UTC, as DRF writes it); int dict keys as strings, as json does.
_OPTIONS = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_NON_STR_KEYS
# DRF escapes these two so the JSON is also valid JavaScript; orjson writes them raw (UTF-8 below).
_LINE_SEPARATOR, _PARAGRAPH_SEPARATOR = "\u2028".encode(), "\u2029".encode()


class FastJSONRenderer(JSONRenderer):
    def render(self, data, accepted_media_type=None, renderer_context=None) -> bytes:
        if data is None:
            return b""
        if (
            self.ensure_ascii
            or not self.compact
            or self.get_indent(accepted_media_type, renderer_context or {}) is not None
        ):
            return super().render(data, accepted_media_type, renderer_context)
        try:
            rendered = orjson.dumps(data, default=_default, option=_OPTIONS)
        except orjson.JSONEncodeError:
            return super().render(data, accepted_media_type, renderer_context)
        if _LINE_SEPARATOR in rendered or _PARAGRAPH_SEPARATOR in rendered:
            rendered = rendered.replace(_LINE_SEPARATOR, b"\\u2028").replace(_PARAGRAPH_SEPARATOR, b"\\u2029")
        return rendered
