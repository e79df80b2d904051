// The places aramid-bench runs the benchmark binary: natively on the host,
// as the program of an aramid VM on /dev/kvm, and under QEMU TCG both in
// aramid (microvm, PVH entry) and in Debian's Linux kernel. Each run returns
// the binary's stdout (the BENCH lines) and what went wrong around it.
#pragma once

#include "json.h"
#include "process.h"

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace bench {

enum class Platform { Host, Aramid, AramidQemu, LinuxQemu };
inline constexpr Platform kAllPlatforms[] = { Platform::Host, Platform::Aramid, Platform::AramidQemu,
    Platform::LinuxQemu };

// "host", "aramid", "aramid-qemu", "linux-qemu": the table's column heads
// and the JSON keys.
char const* platform_name(Platform platform);
// QEMU TCG runs the binary with --quick.
inline bool is_quick(Platform platform) { return platform == Platform::AramidQemu || platform == Platform::LinuxQemu; }

struct Paths {
    std::filesystem::path build;  // the meson build directory
    std::filesystem::path work;   // scratch: initramfs images, logs
    std::filesystem::path bench_binary() const { return build / "bench/aramid_bench"; }
    std::filesystem::path linux_init() const { return build / "bench/linux-init"; }
    std::filesystem::path vmm() const { return build / "vmm/aramid-vmm"; }
    std::filesystem::path kernel() const { return build / "guest/kernel/aramid.elf"; }
    std::filesystem::path default_initramfs() const { return build / "guest/userland/initramfs.cpio"; }
};

struct RunRequest {
    std::vector<std::string> bench_args; // after the binary's path: --quick, --filter ...
    double timeout_seconds = 600;        // for the whole run
    std::optional<int> host_cpu;         // pin the host run
    std::vector<std::string> vmm_args;   // extra aramid-vmm arguments
};

struct RunOutcome {
    std::string output;  // the binary's stdout, CRs removed
    int status = -1;     // the binary's exit status as the platform reports it
    std::string problem; // empty for a clean run; else one line (timeout, panic, ...)
    double seconds = 0;  // wall time of the whole run (boot included)
    Json details;        // platform specifics: aramid-vmm phases and vCPU stats
};

RunOutcome run_on(Platform platform, Paths const& paths, RunRequest const& request);

// The guest paths of the benchmark binary and its argv file.
inline constexpr char kGuestBinary[] = "/bench/aramid_bench";

// Debian's kernel image (/boot/vmlinuz-*, the newest); with `install`,
// installs linux-image-amd64 through apt-get first if it is missing.
std::optional<std::filesystem::path> linux_kernel(bool install, std::string* error);

// The initramfs images, written under paths.work; exposed for tests of the
// tool itself.
std::filesystem::path aramid_initramfs(Paths const& paths, std::vector<std::string> const& argv);
std::filesystem::path linux_initramfs(Paths const& paths, std::vector<std::string> const& argv);

} // namespace bench
