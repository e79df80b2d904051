#include "image.h"

#include <cstdio>
#include <cstdlib>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

namespace ext4_test {

TempDir::TempDir()
{
    char const* base = std::getenv("TMPDIR");
    std::string pattern = std::string(base && *base ? base : "/tmp") + "/aramid-ext4-XXXXXX";
    std::vector<char> buffer(pattern.begin(), pattern.end());
    buffer.push_back(0);
    if (mkdtemp(buffer.data())) m_path = buffer.data();
}

TempDir::~TempDir()
{
    if (!m_path.empty()) run("rm -rf '" + m_path + "'");
}

int run(std::string const& command)
{
    int status = std::system(command.c_str());
    if (status == -1 || !WIFEXITED(status)) return -1;
    return WEXITSTATUS(status);
}

void write_file(std::string const& path, std::string const& contents)
{
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) return;
    size_t done = 0;
    while (done < contents.size()) {
        ssize_t n = ::write(fd, contents.data() + done, contents.size() - done);
        if (n <= 0) break;
        done += size_t(n);
    }
    ::close(fd);
}

std::string read_host_file(std::string const& path)
{
    std::string out;
    int fd = ::open(path.c_str(), O_RDONLY);
    if (fd < 0) return out;
    char buffer[65536];
    for (;;) {
        ssize_t n = ::read(fd, buffer, sizeof(buffer));
        if (n <= 0) break;
        out.append(buffer, size_t(n));
    }
    ::close(fd);
    return out;
}

int make_image(std::string const& image, std::string const& source, std::string const& options, std::string const& size)
{
    return run("mke2fs -q -F " + options + " -d '" + source + "' '" + image + "' " + size + " >/dev/null 2>&1");
}

FileBackend::FileBackend(std::string const& path, bool writable)
    : m_writable(writable)
{
    m_fd = ::open(path.c_str(), (writable ? O_RDWR : O_RDONLY) | O_CLOEXEC);
    struct stat st { };
    if (m_fd >= 0 && fstat(m_fd, &st) == 0) m_size = uint64_t(st.st_size);
}

FileBackend::~FileBackend()
{
    if (m_fd >= 0) ::close(m_fd);
}

Result<void> FileBackend::read(u64 offset, u8* buffer, usize length)
{
    m_reads++;
    if (m_fail) return Errno(EIO);
    if (offset % 512 || length % 512) return Errno(EINVAL);
    if (offset > m_size || length > m_size - offset) return Errno(EINVAL);
    size_t done = 0;
    while (done < length) {
        ssize_t n = ::pread(m_fd, buffer + done, length - done, off_t(offset + done));
        if (n <= 0) return Errno(EIO);
        done += size_t(n);
    }
    return {};
}

Result<void> FileBackend::write(u64 offset, u8 const* buffer, usize length)
{
    m_writes++;
    if (!m_writable) return Errno(EROFS);
    if (m_fail_writes) return Errno(EIO);
    if (offset + length > m_fail_writes_from) return Errno(EIO);
    if (offset % 512 || length % 512) return Errno(EINVAL);
    if (offset > m_size || length > m_size - offset) return Errno(EINVAL);
    size_t done = 0;
    while (done < length) {
        ssize_t n = ::pwrite(m_fd, buffer + done, length - done, off_t(offset + done));
        if (n <= 0) return Errno(EIO);
        done += size_t(n);
    }
    return {};
}

Result<void> FileBackend::flush()
{
    m_flushes++;
    if (!m_writable) return {};
    if (::fdatasync(m_fd) != 0) return Errno(EIO);
    return {};
}

Opened open_image(std::string const& path)
{
    Opened opened;
    opened.backend = std::make_unique<FileBackend>(path);
    auto volume = ext4::Volume::open(*opened.backend, opened.report);
    if (volume.is_error())
        opened.error = volume.error().code();
    else
        opened.volume = volume.release_value();
    return opened;
}

Opened open_image_writable(std::string const& path, ext4::Time now)
{
    Opened opened;
    opened.backend = std::make_unique<FileBackend>(path, true);
    auto volume = ext4::Volume::open_writable(*opened.backend, opened.report, now);
    if (volume.is_error())
        opened.error = volume.error().code();
    else
        opened.volume = volume.release_value();
    return opened;
}

std::string command_output(std::string const& command)
{
    std::string out;
    FILE* pipe = popen(command.c_str(), "r");
    if (!pipe) return out;
    char buffer[4096];
    size_t n;
    while ((n = fread(buffer, 1, sizeof(buffer), pipe)) > 0) out.append(buffer, n);
    pclose(pipe);
    return out;
}

std::string debugfs_output(std::string const& image, std::string const& request)
{
    return command_output("debugfs -R '" + request + "' '" + image + "' 2>/dev/null");
}

std::string fsck_output(std::string const& image)
{
    std::string const log = command_output("e2fsck -fn '" + image + "' 2>&1; echo \"exit $?\"");
    if (log.size() >= 7 && log.compare(log.size() - 7, 7, "exit 0\n") == 0) return "";
    // Enough to see what is wrong, not a screenful per inode.
    if (log.size() > 3000) return log.substr(0, 2500) + "\n...\n" + log.substr(log.size() - 400);
    return log;
}

Result<void> VectorSink::write(usize offset, u8 const* data, usize length)
{
    if (m_out.size() < offset + length) m_out.resize(offset + length);
    std::copy(data, data + length, m_out.begin() + long(offset));
    return {};
}

Result<void> VectorSink::zero(usize offset, usize length)
{
    if (m_out.size() < offset + length) m_out.resize(offset + length);
    std::fill(m_out.begin() + long(offset), m_out.begin() + long(offset + length), '\0');
    return {};
}

Result<std::string> read_file(ext4::Volume& volume, ext4::InodeData const& inode)
{
    std::string out;
    VectorSink sink(out);
    usize n = TRY(volume.read(inode, 0, usize(inode.size), sink));
    out.resize(n);
    return out;
}

Result<ext4::InodeData> lookup_path(ext4::Volume& volume, std::string const& path)
{
    auto inode = TRY(volume.read_inode(ext4::kRootIno));
    size_t start = 0;
    while (start < path.size()) {
        size_t end = path.find('/', start);
        if (end == std::string::npos) end = path.size();
        std::string name = path.substr(start, end - start);
        start = end + 1;
        if (name.empty()) continue;
        if ((inode.mode & 0170000) != 0040000) return Errno(ENOTDIR);
        u32 ino = TRY(volume.lookup(inode, StringView(name.data(), name.size())));
        inode = TRY(volume.read_inode(ino));
    }
    return inode;
}

Result<std::map<std::string, Entry>> list_directory(ext4::Volume& volume, ext4::InodeData const& dir)
{
    std::map<std::string, Entry> entries;
    TRY(volume.read_directory(
        dir, 0,
        [](ext4::DirectoryRecord const& record, void* context) {
            auto& map = *static_cast<std::map<std::string, Entry>*>(context);
            map[std::string(record.name.data(), record.name.length())] = { record.ino, record.file_type };
            return true;
        },
        &entries));
    return entries;
}

void peek(std::string const& path, uint64_t offset, void* data, size_t length)
{
    int fd = ::open(path.c_str(), O_RDONLY);
    if (fd < 0) return;
    (void)!::pread(fd, data, length, off_t(offset));
    ::close(fd);
}

void patch(std::string const& path, uint64_t offset, void const* data, size_t length)
{
    int fd = ::open(path.c_str(), O_WRONLY);
    if (fd < 0) return;
    (void)!::pwrite(fd, data, length, off_t(offset));
    ::close(fd);
}

uint64_t inode_offset(std::string const& image, uint32_t ino)
{
    auto super = peek_value<ext4::Superblock>(image, ext4::kSuperblockOffset);
    uint64_t const block_size = 1024ull << super.s_log_block_size;
    uint64_t const desc_size = (super.s_feature_incompat & ext4::kIncompat64Bit) ? super.s_desc_size : 32;
    uint32_t const inode_size = super.s_rev_level ? super.s_inode_size : 128;
    uint32_t const group = (ino - 1) / super.s_inodes_per_group;
    uint32_t const index = (ino - 1) % super.s_inodes_per_group;
    uint64_t const gdt = (ext4::kSuperblockOffset / block_size + 1) * block_size;
    auto desc = peek_value<ext4::GroupDescriptor>(image, gdt + group * desc_size);
    uint64_t table = desc.bg_inode_table_lo;
    if (desc_size >= 64) table |= uint64_t(desc.bg_inode_table_hi) << 32;
    return table * block_size + uint64_t(index) * inode_size;
}

} // namespace ext4_test
