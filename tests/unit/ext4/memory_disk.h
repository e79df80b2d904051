// A disk in memory for the block-cache tests: block i (of kBlock bytes) is
// filled with the byte i+1. Every request is recorded; requests that touch
// [bad_begin, bad_end) fail with EIO.
#pragma once

#include <fs/block_cache.h>

#include <algorithm>
#include <vector>

constexpr usize kBlock = 1024;

struct Request {
    u64 offset;
    usize length;
};

class MemoryDisk final : public BlockBackend {
public:
    explicit MemoryDisk(usize blocks)
        : m_data(blocks * kBlock)
    {
        for (usize i = 0; i < m_data.size(); i++) m_data[i] = u8(i / kBlock + 1);
    }
    Result<void> read(u64 offset, u8* buffer, usize length) override
    {
        requests.push_back({ offset, length });
        if (offset < bad_end && offset + length > bad_begin) return Errno(EIO);
        if (offset + length > m_data.size()) return Errno(EINVAL);
        std::copy(m_data.begin() + long(offset), m_data.begin() + long(offset + length), buffer);
        return {};
    }
    u64 size() const override { return m_data.size(); }
    std::vector<Request> requests;
    u64 bad_begin { 0 };
    u64 bad_end { 0 };

private:
    std::vector<u8> m_data;
};
