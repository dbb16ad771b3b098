"""Every Python file of the addons can be read by Babel, the extractor behind
Odoo's translation export: a file it cannot parse (an f-string inside a _()
call, for one) silently drops all of that file's terms from the .pot, and the
zh_CN completeness test can no longer see them."""

from pathlib import Path

import pytest
from babel.messages.extract import extract_python

ADDONS = Path(__file__).resolve().parents[2] / "addons"
FILES = sorted(path for path in ADDONS.rglob("*.py") if "/tests/" not in str(path))


@pytest.mark.parametrize("path", FILES, ids=lambda path: str(path.relative_to(ADDONS)))
def test_babel_reads_the_file(path):
    with path.open("rb") as handle:
        list(extract_python(handle, {"_": None, "_lt": None}, [], {}))


def test_the_addons_are_scanned():
    assert len(FILES) > 50
