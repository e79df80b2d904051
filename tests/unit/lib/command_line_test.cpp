#include <lib/command_line.h>

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace {
std::string str(StringView v) { return std::string(v.data(), v.length()); }
} // namespace

TEST(CommandLine, KeysValuesAndFlags) {
    CommandLine c("quiet aramid.fastcon=1 init=/bin/sh  console=ttyS0 aramid.fault=pagefault");
    EXPECT_TRUE(c.has("quiet"));
    EXPECT_TRUE(c.flag("quiet"));
    EXPECT_TRUE(c.flag("aramid.fastcon"));
    EXPECT_EQ(str(c.value("init")), "/bin/sh");
    EXPECT_EQ(str(c.value("aramid.fault")), "pagefault");
    EXPECT_FALSE(c.has("verbose"));
    EXPECT_EQ(str(c.value("missing", "fallback")), "fallback");
}

TEST(CommandLine, LastValueWinsAndFalseFlags) {
    CommandLine c("a=1 a=2 b=0 c=no d=yes");
    EXPECT_EQ(str(c.value("a")), "2");
    EXPECT_FALSE(c.flag("b"));
    EXPECT_FALSE(c.flag("c"));
    EXPECT_TRUE(c.flag("d"));
}

TEST(CommandLine, QuotedValuesAndInitArguments) {
    CommandLine c("x=\"a b c\" y=2 -- z=3 w");
    EXPECT_EQ(str(c.value("x")), "a b c");
    EXPECT_EQ(c.number("y", 0), 2u);
    EXPECT_FALSE(c.has("z"));
    EXPECT_FALSE(c.has("w"));
}

static std::vector<std::string> init_arguments(CommandLine const& c) {
    std::vector<std::string> words;
    c.for_each_init_argument([&](StringView w) { words.push_back(str(w)); });
    return words;
}

TEST(CommandLine, InitArgumentsAfterDashes) {
    EXPECT_EQ(init_arguments(CommandLine("init=/bin/sh -- -c \"echo hi  there\" x=\"1\"  last")),
              (std::vector<std::string> { "-c", "echo hi  there", "x=\"1\"", "last" }));
    EXPECT_TRUE(init_arguments(CommandLine("a b")).empty());
    EXPECT_TRUE(init_arguments(CommandLine("a --")).empty());
    // Only the first `--` separates: a later one is init's.
    EXPECT_EQ(init_arguments(CommandLine("-- -- a")), (std::vector<std::string> { "--", "a" }));
    // A quoted `--` is a value, not the separator.
    EXPECT_EQ(init_arguments(CommandLine("k=\"a -- b\" -- z")), (std::vector<std::string> { "z" }));
}

TEST(CommandLine, Numbers) {
    CommandLine c("n=42 h=0x1f bad=12x big=99999999999999999999999 empty=");
    EXPECT_EQ(c.number("n", 0), 42u);
    EXPECT_EQ(c.number("h", 0), 0x1fu);
    EXPECT_EQ(c.number("bad", 7), 7u);
    EXPECT_EQ(c.number("big", 7), 7u);
    EXPECT_EQ(c.number("empty", 7), 7u);
    EXPECT_EQ(c.number("absent", 9), 9u);
}

TEST(CommandLine, EmptyAndWhitespace) {
    CommandLine empty("");
    EXPECT_FALSE(empty.has("x"));
    CommandLine spaces("   \t  ");
    int words = 0;
    spaces.for_each([&](auto const&) { words++; });
    EXPECT_EQ(words, 0);
}
