// aramid-vmm's command line: every option, the program after `--`, and the
// one-line errors for bad usage.
#include <vmm/options.h>
#include <vmm/util/error.h>

#include <proto/vm_abi.h>

#include <gtest/gtest.h>

#include <string>
#include <vector>

using namespace vmm;

namespace {

std::string error_of(std::vector<std::string> const& args) {
    try {
        parse_options(args);
    } catch (VmmError const& e) {
        std::string const message = e.what();
        EXPECT_EQ(message.find('\n'), std::string::npos) << "not one line: " << message;
        return message;
    }
    return "";
}

} // namespace

TEST(Options, Defaults) {
    Options o = parse_options({});
    EXPECT_FALSE(o.kernel);
    EXPECT_FALSE(o.initrd);
    EXPECT_EQ(o.cmdline, "");
    EXPECT_EQ(o.memory_mib, 256u);
    EXPECT_FALSE(o.timeout_seconds);
    EXPECT_FALSE(o.timings || o.verbose || o.stats || o.help || o.version);
    EXPECT_FALSE(o.log_file || o.result_file || o.monitor_socket);
    EXPECT_EQ(o.kvm_device, "/dev/kvm");
    EXPECT_FALSE(o.disk);
    EXPECT_FALSE(o.disk_read_only);
    EXPECT_TRUE(o.program.empty());
}

TEST(Options, EveryOption) {
    Options o = parse_options({ "--kernel", "k.elf", "--initrd", "root.cpio", "--cmdline", "init=/bin/sh",
                                "--mem", "64", "--timeout", "2.5", "--timings", "--verbose", "--stats", "--log",
                                "kernel.log", "--result", "r.json", "--monitor", "mon.sock", "--kvm-device",
                                "/dev/null", "--disk", "disk.img", "--disk-readonly", "--help", "--version" });
    EXPECT_EQ(o.kernel, "k.elf");
    EXPECT_EQ(o.initrd, "root.cpio");
    EXPECT_EQ(o.cmdline, "init=/bin/sh");
    EXPECT_EQ(o.memory_mib, 64u);
    EXPECT_EQ(o.timeout_seconds, 2.5);
    EXPECT_TRUE(o.timings && o.verbose && o.stats && o.help && o.version);
    EXPECT_EQ(o.log_file, "kernel.log");
    EXPECT_EQ(o.result_file, "r.json");
    EXPECT_EQ(o.monitor_socket, "mon.sock");
    EXPECT_EQ(o.kvm_device, "/dev/null");
    EXPECT_EQ(o.disk, "disk.img");
    EXPECT_TRUE(o.disk_read_only);
}

TEST(Options, ShortForms) {
    Options o = parse_options({ "-v", "-h" });
    EXPECT_TRUE(o.verbose);
    EXPECT_TRUE(o.help);
}

TEST(Options, CmdlineRepeatsAndLaterValuesWin) {
    Options o = parse_options({ "--cmdline", "quiet", "--kernel", "a", "--cmdline", "aramid.selftest=1 x=y",
                                "--kernel", "b", "--mem", "32", "--mem", "48" });
    EXPECT_EQ(o.cmdline, "quiet aramid.selftest=1 x=y");
    EXPECT_EQ(o.kernel, "b");
    EXPECT_EQ(o.memory_mib, 48u);
}

TEST(Options, ProgramAfterDoubleDash) {
    Options o = parse_options({ "--mem", "32", "--", "/bin/echo", "--mem", "-v", "--", "" });
    EXPECT_EQ(o.memory_mib, 32u);
    EXPECT_FALSE(o.verbose) << "options after -- belong to the program";
    EXPECT_EQ(o.program, (std::vector<std::string> { "/bin/echo", "--mem", "-v", "--", "" }));
}

TEST(Options, RejectsDoubleDashWithoutProgram) {
    EXPECT_EQ(error_of({ "--" }), "-- must be followed by a program");
    EXPECT_EQ(error_of({ "-v", "--" }), "-- must be followed by a program");
}

TEST(Options, RejectsMissingValues) {
    for (char const* option : { "--kernel", "--initrd", "--cmdline", "--mem", "--timeout", "--log", "--result",
                                "--monitor", "--kvm-device", "--disk" })
        EXPECT_EQ(error_of({ "-v", option }), std::string(option) + " needs a value");
}

TEST(Options, RejectsUnknownOptions) {
    EXPECT_EQ(error_of({ "--memory", "64" }), "unknown option '--memory' (see --help)");
    EXPECT_EQ(error_of({ "-x" }), "unknown option '-x' (see --help)");
    EXPECT_EQ(error_of({ "kernel.elf" }), "unknown option 'kernel.elf' (see --help)");
    EXPECT_EQ(error_of({ "" }), "unknown option '' (see --help)");
    EXPECT_EQ(error_of({ "--mem=64" }), "unknown option '--mem=64' (see --help)");
}

TEST(Options, MemoryRange) {
    EXPECT_EQ(parse_options({ "--mem", "16" }).memory_mib, kMinMemoryMib);
    EXPECT_EQ(parse_options({ "--mem", "3072" }).memory_mib, kMaxMemoryMib);
    EXPECT_EQ(error_of({ "--mem", "15" }), "--mem: 15 MiB is out of range (16-3072)");
    EXPECT_EQ(error_of({ "--mem", "3073" }), "--mem: 3073 MiB is out of range (16-3072)");
    EXPECT_EQ(error_of({ "--mem", "0" }), "--mem: 0 MiB is out of range (16-3072)");
    // Large enough that MiB << 20 would overflow if it were not range-checked first.
    EXPECT_EQ(error_of({ "--mem", "17592186044416" }), "--mem: 17592186044416 MiB is out of range (16-3072)");
}

TEST(Options, RejectsBadNumbers) {
    for (char const* text : { "", "abc", "64k", "6 4", "0x40", "1e3", "64.0" })
        EXPECT_EQ(error_of({ "--mem", text }), std::string("--mem: expected a number, got '") + text + "'") << text;
    EXPECT_EQ(error_of({ "--mem", "-64" }), "--mem: expected a positive number, got '-64'");
    // strtoull would skip the blanks and the sign and wrap -5 to 2^64 - 5.
    EXPECT_EQ(error_of({ "--mem", " -5" }), "--mem: expected a number, got ' -5'");
    EXPECT_EQ(error_of({ "--mem", " 64" }), "--mem: expected a number, got ' 64'");
    EXPECT_EQ(error_of({ "--mem", "+64" }), "--mem: expected a number, got '+64'");
    EXPECT_EQ(error_of({ "--mem", "99999999999999999999999" }), "--mem: 99999999999999999999999 is too large");
}

TEST(Options, Timeout) {
    EXPECT_EQ(parse_options({ "--timeout", "10" }).timeout_seconds, 10.0);
    EXPECT_EQ(parse_options({ "--timeout", "0.25" }).timeout_seconds, 0.25);
    EXPECT_EQ(parse_options({ "--timeout", "1e3" }).timeout_seconds, 1000.0);
    EXPECT_EQ(parse_options({ "--timeout", "1000000" }).timeout_seconds, 1e6);
    for (char const* text : { "", "0", "-1", "abc", "5s", "nan", "inf", "-inf", "1000001", "1e400" })
        EXPECT_EQ(error_of({ "--timeout", text }), std::string("--timeout: expected seconds (> 0), got '") + text + "'")
            << text;
}

TEST(Options, UsageListsEveryOptionAndExitStatus) {
    std::string const usage = usage_text();
    for (char const* option : { "--kernel", "--initrd", "--cmdline", "--mem", "--timeout", "--timings", "--verbose",
                                "--log", "--result", "--stats", "--kvm-device", "--disk", "--disk-readonly", "--help",
                                "--version" })
        EXPECT_NE(usage.find(option), std::string::npos) << option;
    for (char const* status : { "128+n", "123", "124", "125" })
        EXPECT_NE(usage.find(status), std::string::npos) << status;
}

TEST(Options, Disk) {
    Options o = parse_options({ "--disk", "/images/root.ext4" });
    EXPECT_EQ(o.disk, "/images/root.ext4");
    EXPECT_FALSE(o.disk_read_only);
    // --disk-readonly may come first.
    o = parse_options({ "--disk-readonly", "--disk", "ro.img" });
    EXPECT_EQ(o.disk, "ro.img");
    EXPECT_TRUE(o.disk_read_only);
    // The path is taken as it is; opening it is the machine's (a missing
    // file fails there with status 125).
    EXPECT_EQ(parse_options({ "--disk", "--disk-readonly" }).disk, "--disk-readonly");
    // After --, both belong to the program.
    o = parse_options({ "--disk", "a.img", "--", "/bin/prog", "--disk-readonly", "--disk", "b.img" });
    EXPECT_EQ(o.disk, "a.img");
    EXPECT_FALSE(o.disk_read_only);
}

TEST(Options, DiskErrors) {
    EXPECT_EQ(error_of({ "--disk-readonly" }), "--disk-readonly needs --disk");
    EXPECT_EQ(error_of({ "--disk-readonly", "--", "/bin/true", "--disk", "x" }), "--disk-readonly needs --disk");
    EXPECT_EQ(error_of({ "--disk", "a.img", "--disk", "b.img" }), "--disk: only one disk is supported");
    EXPECT_EQ(error_of({ "--disk" }), "--disk needs a value");
    EXPECT_EQ(error_of({ "--disk-readonly=1" }), "unknown option '--disk-readonly=1' (see --help)");
}
