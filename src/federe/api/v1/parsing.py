"""Request parsing for the API: JSON and query strings, refusing text with a NUL character.

PostgreSQL cannot store or compare a string holding NUL (U+0000): psycopg raises, which was a 500. The character
has no use in community text, so it is refused with a 422 naming the field, before any view runs.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.datastructures import MultiValueDict
from ninja.errors import ValidationError
from ninja.parser import Parser

from federe.api.v1.errors import NUL_ERROR


def _nul_at(value: Any, path: tuple[str | int, ...] = ()) -> tuple[str | int, ...] | None:
    """Where the first string holding NUL is (keys included), or None."""
    if isinstance(value, str):
        return path if "\x00" in value else None
    if isinstance(value, dict):
        for key, item in value.items():
            found = _nul_at(key, (*path, key)) or _nul_at(item, (*path, key))
            if found is not None:
                return found
    if isinstance(value, list):
        for index, item in enumerate(value):
            found = _nul_at(item, (*path, index))
            if found is not None:
                return found
    return None


def _refuse(source: str, path: tuple[str | int, ...]) -> ValidationError:
    return ValidationError([{"loc": (source, *path), "type": NUL_ERROR, "msg": "NUL character"}])


class NulRefusingParser(Parser):
    def parse_body(self, request: HttpRequest) -> Any:
        data = super().parse_body(request)
        found = _nul_at(data)
        if found is not None:
            raise _refuse("body", found)
        return data

    def parse_querydict(self, data: MultiValueDict, list_fields: list[str], request: HttpRequest) -> dict[str, Any]:
        result = super().parse_querydict(data, list_fields, request)
        found = _nul_at(result)
        if found is not None:
            raise _refuse("query", found)
        return result
