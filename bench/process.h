// Child processes for aramid-bench: run a command with a deadline, collect
// its stdout and stderr apart, and decode its exit status. Modelled on the
// contract runner's helper (tests/contract/runner), which keeps the two
// streams merged; the benchmarks need stdout alone (the BENCH lines) and
// stderr for the VMM's messages.
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace bench {

struct ProcessResult {
    int status = -1; // exit status, 128+n if killed by signal n, -1 if it never finished
    bool timed_out = false;
    std::string out;
    std::string err;
    double seconds = 0;
    std::string error; // why it could not be started, if it was not
};

struct ProcessOptions {
    std::filesystem::path cwd;
    double timeout_seconds = 60;
    std::optional<int> cpu; // pin the child to this CPU
    // Called with each chunk of stdout as it arrives (the elapsed time since
    // the start is the second argument); returning true stops the process.
    std::function<bool(std::string const& out_so_far, double seconds)> on_output;
};

// Runs argv (argv[0] is a path) with stdin from /dev/null, in its own
// process group, which is killed when the deadline passes.
ProcessResult run_process(std::vector<std::string> const& argv, ProcessOptions const& options = {});

std::string read_file(std::filesystem::path const& path);
bool write_file(std::filesystem::path const& path, std::string const& data);

} // namespace bench
