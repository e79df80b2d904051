/* Contract: after fork, parent and child have private copies of data, bss,
 * heap, stack and MAP_PRIVATE anonymous memory: a write on either side is
 * invisible to the other. */
#include "contract.h"
#include <sys/mman.h>

static int data_var = 1;
static int bss_var;

int main(void)
{
    int *heap = malloc(sizeof *heap);
    CHECK(heap, "malloc");
    *heap = 1;
    int *anon = OK(mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
    *anon = 1;
    volatile int stack_var = 1;
    bss_var = 1;

    int to_child[2], to_parent[2];
    OK(pipe(to_child));
    OK(pipe(to_parent));
    pid_t child = ct_fork();
    if (child == 0) {
        /* Wait until the parent has written 2 everywhere: we still see 1. */
        ct_await(to_child[0]);
        int saw_old = data_var == 1 && bss_var == 1 && *heap == 1 && *anon == 1 && stack_var == 1;
        data_var = bss_var = *heap = *anon = 3;
        stack_var = 3;
        ct_post(to_parent[1]);
        _exit(saw_old ? 0 : 1);
    }
    data_var = bss_var = *heap = *anon = 2;
    stack_var = 2;
    ct_post(to_child[1]);
    ct_await(to_parent[0]);
    int status = ct_wait(child);
    CHECK(WIFEXITED(status), "child exited");
    EXPECT("child did not see the parent's writes", WEXITSTATUS(status) == 0);
    EXPECT("parent did not see the child's writes",
           data_var == 2 && bss_var == 2 && *heap == 2 && *anon == 2 && stack_var == 2);

    /* A large private region: the child rewrites every page. */
    size_t const size = 64 * 4096;
    char *big = OK(mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
    memset(big, 'p', size);
    child = ct_fork();
    if (child == 0) {
        memset(big, 'c', size);
        _exit(big[size - 1] == 'c' ? 0 : 1);
    }
    status = ct_wait(child);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0, "child wrote its copy");
    int intact = 1;
    for (size_t i = 0; i < size; i++) intact &= big[i] == 'p';
    EXPECT("64 pages unchanged in the parent", intact);
    ct_pass();
}
