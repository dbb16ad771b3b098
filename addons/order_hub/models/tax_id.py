"""Chinese buyer tax ids for VAT invoices (no ``odoo`` import).

Since 2015 the tax id is the 18-character unified social credit code (USCC,
GB 32100-2015), validated with ``stdnum.cn.uscc`` including its check
character.  Older taxpayer ids are still printed on invoices: 15 characters
(administrative division + organisation code) and the 17 or 20 characters
derived from a personal id number; those have no usable check digit, so only
their format is checked.
"""

import re

from stdnum.cn import uscc
from stdnum.exceptions import InvalidChecksum, ValidationError

LEGACY_LENGTHS = (15, 17, 20)
LEGACY_FORMAT = re.compile(r"^\d{6}[0-9A-Z]+$")

VALID = "valid"
EMPTY = "empty"
BAD_CHECK = "bad_check"  # 18 characters, right shape, wrong check character
BAD_FORMAT = "bad_format"


def compact(value):
    """The tax id without spaces or dashes, upper case."""
    return uscc.compact(value or "")


def check(value):
    """Return ``VALID``, ``EMPTY``, ``BAD_CHECK`` or ``BAD_FORMAT`` for a tax id."""
    number = compact(value)
    if not number:
        return EMPTY
    if len(number) == 18:
        try:
            uscc.validate(number)
        except InvalidChecksum:
            return BAD_CHECK
        except ValidationError:
            return BAD_FORMAT
        return VALID
    if len(number) in LEGACY_LENGTHS and LEGACY_FORMAT.match(number):
        return VALID
    return BAD_FORMAT
