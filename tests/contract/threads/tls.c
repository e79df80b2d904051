/* Contract: each thread has its own copy of every __thread variable, made
 * from the initial values in .tdata and zeroes for .tbss, aligned as
 * declared, and unaffected by other threads' writes. */
#include "contract.h"

#include <pthread.h>
#include <stdint.h>

static __thread int initialised = 42;                      /* .tdata */
static __thread long table[4] = { 1, 2, 3, 4 };            /* .tdata */
static __thread char const *name = "tdata";                /* .tdata, a pointer */
static __thread int zero;                                  /* .tbss */
static __thread char big_zero[8192];                       /* .tbss, several pages */
static __thread int aligned __attribute__((aligned(64)));  /* .tbss, over-aligned */

enum { kThreads = 4 };
static pthread_barrier_t written, checked;
static uintptr_t addresses[kThreads + 1];

static int fresh_values_ok(void)
{
    int ok = initialised == 42 && table[0] == 1 && table[3] == 4 && strcmp(name, "tdata") == 0 && zero == 0
        && aligned == 0;
    for (unsigned i = 0; i < sizeof big_zero; i++) ok &= big_zero[i] == 0;
    return ok;
}

static void write_values(int id)
{
    initialised = 100 + id;
    table[3] = 1000 + id;
    zero = id;
    big_zero[sizeof big_zero - 1] = (char)id;
    aligned = id;
    name = "changed";
}

static int own_values_ok(int id)
{
    return initialised == 100 + id && table[3] == 1000 + id && zero == id && big_zero[sizeof big_zero - 1] == id
        && aligned == id && strcmp(name, "changed") == 0;
}

static void *thread_main(void *arg)
{
    int const id = (int)(long)arg;
    long ok = fresh_values_ok() ? 1 : 0;
    ok |= ((uintptr_t)&aligned % 64 == 0) ? 2 : 0;
    addresses[id] = (uintptr_t)&initialised;
    write_values(id);
    pthread_barrier_wait(&written); /* every thread has written its copy */
    ok |= own_values_ok(id) ? 4 : 0;
    pthread_barrier_wait(&checked);
    return (void *)ok;
}

int main(void)
{
    EXPECT("main: initial values from .tdata and zero .tbss", fresh_values_ok());
    EXPECT("main: the 64-byte aligned variable is aligned", (uintptr_t)&aligned % 64 == 0);
    write_values(0); /* before the threads start: they must not see this */
    addresses[0] = (uintptr_t)&initialised;

    pthread_barrier_init(&written, NULL, kThreads + 1);
    pthread_barrier_init(&checked, NULL, kThreads + 1);
    pthread_t threads[kThreads];
    for (long i = 1; i <= kThreads; i++) CHECK(pthread_create(&threads[i - 1], NULL, thread_main, (void *)i) == 0, "create");
    pthread_barrier_wait(&written);
    EXPECT("main: its own values survive the threads' writes", own_values_ok(0));
    pthread_barrier_wait(&checked);
    for (int i = 0; i < kThreads; i++) {
        void *result;
        CHECK(pthread_join(threads[i], &result) == 0, "join");
        long const ok = (long)result;
        printf("thread %d: fresh initial values %s, aligned %s, own values kept %s\n", i + 1, ok & 1 ? "yes" : "no",
               ok & 2 ? "yes" : "no", ok & 4 ? "yes" : "no");
    }
    int distinct = 1;
    for (int i = 0; i <= kThreads; i++)
        for (int j = 0; j < i; j++) distinct &= addresses[i] != addresses[j];
    EXPECT("every thread's copy has its own address", distinct);

    /* A thread created after the others exited still starts from .tdata. */
    pthread_t late;
    void *result;
    pthread_barrier_destroy(&written);
    pthread_barrier_destroy(&checked);
    pthread_barrier_init(&written, NULL, 1);
    pthread_barrier_init(&checked, NULL, 1);
    CHECK(pthread_create(&late, NULL, thread_main, (void *)7) == 0, "create");
    CHECK(pthread_join(late, &result) == 0, "join");
    printf("a later thread: fresh initial values %s\n", (long)result & 1 ? "yes" : "no");
    ct_pass();
}
