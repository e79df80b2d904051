// Fixed-width integer names used across guest code.
#pragma once

#include <stddef.h>
#include <stdint.h>

using u8 = uint8_t;
using u16 = uint16_t;
using u32 = uint32_t;
using u64 = uint64_t;
using i8 = int8_t;
using i16 = int16_t;
using i32 = int32_t;
using i64 = int64_t;
using usize = size_t;
using isize = ptrdiff_t;

#define ALWAYS_INLINE inline __attribute__((always_inline))
#define NOINLINE __attribute__((noinline))
#define PACKED __attribute__((packed))

namespace lib {

template<typename T>
constexpr T align_up(T value, T alignment) { return (value + alignment - 1) & ~(alignment - 1); }
template<typename T>
constexpr T align_down(T value, T alignment) { return value & ~(alignment - 1); }
template<typename T>
constexpr bool is_aligned(T value, T alignment) { return (value & (alignment - 1)) == 0; }
template<typename T>
constexpr T min(T a, T b) { return a < b ? a : b; }
template<typename T>
constexpr T max(T a, T b) { return a > b ? a : b; }

} // namespace lib

using lib::align_down;
using lib::align_up;
using lib::is_aligned;
