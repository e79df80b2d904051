// The contract runner's decisions, kept apart from processes and VMs so
// that unit tests can drive them: comparing a host run with a guest run,
// and reading the XFAIL list.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace contract {

enum class Verdict { Pass, Fail, Diverge, XFail, XPass, Timeout, Skip };
char const* verdict_name(Verdict verdict);
// FAIL, DIVERGE, TIMEOUT and XPASS make the suite fail.
bool is_failure(Verdict verdict);

struct RunResult {
    int status = 0;          // exit status (128+n for a signal), or -1 if it never finished
    bool timed_out = false;
    std::string output;      // stdout and stderr, in order
};

struct Comparison {
    Verdict verdict;
    std::string detail; // one or more lines for people
};

// The output's lines, with "\r\n" read as "\n" (a console may add CRs).
std::vector<std::string> lines_of(std::string const& output);

// The contract: the host run must end with CONTRACT_PASS and exit 0 (else
// the test itself is broken: FAIL), and the guest must print the same lines
// and exit the same way (else DIVERGE, showing the first differing line from
// each side). A listed XFAIL that diverges is XFAIL; one that passes, XPASS.
Comparison compare(RunResult const& host, RunResult const& guest, bool expected_to_fail);

// xfail.txt: "<area>.<name>  <reason>" per line; '#' starts a comment.
std::map<std::string, std::string> parse_xfail(std::string const& text);

} // namespace contract
