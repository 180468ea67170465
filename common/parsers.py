"""The API's JSON parser: DRF's, plus a 400 for documents nested too deeply to decode."""

from rest_framework import parsers
from rest_framework.exceptions import ParseError


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError as exc:
            # json.loads raises RecursionError (not ValueError) for e.g. 100,000 nested brackets: a 500 otherwise.
            raise ParseError("JSON parse error - the document is nested too deeply.") from exc
