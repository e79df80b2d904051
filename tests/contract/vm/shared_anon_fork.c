/* Contract: MAP_SHARED|MAP_ANONYMOUS memory stays shared between parent and
 * child after fork, in both directions, while MAP_PRIVATE does not. */
#include "contract.h"
#include <sys/mman.h>

int main(void)
{
    volatile int *shared = OK(mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0));
    volatile int *private = OK(mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
    int to_child[2], to_parent[2];
    OK(pipe(to_child));
    OK(pipe(to_parent));

    pid_t child = ct_fork();
    if (child == 0) {
        shared[0] = 11;
        private[0] = 11;
        ct_post(to_parent[1]);
        ct_await(to_child[0]);
        _exit(shared[1] == 22 ? 0 : 1);
    }
    ct_await(to_parent[0]);
    printf("parent reads the child's shared write: %d\n", shared[0]);
    CHECK(shared[0] == 11, "child's write visible through MAP_SHARED");
    EXPECT("child's private write not visible", private[0] == 0);
    shared[1] = 22;
    ct_post(to_child[1]);
    int status = ct_wait(child);
    EXPECT("child reads the parent's shared write", WIFEXITED(status) && WEXITSTATUS(status) == 0);

    /* Several children add to one counter, one after another. */
    for (int i = 0; i < 4; i++) {
        child = ct_fork();
        if (child == 0) {
            shared[2] += 10;
            _exit(0);
        }
        ct_wait(child);
    }
    printf("counter after 4 children: %d\n", shared[2]);
    CHECK(shared[2] == 40, "counter is 40");
    ct_pass();
}
