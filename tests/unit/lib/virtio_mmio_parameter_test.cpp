#include <lib/virtio_mmio_parameter.h>

#include <gtest/gtest.h>

using lib::parse_memory_size;
using lib::parse_virtio_mmio_parameter;

TEST(VirtioMmioParameter, WhatQemuAndAramidVmmPass) {
    auto qemu = parse_virtio_mmio_parameter("512@0xfeb00e00:12");
    ASSERT_FALSE(qemu.is_error());
    EXPECT_EQ(qemu.value().size, 512u);
    EXPECT_EQ(qemu.value().base, 0xfeb00e00u);
    EXPECT_EQ(qemu.value().irq, 12u);

    auto vmm = parse_virtio_mmio_parameter("4K@0xd0000000:5");
    ASSERT_FALSE(vmm.is_error());
    EXPECT_EQ(vmm.value().size, 4096u);
    EXPECT_EQ(vmm.value().base, 0xd0000000u);
    EXPECT_EQ(vmm.value().irq, 5u);
}

TEST(VirtioMmioParameter, SizesAndBasesInEveryBase) {
    auto p = parse_virtio_mmio_parameter("0x200@3489660928:5:3");
    ASSERT_FALSE(p.is_error());
    EXPECT_EQ(p.value().size, 0x200u);
    EXPECT_EQ(p.value().base, 3489660928u);
    EXPECT_EQ(p.value().irq, 5u);
    auto octal = parse_virtio_mmio_parameter("01000@0X1000:1");
    ASSERT_FALSE(octal.is_error());
    EXPECT_EQ(octal.value().size, 512u);
    EXPECT_EQ(octal.value().base, 0x1000u);
    auto mega = parse_virtio_mmio_parameter("1m@0x10000000:7");
    ASSERT_FALSE(mega.is_error());
    EXPECT_EQ(mega.value().size, 1u << 20);
}

TEST(VirtioMmioParameter, RejectsWhatLinuxRejects) {
    for (char const* bad : { "", "4K", "4K@", "4K@0xd0000000", "4K@0xd0000000:", "4K@0xd0000000:0",
                             "4K@0xd0000000:5x", "4K@0xd0000000:5:", "4K@0xd0000000:5:1:2", "0@0x1000:5",
                             "4K0xd0000000:5", "@0xd0000000:5", "4K@0xd0000000:-5", "4X@0x1000:5",
                             "16E@0x1000:5", "4K@0xfffffffffffff000:5", "4K@0xd0000000:0x5" }) {
        EXPECT_TRUE(parse_virtio_mmio_parameter(bad).is_error()) << bad;
    }
}

TEST(MemorySize, Suffixes) {
    EXPECT_EQ(parse_memory_size("4K").value(), 4096u);
    EXPECT_EQ(parse_memory_size("4k").value(), 4096u);
    EXPECT_EQ(parse_memory_size("2G").value(), 2ull << 30);
    EXPECT_EQ(parse_memory_size("1T").value(), 1ull << 40);
    EXPECT_EQ(parse_memory_size("0x1E").value(), 0x1eu); // hex eats the E, as strtoull does
    EXPECT_EQ(parse_memory_size("0").value(), 0u);
    EXPECT_TRUE(parse_memory_size("").is_error());
    EXPECT_TRUE(parse_memory_size("4KB").is_error());
    EXPECT_TRUE(parse_memory_size("99999999999999999999").is_error());
}
