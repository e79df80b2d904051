#include <kernel/mm/user.h>
#include <kernel/proc/process.h>
#include <kernel/proc/rseq.h>
#include <kernel/proc/signal.h>

namespace rseq {

namespace {

// <linux/rseq.h>
constexpr int RSEQ_FLAG_UNREGISTER = 1;
constexpr u32 kOriginalSize = 32; // ORIG_RSEQ_SIZE; also the alignment of struct rseq
constexpr u32 kCpuIdUninitialized = ~0u;
// struct rseq
constexpr u64 kCpuIdStart = 0, kCpuId = 4, kCs = 8, kNodeId = 20, kMmCid = 24;

struct CriticalSection { // struct rseq_cs
    u32 version;
    u32 flags;
    u64 start_ip;
    u64 post_commit_offset;
    u64 abort_ip;
};

u64 switches_of(Thread const& thread) { return thread.switches.voluntary + thread.switches.involuntary; }

Result<void> put_u32(u64 address, u32 value) { return mm::copy_to_user(address, &value, sizeof(value)); }

// The CPU fields as a thread on CPU 0 (the only one) sees them.
Result<void> write_cpu_fields(u64 area, u32 cpu_id) {
    TRY(put_u32(area + kCpuIdStart, 0));
    TRY(put_u32(area + kCpuId, cpu_id));
    TRY(put_u32(area + kNodeId, 0));
    return put_u32(area + kMmCid, 0);
}

void segfault(Thread& thread) {
    signals::Info info;
    info.signo = signals::SIGSEGV;
    info.code = signals::SI_KERNEL;
    signals::force(thread, info);
}

// Linux's rseq_ip_fixup: the thread at frame.rip leaves its critical
// section for the abort handler. False if its rseq data is broken.
bool fixup(Thread& thread, TrapFrame& frame) {
    u64 const area = thread.rseq.area;
    u64 pointer;
    if (mm::copy_from_user(&pointer, area + kCs, sizeof(pointer)).is_error()) return false;
    if (!pointer) return true;
    CriticalSection cs;
    if (mm::copy_from_user(&cs, pointer, sizeof(cs)).is_error()) return false;
    // rseq_get_rseq_cs: version 0, the section and abort address in user
    // space, the abort address outside the section.
    if (cs.version != 0 || cs.start_ip >= mm::kUserEnd || cs.post_commit_offset >= mm::kUserEnd - cs.start_ip
        || cs.abort_ip >= mm::kUserEnd || cs.abort_ip < 4
        || (cs.abort_ip - cs.start_ip < cs.post_commit_offset))
        return false;
    if (frame.rip - cs.start_ip >= cs.post_commit_offset) {
        // Outside: the section is over; Linux clears the pointer lazily.
        u64 const zero = 0;
        return !mm::copy_to_user(area + kCs, &zero, sizeof(zero)).is_error();
    }
    u32 signature;
    if (mm::copy_from_user(&signature, cs.abort_ip - 4, sizeof(signature)).is_error()) return false;
    if (signature != thread.rseq.signature) return false;
    u64 const zero = 0;
    if (mm::copy_to_user(area + kCs, &zero, sizeof(zero)).is_error()) return false;
    frame.rip = cs.abort_ip;
    return true;
}

} // namespace

Result<u64> syscall(Thread& thread, u64 area, u32 length, int flags, u32 signature) {
    Registration& r = thread.rseq;
    if (flags & RSEQ_FLAG_UNREGISTER) {
        if (flags & ~RSEQ_FLAG_UNREGISTER) return Errno(EINVAL);
        if (!r.area || r.area != area || r.length != length) return Errno(EINVAL);
        if (r.signature != signature) return Errno(EPERM);
        TRY(write_cpu_fields(area, kCpuIdUninitialized));
        r = Registration {};
        return u64(0);
    }
    if (flags) return Errno(EINVAL);
    if (r.area) {
        if (r.area != area || r.length != length) return Errno(EINVAL);
        if (r.signature != signature) return Errno(EPERM);
        return Errno(EBUSY);
    }
    if (length < kOriginalSize || area % kOriginalSize) return Errno(EINVAL);
    if (!mm::is_user_range(area, length)) return Errno(EFAULT);
    // Linux 6.18 resets the fields at once (a bad pointer is EFAULT here).
    TRY(write_cpu_fields(area, kCpuIdUninitialized));
    r.area = area;
    r.length = length;
    r.signature = signature;
    r.switches_seen = switches_of(thread);
    r.update_pending = true;
    return u64(0);
}

void on_signal_delivery(Thread& thread, TrapFrame& frame) {
    if (thread.rseq.area && !fixup(thread, frame)) segfault(thread);
}

void on_return_to_user(Thread& thread, TrapFrame& frame) {
    Registration& r = thread.rseq;
    if (!r.area) return;
    u64 const switches = switches_of(thread);
    if (switches == r.switches_seen && !r.update_pending) return;
    r.switches_seen = switches;
    bool ok = true;
    if (r.update_pending) ok = !write_cpu_fields(r.area, 0).is_error();
    r.update_pending = false;
    if (!ok || !fixup(thread, frame)) segfault(thread);
}

} // namespace rseq
