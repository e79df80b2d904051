#include "platform.h"

#include "cpio.h"

#include <algorithm>
#include <cstdio>
#include <iostream>
#include <regex>
#include <set>
#include <sstream>
#include <unistd.h>

namespace fs = std::filesystem;

namespace bench {

namespace {

constexpr int kExitPanic = 123;
constexpr int kExitTimeout = 124;
constexpr char kLinuxExitMarker[] = "ARAMID-BENCH-EXIT ";

std::string without_carriage_returns(std::string text) {
    text.erase(std::remove(text.begin(), text.end(), '\r'), text.end());
    return text;
}

// The last non-empty line: the reason a failing tool gives.
std::string last_line(std::string const& text) {
    size_t const end = text.find_last_not_of("\n ");
    if (end == std::string::npos) return {};
    size_t const newline = text.rfind('\n', end);
    size_t const begin = newline == std::string::npos ? 0 : newline + 1;
    return text.substr(begin, end + 1 - begin);
}

std::string timed_out(RunRequest const& request) {
    return "timed out after " + std::to_string(int(request.timeout_seconds)) + " s";
}

std::string nul_joined(std::vector<std::string> const& argv) {
    std::string out;
    for (auto const& a : argv) out += a + '\0';
    return out;
}

std::vector<std::string> guest_argv(RunRequest const& request) {
    std::vector<std::string> argv { kGuestBinary };
    argv.insert(argv.end(), request.bench_args.begin(), request.bench_args.end());
    return argv;
}

std::string unique_name(std::string const& stem, std::vector<std::string> const& argv) {
    return stem + "-" + std::to_string(std::hash<std::string>()(nul_joined(argv))) + ".cpio";
}

RunOutcome run_host(Paths const& paths, RunRequest const& request) {
    // tmpfs on both sides: the guest's /tmp is tmpfs, the host's /tmp may
    // not be, /dev/shm is.
    fs::path const base = fs::exists("/dev/shm") ? fs::path("/dev/shm") : fs::temp_directory_path();
    fs::path const directory = base / ("aramid-bench-host-" + std::to_string(getpid()));
    std::vector<std::string> argv { fs::absolute(paths.bench_binary()).string(), "--dir", directory.string() };
    argv.insert(argv.end(), request.bench_args.begin(), request.bench_args.end());
    ProcessOptions options;
    options.cwd = paths.work;
    options.timeout_seconds = request.timeout_seconds;
    options.cpu = request.host_cpu;
    auto p = run_process(argv, options);
    std::error_code ec;
    fs::remove_all(directory, ec);
    RunOutcome out;
    out.output = p.out;
    out.status = p.status;
    out.seconds = p.seconds;
    if (!p.error.empty()) out.problem = p.error;
    else if (p.timed_out) out.problem = timed_out(request);
    else if (p.status > 1) out.problem = "exit status " + std::to_string(p.status) + ": " + last_line(p.err);
    return out;
}

RunOutcome run_aramid(Paths const& paths, RunRequest const& request) {
    fs::path const initrd = aramid_initramfs(paths, guest_argv(request));
    fs::path const result_file = paths.work / "aramid-result.json";
    fs::remove(result_file);
    std::vector<std::string> argv { paths.vmm().string(), "--initrd", initrd.string(), "--cmdline",
        "aramid.stdout=pipe", "--timeout", std::to_string(int(request.timeout_seconds)), "--result",
        result_file.string(), "--stats" };
    argv.insert(argv.end(), request.vmm_args.begin(), request.vmm_args.end());
    ProcessOptions options;
    options.cwd = paths.work;
    options.timeout_seconds = request.timeout_seconds + 30;
    auto p = run_process(argv, options);

    RunOutcome out;
    out.output = without_carriage_returns(p.out);
    out.status = p.status;
    out.seconds = p.seconds;
    Json::Object details;
    std::string error;
    if (auto result = Json::parse(read_file(result_file), &error)) {
        details["phases_us"] = (*result)["phases"];
        details["reason"] = (*result)["reason"];
        if ((*result)["reason"].string() != "exit")
            out.problem = "aramid-vmm: " + (*result)["reason"].string() + " " + (*result)["detail"].string();
    }
    std::smatch stats;
    static std::regex const stats_line("aramid-vmm: vcpu stats: ([^\n]*)");
    if (std::regex_search(p.err, stats, stats_line)) details["vcpu_stats"] = stats[1].str();
    out.details = Json(std::move(details));
    if (!p.error.empty()) out.problem = p.error;
    else if (p.timed_out) out.problem = "aramid-vmm did not stop at its own --timeout";
    else if (p.status == kExitTimeout) out.problem = timed_out(request);
    else if (p.status == kExitPanic) out.problem = "kernel panic or triple fault: " + last_line(p.err);
    else if (p.status > 1 && out.problem.empty())
        out.problem = "exit status " + std::to_string(p.status) + ": " + last_line(p.err);
    return out;
}

RunOutcome run_aramid_qemu(Paths const& paths, RunRequest const& request) {
    fs::path const initrd = aramid_initramfs(paths, guest_argv(request));
    fs::path const log = paths.work / "aramid-qemu.log";
    fs::remove(log);
    std::vector<std::string> argv { "/usr/bin/qemu-system-x86_64", "-M", "microvm,accel=tcg,acpi=off", "-cpu", "max",
        "-m", "256", "-display", "none", "-no-reboot", "-nodefaults", "-serial", "stdio", "-kernel",
        paths.kernel().string(), "-initrd", initrd.string(), "-append", "aramid.stdout=pipe", "-device",
        "isa-debug-exit,iobase=0xf4,iosize=4", "-debugcon", "file:" + log.string() };
    ProcessOptions options;
    options.cwd = paths.work;
    options.timeout_seconds = request.timeout_seconds;
    auto p = run_process(argv, options);
    std::string const klog = read_file(log);

    RunOutcome out;
    out.output = without_carriage_returns(p.out);
    out.seconds = p.seconds;
    // isa-debug-exit makes QEMU exit with (word << 1) | 1; the kernel logs
    // the exact status just before.
    auto const marker = klog.rfind("vm exit: status ");
    if (klog.find("KERNEL PANIC") != std::string::npos) {
        out.status = kExitPanic;
        size_t const at = klog.find("KERNEL PANIC");
        out.problem = "kernel panic: " + klog.substr(at, klog.find('\n', at) - at);
    } else if (marker != std::string::npos) {
        out.status = std::atoi(klog.c_str() + marker + 16);
    } else if (p.timed_out) {
        out.problem = timed_out(request);
    } else {
        out.status = (p.status & 1) ? p.status >> 1 : kExitPanic;
        out.problem = "QEMU exited with " + std::to_string(p.status) + " and no exit marker: " + last_line(p.err);
    }
    if (!p.error.empty()) out.problem = p.error;
    if (out.problem.empty() && out.status > 1) out.problem = "exit status " + std::to_string(out.status);
    return out;
}

RunOutcome run_linux_qemu(Paths const& paths, RunRequest const& request) {
    RunOutcome out;
    std::string error;
    auto kernel = linux_kernel(true, &error);
    if (!kernel) {
        out.problem = error;
        return out;
    }
    fs::path const initrd = linux_initramfs(paths, guest_argv(request));
    std::vector<std::string> argv { "/usr/bin/qemu-system-x86_64", "-accel", "tcg", "-cpu", "max", "-m", "512",
        "-display", "none", "-no-reboot", "-nodefaults", "-serial", "stdio", "-kernel", kernel->string(), "-initrd",
        initrd.string(), "-append", "console=ttyS0 quiet loglevel=1 panic=-1" };
    ProcessOptions options;
    options.cwd = paths.work;
    options.timeout_seconds = request.timeout_seconds;
    auto p = run_process(argv, options);
    out.output = without_carriage_returns(p.out);
    out.seconds = p.seconds;
    auto const marker = out.output.rfind(kLinuxExitMarker);
    if (marker != std::string::npos) out.status = std::atoi(out.output.c_str() + marker + sizeof(kLinuxExitMarker) - 1);
    else if (p.timed_out) out.problem = timed_out(request);
    else out.problem = "QEMU exited with " + std::to_string(p.status) + " and no exit marker: " + last_line(p.err);
    if (!p.error.empty()) out.problem = p.error;
    if (out.problem.empty() && out.status > 1) out.problem = "exit status " + std::to_string(out.status);
    return out;
}

bool linux_image_installed() {
    ProcessOptions options;
    options.timeout_seconds = 30;
    auto p = run_process({ "/usr/bin/dpkg-query", "-W", "-f=${Status}", "linux-image-amd64" }, options);
    return p.status == 0 && p.out.find("install ok installed") != std::string::npos;
}

std::optional<fs::path> newest_boot_kernel() {
    std::vector<fs::path> kernels;
    std::error_code ec;
    for (auto const& entry : fs::directory_iterator("/boot", ec))
        if (entry.path().filename().string().rfind("vmlinuz-", 0) == 0) kernels.push_back(entry.path());
    if (kernels.empty()) return std::nullopt;
    // Version order is close enough to name order for one Debian release;
    // "sort -V" would be exact, but one image is the normal case.
    std::sort(kernels.begin(), kernels.end());
    return kernels.back();
}

} // namespace

char const* platform_name(Platform platform) {
    switch (platform) {
    case Platform::Host: return "host";
    case Platform::Aramid: return "aramid";
    case Platform::AramidQemu: return "aramid-qemu";
    case Platform::LinuxQemu: return "linux-qemu";
    }
    return "?";
}

RunOutcome run_on(Platform platform, Paths const& paths, RunRequest const& request) {
    switch (platform) {
    case Platform::Host: return run_host(paths, request);
    case Platform::Aramid: return run_aramid(paths, request);
    case Platform::AramidQemu: return run_aramid_qemu(paths, request);
    case Platform::LinuxQemu: return run_linux_qemu(paths, request);
    }
    return {};
}

std::optional<fs::path> linux_kernel(bool install, std::string* error) {
    if (!linux_image_installed()) {
        if (!install) {
            if (error) *error = "linux-image-amd64 is not installed";
            return std::nullopt;
        }
        std::cerr << "aramid-bench: installing linux-image-amd64 (for --linux-qemu)\n";
        std::string const sudo = getuid() == 0 ? "" : "sudo ";
        std::string const command = "export DEBIAN_FRONTEND=noninteractive; " + sudo
            + "apt-get install -y --no-install-recommends linux-image-amd64 >&2 || { " + sudo + "apt-get update >&2 && "
            + sudo + "apt-get install -y --no-install-recommends linux-image-amd64 >&2; }";
        ProcessOptions options;
        options.timeout_seconds = 1800;
        auto p = run_process({ "/bin/sh", "-c", command }, options);
        if (p.status != 0 || !linux_image_installed()) {
            if (error) *error = "cannot install linux-image-amd64: " + last_line(p.err);
            return std::nullopt;
        }
    }
    auto kernel = newest_boot_kernel();
    if (!kernel && error) *error = "linux-image-amd64 is installed but /boot has no vmlinuz-*";
    return kernel;
}

fs::path aramid_initramfs(Paths const& paths, std::vector<std::string> const& argv) {
    fs::path const path = paths.work / unique_name("aramid", argv);
    if (fs::exists(path)) return path;
    CpioWriter extra;
    extra.directory("bench");
    extra.file(kGuestBinary, read_file(paths.bench_binary()), 0755);
    extra.file(".aramid/argv", nul_joined(argv));
    // The default userland (busybox, aramid-init as /init) first: a later
    // archive adds to what the earlier ones made.
    write_file(path, read_file(paths.default_initramfs()) + extra.finish());
    return path;
}

fs::path linux_initramfs(Paths const& paths, std::vector<std::string> const& argv) {
    fs::path const path = paths.work / unique_name("linux", argv);
    if (fs::exists(path)) return path;
    CpioWriter cpio;
    for (char const* directory : { "bin", "sbin", "usr", "usr/bin", "usr/sbin", "etc", "dev", "proc", "sys", "root",
             "bench", "var" })
        cpio.directory(directory);
    cpio.directory("tmp", 01777);
    cpio.file("init", read_file(paths.linux_init()), 0755);
    cpio.file("bin/busybox", read_file("/bin/busybox"), 0755);
    ProcessOptions options;
    options.timeout_seconds = 30;
    auto applets = run_process({ "/bin/busybox", "--list" }, options);
    std::istringstream names(applets.out);
    std::set<std::string> unique;
    for (std::string name; names >> name;)
        if (name != "busybox") unique.insert(name);
    for (auto const& name : unique) cpio.symlink("bin/" + name, "/bin/busybox");
    cpio.file("etc/passwd", "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n");
    cpio.file("etc/group", "root:x:0:\nnogroup:x:65534:\n");
    cpio.file(kGuestBinary, read_file(paths.bench_binary()), 0755);
    if (!argv.empty()) cpio.file("bench/argv", nul_joined(argv));
    write_file(path, cpio.finish());
    return path;
}

} // namespace bench
