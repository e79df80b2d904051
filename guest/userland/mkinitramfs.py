#!/usr/bin/env python3
"""Writes a cpio "newc" archive (an initramfs) deterministically.

usage: mkinitramfs.py OUTPUT ENTRY...
  ENTRY is one of
    dir:PATH:MODE                    a directory
    file:PATH:MODE:SOURCE            a regular file copied from SOURCE
    text:PATH:MODE:CONTENT           a regular file with CONTENT (\\n escapes)
    link:PATH:TARGET                 a symbolic link
    node:PATH:MODE:c|b:MAJOR:MINOR   a device node
    busybox-links:DIR:BUSYBOX:TARGET a symlink DIR/<applet> -> TARGET for
                                     every applet BUSYBOX --list names
All entries are owned by root and dated 0, so the archive is reproducible.

The data of files of 16 KiB or more starts on a 4 KiB boundary of the
archive: the archive is closed (TRAILER!!!), zero-padded, and a new one
starts, which Linux and aramid both read as one ("concatenated archives").
The kernel can then use those pages of the initramfs as the file's pages
instead of copying them.
"""
import os
import subprocess
import sys


def header(ino, mode, size, name, rdev_major=0, rdev_minor=0, nlink=1):
    fields = [ino, mode, 0, 0, nlink, 0, size, 0, 0, rdev_major, rdev_minor, len(name) + 1, 0]
    return b"070701" + b"".join(b"%08x" % f for f in fields)


def pad(data):
    return data + b"\0" * ((4 - len(data) % 4) % 4)


PAGE = 4096
ALIGN_AT_LEAST = 16 * 1024


class Archive:
    def __init__(self):
        self.out = bytearray()
        self.ino = 1

    def add(self, name, mode, data=b"", rdev=(0, 0)):
        name = name.lstrip("/").encode()
        if len(data) >= ALIGN_AT_LEAST and mode & 0o170000 == 0o100000:
            self._align_data(len(name))
        record = header(self.ino, mode, len(data), name, *rdev) + name + b"\0"
        self.out += pad(record)
        self.out += pad(data) if data else b""
        self.ino += 1

    def _align_data(self, name_length):
        # Close this archive and pad with zeros so that the next entry's
        # data (after its 110-byte header and name, padded to 4) is page
        # aligned.
        self.add("TRAILER!!!", 0)
        head = (110 + name_length + 1 + 3) & ~3
        target = -(-(len(self.out) + head) // PAGE) * PAGE
        self.out += b"\0" * (target - head - len(self.out))

    def finish(self):
        self.add("TRAILER!!!", 0)
        return bytes(self.out) + b"\0" * ((512 - len(self.out) % 512) % 512)


def main():
    output, entries = sys.argv[1], sys.argv[2:]
    archive = Archive()
    for entry in entries:
        kind, rest = entry.split(":", 1)
        if kind == "dir":
            path, mode = rest.split(":")
            archive.add(path, 0o040000 | int(mode, 8))
        elif kind == "file":
            path, mode, source = rest.split(":", 2)
            with open(source, "rb") as f:
                archive.add(path, 0o100000 | int(mode, 8), f.read())
        elif kind == "text":
            path, mode, content = rest.split(":", 2)
            archive.add(path, 0o100000 | int(mode, 8), content.encode().decode("unicode_escape").encode())
        elif kind == "link":
            path, target = rest.split(":", 1)
            archive.add(path, 0o120777, target.encode())
        elif kind == "node":
            path, mode, kind_char, major, minor = rest.split(":")
            type_bits = 0o020000 if kind_char == "c" else 0o060000
            archive.add(path, type_bits | int(mode, 8), rdev=(int(major), int(minor)))
        elif kind == "busybox-links":
            directory, busybox, target = rest.split(":")
            applets = subprocess.run([busybox, "--list"], capture_output=True, text=True, check=True).stdout.split()
            for applet in sorted(set(applets)):
                if applet != "busybox":
                    archive.add(f"{directory}/{applet}", 0o120777, target.encode())
        else:
            sys.exit(f"mkinitramfs: unknown entry kind {kind!r}")
    with open(output, "wb") as f:
        f.write(archive.finish())


if __name__ == "__main__":
    main()
