// Writing cpio "newc" archives, the initramfs format (Linux's
// Documentation/driver-api/early-userspace/buffer-format.rst).
//
// aramid-vmm uses it for one thing: the member /.aramid/argv that tells
// aramid-init which program to run (the boot contract in DESIGN.md). It is
// a second archive, with its own TRAILER!!!, appended to the initramfs in
// use; the guest reads concatenated archives as one, as Linux does. The
// contract runner builds the same member for QEMU with make_argv_archive().
//
// Every header is 110 bytes of ASCII ("070701" and thirteen 8-digit hex
// fields); the name (with its NUL) and the data each end on a 4-byte
// boundary of the archive; an archive ends with the TRAILER!!! entry and is
// padded with zeros to a 512-byte block, as cpio(1) writes it. Entries are
// owned by root and dated 0, so the bytes depend only on the contents.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace vmm {

class CpioWriter {
public:
    // Adds an entry. `name` is relative ("dir/file", no leading slash);
    // `mode` includes the file type bits (0100644 for a regular file).
    void add(std::string_view name, uint32_t mode, std::span<uint8_t const> data = {});
    // Adds TRAILER!!!, pads to a block and returns the archive.
    std::vector<uint8_t> finish();

    static constexpr size_t kHeaderSize = 110;
    static constexpr size_t kBlockSize = 512;

private:
    void pad_to(size_t alignment);
    std::vector<uint8_t> m_bytes;
    uint32_t m_next_inode { 1 };
};

// Where aramid-init looks for the program to run, inside the initramfs.
inline constexpr std::string_view kArgvMember = ".aramid/argv";
// The most argv bytes (each argument and its NUL) -- Linux's limit for one
// argument string (MAX_ARG_STRLEN), and far more than a command line needs.
inline constexpr size_t kMaxArgvBytes = 128 * 1024;

// One archive holding /.aramid/argv (mode 0644, root): each argument
// followed by a NUL. Throws VmmError for an argument holding a NUL byte or
// an argv of more than kMaxArgvBytes.
std::vector<uint8_t> make_argv_archive(std::vector<std::string> const& argv);

// Where an archive appended to `size` bytes of archive starts: the next
// 4-byte boundary, where the format expects a header (zeros in between).
inline constexpr uint64_t appended_archive_offset(uint64_t size) { return (size + 3) & ~uint64_t(3); }

} // namespace vmm
