"""Fail when an Odoo log holds an ERROR/WARNING/CRITICAL line about Order Hub.

Usage: python setup/check_log.py LOGFILE

A line counts when its logger is one of our addons (odoo.addons.order_hub*) or
when its message names one of our addons or models (order_hub*, order.hub.*).
"""

import re
import sys

LEVELS = re.compile(r"^\S+ \S+ \d+ (WARNING|ERROR|CRITICAL) ")
OURS = re.compile(r"order_hub|order\.hub")


def offending_lines(lines):
    bad = []
    current = None
    for line in lines:
        if re.match(r"^\d{4}-\d\d-\d\d ", line):
            current = line if LEVELS.match(line) else None
            if current and OURS.search(line):
                bad.append(line.rstrip())
        elif current and OURS.search(line) and bad[-1:] != [current.rstrip()]:
            # a traceback or continuation line of a warning that concerns us
            bad.append(current.rstrip())
    return bad


def main(path):
    with open(path, encoding="utf-8", errors="replace") as handle:
        bad = offending_lines(handle)
    for line in bad:
        print(f"[order-hub] {path}: {line}", file=sys.stderr)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
