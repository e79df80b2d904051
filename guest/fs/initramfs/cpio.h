// A reader for "newc" cpio archives (what Linux initramfs images are),
// validating everything: an archive is untrusted input. Concatenated
// archives (as aramid-vmm produces by appending /.aramid/argv) read as one.
// Freestanding; unit-tested on the host.
#pragma once

#include <lib/result.h>
#include <lib/string_view.h>
#include <lib/types.h>

namespace cpio {

struct Entry {
    StringView name; // as stored (no NUL), e.g. "bin/sh" or "./init"
    u32 ino;
    u32 mode;        // type and permission bits (Linux values)
    u32 uid, gid;
    u32 nlink;
    u32 mtime;
    u32 dev_major, dev_minor;   // of the file system
    u32 rdev_major, rdev_minor; // device nodes
    u8 const* data;
    usize size;
};

class Reader {
public:
    Reader(u8 const* archive, usize size) : m_archive(archive), m_size(size) { }
    // The next entry; false at the end. EINVAL for a malformed archive.
    Result<bool> next(Entry& entry);
    usize position() const { return m_position; }

private:
    u8 const* m_archive;
    usize m_size;
    usize m_position { 0 };
};

inline constexpr usize kHeaderSize = 110;

} // namespace cpio
