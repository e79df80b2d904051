#include <kernel/arch/x86_64/cpu.h>
#include <kernel/drivers/random.h>

namespace random {

namespace {

u64 g_state[4];

u64 rotl(u64 x, int k) { return (x << k) | (x >> (64 - k)); }

u64 hardware_seed() {
    if ((x86::cpuid(1).ecx >> 30) & 1) {
        u64 value;
        unsigned char ok;
        for (int i = 0; i < 10; i++) {
            asm volatile("rdrand %0; setc %1" : "=r"(value), "=qm"(ok));
            if (ok) return value;
        }
    }
    return 0;
}

u64 splitmix(u64& x) {
    u64 z = (x += 0x9e3779b97f4a7c15);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9;
    z = (z ^ (z >> 27)) * 0x94d049bb133111eb;
    return z ^ (z >> 31);
}

} // namespace

void init() {
    u64 seed = hardware_seed() ^ x86::rdtsc();
    for (auto& s : g_state) s = splitmix(seed);
}

u64 next() {
    u64 const result = rotl(g_state[1] * 5, 7) * 9;
    u64 const t = g_state[1] << 17;
    g_state[2] ^= g_state[0];
    g_state[3] ^= g_state[1];
    g_state[1] ^= g_state[2];
    g_state[0] ^= g_state[3];
    g_state[2] ^= t;
    g_state[3] = rotl(g_state[3], 45);
    return result;
}

void fill(void* buffer, usize length) {
    auto* bytes = static_cast<u8*>(buffer);
    while (length) {
        u64 v = next() ^ x86::rdtsc();
        usize n = length < 8 ? length : 8;
        __builtin_memcpy(bytes, &v, n);
        bytes += n;
        length -= n;
    }
}

} // namespace random
