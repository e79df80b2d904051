// What aramid-bench makes of the BENCH lines: one run's samples, the median
// over runs per platform, the aramid/host ratio and its verdict, the table,
// the JSON document and the comparison with a baseline.
#pragma once

#include "json.h"
#include "platform.h"

#include <map>
#include <string>
#include <vector>

namespace bench {

enum class Status { Ok, Failed, Unsupported, Missing };

struct Sample {
    Status status = Status::Missing;
    long iterations = 0;
    double total_ns = 0;
    double ns_per_op = 0;
    std::string reason;
};

struct ParsedRun {
    std::map<std::string, Sample> samples;
    bool complete = false; // BENCH_END seen
};

// Reads the BENCH lines of one run; other lines (kernel messages on a
// shared console) are ignored.
ParsedRun parse_bench_output(std::string const& output);

// One benchmark as the binary's --list describes it.
struct BenchmarkInfo {
    std::string name;
    std::string group;
    std::string what;
};
std::vector<BenchmarkInfo> parse_list(std::string const& output);

// All runs of one benchmark on one platform.
struct Cell {
    std::vector<Sample> samples;
    Status status() const;       // Failed if any run failed or lacks it
    double median_ns() const;    // of the runs that measured it; 0 if none did
    std::string reason() const;  // of the first run that did not measure it
};

char const* verdict_for(double ratio); // faster, OK, marginal, slower

struct Table {
    std::vector<BenchmarkInfo> benchmarks;
    std::vector<Platform> platforms; // in column order, Host first
    std::map<std::string, std::map<Platform, Cell>> cells;
    std::map<Platform, std::vector<Json>> run_details;

    // aramid/host of the medians; 0 when either is missing.
    double ratio(std::string const& name) const;
    double ratio(std::string const& name, Platform numerator, Platform denominator) const;
    std::string render() const;
    Json to_json(int runs, int qemu_runs, std::string const& note) const;
};

// Flags each benchmark whose aramid/host ratio grew more than `threshold`
// (0.10 = 10%) over the baseline document's. Informational.
std::string compare_with_baseline(Table const& table, Json const& baseline, double threshold);

std::string format_ns(double ns);

} // namespace bench
