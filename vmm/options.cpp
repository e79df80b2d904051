#include <vmm/options.h>
#include <vmm/util/error.h>

#include <proto/vm_abi.h>

#include <cerrno>
#include <cmath>
#include <cstdlib>

namespace vmm {

namespace {

// Plain decimal digits only: strtoull alone would also take blanks, a sign
// (wrapping "-5" to 2^64 - 5) and, past 2^64, saturate.
uint64_t parse_unsigned(std::string const& option, std::string const& text) {
    if (!text.empty() && text[0] == '-') throw VmmError(option + ": expected a positive number, got '" + text + "'");
    if (text.empty() || text.find_first_not_of("0123456789") != std::string::npos)
        throw VmmError(option + ": expected a number, got '" + text + "'");
    errno = 0;
    unsigned long long v = std::strtoull(text.c_str(), nullptr, 10);
    if (errno == ERANGE) throw VmmError(option + ": " + text + " is too large");
    return v;
}

double parse_seconds(std::string const& option, std::string const& text) {
    char* end = nullptr;
    errno = 0;
    double v = std::strtod(text.c_str(), &end);
    if (errno || *end || text.empty() || !(v > 0) || !std::isfinite(v) || v > 1e6)
        throw VmmError(option + ": expected seconds (> 0), got '" + text + "'");
    return v;
}

} // namespace

Options parse_options(std::vector<std::string> const& args) {
    Options o;
    for (size_t i = 0; i < args.size(); i++) {
        std::string const& a = args[i];
        auto value = [&]() -> std::string const& {
            if (i + 1 >= args.size()) throw VmmError(a + " needs a value");
            return args[++i];
        };
        if (a == "--") {
            o.program.assign(args.begin() + long(i) + 1, args.end());
            if (o.program.empty()) throw VmmError("-- must be followed by a program");
            break;
        }
        if (a == "--kernel") o.kernel = value();
        else if (a == "--initrd") o.initrd = value();
        else if (a == "--no-initrd") o.no_initrd = true;
        else if (a == "--cmdline") {
            if (!o.cmdline.empty()) o.cmdline += ' ';
            o.cmdline += value();
        } else if (a == "--mem") {
            o.memory_mib = parse_unsigned(a, value());
            if (o.memory_mib < kMinMemoryMib || o.memory_mib > kMaxMemoryMib)
                throw VmmError("--mem: " + std::to_string(o.memory_mib) + " MiB is out of range ("
                               + std::to_string(kMinMemoryMib) + "-" + std::to_string(kMaxMemoryMib) + ")");
        } else if (a == "--timeout") o.timeout_seconds = parse_seconds(a, value());
        else if (a == "--timings") o.timings = true;
        else if (a == "--verbose" || a == "-v") o.verbose = true;
        else if (a == "--stats") o.stats = true;
        else if (a == "--log") o.log_file = value();
        else if (a == "--result") o.result_file = value();
        else if (a == "--monitor") o.monitor_socket = value();
        else if (a == "--paused") o.start_paused = true;
        else if (a == "--kvm-device") o.kvm_device = value();
        else if (a == "--disk") {
            // One virtio-mmio slot: a second --disk would be silently lost.
            if (o.disk) throw VmmError("--disk: only one disk is supported");
            o.disk = value();
        } else if (a == "--disk-readonly") o.disk_read_only = true;
        else if (a == "--help" || a == "-h") o.help = true;
        else if (a == "--version") o.version = true;
        else throw VmmError("unknown option '" + a + "' (see --help)");
    }
    if (o.start_paused && !o.monitor_socket) throw VmmError("--paused needs --monitor (aramid-mon resume starts the guest)");
    if (o.disk_read_only && !o.disk) throw VmmError("--disk-readonly needs --disk");
    if (o.initrd && o.no_initrd) throw VmmError("--initrd and --no-initrd exclude each other");
    if (o.no_initrd && !o.program.empty())
        throw VmmError("-- PROGRAM needs an initramfs (aramid-init runs it); drop --no-initrd");
    return o;
}

std::string usage_text() {
    using namespace aramid::abi;
    return "usage: aramid-vmm [options] [-- PROGRAM ARGS...]\n"
           "\n"
           "Boots the aramid kernel on /dev/kvm. With -- PROGRAM, init runs PROGRAM with\n"
           "exactly that argv and aramid-vmm exits with its status.\n"
           "\n"
           "options:\n"
           "  --kernel ELF      kernel to boot (default: the one built with this VMM)\n"
           "  --initrd FILE     initramfs, cpio newc (default: the bundled one, with\n"
           "                    aramid-init and busybox)\n"
           "  --no-initrd       boot with no initramfs\n"
           "  --cmdline STR     extra kernel command-line words (repeatable)\n"
           "  --mem MIB         guest RAM in MiB (default 256, 16-3072)\n"
           "  --timeout SEC     stop the guest after SEC seconds\n"
           "  --timings         print the boot phases (microseconds) on stderr\n"
           "  --verbose, -v     show the kernel log on stderr (default: panics only)\n"
           "  --log FILE        write the whole kernel log to FILE\n"
           "  --result FILE     write {status, reason, phases} as JSON to FILE\n"
           "  --stats           print the KVM vCPU counters at exit\n"
           "  --kvm-device PATH the KVM device to use (default /dev/kvm)\n"
           "  --disk PATH       a raw disk image (a file or block device) as the guest's\n"
           "                    virtio block device, read-write; its size is rounded down\n"
           "                    to 512-byte sectors\n"
           "  --disk-readonly   with --disk: the guest can read the disk but not write it\n"
           "                    (an image is locked as QEMU locks it: one VM writes it,\n"
           "                    or several read it)\n"
           "  --monitor PATH    serve the monitor (aramid-mon --socket PATH) on a unix socket\n"
           "  --paused          with --monitor: hold the guest before its first instruction\n"
           "                    until `aramid-mon resume`\n"
           "  --help, --version\n"
           "\n"
           "console: the program's stdin and stdout are aramid-vmm's. On a terminal, the\n"
           "guest's tty gets every key (raw mode) and Ctrl-A is an escape: Ctrl-A x stops\n"
           "the guest (status 130), Ctrl-A Ctrl-A sends one Ctrl-A. A pipe or file on\n"
           "stdin is passed as is, and its end reaches the guest as a hangup.\n"
           "\n"
           "exit status:\n"
           "  s                 the program exited with status s\n"
           "  128+n             the program was killed by signal n, or aramid-vmm itself got\n"
           "                    SIGHUP, SIGINT or SIGTERM (n) and stopped the guest\n"
           "  "
        + std::to_string(kExitPanic) + "               kernel panic or triple fault (reason on stderr)\n  "
        + std::to_string(kExitTimeout) + "               --timeout expired\n  " + std::to_string(kExitVmmError)
        + "               VMM error: bad arguments, bad kernel ELF, no usable /dev/kvm,\n"
          "                    a --disk that cannot be opened\n"
          "  130               Ctrl-A x stopped the guest\n";
}

} // namespace vmm
