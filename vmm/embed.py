#!/usr/bin/env python3
"""usage: embed.py INPUT OUTPUT.S SYMBOL -- writes an assembly file that
embeds INPUT as SYMBOL[] .. SYMBOL_end[] in .rodata (via .incbin), in pages
of its own: page-aligned and padded with zeros to a whole page, so that the
guest kernel can map an embedded image (its vDSO) into user space alone."""
import os
import sys

path, output, symbol = os.path.abspath(sys.argv[1]), sys.argv[2], sys.argv[3]
with open(output, "w") as f:
    f.write(f"""\t.section .rodata
\t.balign 4096
\t.globl {symbol}, {symbol}_end
{symbol}:
\t.incbin "{path}"
{symbol}_end:
\t.balign 4096
\t.section .note.GNU-stack, "", @progbits
""")
