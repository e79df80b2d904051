/* Contract: a pipe holds at least 4096 bytes and its capacity is a multiple
 * of 4096; a full O_NONBLOCK pipe gives EAGAIN; data
 * comes out in order; after reading a page, a page fits again. */
#include "contract.h"

int main(void)
{
    int p[2];
    OK(pipe2(p, O_NONBLOCK));
    static char page[4096];
    size_t total = 0;
    unsigned char next = 0;
    for (;;) {
        for (size_t i = 0; i < sizeof page; i++) page[i] = (char)next++;
        ssize_t n = write(p[1], page, sizeof page);
        if (n < 0) {
            CHECK(errno == EAGAIN, "a full pipe gives EAGAIN");
            break;
        }
        CHECK(n == sizeof page, "whole-page writes into a pipe with room");
        total += (size_t)n;
        CHECK(total <= (1 << 24), "capacity is bounded");
        next = (unsigned char)(total & 0xff);
    }
    EXPECT("capacity is at least 4096", total >= 4096);
    EXPECT("capacity is a multiple of 4096", total % 4096 == 0);
    EXPECT("F_GETPIPE_SZ equals the capacity", fcntl(p[1], F_GETPIPE_SZ) == (int)total);
    char c = 0;
    EXPECT_ERRNO("one more byte", write(p[1], &c, 1), EAGAIN);

    static char got[4096];
    CHECK(read(p[0], got, sizeof got) == sizeof got, "read a page");
    int in_order = 1;
    for (size_t i = 0; i < sizeof got; i++) in_order &= (unsigned char)got[i] == (unsigned char)i;
    EXPECT("data comes out in order", in_order);
    EXPECT("a page fits again", write(p[1], page, sizeof page) == sizeof page);

    /* Drain everything: the total is the capacity again. */
    size_t drained = 0;
    ssize_t n;
    while ((n = read(p[0], got, sizeof got)) > 0) drained += (size_t)n;
    CHECK(n < 0 && errno == EAGAIN, "an empty O_NONBLOCK pipe gives EAGAIN");
    EXPECT("everything written comes out", drained == total);
    ct_pass();
}
