// aramid-test: the contract-suite runner. Each tests/contract/<area>/<name>.c
// is compiled once (musl-gcc -static), run natively on the host and as the
// program of a fresh aramid VM (aramid-vmm on /dev/kvm, or QEMU TCG through
// the PVH entry), and the two outputs are compared line by line.
#include "compare.h"

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fcntl.h>
#include <fnmatch.h>
#include <fstream>
#include <iostream>
#include <mutex>
#include <optional>
#include <poll.h>
#include <sstream>
#include <string>
#include <sys/stat.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>
#include <vector>

namespace fs = std::filesystem;
using namespace contract;
using Clock = std::chrono::steady_clock;

namespace {

struct Options {
    std::string filter = "*";
    unsigned jobs = std::max(1u, std::thread::hardware_concurrency());
    std::string platform; // kvm, qemu, or "" (auto)
    std::string json;
    bool keep_going = true;
    double timeout = 30;
    bool list = false;
    fs::path source = ARAMID_SOURCE_DIR "/tests/contract";
    fs::path build = ARAMID_BUILD_DIR;
};

void usage() {
    std::cout << "usage: aramid-test [--filter GLOB] [--jobs N] [--platform kvm|qemu] [--json FILE]\n"
                 "                   [--keep-going] [--timeout SEC] [--list] [--source DIR]\n"
                 "Runs tests/contract/<area>/<name>.c on the host and in a fresh aramid VM each, and\n"
                 "compares the outputs. Without --platform: kvm where /dev/kvm exists, else qemu.\n"
                 "Exit status 1 if any test FAILs, DIVERGEs, TIMEOUTs or XPASSes.\n";
}

// ---- processes ---------------------------------------------------------------

struct Process {
    RunResult result;
    double seconds = 0;
};

// Runs argv with stdin from /dev/null and stdout+stderr into one pipe;
// kills it after `timeout` seconds.
Process run_process(std::vector<std::string> const& argv, fs::path const& cwd, double timeout) {
    Process p;
    auto const start = Clock::now();
    int pipe_fds[2];
    if (pipe2(pipe_fds, O_CLOEXEC) < 0) {
        p.result.status = -1;
        p.result.output = std::string("pipe: ") + std::strerror(errno);
        return p;
    }
    pid_t pid = fork();
    if (pid == 0) {
        setpgid(0, 0);
        int null = open("/dev/null", O_RDONLY);
        dup2(null, 0);
        dup2(pipe_fds[1], 1);
        dup2(pipe_fds[1], 2);
        if (!cwd.empty() && chdir(cwd.c_str()) < 0) _exit(126);
        std::vector<char*> args;
        for (auto const& a : argv) args.push_back(const_cast<char*>(a.c_str()));
        args.push_back(nullptr);
        execv(args[0], args.data());
        _exit(127);
    }
    close(pipe_fds[1]);
    auto const deadline = start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(timeout));
    char buffer[65536];
    for (;;) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
        if (left <= 0) {
            p.result.timed_out = true;
            kill(-pid, SIGKILL);
            kill(pid, SIGKILL);
            break;
        }
        pollfd pfd { pipe_fds[0], POLLIN, 0 };
        int ready = poll(&pfd, 1, int(std::min<long long>(left, 1000)));
        if (ready < 0 && errno == EINTR) continue;
        if (ready <= 0) continue;
        ssize_t n = read(pipe_fds[0], buffer, sizeof(buffer));
        if (n <= 0) break;
        p.result.output.append(buffer, size_t(n));
    }
    close(pipe_fds[0]);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) { }
    if (p.result.timed_out) p.result.status = -1;
    else if (WIFEXITED(status)) p.result.status = WEXITSTATUS(status);
    else if (WIFSIGNALED(status)) p.result.status = 128 + WTERMSIG(status);
    p.seconds = std::chrono::duration<double>(Clock::now() - start).count();
    return p;
}

// ---- the guest's initramfs -----------------------------------------------------

class Cpio {
public:
    void add(std::string const& name, uint32_t mode, std::string const& data = {}) {
        char header[111];
        std::snprintf(header, sizeof(header), "070701%08x%08x%08x%08x%08x%08x%08zx%08x%08x%08x%08x%08zx%08x", m_ino++,
                      mode, 0u, 0u, 1u, 0u, data.size(), 0u, 0u, 0u, 0u, name.size() + 1, 0u);
        m_out.append(header, 110);
        m_out.append(name);
        m_out.push_back('\0');
        pad();
        m_out.append(data);
        pad();
    }
    std::string finish() {
        add("TRAILER!!!", 0);
        return m_out;
    }

private:
    void pad() {
        while (m_out.size() % 4) m_out.push_back('\0');
    }
    std::string m_out;
    uint32_t m_ino = 1;
};

std::string read_file(fs::path const& path) {
    std::ifstream in(path, std::ios::binary);
    return { std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>() };
}

// A small root: aramid-init as /init, the test, and /.aramid/argv. No
// busybox: a contract test needs nothing else, and a small initramfs boots
// faster.
std::string guest_initramfs(Options const& o, std::string const& binary, std::string const& guest_path) {
    Cpio cpio;
    for (char const* dir : { "bin", "dev", "proc", "tmp", "root", "etc", "contract", ".aramid" })
        cpio.add(dir, std::strcmp(dir, "tmp") == 0 ? 041777 : 040755);
    cpio.add("init", 0100755, read_file(o.build / "guest/userland/aramid-init"));
    cpio.add(guest_path.substr(1), 0100755, binary);
    cpio.add(".aramid/argv", 0100644, guest_path + std::string(1, '\0'));
    return cpio.finish();
}

// ---- tests ------------------------------------------------------------------------

struct Test {
    std::string name; // area.name
    fs::path source;
    fs::path binary;
};

struct Outcome {
    Verdict verdict = Verdict::Skip;
    std::string detail;
    double host_seconds = 0, guest_seconds = 0;
    double boot_ms = -1, run_ms = -1, teardown_ms = -1;
};

std::vector<Test> discover(Options const& o) {
    std::vector<Test> tests;
    for (auto const& area : fs::directory_iterator(o.source)) {
        if (!area.is_directory() || area.path().filename() == "runner") continue;
        for (auto const& file : fs::directory_iterator(area.path())) {
            if (file.path().extension() != ".c") continue;
            Test t;
            t.name = area.path().filename().string() + "." + file.path().stem().string();
            t.source = file.path();
            t.binary = o.build / "tests/contract-bin" / std::to_string(std::hash<std::string>()(o.source.string()))
                / area.path().filename() / file.path().stem();
            if (fnmatch(o.filter.c_str(), t.name.c_str(), 0) == 0) tests.push_back(t);
        }
    }
    std::sort(tests.begin(), tests.end(), [](Test const& a, Test const& b) { return a.name < b.name; });
    return tests;
}

// Compiles when the binary is older than its source or contract.h.
std::optional<std::string> compile(Options const& o, Test const& t) {
    std::error_code ec;
    auto newest = std::max(fs::last_write_time(t.source), fs::last_write_time(o.source / "contract.h", ec));
    if (fs::exists(t.binary) && fs::last_write_time(t.binary) >= newest) return std::nullopt;
    fs::create_directories(t.binary.parent_path());
    auto p = run_process({ "/usr/bin/musl-gcc", "-static", "-O2", "-Wall", "-Wextra", "-I" + o.source.string(),
                           "-o", t.binary.string(), t.source.string() },
                         {}, 120);
    if (p.result.status != 0) return "does not compile:\n" + p.result.output;
    return std::nullopt;
}

double json_number(std::string const& json, std::string const& key) {
    auto at = json.find("\"" + key + "\":");
    if (at == std::string::npos) return -1;
    return std::atof(json.c_str() + at + key.size() + 3);
}

Outcome run_test(Options const& o, Test const& t, bool expected_to_fail) {
    Outcome out;
    if (auto error = compile(o, t)) {
        out.verdict = Verdict::Fail;
        out.detail = *error;
        return out;
    }
    fs::path work = fs::temp_directory_path() / ("aramid-test-" + std::to_string(getpid()) + "-" + t.name);
    fs::create_directories(work);
    auto host = run_process({ t.binary.string() }, work, o.timeout);
    out.host_seconds = host.seconds;

    std::string const guest_path = "/contract/" + t.name;
    fs::path const cpio = work / "initramfs.cpio";
    { std::ofstream(cpio, std::ios::binary) << guest_initramfs(o, read_file(t.binary), guest_path); }
    Process guest;
    std::string timeout = std::to_string(int(o.timeout));
    if (o.platform == "kvm") {
        fs::path const result = work / "result.json";
        guest = run_process({ (o.build / "vmm/aramid-vmm").string(), "--initrd", cpio.string(), "--timeout", timeout,
                              "--result", result.string(), "--cmdline", "aramid.stdout=pipe aramid.stdin=pipe" },
                            work, o.timeout + 10);
        std::string json = read_file(result);
        double const exec = json_number(json, "init-exec"), exit = json_number(json, "program-exit");
        if (exec >= 0) out.boot_ms = exec / 1000;
        if (exec >= 0 && exit >= 0) out.run_ms = (exit - exec) / 1000;
        if (exit >= 0) out.teardown_ms = guest.seconds * 1000 - exit / 1000;
        // The VMM's own messages (panics) go to stderr, merged here: keep
        // them out of the comparison only if the run was clean.
        if (json.find("\"reason\": \"exit\"") == std::string::npos) guest.result.output += "\n[vmm: " + json + "]";
    } else {
        fs::path const log = work / "kernel.log";
        guest = run_process({ "/usr/bin/qemu-system-x86_64", "-M", "microvm,accel=tcg,acpi=off", "-cpu", "max", "-m",
                              "256", "-display", "none", "-no-reboot", "-nodefaults", "-serial", "stdio", "-kernel",
                              (o.build / "guest/kernel/aramid.elf").string(), "-initrd", cpio.string(), "-append",
                              "aramid.stdout=pipe", "-device", "isa-debug-exit,iobase=0xf4,iosize=4", "-debugcon",
                              "file:" + log.string() },
                            work, o.timeout * 4);
        std::string klog = read_file(log);
        // isa-debug-exit: (word << 1) | 1; the kernel logs the exact status.
        auto marker = klog.rfind("vm exit: status ");
        if (klog.find("KERNEL PANIC") != std::string::npos) {
            guest.result.status = 123;
            guest.result.output += "\n[kernel panic]\n" + klog.substr(klog.size() > 1500 ? klog.size() - 1500 : 0);
        } else if (marker != std::string::npos) {
            guest.result.status = std::atoi(klog.c_str() + marker + 16);
        } else if (!guest.result.timed_out) {
            guest.result.status = (guest.result.status & 1) ? guest.result.status >> 1 : 123;
        }
    }
    out.guest_seconds = guest.seconds;
    auto comparison = compare(host.result, guest.result, expected_to_fail);
    out.verdict = comparison.verdict;
    out.detail = comparison.detail;
    std::error_code ec;
    fs::remove_all(work, ec);
    return out;
}

std::string json_escape(std::string const& s) {
    std::string out;
    for (char c : s) {
        if (c == '"' || c == '\\') out += '\\', out += c;
        else if (c == '\n') out += "\\n";
        else if (uint8_t(c) < 0x20) out += ' ';
        else out += c;
    }
    return out;
}

} // namespace

int main(int argc, char** argv) {
    Options o;
    for (int i = 1; i < argc; i++) {
        std::string a = argv[i];
        auto value = [&]() -> std::string {
            if (i + 1 >= argc) {
                std::cerr << "aramid-test: " << a << " needs a value\n";
                std::exit(2);
            }
            return argv[++i];
        };
        if (a == "--filter") o.filter = value();
        else if (a == "--jobs") o.jobs = unsigned(std::max(1, std::atoi(value().c_str())));
        else if (a == "--platform") o.platform = value();
        else if (a == "--json") o.json = value();
        else if (a == "--keep-going") o.keep_going = true;
        else if (a == "--timeout") o.timeout = std::atof(value().c_str());
        else if (a == "--list") o.list = true;
        else if (a == "--source") o.source = value(); // another suite (the runner's own tests)
        else if (a == "--help" || a == "-h") {
            usage();
            return 0;
        } else {
            std::cerr << "aramid-test: unknown option " << a << "\n";
            usage();
            return 2;
        }
    }
    if (o.platform.empty()) o.platform = access("/dev/kvm", F_OK) == 0 ? "kvm" : "qemu";
    if (o.platform != "kvm" && o.platform != "qemu") {
        std::cerr << "aramid-test: --platform must be kvm or qemu\n";
        return 2;
    }
    auto tests = discover(o);
    if (o.list) {
        for (auto const& t : tests) std::cout << t.name << "\n";
        return 0;
    }
    auto xfail = parse_xfail(read_file(o.source / "xfail.txt"));
    std::vector<Outcome> outcomes(tests.size());
    std::atomic<size_t> next { 0 };
    std::mutex print;
    auto const start = Clock::now();
    auto worker = [&] {
        for (size_t i; (i = next++) < tests.size();) {
            outcomes[i] = run_test(o, tests[i], xfail.count(tests[i].name) > 0);
            std::lock_guard guard(print);
            auto const& r = outcomes[i];
            std::printf("%-7s %s", verdict_name(r.verdict), tests[i].name.c_str());
            if (r.boot_ms >= 0) std::printf(" (boot %.1f ms, run %.1f ms, teardown %.1f ms)", r.boot_ms, r.run_ms, r.teardown_ms);
            else if (r.guest_seconds > 0) std::printf(" (%.0f ms)", r.guest_seconds * 1000);
            std::printf("\n");
            if (r.verdict == Verdict::XFail) std::printf("        %s\n", xfail[tests[i].name].c_str());
            else if (!r.detail.empty() && r.verdict != Verdict::Pass) {
                std::istringstream lines(r.detail);
                for (std::string line; std::getline(lines, line);) std::printf("        %s\n", line.c_str());
            }
            std::fflush(stdout);
        }
    };
    std::vector<std::thread> pool;
    for (unsigned j = 0; j < std::min<size_t>(o.jobs, tests.size()); j++) pool.emplace_back(worker);
    for (auto& t : pool) t.join();
    double const wall = std::chrono::duration<double>(Clock::now() - start).count();

    std::map<Verdict, int> counts;
    for (auto const& r : outcomes) counts[r.verdict]++;
    int const passed = counts[Verdict::Pass] + counts[Verdict::XFail];
    int failed = 0;
    for (auto const& r : outcomes) failed += is_failure(r.verdict);
    std::vector<double> totals;
    for (auto const& r : outcomes)
        if (r.guest_seconds > 0) totals.push_back(r.guest_seconds * 1000);
    std::sort(totals.begin(), totals.end());
    if (!o.json.empty()) {
        std::ofstream j(o.json);
        j << "{\"platform\": \"" << o.platform << "\", \"wall_seconds\": " << wall << ", \"tests\": [";
        for (size_t i = 0; i < tests.size(); i++) {
            auto const& r = outcomes[i];
            j << (i ? ", " : "") << "{\"name\": \"" << tests[i].name << "\", \"verdict\": \"" << verdict_name(r.verdict)
              << "\", \"detail\": \"" << json_escape(r.detail) << "\", \"seconds\": " << r.guest_seconds
              << ", \"host_seconds\": " << r.host_seconds << ", \"boot_ms\": " << r.boot_ms << ", \"run_ms\": "
              << r.run_ms << ", \"teardown_ms\": " << r.teardown_ms << "}";
        }
        j << "]}\n";
    }
    std::printf("%d XFAIL, %d XPASS, %d DIVERGE, %d TIMEOUT, %d SKIP; platform %s, %zu tests in %.2f s",
                counts[Verdict::XFail], counts[Verdict::XPass], counts[Verdict::Diverge], counts[Verdict::Timeout],
                counts[Verdict::Skip], o.platform.c_str(), tests.size(), wall);
    if (!totals.empty())
        std::printf(", per test median %.1f ms, max %.1f ms", totals[totals.size() / 2], totals.back());
    std::printf("\n%d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
