// aramid-vmm: boots the aramid kernel on /dev/kvm and exits with the status
// of the guest's program (see --help and proto/vm_abi.h).
#include <monitor/machine_target.h>
#include <monitor/server.h>
#include <vmm/boot/initramfs.h>
#include <vmm/machine.h>
#include <vmm/options.h>
#include <vmm/util/error.h>
#include <vmm/util/terminal.h>
#include <vmm/util/termination_signals.h>

#include <proto/vm_abi.h>

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <fcntl.h>
#include <fstream>
#include <sstream>
#include <sys/stat.h>
#include <unistd.h>

extern "C" uint8_t const aramid_default_kernel[];
extern "C" uint8_t const aramid_default_kernel_end[];
extern "C" uint8_t const aramid_default_initramfs[];
extern "C" uint8_t const aramid_default_initramfs_end[];

namespace {

using namespace vmm;
using namespace aramid::abi;

// The largest kernel file read: far above any aramid kernel, debug info
// included, and small enough to refuse `--kernel /dev/zero` quickly.
constexpr uint64_t kMaxKernelFileBytes = 256ull << 20;

// Reads the whole file the user named as `what`. Stops after `limit` bytes
// (`limit_text` says what that is), so a device or pipe that never ends is an
// error, not an exhausted host.
std::vector<uint8_t> read_file(std::string const& what, std::string const& path, uint64_t limit,
                               std::string const& limit_text) {
    Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd.valid()) throw_errno("cannot open " + what + " '" + path + "'");
    std::vector<uint8_t> bytes;
    struct stat st {};
    if (fstat(fd.get(), &st) == 0 && S_ISREG(st.st_mode))
        bytes.reserve(std::min<uint64_t>(uint64_t(st.st_size), limit));
    std::vector<uint8_t> chunk(64 << 10);
    for (;;) {
        ssize_t n = ::read(fd.get(), chunk.data(), chunk.size());
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) throw_errno("cannot read " + what + " '" + path + "'");
        if (n == 0) return bytes;
        if (uint64_t(n) > limit - bytes.size())
            throw VmmError(what + " '" + path + "' is larger than " + limit_text);
        bytes.insert(bytes.end(), chunk.begin(), chunk.begin() + n);
    }
}

// The --result file named before a command-line error, so that a script
// gets its JSON even when the options themselves are wrong.
std::optional<std::string> result_file_in(std::vector<std::string> const& args) {
    std::optional<std::string> file;
    for (size_t i = 0; i + 1 < args.size() && args[i] != "--"; i++)
        if (args[i] == "--result") file = args[++i];
    return file;
}

std::string json_escape(std::string const& s) {
    std::string out;
    for (char c : s) {
        if (c == '"' || c == '\\') out += '\\', out += c;
        else if (c == '\n') out += "\\n";
        else if (uint8_t(c) < 0x20) {
            char buf[8];
            std::snprintf(buf, sizeof(buf), "\\u%04x", c);
            out += buf;
        } else out += c;
    }
    return out;
}

void report_phases(PhaseClock const& phases, bool timings, std::optional<std::string> const& result_file,
                   Outcome const& outcome) {
    std::ostringstream json;
    json << "{\"status\": " << outcome.status << ", \"reason\": \"" << outcome.reason << "\"";
    if (!outcome.detail.empty()) json << ", \"detail\": \"" << json_escape(outcome.detail) << "\"";
    json << ", \"phases\": {";
    bool first = true;
    for (uint32_t p = 0; p < uint32_t(Phase::Count); p++) {
        auto us = phases.microseconds(Phase(p));
        if (!us) continue;
        if (timings) std::fprintf(stderr, "aramid-vmm: phase %-18s %10.1f us\n", phase_name(Phase(p)), *us);
        json << (first ? "" : ", ") << "\"" << phase_name(Phase(p)) << "\": " << *us;
        first = false;
    }
    json << "}}\n";
    if (result_file) {
        std::ofstream out(*result_file);
        out << json.str();
        if (!out) std::fprintf(stderr, "aramid-vmm: cannot write %s\n", result_file->c_str());
    }
}

char const* signal_name(int signal) {
    switch (signal) {
    case SIGHUP: return "SIGHUP";
    case SIGINT: return "SIGINT";
    case SIGTERM: return "SIGTERM";
    }
    return "a signal";
}

// Opens /dev/null on whichever of fds 0, 1 and 2 is closed. Otherwise the
// next file opened (the KVM device) would become the program's stdin or
// stdout. A closed stdin then reads as empty: the guest sees a hangup.
void open_missing_stdio() {
    for (int fd = 0; fd <= 2; fd++) {
        if (fcntl(fd, F_GETFD) >= 0 || errno != EBADF) continue;
        int const opened = ::open("/dev/null", fd == 0 ? O_RDONLY : O_WRONLY); // lowest free fd: `fd`
        if (opened >= 0 && opened != fd) ::close(opened);
    }
}

int run(Options const& options, PhaseClock& phases) {
    std::vector<uint8_t> argv_archive;
    if (!options.program.empty()) argv_archive = make_argv_archive(options.program);

    std::vector<uint8_t> kernel_file;
    std::span<uint8_t const> kernel(aramid_default_kernel, aramid_default_kernel_end);
    if (options.kernel) {
        kernel_file = read_file("kernel", *options.kernel, kMaxKernelFileBytes,
                                std::to_string(kMaxKernelFileBytes >> 20) + " MiB");
        kernel = kernel_file;
    }
    std::vector<uint8_t> initrd_file;
    std::span<uint8_t const> initrd(aramid_default_initramfs, aramid_default_initramfs_end);
    if (options.no_initrd) initrd = {};
    if (options.initrd) {
        initrd_file = read_file("initrd", *options.initrd, options.memory_mib << 20,
                                "guest RAM (" + std::to_string(options.memory_mib) + " MiB); raise --mem");
        initrd = initrd_file;
    }

    std::unique_ptr<OutputStream> log_output = std::make_unique<OutputStream>(STDERR_FILENO);
    Fd log_fd;
    if (options.log_file) {
        log_fd = Fd(::open(options.log_file->c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
        if (!log_fd.valid()) throw_errno("cannot open log file '" + *options.log_file + "'");
        log_output = std::make_unique<OutputStream>(log_fd.get());
    }
    OutputStream program_output(STDOUT_FILENO);

    MachineConfig config;
    config.kernel_elf = kernel;
    config.initrd = initrd;
    config.initrd_appended = argv_archive;
    config.memory_bytes = options.memory_mib << 20;
    config.kvm_device = options.kvm_device;
    // The guest gives the program a tty only where the host has one, so
    // that piped output matches the host's byte for byte.
    bool const stdin_is_terminal = isatty(STDIN_FILENO);
    config.cmdline = "aramid.fastcon=1";
    if (!stdin_is_terminal) config.cmdline += " aramid.stdin=pipe";
    if (!isatty(STDOUT_FILENO)) config.cmdline += " aramid.stdout=pipe";
    config.console_input_fd = STDIN_FILENO;
    config.console_escapes = stdin_is_terminal;
    if (!options.verbose && !options.log_file) config.cmdline += " quiet";
    if (options.disk) {
        config.disk = DiskConfig { *options.disk, options.disk_read_only };
        // Announced as Linux and Firecracker do, before the user's words
        // (Linux hands whatever follows a `--` to init).
        config.cmdline += " " + virtio_mmio_cmdline(kVirtioMmioBase, kVirtioMmioSize, kVirtioBlkGsi);
    }
    if (!options.cmdline.empty()) config.cmdline += " " + options.cmdline;

    Machine machine(config, program_output, *log_output, phases);
    // Before any other thread starts, so that they all inherit the blocked
    // signals (termination_signals.h). The destructors run in the reverse
    // order on every path out, exceptions included: the signals unblocked
    // after the last thread has ended, then the terminal restored.
    RawTerminal terminal(STDIN_FILENO);
    TerminationSignals signals([&](int signal) {
        terminal.restore();
        machine.stop({ 128 + signal, "signal", std::string("received ") + signal_name(signal) + "; stopped the guest" });
    });
    // The monitor serves from its own thread, and goes before the machine.
    std::optional<aramid::monitor::MachineTarget> monitor_target;
    std::unique_ptr<aramid::monitor::Server> monitor;
    if (options.monitor_socket) {
        monitor_target.emplace(machine);
        aramid::monitor::ServerOptions const server { *options.monitor_socket, options.start_paused, ARAMID_VERSION };
        monitor = std::make_unique<aramid::monitor::Server>(server, *monitor_target);
    }
    std::optional<std::chrono::duration<double>> timeout;
    if (options.timeout_seconds) timeout = std::chrono::duration<double>(*options.timeout_seconds);
    if (stdin_is_terminal) terminal.enter();
    Outcome outcome = machine.run(timeout);
    terminal.restore(); // before the messages below
    phases.mark(Phase::VmmExit);
    if (monitor) monitor->vm_stopped(outcome.status, outcome.reason); // watchers get the last events
    if (!outcome.detail.empty()) std::fprintf(stderr, "aramid-vmm: %s\n", outcome.detail.c_str());
    if (options.stats) std::fprintf(stderr, "aramid-vmm: vcpu stats: %s\n", machine.vcpu_stats().c_str());
    report_phases(phases, options.timings, options.result_file, outcome);
    machine.close_vm_after_exit();
    return outcome.status;
}

} // namespace

int main(int argc, char** argv) {
    PhaseClock phases(PhaseClock::Clock::now());
    std::signal(SIGPIPE, SIG_IGN);
    open_missing_stdio();
    std::vector<std::string> const args(argv + 1, argv + argc);
    Options options;
    try {
        options = parse_options(args);
    } catch (VmmError const& e) {
        std::fprintf(stderr, "aramid-vmm: %s\n", e.what());
        report_phases(phases, false, result_file_in(args), { kExitVmmError, "vmm-error", e.what() });
        return kExitVmmError;
    }
    if (options.help) {
        std::fputs(usage_text().c_str(), stdout);
        return 0;
    }
    if (options.version) {
        std::puts("aramid-vmm " ARAMID_VERSION);
        return 0;
    }
    try {
        return run(options, phases);
    } catch (VmmError const& e) {
        std::fprintf(stderr, "aramid-vmm: %s\n", e.what());
        Outcome outcome { kExitVmmError, "vmm-error", e.what() };
        report_phases(phases, false, options.result_file, outcome);
        return kExitVmmError;
    } catch (std::exception const& e) {
        // Not a VmmError: a bug or an exhausted host (std::bad_alloc). Still
        // a one-line reason and the VMM-error status, never an abort.
        std::string const message = std::string("unexpected error: ") + e.what();
        std::fprintf(stderr, "aramid-vmm: %s\n", message.c_str());
        report_phases(phases, false, options.result_file, { kExitVmmError, "vmm-error", message });
        return kExitVmmError;
    }
}
