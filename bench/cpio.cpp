#include "cpio.h"

#include <cstdio>

namespace bench {

namespace {

constexpr size_t kPage = 4096;
constexpr size_t kAlignAtLeast = 16 * 1024;
constexpr size_t kHeaderSize = 110;

std::string strip_slashes(std::string const& path) {
    size_t at = path.find_first_not_of('/');
    return at == std::string::npos ? std::string() : path.substr(at);
}

} // namespace

void CpioWriter::directory(std::string const& path, uint32_t mode) { add(path, 0040000 | mode, {}); }

void CpioWriter::file(std::string const& path, std::string const& data, uint32_t mode) {
    add(path, 0100000 | mode, data);
}

void CpioWriter::symlink(std::string const& path, std::string const& target) { add(path, 0120777, target); }

void CpioWriter::add(std::string const& path, uint32_t mode, std::string const& data) {
    std::string const name = strip_slashes(path);
    if (data.size() >= kAlignAtLeast && (mode & 0170000) == 0100000) align_next_data(name.size());
    char header[kHeaderSize + 1];
    std::snprintf(header, sizeof(header), "070701%08x%08x%08x%08x%08x%08x%08zx%08x%08x%08x%08x%08zx%08x", m_inode++,
                  mode, 0u, 0u, 1u, 0u, data.size(), 0u, 0u, 0u, 0u, name.size() + 1, 0u);
    m_out.append(header, kHeaderSize);
    m_out.append(name);
    m_out.push_back('\0');
    pad4();
    m_out.append(data);
    pad4();
}

// Closes this archive and pads with zeros so that the next entry's data,
// after its header and name (padded to 4), starts on a page boundary.
void CpioWriter::align_next_data(size_t name_length) {
    add("TRAILER!!!", 0, {});
    size_t const head = (kHeaderSize + name_length + 1 + 3) & ~size_t(3);
    size_t const target = (m_out.size() + head + kPage - 1) / kPage * kPage;
    m_out.append(target - head - m_out.size(), '\0');
}

void CpioWriter::pad4() {
    while (m_out.size() % 4) m_out.push_back('\0');
}

std::string CpioWriter::finish() {
    add("TRAILER!!!", 0, {});
    m_out.append((512 - m_out.size() % 512) % 512, '\0');
    return std::move(m_out);
}

} // namespace bench
