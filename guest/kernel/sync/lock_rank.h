// The lock order. A lock may only be taken while every lock already held has
// a lower rank; Spinlock checks this at run time and panics naming both.
// Add new locks here, in the order they nest.
#pragma once

#include <lib/types.h>

enum class LockRank : u8 {
    None = 0,
    // outermost
    Scheduler = 10,     // run queue, thread states
    ProcessTable = 20,  // pid table
    AddressSpace = 30,  // a process's mappings and page tables
    Heap = 40,          // kmalloc size classes
    KernelStacks = 45,  // kernel stack slots
    PhysicalAllocator = 50,
    BlockRequest = 55,  // a disk's one request in flight (virtio-blk), polled to completion
    Log = 60,           // the kernel log ring
    // innermost
};

inline char const* lock_rank_name(LockRank rank) {
    switch (rank) {
    case LockRank::None: return "none";
    case LockRank::Scheduler: return "scheduler";
    case LockRank::ProcessTable: return "process-table";
    case LockRank::AddressSpace: return "address-space";
    case LockRank::Heap: return "heap";
    case LockRank::KernelStacks: return "kernel-stacks";
    case LockRank::PhysicalAllocator: return "physical-allocator";
    case LockRank::BlockRequest: return "block-request";
    case LockRank::Log: return "log";
    }
    return "?";
}
