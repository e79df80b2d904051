// aramid-bench: runs bench/aramid_bench natively on the host and in aramid
// on /dev/kvm (and, on request, under QEMU TCG in aramid and in Debian's
// Linux), the same binary with the same fixed iteration counts everywhere,
// and prints one table of ns/op per platform with the aramid/host ratio.
// Runs alternate between the platforms so that a noisy moment of the
// machine does not land on one platform only; each cell is the median over
// the runs.
#include "json.h"
#include "platform.h"
#include "process.h"
#include "results.h"

#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <string>
#include <unistd.h>
#include <vector>

namespace fs = std::filesystem;
using namespace bench;

namespace {

struct Options {
    fs::path build = ARAMID_BUILD_DIR;
    std::string json;
    std::string compare;
    std::string filter;
    std::string note;
    int runs = 3;
    int qemu_runs = 1;
    bool qemu = false;
    bool linux_qemu = false;
    bool kvm = true;
    bool keep = false;
    double timeout = 900;      // one run on the host or /dev/kvm
    double qemu_timeout = 3600; // one run under QEMU TCG
    std::optional<int> host_cpu;
    std::vector<std::string> vmm_args;
};

void usage() {
    std::cout
        << "usage: aramid-bench [--json FILE] [--runs N] [--filter GLOB] [--qemu] [--linux-qemu] [--compare FILE]\n"
           "                    [--qemu-runs N] [--no-kvm] [--timeout SEC] [--host-cpu N] [--vmm-arg ARG]\n"
           "                    [--build DIR] [--note TEXT] [--keep]\n"
           "Runs the benchmark binary natively on the host and in aramid on /dev/kvm, prints ns/op per\n"
           "platform (median over --runs) and the aramid/host ratio: faster <= 0.90 < OK <= 1.00 <\n"
           "marginal <= 1.10 < slower.\n"
           "  --qemu          also aramid under QEMU TCG (microvm), in quick mode\n"
           "  --linux-qemu    also Debian's Linux under QEMU TCG, in quick mode (installs\n"
           "                  linux-image-amd64 through apt-get if it is missing)\n"
           "  --qemu-runs N   runs under QEMU (default 1)\n"
           "  --filter GLOB   benchmarks to run (comma-separated globs)\n"
           "  --json FILE     write the results as JSON\n"
           "  --compare FILE  flag benchmarks whose aramid/host ratio grew >10% over FILE's (informational)\n"
           "  --no-kvm        skip aramid on /dev/kvm\n"
           "  --host-cpu N    pin the host run to CPU N (the guests have one vCPU)\n"
           "  --vmm-arg ARG   pass ARG to aramid-vmm (repeatable)\n"
           "  --note TEXT     store TEXT in the JSON (e.g. the commit measured)\n"
           "  --timeout SEC   per run on the host and /dev/kvm (default 900; QEMU runs get 4x)\n"
           "Exit status: 0, or 1 if a benchmark failed or a run did not finish cleanly.\n";
}

bool parse_options(int argc, char** argv, Options& o) {
    for (int i = 1; i < argc; i++) {
        std::string const a = argv[i];
        auto value = [&]() -> std::string {
            if (i + 1 >= argc) {
                std::cerr << "aramid-bench: " << a << " needs a value\n";
                std::exit(2);
            }
            return argv[++i];
        };
        if (a == "--json") o.json = value();
        else if (a == "--runs") o.runs = std::max(1, std::atoi(value().c_str()));
        else if (a == "--qemu-runs") o.qemu_runs = std::max(1, std::atoi(value().c_str()));
        else if (a == "--filter") o.filter = value();
        else if (a == "--note") o.note = value();
        else if (a == "--qemu") o.qemu = true;
        else if (a == "--linux-qemu") o.linux_qemu = true;
        else if (a == "--compare") o.compare = value();
        else if (a == "--no-kvm") o.kvm = false;
        else if (a == "--keep") o.keep = true;
        else if (a == "--build") o.build = value();
        else if (a == "--host-cpu") o.host_cpu = std::atoi(value().c_str());
        else if (a == "--vmm-arg") o.vmm_args.push_back(value());
        else if (a == "--timeout") {
            o.timeout = std::atof(value().c_str());
            o.qemu_timeout = 4 * o.timeout;
        } else if (a == "--help" || a == "-h") {
            usage();
            std::exit(0);
        } else {
            std::cerr << "aramid-bench: unknown option " << a << "\n";
            usage();
            return false;
        }
    }
    return true;
}

std::vector<std::string> bench_args(Options const& o, Platform platform) {
    std::vector<std::string> args;
    if (is_quick(platform)) args.push_back("--quick");
    // A benchmark's own deadline, well inside the run's.
    args.push_back("--timeout");
    args.push_back(is_quick(platform) ? "900" : "120");
    if (!o.filter.empty()) {
        args.push_back("--filter");
        args.push_back(o.filter);
    }
    return args;
}

} // namespace

int main(int argc, char** argv) {
    Options o;
    if (!parse_options(argc, argv, o)) return 2;
    Paths paths;
    paths.build = o.build;
    for (auto const& needed : { paths.bench_binary(), paths.vmm(), paths.default_initramfs(), paths.kernel() }) {
        if (!fs::exists(needed)) {
            std::cerr << "aramid-bench: " << needed.string() << " is missing; build first (ninja -C "
                      << o.build.string() << ")\n";
            return 2;
        }
    }
    std::optional<Json> baseline;
    if (!o.compare.empty()) {
        std::string error;
        baseline = Json::parse(read_file(o.compare), &error);
        if (!baseline) {
            std::cerr << "aramid-bench: " << o.compare << " is not a results file: " << error << "\n";
            return 2;
        }
    }

    Table table;
    {
        std::vector<std::string> list { paths.bench_binary().string(), "--list" };
        if (!o.filter.empty()) list.insert(list.end(), { "--filter", o.filter });
        table.benchmarks = parse_list(run_process(list).out);
        if (table.benchmarks.empty()) {
            std::cerr << "aramid-bench: no benchmark matches " << o.filter << "\n";
            return 2;
        }
    }
    table.platforms.push_back(Platform::Host);
    if (o.kvm) {
        if (access("/dev/kvm", R_OK | W_OK) == 0) table.platforms.push_back(Platform::Aramid);
        else std::cerr << "aramid-bench: no usable /dev/kvm; aramid runs only under QEMU if asked (--qemu)\n";
    }
    if (o.qemu) table.platforms.push_back(Platform::AramidQemu);
    if (o.linux_qemu) {
        std::string error;
        if (linux_kernel(true, &error)) table.platforms.push_back(Platform::LinuxQemu);
        else std::cerr << "aramid-bench: --linux-qemu: " << error << "\n";
    }

    char scratch[] = "/tmp/aramid-bench-XXXXXX";
    if (!mkdtemp(scratch)) {
        std::perror("aramid-bench: mkdtemp");
        return 2;
    }
    paths.work = scratch;

    bool trouble = false;
    int const rounds = std::max(o.runs, (o.qemu || o.linux_qemu) ? o.qemu_runs : 0);
    for (int round = 0; round < rounds; round++) {
        for (auto platform : table.platforms) {
            int const runs = is_quick(platform) ? o.qemu_runs : o.runs;
            if (round >= runs) continue;
            RunRequest request;
            request.bench_args = bench_args(o, platform);
            request.timeout_seconds = is_quick(platform) ? o.qemu_timeout : o.timeout;
            request.host_cpu = o.host_cpu;
            request.vmm_args = o.vmm_args;
            std::fprintf(stderr, "aramid-bench: run %d/%d on %s ...", round + 1, runs, platform_name(platform));
            std::fflush(stderr);
            RunOutcome outcome = run_on(platform, paths, request);
            ParsedRun parsed = parse_bench_output(outcome.output);
            std::fprintf(stderr, " %.1f s%s%s\n", outcome.seconds, outcome.problem.empty() ? "" : ": ",
                         outcome.problem.c_str());
            if (!parsed.complete && outcome.problem.empty()) outcome.problem = "the output ends without BENCH_END";
            trouble = trouble || !outcome.problem.empty();
            for (auto const& b : table.benchmarks) {
                auto it = parsed.samples.find(b.name);
                Sample sample;
                if (it != parsed.samples.end()) sample = it->second;
                else sample.reason = "no result: " + (outcome.problem.empty() ? "missing line" : outcome.problem);
                table.cells[b.name][platform].samples.push_back(sample);
            }
            Json::Object details = outcome.details.object();
            details["seconds"] = outcome.seconds;
            details["status"] = outcome.status;
            if (!outcome.problem.empty()) details["problem"] = outcome.problem;
            table.run_details[platform].push_back(Json(std::move(details)));
        }
    }

    std::fputs(table.render().c_str(), stdout);
    for (auto const& [name, row] : table.cells)
        for (auto const& [platform, cell] : row) trouble = trouble || cell.status() == Status::Failed;
    if (!o.json.empty()) {
        if (write_file(o.json, table.to_json(o.runs, o.qemu_runs, o.note).dump() + "\n"))
            std::fprintf(stderr, "aramid-bench: wrote %s\n", o.json.c_str());
        else std::fprintf(stderr, "aramid-bench: cannot write %s\n", o.json.c_str());
    }
    if (baseline) std::fputs(("\n" + compare_with_baseline(table, *baseline, 0.10)).c_str(), stdout);
    if (!o.keep) {
        std::error_code ec;
        fs::remove_all(paths.work, ec);
    } else {
        std::fprintf(stderr, "aramid-bench: kept %s\n", paths.work.c_str());
    }
    return trouble ? 1 : 0;
}
