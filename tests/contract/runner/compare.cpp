#include "compare.h"

#include <sstream>

namespace contract {

char const* verdict_name(Verdict verdict) {
    switch (verdict) {
    case Verdict::Pass: return "PASS";
    case Verdict::Fail: return "FAIL";
    case Verdict::Diverge: return "DIVERGE";
    case Verdict::XFail: return "XFAIL";
    case Verdict::XPass: return "XPASS";
    case Verdict::Timeout: return "TIMEOUT";
    case Verdict::Skip: return "SKIP";
    }
    return "?";
}

bool is_failure(Verdict verdict) {
    return verdict == Verdict::Fail || verdict == Verdict::Diverge || verdict == Verdict::Timeout
        || verdict == Verdict::XPass;
}

std::vector<std::string> lines_of(std::string const& output) {
    std::vector<std::string> lines;
    std::string line;
    for (size_t i = 0; i < output.size(); i++) {
        char c = output[i];
        if (c == '\r' && i + 1 < output.size() && output[i + 1] == '\n') continue;
        if (c == '\n') {
            lines.push_back(line);
            line.clear();
        } else {
            line += c;
        }
    }
    if (!line.empty()) lines.push_back(line);
    return lines;
}

namespace {

std::string tail(std::vector<std::string> const& lines, size_t count) {
    std::string out;
    for (size_t i = lines.size() > count ? lines.size() - count : 0; i < lines.size(); i++) out += "    " + lines[i] + "\n";
    return out;
}

} // namespace

Comparison compare(RunResult const& host, RunResult const& guest, bool expected_to_fail) {
    auto host_lines = lines_of(host.output);
    bool const host_passed = !host.timed_out && host.status == 0 && !host_lines.empty()
        && host_lines.back() == "CONTRACT_PASS";
    if (!host_passed) {
        std::string why = host.timed_out ? "timed out" : "exited " + std::to_string(host.status);
        return { Verdict::Fail, "on the host the test itself fails (" + why + "); last lines:\n" + tail(host_lines, 5) };
    }
    if (guest.timed_out) {
        auto guest_lines = lines_of(guest.output);
        if (expected_to_fail) return { Verdict::XFail, "guest timed out" };
        return { Verdict::Timeout, "guest timed out; console tail:\n" + tail(guest_lines, 8) };
    }
    auto guest_lines = lines_of(guest.output);
    size_t first = 0;
    while (first < host_lines.size() && first < guest_lines.size() && host_lines[first] == guest_lines[first]) first++;
    bool const same_lines = first == host_lines.size() && first == guest_lines.size();
    if (same_lines && guest.status == host.status) {
        if (expected_to_fail) return { Verdict::XPass, "passes now: remove it from xfail.txt" };
        return { Verdict::Pass, "" };
    }
    std::ostringstream detail;
    if (!same_lines) {
        auto show = [&](std::vector<std::string> const& lines) {
            return first < lines.size() ? "'" + lines[first] + "'" : std::string("<end of output>");
        };
        detail << "line " << first + 1 << ": host " << show(host_lines) << ", guest " << show(guest_lines);
    } else {
        detail << "same output; host exit " << host.status << ", guest exit " << guest.status;
    }
    if (expected_to_fail) return { Verdict::XFail, detail.str() };
    return { Verdict::Diverge, detail.str() + "\n  guest tail:\n" + tail(guest_lines, 6) };
}

std::map<std::string, std::string> parse_xfail(std::string const& text) {
    std::map<std::string, std::string> entries;
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line)) {
        auto hash = line.find('#');
        if (hash != std::string::npos) line.erase(hash);
        size_t start = line.find_first_not_of(" \t");
        if (start == std::string::npos) continue;
        size_t end = line.find_first_of(" \t", start);
        std::string name = line.substr(start, end == std::string::npos ? std::string::npos : end - start);
        std::string reason;
        if (end != std::string::npos) {
            size_t r = line.find_first_not_of(" \t", end);
            if (r != std::string::npos) reason = line.substr(r);
            while (!reason.empty() && (reason.back() == ' ' || reason.back() == '\t')) reason.pop_back();
        }
        entries[name] = reason;
    }
    return entries;
}

} // namespace contract
