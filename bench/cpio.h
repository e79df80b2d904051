// CpioWriter: a cpio "newc" archive (an initramfs) built in memory, owned by
// root and dated 0. Like guest/userland/mkinitramfs.py, the data of a file of
// 16 KiB or more starts on a 4 KiB boundary (the archive is closed and a new
// one begins), so that aramid can adopt the archive's pages as the file's.
#pragma once

#include <cstdint>
#include <string>

namespace bench {

class CpioWriter {
public:
    void directory(std::string const& path, uint32_t mode = 0755);
    void file(std::string const& path, std::string const& data, uint32_t mode = 0644);
    void symlink(std::string const& path, std::string const& target);
    // Ends the archive (TRAILER!!!, padded to 512 bytes) and returns it.
    std::string finish();

private:
    void add(std::string const& path, uint32_t mode, std::string const& data);
    void align_next_data(size_t name_length);
    void pad4();

    std::string m_out;
    uint32_t m_inode = 1;
};

} // namespace bench
