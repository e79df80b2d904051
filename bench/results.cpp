#include "results.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <sstream>
#include <sys/utsname.h>
#include <unistd.h>

namespace bench {

namespace {

char const* status_name(Status status) {
    switch (status) {
    case Status::Ok: return "ok";
    case Status::Failed: return "failed";
    case Status::Unsupported: return "unsupported";
    case Status::Missing: return "missing";
    }
    return "?";
}

std::string rest_of(std::istringstream& in) {
    std::string rest;
    std::getline(in, rest);
    size_t at = rest.find_first_not_of(' ');
    return at == std::string::npos ? std::string() : rest.substr(at);
}

std::string printf_string(char const* format, double value) {
    char buffer[64];
    std::snprintf(buffer, sizeof(buffer), format, value);
    return buffer;
}

std::string pad_right(std::string s, size_t width) {
    if (s.size() < width) s.append(width - s.size(), ' ');
    return s;
}

std::string pad_left(std::string s, size_t width) {
    if (s.size() < width) s.insert(0, width - s.size(), ' ');
    return s;
}

std::string cell_text(Cell const* cell) {
    if (!cell) return "-";
    switch (cell->status()) {
    case Status::Ok: return format_ns(cell->median_ns());
    case Status::Unsupported: return "unsupp.";
    case Status::Failed: return "FAILED";
    case Status::Missing: return "-";
    }
    return "?";
}

std::string iso_time_now() {
    std::time_t now = std::time(nullptr);
    char buffer[64];
    std::strftime(buffer, sizeof(buffer), "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&now));
    return buffer;
}

} // namespace

std::string format_ns(double ns) {
    // Three significant digits.
    if (ns < 999.5) return printf_string("%.0f ns", ns);
    if (ns < 9995) return printf_string("%.2f us", ns / 1e3);
    if (ns < 99950) return printf_string("%.1f us", ns / 1e3);
    if (ns < 999500) return printf_string("%.0f us", ns / 1e3);
    if (ns < 9995000) return printf_string("%.2f ms", ns / 1e6);
    if (ns < 99950000) return printf_string("%.1f ms", ns / 1e6);
    return printf_string("%.0f ms", ns / 1e6);
}

ParsedRun parse_bench_output(std::string const& output) {
    ParsedRun run;
    std::istringstream lines(output);
    for (std::string line; std::getline(lines, line);) {
        // A console may put a kernel message in front of a line.
        size_t const at = line.find("BENCH");
        if (at == std::string::npos) continue;
        std::istringstream in(line.substr(at));
        std::string tag, name, first;
        in >> tag >> name;
        if (tag == "BENCH_END") {
            run.complete = true;
            continue;
        }
        if (tag != "BENCH" || name.empty() || !(in >> first)) continue;
        Sample s;
        if (first == "unsupported") {
            s.status = Status::Unsupported;
            s.reason = rest_of(in);
        } else if (first == "failed") {
            s.status = Status::Failed;
            s.reason = rest_of(in);
        } else {
            s.iterations = std::atol(first.c_str());
            if (!(in >> s.total_ns >> s.ns_per_op) || s.iterations <= 0) continue;
            s.status = Status::Ok;
        }
        run.samples[name] = s;
    }
    return run;
}

std::vector<BenchmarkInfo> parse_list(std::string const& output) {
    std::vector<BenchmarkInfo> out;
    std::istringstream lines(output);
    for (std::string line; std::getline(lines, line);) {
        std::istringstream in(line);
        BenchmarkInfo info;
        long iterations;
        if (!(in >> info.name >> info.group >> iterations)) continue;
        info.what = rest_of(in);
        out.push_back(info);
    }
    return out;
}

Status Cell::status() const {
    if (samples.empty()) return Status::Missing;
    bool any_ok = false;
    for (auto const& s : samples) {
        if (s.status == Status::Failed || s.status == Status::Missing) return Status::Failed;
        if (s.status == Status::Unsupported) return Status::Unsupported;
        any_ok = true;
    }
    return any_ok ? Status::Ok : Status::Missing;
}

double Cell::median_ns() const {
    std::vector<double> values;
    for (auto const& s : samples)
        if (s.status == Status::Ok) values.push_back(s.ns_per_op);
    if (values.empty()) return 0;
    std::sort(values.begin(), values.end());
    size_t const n = values.size();
    return n % 2 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

std::string Cell::reason() const {
    for (auto const& s : samples)
        if (s.status != Status::Ok) return s.reason;
    return {};
}

char const* verdict_for(double ratio) {
    if (ratio <= 0.90) return "faster";
    if (ratio <= 1.00) return "OK";
    if (ratio <= 1.10) return "marginal";
    return "slower";
}

double Table::ratio(std::string const& name, Platform numerator, Platform denominator) const {
    auto row = cells.find(name);
    if (row == cells.end()) return 0;
    auto a = row->second.find(numerator), b = row->second.find(denominator);
    if (a == row->second.end() || b == row->second.end()) return 0;
    if (a->second.status() != Status::Ok || b->second.status() != Status::Ok) return 0;
    double const below = b->second.median_ns();
    return below > 0 ? a->second.median_ns() / below : 0;
}

double Table::ratio(std::string const& name) const { return ratio(name, Platform::Aramid, Platform::Host); }

std::string Table::render() const {
    bool const both_qemu = std::count(platforms.begin(), platforms.end(), Platform::AramidQemu)
        && std::count(platforms.begin(), platforms.end(), Platform::LinuxQemu);
    bool const has_aramid = std::count(platforms.begin(), platforms.end(), Platform::Aramid) > 0;
    std::string out;
    std::string head = pad_right("benchmark", 20);
    for (auto p : platforms) head += pad_left(platform_name(p), 12);
    if (has_aramid) head += pad_left("aramid/host", 13) + "  verdict";
    if (both_qemu) head += pad_left("aq/lq", 8);
    out += head + "\n" + std::string(head.size(), '-') + "\n";

    std::map<std::string, int> verdicts;
    double log_sum = 0;
    int log_count = 0;
    std::vector<std::string> notes;
    for (auto const& b : benchmarks) {
        auto const& row = cells.at(b.name);
        std::string line = pad_right(b.name, 20);
        for (auto p : platforms) {
            auto it = row.find(p);
            Cell const* cell = it == row.end() ? nullptr : &it->second;
            line += pad_left(cell_text(cell), 12);
            if (cell && cell->status() != Status::Ok && cell->status() != Status::Missing)
                notes.push_back(b.name + " on " + platform_name(p) + ": " + status_name(cell->status()) + ": "
                    + cell->reason());
        }
        if (has_aramid) {
            double const r = ratio(b.name);
            if (r > 0) {
                line += pad_left(printf_string("%.2f", r), 13) + "  " + pad_right(verdict_for(r), 8);
                verdicts[verdict_for(r)]++;
                log_sum += std::log(r);
                log_count++;
            } else {
                line += pad_left("-", 13) + "  " + pad_right("", 8);
            }
        }
        if (both_qemu) {
            double const r = ratio(b.name, Platform::AramidQemu, Platform::LinuxQemu);
            line += pad_left(r > 0 ? printf_string("%.2f", r) : "-", 8);
        }
        while (!line.empty() && line.back() == ' ') line.pop_back();
        out += line + "\n";
    }
    out += std::string(head.size(), '-') + "\n";
    if (log_count) {
        out += printf_string("aramid/host geometric mean %.2f", std::exp(log_sum / log_count)) + " over "
            + std::to_string(log_count) + " benchmarks:";
        for (char const* v : { "faster", "OK", "marginal", "slower" })
            out += " " + std::to_string(verdicts[v]) + " " + v + ",";
        out.pop_back();
        out += "\n";
    }
    for (auto const& note : notes) out += "  " + note + "\n";
    return out;
}

Json Table::to_json(int runs, int qemu_runs, std::string const& note) const {
    Json::Object document;
    struct utsname u;
    uname(&u);
    document["tool"] = "aramid-bench";
    document["date"] = iso_time_now();
    document["host"] = Json::Object { { "kernel", std::string(u.release) }, { "machine", std::string(u.machine) },
        { "cpus", long(sysconf(_SC_NPROCESSORS_ONLN)) } };
    document["runs"] = runs;
    document["qemu_runs"] = qemu_runs;
    if (!note.empty()) document["note"] = note;
    Json::Array platform_names;
    for (auto p : platforms) platform_names.push_back(platform_name(p));
    document["platforms"] = platform_names;
    Json::Array rows;
    for (auto const& b : benchmarks) {
        Json::Object row { { "name", b.name }, { "group", b.group }, { "what", b.what } };
        for (auto const& [platform, cell] : cells.at(b.name)) {
            Json::Array samples;
            for (auto const& s : cell.samples) {
                samples.emplace_back();
                if (s.status == Status::Ok) samples.back() = s.ns_per_op;
            }
            Json::Object entry { { "status", status_name(cell.status()) }, { "samples_ns", samples } };
            if (cell.status() == Status::Ok) entry["ns_per_op"] = cell.median_ns();
            else entry["reason"] = cell.reason();
            if (!cell.samples.empty() && cell.samples.front().iterations)
                entry["iterations"] = cell.samples.front().iterations;
            row[platform_name(platform)] = Json(std::move(entry));
        }
        if (double r = ratio(b.name); r > 0) {
            row["ratio"] = std::round(r * 1000) / 1000;
            row["verdict"] = verdict_for(r);
        }
        if (double r = ratio(b.name, Platform::AramidQemu, Platform::LinuxQemu); r > 0)
            row["ratio_aramid_qemu_linux_qemu"] = std::round(r * 1000) / 1000;
        rows.emplace_back(std::move(row));
    }
    document["benchmarks"] = rows;
    Json::Object details;
    for (auto const& [platform, list] : run_details) details[platform_name(platform)] = Json::Array(list);
    document["runs_detail"] = Json(std::move(details));
    return Json(std::move(document));
}

std::string compare_with_baseline(Table const& table, Json const& baseline, double threshold) {
    std::map<std::string, double> before;
    for (auto const& row : baseline["benchmarks"].array())
        if (row["ratio"].is_number()) before[row["name"].string()] = row["ratio"].number();
    std::string out = "compared with the baseline of " + baseline["date"].string("(undated)") + " (aramid/host ratios; "
        + printf_string("flagged: grew more than %.0f%%", threshold * 100) + ")\n";
    int flagged = 0, compared = 0;
    for (auto const& b : table.benchmarks) {
        double const now = table.ratio(b.name);
        auto it = before.find(b.name);
        if (now <= 0 || it == before.end()) continue;
        compared++;
        double const change = now / it->second - 1;
        bool const worse = change > threshold;
        flagged += worse;
        out += "  " + pad_right(b.name, 20) + pad_left(printf_string("%.2f", it->second), 8) + " -> "
            + pad_left(printf_string("%.2f", now), 6) + pad_left(printf_string("%+.0f%%", change * 100), 7)
            + (worse ? "  REGRESSED" : change < -threshold ? "  improved" : "") + "\n";
    }
    out += std::to_string(flagged) + " of " + std::to_string(compared)
        + " benchmarks regressed (informational; machines are noisy)\n";
    return out;
}

} // namespace bench
