"""The MkDocs adapter's own arithmetic: where in the author's file an error in a page body is."""

import pytest

from portal.site.plugin import _body_line_offset


@pytest.mark.parametrize("source, body_as_mkdocs_gives_it, offset", [
    ("# Title\n\n{{ x() }}\n", "# Title\n\n{{ x() }}", 0),                       # no front matter, trailing newline stripped
    ("---\ntitle: T\n---\n# Title\n{{ x() }}\n", "# Title\n{{ x() }}", 3),         # front matter
    ("---\ntitle: T\n---\n\n\n# Title\n{{ x() }}\n", "# Title\n{{ x() }}", 5),     # blank lines after it, stripped by MkDocs
    ("---\ntitle: T\n---\n\n# T\n", "\n# T\n", 3),                                 # a body that keeps its leading blank line
])
def test_an_error_on_body_line_n_is_reported_at_its_line_in_the_file(source, body_as_mkdocs_gives_it, offset):
    assert _body_line_offset(source, body_as_mkdocs_gives_it) == offset
    error_line_in_body = body_as_mkdocs_gives_it.split("\n").index(next(line for line in body_as_mkdocs_gives_it.split("\n") if line)) + 1
    assert source.split("\n")[error_line_in_body + offset - 1] == body_as_mkdocs_gives_it.split("\n")[error_line_in_body - 1]
