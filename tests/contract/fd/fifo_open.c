/* Contract: opening a fifo (fifo(7)) waits for the other side -- O_RDONLY
 * until a writer opens, O_WRONLY until a reader opens -- unless O_NONBLOCK,
 * where a reader opens at once and a writer without a reader gets ENXIO;
 * O_RDWR never waits; a signal ends a waiting open with EINTR, or restarts
 * it under SA_RESTART; data left when the last end closes is discarded. */
#include "contract.h"

#include <sys/time.h>

static void on_alarm(int sig) { (void)sig; }

static void sleep_ms(long ms)
{
    struct timespec t = { 0, ms * 1000000L };
    while (nanosleep(&t, &t) < 0 && errno == EINTR) { }
}

int main(void)
{
    ct_enter_tmpdir();
    OK(mkfifo("f", 0600));
    char buf[16];

    int r = OK(open("f", O_RDONLY | O_NONBLOCK));
    printf("O_RDONLY|O_NONBLOCK with no writer: opens\n");
    EXPECT("read with no writer is end-of-file", read(r, buf, sizeof buf) == 0);
    int w = OK(open("f", O_WRONLY | O_NONBLOCK));
    printf("O_WRONLY|O_NONBLOCK with a reader: opens\n");
    EXPECT("data passes", write(w, "ab", 2) == 2 && read(r, buf, sizeof buf) == 2);
    OK(close(w));
    OK(close(r));
    EXPECT_ERRNO("O_WRONLY|O_NONBLOCK with no reader", open("f", O_WRONLY | O_NONBLOCK), ENXIO);

    int rw = OK(open("f", O_RDWR));
    printf("O_RDWR with nobody else: opens\n");
    EXPECT("O_RDWR reads what it wrote", write(rw, "x", 1) == 1 && read(rw, buf, 1) == 1 && buf[0] == 'x');
    EXPECT("one more byte", write(rw, "y", 1) == 1);
    OK(close(rw));
    rw = OK(open("f", O_RDWR | O_NONBLOCK));
    EXPECT_ERRNO("after the last close the byte left is gone", read(rw, buf, 1), EAGAIN);
    OK(close(rw));

    /* A blocking reader waits for the writer that comes later. */
    pid_t child = ct_fork();
    if (child == 0) {
        sleep_ms(100);
        int fd = open("f", O_WRONLY);
        _exit(fd >= 0 && write(fd, "hello", 5) == 5 ? 0 : 1);
    }
    r = OK(open("f", O_RDONLY));
    ssize_t n = read(r, buf, sizeof buf);
    printf("blocking reader got: %.*s\n", n > 0 ? (int)n : 0, buf);
    EXPECT("then end-of-file", read(r, buf, sizeof buf) == 0);
    printf("writer: %s\n", status_text(ct_wait(child)));
    OK(close(r));

    /* A blocking writer waits for the reader that comes later. */
    child = ct_fork();
    if (child == 0) {
        sleep_ms(100);
        int fd = open("f", O_RDONLY);
        ssize_t got = fd >= 0 ? read(fd, buf, sizeof buf) : -1;
        _exit(got == 5 && memcmp(buf, "world", 5) == 0 ? 0 : 1);
    }
    w = OK(open("f", O_WRONLY));
    EXPECT("blocking writer writes", write(w, "world", 5) == 5);
    OK(close(w));
    printf("reader: %s\n", status_text(ct_wait(child)));

    /* A signal (no SA_RESTART) ends an open that waits. */
    struct sigaction sa = { 0 };
    sa.sa_handler = on_alarm;
    OK(sigaction(SIGALRM, &sa, NULL));
    struct itimerval it = { { 0, 0 }, { 0, 50000 } };
    OK(setitimer(ITIMER_REAL, &it, NULL));
    EXPECT_ERRNO("blocking O_RDONLY interrupted by a signal", open("f", O_RDONLY), EINTR);
    OK(setitimer(ITIMER_REAL, &it, NULL));
    EXPECT_ERRNO("blocking O_WRONLY interrupted by a signal", open("f", O_WRONLY), EINTR);

    /* Under SA_RESTART the open goes on waiting after the handler, until
     * the reader a child brings 200 ms later. */
    sa.sa_flags = SA_RESTART;
    OK(sigaction(SIGALRM, &sa, NULL));
    child = ct_fork();
    if (child == 0) {
        sleep_ms(200);
        int fd = open("f", O_RDONLY);
        _exit(fd >= 0 ? 0 : 1);
    }
    OK(setitimer(ITIMER_REAL, &it, NULL));
    w = open("f", O_WRONLY);
    EXPECT("blocking O_WRONLY restarted by SA_RESTART opens", w >= 0);
    printf("late reader: %s\n", status_text(ct_wait(child)));
    ct_pass();
}
