// Opening the KVM device: a missing device and a device that is not KVM fail
// with a one-line VmmError (the integration tests see it as status 125). A
// real /dev/kvm is not needed, nor used, here.
#include <vmm/kvm/kvm.h>
#include <vmm/util/error.h>

#include <gtest/gtest.h>

#include <cerrno>
#include <string>

using namespace vmm;

namespace {

VmmError open_error(std::string const& path) {
    try {
        Kvm kvm(path);
    } catch (VmmError const& e) {
        return e;
    }
    ADD_FAILURE() << path << " was accepted as a KVM device";
    return VmmError("");
}

} // namespace

TEST(Kvm, MissingDeviceIsEnoent) {
    VmmError const e = open_error("/nonexistent/kvm");
    EXPECT_EQ(e.error_number(), ENOENT) << "the harness skips KVM tests on ENOENT only";
    EXPECT_STREQ(e.what(), "no usable /nonexistent/kvm: it does not exist (ENOENT)");
}

TEST(Kvm, RejectsDeviceThatIsNotKvm) {
    VmmError const e = open_error("/dev/null");
    EXPECT_EQ(e.error_number(), ENOTTY);
    EXPECT_STREQ(e.what(),
                 "no usable /dev/null: not a KVM device (KVM_GET_API_VERSION: Inappropriate ioctl for device)");
}

TEST(Kvm, RejectsDirectory) {
    VmmError const e = open_error("/");
    EXPECT_EQ(e.error_number(), EISDIR);
    EXPECT_EQ(std::string(e.what()).find("no usable /: "), 0u) << e.what();
}
