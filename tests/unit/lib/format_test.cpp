// lib::format against the host's snprintf: the guest's printk must format
// exactly like printf for every conversion it supports.
#include <lib/format.h>

#include <gtest/gtest.h>

#include <climits>
#include <cstdio>
#include <string>

namespace {

template<typename... Args>
void expect_like_printf(char const* fmt, Args... args) {
    char ours[256], theirs[256];
    size_t n = lib::format_to(ours, sizeof(ours), fmt, args...);
    int m = std::snprintf(theirs, sizeof(theirs), fmt, args...);
    EXPECT_STREQ(ours, theirs) << "format: " << fmt;
    EXPECT_EQ(n, size_t(m)) << "format: " << fmt;
}

} // namespace

TEST(Format, Integers) {
    expect_like_printf("%d %d %d", 0, -1, INT_MAX);
    expect_like_printf("%d", INT_MIN);
    expect_like_printf("%ld %lld", LONG_MIN, LLONG_MAX);
    expect_like_printf("%u %lu", UINT_MAX, ULONG_MAX);
    expect_like_printf("%x %X %lx %#x %#lx %#x", 0xabcdu, 0xabcdu, 0xdeadbeefcafeul, 0x1fu, 0x2aul, 0u);
    expect_like_printf("%o %#o", 8u, 8u);
    expect_like_printf("%5d|%-5d|%05d|%+d|% d", 42, 42, -42, 42, 42);
    expect_like_printf("%.3d|%8.3d|%-8.3x|", 7, -7, 0xau);
    expect_like_printf("%*d|%-*d|", 6, 1, 6, 2);
    expect_like_printf("%hhd %hd %hhu %hu", 300, 70000, 300, 70000);
    expect_like_printf("%zu %zd", size_t(123), ssize_t(-5));
    expect_like_printf("%018lx", 0xffffffff80100000ul);
}

TEST(Format, StringsAndCharacters) {
    expect_like_printf("%s|%10s|%-10s|%.2s|", "abc", "abc", "abc", "abc");
    expect_like_printf("%.*s!", 3, "abcdef");
    expect_like_printf("%c%c%3c%-3c|", 'x', 'y', 'z', 'w');
    expect_like_printf("100%%");
    expect_like_printf("no conversions");
}

TEST(Format, Pointer) {
    char ours[64], theirs[64];
    void* p = reinterpret_cast<void*>(0x1234abcdul);
    lib::format_to(ours, sizeof(ours), "%p", p);
    std::snprintf(theirs, sizeof(theirs), "%p", p);
    EXPECT_STREQ(ours, theirs);
}

TEST(Format, TruncatesAndReportsFullLength) {
    char buffer[8];
    size_t n = lib::format_to(buffer, sizeof(buffer), "%s", "0123456789");
    EXPECT_EQ(n, 10u);
    EXPECT_STREQ(buffer, "0123456");
    EXPECT_EQ(lib::format_to(nullptr, 0, "%d", 12345), 5u);
}

TEST(Format, NullString) {
    char buffer[16];
    lib::format_to(buffer, sizeof(buffer), "%s", static_cast<char const*>(nullptr));
    EXPECT_STREQ(buffer, "(null)");
}
