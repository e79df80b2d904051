#include <vmm/kvm/guest_memory.h>
#include <vmm/util/error.h>

#include <sys/mman.h>

namespace vmm {

GuestMemory::GuestMemory(uint64_t size) : m_size(size) {
    void* p = mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED) throw_errno("cannot allocate " + std::to_string(size >> 20) + " MiB of guest memory");
    m_base = static_cast<uint8_t*>(p);
    // A child (close_after_exit.h) must not share guest RAM copy-on-write:
    // that would write-protect every page the guest has touched.
    madvise(p, size, MADV_DONTFORK);
}

GuestMemory::~GuestMemory() {
    if (m_base) munmap(m_base, m_size);
}

} // namespace vmm
