"""Read the result of Odoo's own test suites from an odoo-bin log.

Usage: python setup/peer_log.py LOGFILE

Odoo ends a test run with "X failed, Y error(s) of Z tests when loading
database ...".  Exit 0 only when that line is there, Z > 0 and X = Y = 0; on
failure, print the failing tests (the "FAIL:"/"ERROR:" lines of the log) so the
CI output says which standard test broke.
"""

import re
import sys

SUMMARY = re.compile(r"(\d+) failed, (\d+) error\(s\) of (\d+) tests when loading database")
FAILING = re.compile(r" (?:ERROR|CRITICAL) \S+ \S+: (?:FAIL|ERROR): (.+)$")


def parse(lines):
    """Return (failed, errors, total, failing test names); total None when absent."""
    failed = errors = total = None
    failing = []
    for line in lines:
        match = SUMMARY.search(line)
        if match:
            failed, errors, total = (int(group) for group in match.groups())
            continue
        match = FAILING.search(line)
        if match and match.group(1) not in failing:
            failing.append(match.group(1).strip())
    return failed, errors, total, failing


def main(path):
    with open(path, encoding="utf-8", errors="replace") as handle:
        failed, errors, total, failing = parse(handle)
    if total is None:
        print(f"[order-hub] {path}: no test summary (did Odoo stop before the tests?)", file=sys.stderr)
        return 1
    print(f"[order-hub] peer suites: {failed} failed, {errors} error(s) of {total} tests")
    for name in failing:
        print(f"[order-hub]   {name}", file=sys.stderr)
    if total == 0:
        print("[order-hub] peer suites ran no test", file=sys.stderr)
        return 1
    return 1 if failed or errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
