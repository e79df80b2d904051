// The contract runner's verdicts (tests/contract/runner/compare.h).
#include "../../contract/runner/compare.h"

#include <gtest/gtest.h>

using namespace contract;

namespace {
RunResult run(std::string output, int status = 0, bool timed_out = false) { return { status, timed_out, output }; }
} // namespace

TEST(ContractCompare, SameOutputAndStatusPasses) {
    auto c = compare(run("a\nCONTRACT_PASS\n"), run("a\r\nCONTRACT_PASS\r\n"), false);
    EXPECT_EQ(c.verdict, Verdict::Pass);
}

TEST(ContractCompare, ExtraGuestLineDivergesShowingBothSides) {
    auto c = compare(run("one\ntwo\nCONTRACT_PASS\n"), run("one\nextra\ntwo\nCONTRACT_PASS\n"), false);
    EXPECT_EQ(c.verdict, Verdict::Diverge);
    EXPECT_NE(c.detail.find("line 2: host 'two', guest 'extra'"), std::string::npos) << c.detail;
}

TEST(ContractCompare, MissingGuestLinesDiverge) {
    auto c = compare(run("one\nCONTRACT_PASS\n"), run("one\n"), false);
    EXPECT_EQ(c.verdict, Verdict::Diverge);
    EXPECT_NE(c.detail.find("guest <end of output>"), std::string::npos) << c.detail;
}

TEST(ContractCompare, DifferentExitStatusDiverges) {
    auto c = compare(run("CONTRACT_PASS\n", 0), run("CONTRACT_PASS\n", 3), false);
    EXPECT_EQ(c.verdict, Verdict::Diverge);
    EXPECT_NE(c.detail.find("host exit 0, guest exit 3"), std::string::npos) << c.detail;
}

TEST(ContractCompare, HostFailureIsAFailNotADivergence) {
    EXPECT_EQ(compare(run("CONTRACT_FAIL x\n", 1), run("CONTRACT_FAIL x\n", 1), false).verdict, Verdict::Fail);
    EXPECT_EQ(compare(run("no marker\n"), run("no marker\n"), false).verdict, Verdict::Fail);
    EXPECT_EQ(compare(run("CONTRACT_PASS\n", 0, true), run("CONTRACT_PASS\n"), false).verdict, Verdict::Fail);
}

TEST(ContractCompare, GuestTimeout) {
    EXPECT_EQ(compare(run("CONTRACT_PASS\n"), run("partial\n", -1, true), false).verdict, Verdict::Timeout);
    EXPECT_EQ(compare(run("CONTRACT_PASS\n"), run("partial\n", -1, true), true).verdict, Verdict::XFail);
}

TEST(ContractCompare, ExpectedFailuresAndUnexpectedPasses) {
    EXPECT_EQ(compare(run("a\nCONTRACT_PASS\n"), run("b\nCONTRACT_PASS\n"), true).verdict, Verdict::XFail);
    EXPECT_EQ(compare(run("a\nCONTRACT_PASS\n"), run("a\nCONTRACT_PASS\n"), true).verdict, Verdict::XPass);
    EXPECT_TRUE(is_failure(Verdict::XPass));
    EXPECT_TRUE(is_failure(Verdict::Diverge));
    EXPECT_FALSE(is_failure(Verdict::XFail));
}

TEST(ContractCompare, XfailList) {
    auto x = parse_xfail("# comment\n\nsockets.accept4_flags   unix sockets are not implemented yet  \n"
                         "fs.thing\tsome reason # trailing comment\nbare.name\n");
    ASSERT_EQ(x.size(), 3u);
    EXPECT_EQ(x["sockets.accept4_flags"], "unix sockets are not implemented yet");
    EXPECT_EQ(x["fs.thing"], "some reason");
    EXPECT_EQ(x["bare.name"], "");
}

TEST(ContractCompare, LinesOf) {
    EXPECT_EQ(lines_of("a\r\nb\nc"), (std::vector<std::string> { "a", "b", "c" }));
    EXPECT_EQ(lines_of(""), std::vector<std::string> {});
    EXPECT_EQ(lines_of("\n\n"), (std::vector<std::string> { "", "" }));
}
