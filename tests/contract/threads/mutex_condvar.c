/* Contract: a pthread mutex and condition variables hand every item of a
 * bounded queue from several producers to several consumers exactly once. */
#include "contract.h"

#include <pthread.h>

enum { kProducers = 3, kConsumers = 3, kItemsEach = 2000, kCapacity = 8 };

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t not_full = PTHREAD_COND_INITIALIZER;
static pthread_cond_t not_empty = PTHREAD_COND_INITIALIZER;
static int queue[kCapacity];
static int head, count, producers_left = kProducers;
static unsigned char seen[kProducers * kItemsEach];
static int consumed[kConsumers];
static long long sum;

static void *produce(void *arg)
{
    int const base = (int)(long)arg * kItemsEach;
    for (int i = 0; i < kItemsEach; i++) {
        pthread_mutex_lock(&lock);
        while (count == kCapacity) pthread_cond_wait(&not_full, &lock);
        queue[(head + count++) % kCapacity] = base + i;
        pthread_cond_signal(&not_empty);
        pthread_mutex_unlock(&lock);
    }
    pthread_mutex_lock(&lock);
    if (--producers_left == 0) pthread_cond_broadcast(&not_empty);
    pthread_mutex_unlock(&lock);
    return NULL;
}

static void *consume(void *arg)
{
    int const self = (int)(long)arg;
    for (;;) {
        pthread_mutex_lock(&lock);
        while (count == 0 && producers_left > 0) pthread_cond_wait(&not_empty, &lock);
        if (count == 0) {
            pthread_mutex_unlock(&lock);
            return NULL;
        }
        int const item = queue[head];
        head = (head + 1) % kCapacity;
        count--;
        seen[item]++;
        sum += item;
        consumed[self]++;
        pthread_cond_signal(&not_full);
        pthread_mutex_unlock(&lock);
    }
}

static void *try_lock(void *arg)
{
    (void)arg;
    int const r = pthread_mutex_trylock(&lock);
    if (r == 0) pthread_mutex_unlock(&lock);
    return (void *)(long)r;
}

int main(void)
{
    pthread_t producers[kProducers], consumers[kConsumers];
    for (long i = 0; i < kConsumers; i++) CHECK(pthread_create(&consumers[i], NULL, consume, (void *)i) == 0, "create consumer");
    for (long i = 0; i < kProducers; i++) CHECK(pthread_create(&producers[i], NULL, produce, (void *)i) == 0, "create producer");
    for (int i = 0; i < kProducers; i++) CHECK(pthread_join(producers[i], NULL) == 0, "join producer");
    for (int i = 0; i < kConsumers; i++) CHECK(pthread_join(consumers[i], NULL) == 0, "join consumer");

    int total = 0;
    for (int i = 0; i < kConsumers; i++) total += consumed[i];
    printf("items consumed: %d of %d\n", total, kProducers * kItemsEach);
    int once = 1;
    for (int i = 0; i < kProducers * kItemsEach; i++) once &= seen[i] == 1;
    EXPECT("every item consumed exactly once", once);
    long long const n = kProducers * kItemsEach;
    printf("sum of items: %lld (expected %lld)\n", sum, n * (n - 1) / 2);
    CHECK(sum == n * (n - 1) / 2, "sum");
    printf("queue empty at the end: %s\n", count == 0 ? "yes" : "no");

    /* A mutex is exclusive: another thread's trylock fails while it is held. */
    pthread_mutex_lock(&lock);
    pthread_t t;
    void *busy;
    CHECK(pthread_create(&t, NULL, try_lock, NULL) == 0, "create");
    CHECK(pthread_join(t, &busy) == 0, "join");
    printf("trylock of a held mutex: %s\n", errno_name((int)(long)busy));
    pthread_mutex_unlock(&lock);
    CHECK(pthread_create(&t, NULL, try_lock, NULL) == 0, "create");
    CHECK(pthread_join(t, &busy) == 0, "join");
    printf("trylock of a free mutex: %s\n", errno_name((int)(long)busy));
    ct_pass();
}
