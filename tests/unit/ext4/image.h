// Helpers for the ext4 unit tests: scratch directories, images made by
// mke2fs from a tree the test writes, a BlockBackend over an image file,
// and small wrappers around ext4::Volume (whole-file reads, path lookup,
// directory listings).
#pragma once

#include <fs/ext4/volume.h>

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace ext4_test {

// A fresh directory under $TMPDIR, removed with everything in it.
class TempDir {
public:
    TempDir();
    ~TempDir();
    TempDir(TempDir const&) = delete;
    TempDir& operator=(TempDir const&) = delete;
    std::string const& path() const { return m_path; }
    std::string operator/(std::string const& name) const { return m_path + "/" + name; }

private:
    std::string m_path;
};

// Runs a shell command; returns its exit status (-1 if it could not run).
int run(std::string const& command);

void write_file(std::string const& path, std::string const& contents);
std::string read_host_file(std::string const& path);

// mke2fs -q -F `options` -d source image size; the exit status.
int make_image(
    std::string const& image, std::string const& source, std::string const& options, std::string const& size);

// pread and pwrite on an image file (opened read-write if `writable`, else
// writes are EROFS). Counts requests, and can be told to fail them.
class FileBackend final : public BlockBackend {
public:
    explicit FileBackend(std::string const& path, bool writable = false);
    ~FileBackend() override;
    bool is_open() const { return m_fd >= 0; }
    Result<void> read(u64 offset, u8* buffer, usize length) override;
    Result<void> write(u64 offset, u8 const* buffer, usize length) override;
    Result<void> flush() override;
    u64 size() const override { return m_size; }
    unsigned reads() const { return m_reads; }
    unsigned writes() const { return m_writes; }
    unsigned flushes() const { return m_flushes; }
    void fail_reads(bool fail) { m_fail = fail; }
    void fail_writes(bool fail) { m_fail_writes = fail; }
    // Writes reaching byte `offset` or past it fail (EIO); those wholly
    // before it go through. ~0: none fail.
    void fail_writes_from(u64 offset) { m_fail_writes_from = offset; }

private:
    int m_fd { -1 };
    bool m_writable { false };
    u64 m_size { 0 };
    unsigned m_reads { 0 };
    unsigned m_writes { 0 };
    unsigned m_flushes { 0 };
    bool m_fail { false };
    bool m_fail_writes { false };
    u64 m_fail_writes_from { ~u64(0) };
};

// An image opened as a Volume (or the error open gave).
struct Opened {
    std::unique_ptr<FileBackend> backend;
    OwnPtr<ext4::Volume> volume;
    ext4::OpenReport report;
    int error { 0 };
};
Opened open_image(std::string const& path);
// The same, read-write, through Volume::open_writable.
Opened open_image_writable(std::string const& path, ext4::Time now = {});

// A command's standard output.
std::string command_output(std::string const& command);
// debugfs -R `request` on an image: its output.
std::string debugfs_output(std::string const& image, std::string const& request);
// e2fsck -fn on an image: "" when it exits 0, else its output (cut down
// to its start and end) and exit status, for the test's failure message.
std::string fsck_output(std::string const& image);

class VectorSink final : public ext4::DataSink {
public:
    explicit VectorSink(std::string& out)
        : m_out(out)
    {
    }
    Result<void> write(usize offset, u8 const* data, usize length) override;
    Result<void> zero(usize offset, usize length) override;

private:
    std::string& m_out;
};

// The whole file.
Result<std::string> read_file(ext4::Volume& volume, ext4::InodeData const& inode);
// Follows a relative path from the root (no symlinks); ENOENT/ENOTDIR as a walk would.
Result<ext4::InodeData> lookup_path(ext4::Volume& volume, std::string const& path);

struct Entry {
    uint32_t ino;
    uint8_t type;
};
// Every live entry of a directory by name ("." and ".." included).
Result<std::map<std::string, Entry>> list_directory(ext4::Volume& volume, ext4::InodeData const& dir);

// Byte offset of inode `ino` in the image (from group descriptor 0..n),
// for tests that corrupt inodes.
uint64_t inode_offset(std::string const& image, uint32_t ino);

// Overwrites bytes of a file in place.
void patch(std::string const& path, uint64_t offset, void const* data, size_t length);
template<typename T> void patch_value(std::string const& path, uint64_t offset, T value)
{
    patch(path, offset, &value, sizeof(value));
}
void peek(std::string const& path, uint64_t offset, void* data, size_t length);
template<typename T> T peek_value(std::string const& path, uint64_t offset)
{
    T value {};
    peek(path, offset, &value, sizeof(value));
    return value;
}

} // namespace ext4_test
