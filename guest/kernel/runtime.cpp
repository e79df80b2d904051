// What the compiler and the C++ ABI expect from a freestanding kernel:
// the mem* functions (GCC emits calls to them even with -ffreestanding),
// pure-virtual and static-destructor hooks.
#include <kernel/debug/panic.h>
#include <lib/types.h>

extern "C" {

void* memcpy(void* dest, void const* src, usize n) {
    void* d = dest;
    asm volatile("rep movsb" : "+D"(d), "+S"(src), "+c"(n)::"memory");
    return dest;
}

void* memmove(void* dest, void const* src, usize n) {
    auto* d = static_cast<u8*>(dest);
    auto const* s = static_cast<u8 const*>(src);
    if (d <= s || d >= s + n) return memcpy(dest, src, n);
    // Overlapping with dest above src: copy backwards.
    u8* last_d = d + n - 1;
    u8 const* last_s = s + n - 1;
    asm volatile("std; rep movsb; cld" : "+D"(last_d), "+S"(last_s), "+c"(n)::"memory");
    return dest;
}

void* memset(void* dest, int c, usize n) {
    void* d = dest;
    asm volatile("rep stosb" : "+D"(d), "+c"(n) : "a"(c) : "memory");
    return dest;
}

int memcmp(void const* a, void const* b, usize n) {
    auto const* x = static_cast<u8 const*>(a);
    auto const* y = static_cast<u8 const*>(b);
    for (usize i = 0; i < n; i++)
        if (x[i] != y[i]) return x[i] < y[i] ? -1 : 1;
    return 0;
}

usize strlen(char const* s) {
    usize n = 0;
    while (s[n]) n++;
    return n;
}

void __cxa_pure_virtual() { panic("pure virtual function called"); }

// The kernel never exits, so static destructors never run.
int __cxa_atexit(void (*)(void*), void*, void*) { return 0; }
void* __dso_handle = nullptr;

} // extern "C"
