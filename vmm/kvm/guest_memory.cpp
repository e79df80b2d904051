#include <vmm/kvm/guest_memory.h>
#include <vmm/util/error.h>
#include <vmm/util/fd.h>

#include <cstdio>
#include <fstream>
#include <string>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

namespace vmm {

GuestMemory::GuestMemory(uint64_t size) : m_size(size) {
    void* p = mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED) throw_errno("cannot allocate " + std::to_string(size >> 20) + " MiB of guest memory");
    m_base = static_cast<uint8_t*>(p);
    // A child (close_after_exit.h) must not share guest RAM copy-on-write:
    // that would write-protect every page the guest has touched.
    madvise(p, size, MADV_DONTFORK);
}

bool GuestMemory::map_from_executable(uint64_t gpa, std::span<uint8_t const> bytes) {
    uint64_t const page = 4096;
    uintptr_t const start = uintptr_t(bytes.data());
    uint64_t const length = (bytes.size() + page - 1) & ~(page - 1);
    if (bytes.empty() || ((start | gpa) & (page - 1)) || !contains(gpa, length)) return false;
    Fd executable(::open("/proc/self/exe", O_RDONLY | O_CLOEXEC));
    struct stat st;
    if (!executable.valid() || fstat(executable.get(), &st) != 0) return false;
    // Which mapping of the executable holds the bytes, and at what offset.
    std::ifstream maps("/proc/self/maps");
    std::string line;
    std::optional<uint64_t> offset;
    while (!offset && std::getline(maps, line)) {
        unsigned long low, high, file_offset, inode;
        unsigned major, minor;
        if (std::sscanf(line.c_str(), "%lx-%lx %*s %lx %x:%x %lu", &low, &high, &file_offset, &major, &minor, &inode) != 6)
            continue;
        if (start >= low && start + length <= high && inode == st.st_ino && makedev(major, minor) == st.st_dev)
            offset = file_offset + (start - low);
    }
    if (!offset) return false;
    void* at = mmap(m_base + gpa, length, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_FIXED, executable.get(), off_t(*offset));
    if (at == MAP_FAILED) {
        // MAP_FIXED may have dropped the old pages: put fresh zero pages back.
        at = mmap(m_base + gpa, length, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_NORESERVE, -1, 0);
        if (at != MAP_FAILED) madvise(at, length, MADV_DONTFORK);
        return false;
    }
    madvise(at, length, MADV_DONTFORK); // as the rest of guest RAM
    return true;
}

GuestMemory::~GuestMemory() {
    if (m_base) munmap(m_base, m_size);
}

} // namespace vmm
