// Images for the fs-bitmaps tests: mke2fs -d from a tree the test writes,
// debugfs to read and corrupt them, and byte sources over files and memory.
#pragma once

#include <monitor/ext4_check.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>
#include <vector>

namespace monitor_test {

class ScratchDir {
public:
    ScratchDir() {
        char name[] = "/tmp/aramid-fs-bitmaps-XXXXXX";
        if (char* made = ::mkdtemp(name)) m_path = made;
    }
    ~ScratchDir() {
        std::error_code ignored;
        if (!m_path.empty()) std::filesystem::remove_all(m_path, ignored);
    }
    ScratchDir(ScratchDir const&) = delete;
    ScratchDir& operator=(ScratchDir const&) = delete;
    std::string const& path() const { return m_path; }
    std::string operator/(std::string const& name) const { return m_path + "/" + name; }

private:
    std::string m_path;
};

struct CommandResult {
    int status { -1 };
    std::string output; // stdout
};

inline CommandResult run_command(std::string const& command) {
    CommandResult result;
    FILE* pipe = ::popen((command + " 2>/dev/null").c_str(), "r");
    if (!pipe) return result;
    char buffer[4096];
    size_t n;
    while ((n = std::fread(buffer, 1, sizeof(buffer), pipe)) > 0) result.output.append(buffer, n);
    int const status = ::pclose(pipe);
    result.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return result;
}

inline void write_file(std::string const& path, std::string const& data) {
    std::filesystem::create_directories(std::filesystem::path(path).parent_path());
    std::ofstream(path, std::ios::binary) << data;
}

// Every layout the check walks: empty, one-block and multi-block files; a
// file big enough for double indirect blocks at 1 KiB; a fragmented file
// (more extents than the inode holds: a leaf block); a directory of many
// blocks; fast and slow symlinks; a fifo; a device node and an xattr block
// where the host allows them.
inline void write_tree(std::string const& root) {
    write_file(root + "/empty", "");
    write_file(root + "/a", "a");
    write_file(root + "/b", "bb");
    write_file(root + "/small", std::string(5000, 's'));
    std::string big(3 << 20, 0);
    for (size_t i = 0; i < big.size(); i++) big[i] = char(i * 31 + 7);
    write_file(root + "/big", big);
    {
        // Data, hole, data, ...: one extent per 4 KiB of data.
        std::ofstream out(root + "/fragmented", std::ios::binary);
        for (int i = 0; i < 12; i++) {
            out.seekp(std::streamoff(i) * 65536);
            out << std::string(4096, char('f' + i));
        }
    }
    for (int i = 0; i < 300; i++) write_file(root + "/many/entry-" + std::to_string(i) + "-with-a-longer-name", "x");
    write_file(root + "/dir/b/c/deep.txt", std::string(10000, 'd'));
    std::filesystem::create_symlink("a", root + "/fast-link");
    std::filesystem::create_symlink(std::string(120, 'L'), root + "/slow-link");
    ::mkfifo((root + "/fifo").c_str(), 0640);
    (void)::mknod((root + "/null").c_str(), S_IFCHR | 0666, makedev(1, 3));
    std::string const value(700, 'v'); // too big for the inode: an xattr block
    (void)::setxattr((root + "/small").c_str(), "user.big", value.data(), value.size(), 0);
}

// mke2fs -q -F `options` -d `tree` `image` `size`; false if it failed.
inline bool make_image(std::string const& options, std::string const& tree, std::string const& image,
                       std::string const& size = "16M") {
    return run_command("E2FSPROGS_FAKE_TIME=1700000000 mke2fs -q -F " + options + " -d '" + tree + "' '" + image
                       + "' " + size + " >/dev/null")
               .status
        == 0;
}

inline std::string debugfs(std::string const& image, std::string const& request, bool writable = false) {
    return run_command(std::string("debugfs ") + (writable ? "-w " : "") + "-R '" + request + "' '" + image + "'")
        .output;
}

// The numbers in `text` after `label` (e.g. "Inode: 12").
inline uint64_t number_after(std::string const& text, std::string const& label) {
    size_t const at = text.find(label);
    if (at == std::string::npos) return 0;
    return std::strtoull(text.c_str() + at + label.size(), nullptr, 0);
}

inline uint32_t inode_of(std::string const& image, std::string const& path) {
    return uint32_t(number_after(debugfs(image, "stat " + path), "Inode: "));
}

// The data blocks of `path`, in logical order (debugfs blocks).
inline std::vector<uint64_t> blocks_of(std::string const& image, std::string const& path) {
    std::vector<uint64_t> blocks;
    std::istringstream in(debugfs(image, "blocks " + path));
    uint64_t block;
    while (in >> block) blocks.push_back(block);
    return blocks;
}

// Where inode `ino`'s record lies in the image, in bytes.
inline uint64_t inode_offset(std::string const& image, uint32_t ino, uint32_t block_size) {
    std::string const text = debugfs(image, "imap <" + std::to_string(ino) + ">");
    return number_after(text, "located at block ") * block_size + number_after(text, ", offset ");
}

inline std::vector<uint8_t> read_all(std::string const& path) {
    std::ifstream in(path, std::ios::binary);
    return std::vector<uint8_t>(std::istreambuf_iterator<char>(in), {});
}

inline void write_at(std::string const& path, uint64_t offset, void const* bytes, size_t length) {
    std::fstream out(path, std::ios::binary | std::ios::in | std::ios::out);
    out.seekp(std::streamoff(offset));
    out.write(static_cast<char const*>(bytes), std::streamsize(length));
}

// A device in memory.
class MemorySource final : public aramid::monitor::ByteSource {
public:
    explicit MemorySource(std::vector<uint8_t> bytes) : m_bytes(std::move(bytes)) { }
    uint64_t size() const override { return m_bytes.size(); }
    bool read(uint64_t offset, std::span<uint8_t> out) const override {
        if (offset > m_bytes.size() || out.size() > m_bytes.size() - offset) return false;
        std::memcpy(out.data(), m_bytes.data() + offset, out.size());
        return true;
    }
    std::vector<uint8_t>& bytes() { return m_bytes; }

private:
    std::vector<uint8_t> m_bytes;
};

// The report as text, for failure messages.
inline std::string describe(aramid::monitor::CheckReport const& report) {
    std::string text = report.error.empty() ? "" : "error: " + report.error + "\n";
    for (unsigned k = 0; k < aramid::monitor::kDisagreementKinds; k++)
        if (report.counts[k])
            text += std::string(aramid::monitor::disagreement_name(aramid::monitor::Disagreement(k))) + ": "
                + std::to_string(report.counts[k]) + "\n";
    for (auto const& item : report.items) text += "  " + item.text + "\n";
    for (auto const& note : report.notes) text += "  note: " + note + "\n";
    return text;
}

} // namespace monitor_test
