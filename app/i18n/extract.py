"""A pybabel extractor for the `title=` of pydantic fields (the column headings of every
summary table), alongside the ordinary `_()` calls of the same file."""

import ast
from collections.abc import Iterator
from typing import IO, Any

from babel.messages.extract import extract_python


def extract_titles(
    fileobj: IO[bytes], keywords: Any, comment_tags: Any, options: Any
) -> Iterator[tuple[int, str, str, list[str]]]:
    source = fileobj.read()
    for node in ast.walk(ast.parse(source)):
        if (
            isinstance(node, ast.keyword)
            and node.arg == "title"
            and isinstance(node.value, ast.Constant)
            and isinstance(node.value.value, str)
        ):
            yield node.value.lineno, "_", node.value.value, []
    fileobj.seek(0)
    yield from extract_python(fileobj, keywords, comment_tags, options)  # type: ignore[misc]
