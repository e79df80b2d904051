// Checks a table of uapi_test::Facts (abi_facts.h) with GoogleTest.
#pragma once

#include "abi_facts.h"

#include <gtest/gtest.h>

namespace uapi_test {

inline void expect_facts(Facts facts) {
    ASSERT_GT(facts.count, 0u);
    for (size_t i = 0; i < facts.count; ++i) {
        Fact const& fact = facts.facts[i];
        EXPECT_EQ(fact.ours, fact.host) << fact.what << ": ours 0x" << std::hex << fact.ours << ", host 0x"
                                        << fact.host;
    }
}

} // namespace uapi_test
