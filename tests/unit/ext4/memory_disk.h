// A disk in memory for the block-cache tests: block i (of kBlock bytes) is
// filled with the byte i+1. Every request is recorded (reads in `requests`,
// writes in `writes`); requests that touch [bad_begin, bad_end) fail with
// EIO, and so do writes that touch [bad_write_begin, bad_write_end).
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
    Result<void> write(u64 offset, u8 const* buffer, usize length) override
    {
        writes.push_back({ offset, length });
        if (offset < bad_end && offset + length > bad_begin) return Errno(EIO);
        if (offset < bad_write_end && offset + length > bad_write_begin) return Errno(EIO);
        if (offset + length > m_data.size()) return Errno(EINVAL);
        std::copy(buffer, buffer + length, m_data.begin() + long(offset));
        return {};
    }
    Result<void> flush() override
    {
        flushes++;
        return {};
    }
    u64 size() const override { return m_data.size(); }
    u8 byte(u64 offset) const { return m_data[offset]; }
    std::vector<Request> requests;
    std::vector<Request> writes;
    unsigned flushes { 0 };
    u64 bad_begin { 0 };
    u64 bad_end { 0 };
    u64 bad_write_begin { 0 };
    u64 bad_write_end { 0 };

private:
    std::vector<u8> m_data;
};
