// Host-side errors of aramid-vmm: one exception type carrying a one-line,
// user-facing message. main() turns it into "aramid-vmm: <message>" and exit
// status 125 (abi::kExitVmmError).
#pragma once

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <string>

namespace vmm {

class VmmError : public std::runtime_error {
public:
    explicit VmmError(std::string const& message, int error = 0)
        : std::runtime_error(message), m_errno(error) { }
    // errno of the failing system call, or 0.
    int error_number() const { return m_errno; }

private:
    int m_errno;
};

// Throws VmmError("<what>: <strerror(errno)>") keeping errno.
[[noreturn]] inline void throw_errno(std::string const& what) {
    int e = errno;
    throw VmmError(what + ": " + std::strerror(e), e);
}

} // namespace vmm
