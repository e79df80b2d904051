#include <vmm/boot/initramfs.h>
#include <vmm/util/error.h>

#include <cstdio>

namespace vmm {

namespace {

constexpr uint32_t kModeRegular = 0100000;

void append_hex(std::vector<uint8_t>& out, uint32_t value) {
    char text[9];
    std::snprintf(text, sizeof(text), "%08x", value);
    out.insert(out.end(), text, text + 8);
}

} // namespace

void CpioWriter::add(std::string_view name, uint32_t mode, std::span<uint8_t const> data) {
    bool const trailer = name == "TRAILER!!!";
    uint32_t const fields[13] = {
        trailer ? 0 : m_next_inode++,
        mode,
        0, // uid
        0, // gid
        1, // nlink
        0, // mtime
        uint32_t(data.size()),
        0, 0, // dev major, minor
        0, 0, // rdev major, minor
        uint32_t(name.size() + 1),
        0, // check (only for "070702")
    };
    char const magic[] = "070701";
    m_bytes.insert(m_bytes.end(), magic, magic + 6);
    for (uint32_t field : fields) append_hex(m_bytes, field);
    m_bytes.insert(m_bytes.end(), name.begin(), name.end());
    m_bytes.push_back(0);
    pad_to(4);
    m_bytes.insert(m_bytes.end(), data.begin(), data.end());
    pad_to(4);
}

std::vector<uint8_t> CpioWriter::finish() {
    add("TRAILER!!!", 0);
    pad_to(kBlockSize);
    return std::move(m_bytes);
}

void CpioWriter::pad_to(size_t alignment) {
    m_bytes.resize((m_bytes.size() + alignment - 1) / alignment * alignment, 0);
}

std::vector<uint8_t> make_argv_archive(std::vector<std::string> const& argv) {
    std::vector<uint8_t> contents;
    for (size_t i = 0; i < argv.size(); i++) {
        if (argv[i].find('\0') != std::string::npos)
            throw VmmError("argument " + std::to_string(i) + " of the program contains a NUL byte");
        if (argv[i].size() + 1 > kMaxArgvBytes - contents.size()) {
            size_t total = 0;
            for (auto const& arg : argv) total += arg.size() + 1;
            throw VmmError("the program's arguments take " + std::to_string(total) + " bytes; at most "
                           + std::to_string(kMaxArgvBytes) + " (128 KiB) are passed");
        }
        contents.insert(contents.end(), argv[i].begin(), argv[i].end());
        contents.push_back(0);
    }
    CpioWriter writer;
    writer.add(kArgvMember, kModeRegular | 0644, contents);
    return writer.finish();
}

} // namespace vmm
