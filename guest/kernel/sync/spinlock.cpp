#include <kernel/debug/panic.h>
#include <kernel/sync/spinlock.h>

namespace sync_detail {

namespace {
// Ranks held on this CPU, innermost last. One CPU for now.
constexpr int kMaxHeld = 16;
LockRank g_held[kMaxHeld];
int g_depth;
} // namespace

void rank_acquired(LockRank rank, void const* lock) {
    if (g_depth > 0 && u8(g_held[g_depth - 1]) >= u8(rank))
        panic("lock order violation: taking %s (%p) while holding %s", lock_rank_name(rank), lock,
              lock_rank_name(g_held[g_depth - 1]));
    if (g_depth == kMaxHeld) panic("too many spinlocks held");
    g_held[g_depth++] = rank;
}

void rank_released(LockRank rank, void const* lock) {
    if (g_depth == 0 || g_held[g_depth - 1] != rank)
        panic("spinlock %s (%p) released out of order", lock_rank_name(rank), lock);
    g_depth--;
}

} // namespace sync_detail
