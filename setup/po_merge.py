"""Merge a fresh .pot into a .po, keeping translations: po_merge.py POT PO.

Prints how many terms still lack a translation.
"""

import sys

import polib


def merge(pot_path, po_path):
    pot = polib.pofile(pot_path)
    try:
        old = {entry.msgid: entry for entry in polib.pofile(po_path)}
    except OSError:
        old = {}
    po = polib.POFile(wrapwidth=78)
    po.metadata = dict(pot.metadata)
    po.metadata.update({"Language": "zh_CN", "Language-Team": "Chinese (Simplified)"})
    po.metadata["Plural-Forms"] = "nplurals=1; plural=0;"
    missing = 0
    for entry in pot:
        previous = old.get(entry.msgid)
        entry.msgstr = previous.msgstr if previous else ""
        missing += not entry.msgstr
        po.append(entry)
    po.save(po_path)
    print(f"{po_path}: {len(po)} terms, {missing} untranslated")
    return missing


if __name__ == "__main__":
    merge(sys.argv[1], sys.argv[2])
