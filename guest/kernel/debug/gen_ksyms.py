#!/usr/bin/env python3
"""Writes the .ksyms section (debug/ksyms.h layout) as assembly.

usage: gen_ksyms.py NM OUTPUT.S [KERNEL.elf]
Without KERNEL.elf it writes an empty table: the first link pass uses that,
the second the real one. .ksyms sits last in the image, so its size does
not move any other symbol between the passes.
"""
import subprocess
import sys

MAGIC = 0x4D59534B


def symbols(nm, elf):
    out = subprocess.run([nm, "-n", "-C", "--defined-only", elf], check=True,
                         capture_output=True, text=True).stdout
    result = []
    for line in out.splitlines():
        parts = line.split(" ", 2)
        if len(parts) != 3 or parts[1] not in "TtWw":
            continue
        address = int(parts[0], 16)
        if address < 0xFFFFFFFF80000000:
            continue
        result.append((address, parts[2]))
    return result


def main():
    nm, output = sys.argv[1], sys.argv[2]
    syms = symbols(nm, sys.argv[3]) if len(sys.argv) > 3 else []
    lines = ['\t.section .ksyms, "a"', "\t.balign 8", "\t.globl ksyms_table", "ksyms_table:",
             f"\t.long {MAGIC:#x}, {len(syms)}", "\t.quad names - ksyms_table"]
    offset = 0
    names = []
    for address, name in syms:
        lines.append(f"\t.quad {address:#x}")
        lines.append(f"\t.long {offset}, 0")
        encoded = name.encode()
        names.append(encoded)
        offset += len(encoded) + 1
    lines.append("names:")
    for encoded in names:
        escaped = encoded.decode().replace("\\", "\\\\").replace('"', '\\"')
        lines.append(f'\t.asciz "{escaped}"')
    lines.append('\t.section .note.GNU-stack, "", @progbits')
    with open(output, "w") as f:
        f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
