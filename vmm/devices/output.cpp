#include <vmm/devices/output.h>

#include <cerrno>
#include <unistd.h>

namespace vmm {

void OutputStream::write(char const* data, size_t length) {
    while (length > 0) {
        ssize_t n = ::write(m_fd, data, length);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return; // EPIPE, ENOSPC...: drop the output, keep the guest running
        data += n;
        length -= size_t(n);
    }
}

} // namespace vmm
