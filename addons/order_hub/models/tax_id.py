"""Chinese buyer tax ids for VAT invoices (no ``odoo`` import).

Since 2015 the tax id is the 18-character unified social credit code (USCC,
GB 32100-2015): registration authority (1 character), entity type (1),
administrative division (6 digits), organisation code (9) and a check
character.  The registration authority is a digit or a letter (A, N, Y, ...);
``stdnum.cn.uscc.validate`` refuses a letter there, so the format is checked
here and the check character with stdnum's own ``calc_check_digit``.
Older taxpayer ids are still printed on invoices: 15 characters
(administrative division + organisation code) and the 17 or 20 characters
derived from a personal id number; those have no usable check digit, so only
their format is checked.
"""

import re

from stdnum.cn import uscc

# GB 32100-2015: characters 1-2 from the code alphabet (no I, O, S, V, Z),
# 3-8 the administrative division, 9-18 from the code alphabet
USCC_FORMAT = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$")
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
        if not USCC_FORMAT.match(number):
            return BAD_FORMAT
        return VALID if number[-1] == uscc.calc_check_digit(number[:17]) else BAD_CHECK
    if len(number) in LEGACY_LENGTHS and LEGACY_FORMAT.match(number):
        return VALID
    return BAD_FORMAT
