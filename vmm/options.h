// aramid-vmm's command line.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace vmm {

struct Options {
    std::optional<std::string> kernel; // default: the kernel embedded at build time
    std::optional<std::string> initrd; // default: the embedded initramfs
    bool no_initrd = false;            // boot with no initramfs at all
    std::string cmdline;               // extra words for the kernel command line
    uint64_t memory_mib = 256;
    std::optional<double> timeout_seconds;
    bool timings = false;
    bool verbose = false;
    bool stats = false;
    bool help = false;
    bool version = false;
    std::optional<std::string> log_file;
    std::optional<std::string> result_file;
    std::optional<std::string> monitor_socket; // --monitor: serve proto/monitor.capnp there
    bool start_paused = false;                  // --paused: hold the vCPU until aramid-mon resume
    std::string kvm_device = "/dev/kvm"; // another path shows how a missing or non-KVM device fails
    std::optional<std::string> disk;     // --disk: a raw image, the guest's virtio block device
    bool disk_read_only = false;         // --disk-readonly
    std::vector<std::string> program; // after `--`: the program init runs
};

// Parses argv[1..]. Throws VmmError with a one-line message on bad usage.
Options parse_options(std::vector<std::string> const& args);
std::string usage_text();

inline constexpr uint64_t kMinMemoryMib = 16;
inline constexpr uint64_t kMaxMemoryMib = 3072; // below the 32-bit MMIO hole (LAPIC, IOAPIC)

} // namespace vmm
