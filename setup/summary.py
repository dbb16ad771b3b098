"""Print one closing line adding up pytest's summaries: 'total: N passed, N failed'."""

import re
import sys

COUNT = re.compile(r"(\d+) (passed|failed|errors?|skipped)")


def last_summary(path):
    counts = {}
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            lines = handle.read().splitlines()
    except FileNotFoundError:
        return counts
    for line in reversed(lines):
        if re.search(r"\d+ (passed|failed|errors?|skipped)\b.* in [\d.]+s", line):
            for number, word in COUNT.findall(line):
                key = "failed" if word.startswith("error") else word
                counts[key] = counts.get(key, 0) + int(number)
            break
    return counts


def main(paths):
    total = {"passed": 0, "failed": 0, "skipped": 0}
    for path in paths:
        counts = last_summary(path)
        if not counts:
            total["failed"] += 1  # a run that printed no summary did not run
        for key, value in counts.items():
            total[key] += value
    line = f"total: {total['passed']} passed, {total['failed']} failed"
    if total["skipped"]:
        line += f", {total['skipped']} skipped"
    print(line)


if __name__ == "__main__":
    main(sys.argv[1:])
