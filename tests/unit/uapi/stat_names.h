// The stat.h names both oracles know (stat_test.cpp: glibc, whose
// <sys/stat.h> takes struct statx from <linux/stat.h>; stat_kernel.cpp:
// <asm/stat.h> and <linux/stat.h>).
#pragma once

// clang-format off
#define UAPI_STATX_CONSTANTS(X)                                                                                        \
    X(STATX_TYPE) X(STATX_MODE) X(STATX_NLINK) X(STATX_UID) X(STATX_GID) X(STATX_ATIME) X(STATX_MTIME)                 \
    X(STATX_CTIME) X(STATX_INO) X(STATX_SIZE) X(STATX_BLOCKS) X(STATX_BASIC_STATS) X(STATX_BTIME) X(STATX_MNT_ID)      \
    X(STATX_DIOALIGN) X(STATX__RESERVED) X(STATX_ATTR_COMPRESSED) X(STATX_ATTR_IMMUTABLE) X(STATX_ATTR_APPEND)         \
    X(STATX_ATTR_NODUMP) X(STATX_ATTR_ENCRYPTED) X(STATX_ATTR_AUTOMOUNT) X(STATX_ATTR_MOUNT_ROOT)                      \
    X(STATX_ATTR_VERITY) X(STATX_ATTR_DAX)
// clang-format on

// struct stat's fields with the same name everywhere.
// clang-format off
#define UAPI_STAT_FIELDS(X, ns, T)                                                                                     \
    X(ns, T, st_dev) X(ns, T, st_ino) X(ns, T, st_nlink) X(ns, T, st_mode) X(ns, T, st_uid) X(ns, T, st_gid)           \
    X(ns, T, st_rdev) X(ns, T, st_size) X(ns, T, st_blksize) X(ns, T, st_blocks)

#define UAPI_STATX_FIELDS(X, ns, T)                                                                                    \
    X(ns, T, stx_mask) X(ns, T, stx_blksize) X(ns, T, stx_attributes) X(ns, T, stx_nlink) X(ns, T, stx_uid)            \
    X(ns, T, stx_gid) X(ns, T, stx_mode) X(ns, T, stx_ino) X(ns, T, stx_size) X(ns, T, stx_blocks)                     \
    X(ns, T, stx_attributes_mask) X(ns, T, stx_atime) X(ns, T, stx_btime) X(ns, T, stx_ctime) X(ns, T, stx_mtime)      \
    X(ns, T, stx_rdev_major) X(ns, T, stx_rdev_minor) X(ns, T, stx_dev_major) X(ns, T, stx_dev_minor)                  \
    X(ns, T, stx_mnt_id) X(ns, T, stx_dio_mem_align) X(ns, T, stx_dio_offset_align)

#define UAPI_STATX_TIMESTAMP_FIELDS(X, ns, T) X(ns, T, tv_sec) X(ns, T, tv_nsec)
// clang-format on

// The statx records of both phases.
// clang-format off
#define UAPI_RECORD_STATX()                                                                                            \
    UAPI_STATX_CONSTANTS(UAPI_RECORD_CONSTANT)                                                                         \
    UAPI_RECORD_TYPE(statx_layout, uapi::statx)                                                                        \
    UAPI_STATX_FIELDS(UAPI_RECORD_FIELD, statx_layout, uapi::statx)                                                    \
    UAPI_RECORD_MEMBER(statx_layout, spare0, uapi::statx, _spare0)                                                     \
    UAPI_RECORD_MEMBER(statx_layout, spare3, uapi::statx, _spare3)                                                     \
    UAPI_RECORD_TYPE(statx_timestamp_layout, uapi::statx_timestamp)                                                    \
    UAPI_STATX_TIMESTAMP_FIELDS(UAPI_RECORD_FIELD, statx_timestamp_layout, uapi::statx_timestamp)                      \
    UAPI_RECORD_MEMBER(statx_timestamp_layout, reserved, uapi::statx_timestamp, _reserved)

#define UAPI_STATX_FACTS()                                                                                             \
    UAPI_STATX_CONSTANTS(UAPI_FACT_CONSTANT)                                                                           \
    UAPI_FACT_TYPE(statx_layout, struct statx)                                                                         \
    UAPI_STATX_FIELDS(UAPI_FACT_FIELD, statx_layout, struct statx)                                                     \
    UAPI_FACT_MEMBER(statx_layout, spare0, struct statx, __spare0)                                                     \
    UAPI_FACT_MEMBER(statx_layout, spare3, struct statx, __spare3)                                                     \
    UAPI_FACT_TYPE(statx_timestamp_layout, struct statx_timestamp)                                                     \
    UAPI_STATX_TIMESTAMP_FIELDS(UAPI_FACT_FIELD, statx_timestamp_layout, struct statx_timestamp)                       \
    UAPI_FACT_MEMBER(statx_timestamp_layout, reserved, struct statx_timestamp, __reserved)
// clang-format on
