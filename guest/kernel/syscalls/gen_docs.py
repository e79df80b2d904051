#!/usr/bin/env python3
"""Writes docs/syscalls.md from syscalls.def (the one syscall list).

usage: gen_docs.py syscalls.def OUTPUT.md
"""
import re
import sys

ENTRY = re.compile(r'^SYSCALL\((\d+),\s*(\w+),\s*(\w+),\s*"(.*)"\)\s*$')
STATUS = {"full": "supported", "partial": "partial", "none": "not implemented (ENOSYS)"}


def main():
    source, output = sys.argv[1], sys.argv[2]
    rows = []
    for line in open(source):
        match = ENTRY.match(line.strip())
        if match:
            number, name, status, note = match.groups()
            rows.append((int(number), name, status, note))
    counts = {s: sum(1 for r in rows if r[2] == s) for s in STATUS}
    lines = [
        "# Syscalls",
        "",
        "Generated from `guest/kernel/syscalls/syscalls.def` by `gen_docs.py`; do not edit.",
        "Regenerate with `python3 guest/kernel/syscalls/gen_docs.py guest/kernel/syscalls/syscalls.def docs/syscalls.md`.",
        "",
        f"{len(rows)} listed: {counts['full']} supported, {counts['partial']} partial, "
        f"{counts['none']} not implemented. A number not listed returns ENOSYS too; "
        "every ENOSYS is logged once per boot with the syscall's name.",
        "",
        "| number | name | status | note |",
        "|---:|---|---|---|",
    ]
    for number, name, status, note in sorted(rows):
        lines.append(f"| {number} | `{name}` | {STATUS[status]} | {note} |")
    with open(output, "w") as f:
        f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
