// OutputStream: where the guest's bytes go on the host (stdout, stderr or a
// log file). Writes are complete and never fail the VM: a closed pipe or a
// full disk loses output, not the guest.
#pragma once

#include <cstddef>
#include <string>

namespace vmm {

class OutputStream {
public:
    explicit OutputStream(int fd) : m_fd(fd) { }
    virtual ~OutputStream() = default;
    virtual void write(char const* data, size_t length);
    void write(std::string const& s) { write(s.data(), s.size()); }
    int fd() const { return m_fd; }

private:
    int m_fd;
};

// Collects output in memory; for tests.
class CapturedOutput final : public OutputStream {
public:
    CapturedOutput() : OutputStream(-1) { }
    void write(char const* data, size_t length) override { text.append(data, length); }
    std::string text;
};

} // namespace vmm
