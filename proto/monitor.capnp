# The monitor's RPC interface: what aramid-vmm serves on its --monitor socket
# and aramid-mon calls. One schema for both sides.
#
# The bootstrap capability is a Gate. Its one method never changes, whatever
# the protocol version: a client opens it with the version it speaks and gets
# a Monitor only if the server speaks the same one. Anything else in this
# file may change from one protocol version to the next.
#
# All data comes from the guest's debug table (proto/debug_table.h), read
# from guest memory by the server and trusted in nothing: a record being
# rewritten during the read is marked torn, a record that makes no sense
# carries a `problem`, and a table that is missing or garbage as a whole is
# an error reply (a failed call whose description says why).
#
# Times: `timeNs` fields are guest time since boot (from its TSC and the
# table's tsc_khz); `...Ns` durations are host time.

@0xd5788723b8217ba5;

using Cxx = import "/capnp/c++.capnp";
$Cxx.namespace("aramid::monitor::rpc");

const protocolVersion :UInt32 = 1;

# The most readMemory returns in one call.
const maxReadLength :UInt32 = 65536;

# watch()'s threshold when the client has no opinion.
const defaultWatermarkThresholdPercent :UInt8 = 75;

interface Gate {
  open @0 (clientProtocol :UInt32) -> (serverProtocol :UInt32, vmmVersion :Text, monitor :Monitor);
  # `monitor` is null when the versions differ; the client reports both.
}

interface Monitor {
  info @0 () -> (info :Info);

  tasks @1 () -> (tasks :List(Task), snapshot :Snapshot);

  stacks @2 () -> (stacks :List(Stack), snapshot :Snapshot);

  switches @3 (limit :UInt32) -> (cpus :List(CpuSwitches), snapshot :Snapshot);
  # The last `limit` switch records of each CPU (0: all the ring holds).

  readMemory @4 (gpa :UInt64, length :UInt32) -> (data :Data);
  # Guest-physical memory, at most maxReadLength bytes, entirely inside
  # guest RAM (else an error).

  pause @5 () -> (latencyNs :UInt64, alreadyPaused :Bool);
  # Stops the vCPUs until resume(); latencyNs is how long stopping took.
  # Pausing a paused VM changes nothing (alreadyPaused).

  resume @6 () -> (pausedNs :UInt64, wasPaused :Bool);
  # Undoes pause(); pausedNs is how long the VM stayed paused.

  watch @7 (listener :Listener, watermarkThresholdPercent :UInt8, replay :Bool) -> ();
  # Streams events to `listener` until the client goes away or the VM ends
  # (the last event is then vmExited). The server watches the guest's event
  # ring and scans every live stack's paint a few times a second; a thread
  # whose watermark reaches the threshold (1-100, 0 for the default) is
  # reported once. With `replay`, the events the guest's ring still holds
  # come first.

  fsBitmaps @8 (limit :UInt32) -> (filesystems :List(FsReport), snapshot :Snapshot);
  # Each mounted ext2/ext3/ext4 file system's block and inode bitmaps
  # checked against the inodes and the metadata that own the blocks, on the
  # disk image overlaid with the blocks the guest has changed but not yet
  # written (its dirty cache). The vCPUs stay paused for the whole check:
  # resumed earlier, the guest could write back between the copy of its
  # dirty blocks and the read of the image, and the check would mix two
  # instants. `limit`: disagreements listed per file system (0: 64); all
  # are counted.
}

interface Listener {
  event @0 (event :Event) -> ();
}

# How the vCPUs were stopped for a consistent view.
struct Snapshot {
  paused @0 :Bool;           # the vCPUs were stopped while the server read
  pauseLatencyNs @1 :UInt64; # from the request until they stopped (0 if already stopped)
  heldNs @2 :UInt64;         # how long they stayed stopped for this read
  vmStopped @3 :Bool;        # the guest has ended; its memory is read as it was left
  note @4 :Text;             # why the view may not be consistent, if it may not
}

struct MemoryStats {
  totalPages @0 :UInt64;
  freePages @1 :UInt64;
  heapBytes @2 :UInt64;
  heapAllocations @3 :UInt64;
  heapFrees @4 :UInt64;
  slabPages @5 :UInt64;
  largePages @6 :UInt64;
  torn @7 :Bool;
}

struct Info {
  kernelVersion @0 :Text;
  platform @1 :Text;         # "pvm" or "native"
  uptimeNs @2 :UInt64;       # host time since the vCPU first ran
  tscKhz @3 :UInt64;
  cpuCount @4 :UInt32;
  memory @5 :MemoryStats;
  debugTableGpa @6 :UInt64;
  guestRamBytes @7 :UInt64;
  eventCount @8 :UInt64;     # events the guest has written so far
  paused @9 :Bool;
  vmStopped @10 :Bool;
  watchers @11 :UInt32;      # listeners currently registered with watch()
  vmmVersion @12 :Text;
  threadSlots @13 :UInt32;   # the table's thread capacity
  tableProblem @14 :Text;    # why the guest fields above are missing, if they are (no table yet)
  polls @15 :UInt64;         # the watchers' polls of the event ring and the stacks so far
  pollNs @16 :UInt64;        # host time they took, in total
}

enum TaskState {
  unknown @0;
  runnable @1;
  running @2;
  blocked @3;
  dead @4;
}

struct Task {
  tid @0 :UInt32;
  pid @1 :UInt32;            # 0 for kernel threads
  name @2 :Text;
  state @3 :TaskState;
  cpu @4 :UInt32;
  switches @5 :UInt64;       # context switches away from it (voluntary + involuntary, as getrusage counts)
  slot @6 :UInt32;           # its record in the table
  torn @7 :Bool;             # the record kept changing while read: the fields are not valid
  problem @8 :Text;          # what is wrong with the record, if anything
}

struct Frame {
  address @0 :UInt64;
  symbol @1 :Text;           # empty if unknown
  offset @2 :UInt64;         # from the symbol's start
}

struct Stack {
  task @0 :Task;
  baseVa @1 :UInt64;         # the lowest byte (the canary's word)
  sizeBytes @2 :UInt64;
  watermarkBytes @3 :UInt64; # from the top down to the deepest byte that lost its paint
  watermarkPercent @4 :Float64;
  canaryIntact @5 :Bool;
  guardPage @6 :Bool;        # the page below the stack is unmapped (as the guest reports it)
  hasContext @7 :Bool;       # savedRip and backtrace are valid
  contextSource @8 :Text;    # "saved" (switched out) or "vcpu" (running; registers of the paused vCPU)
  savedRip @9 :Frame;
  backtrace @10 :List(Frame);# return addresses from the frame-pointer chain, innermost first
  problem @11 :Text;         # why some of the above is missing, if it is
}

enum SwitchReason {
  unknown @0;
  yield @1;
  block @2;
  preempt @3;
  exit @4;
}

struct SwitchRecord {
  tsc @0 :UInt64;
  timeNs @1 :UInt64;
  fromTid @2 :UInt32;        # 0 if unknown: the thread had no record, or went and its record was reused
  fromName @3 :Text;         # empty if unknown (the thread went before the server saw it)
  toTid @4 :UInt32;          # 0 if unknown, as fromTid
  toName @5 :Text;
  reason @6 :SwitchReason;
}

struct CpuSwitches {
  cpu @0 :UInt32;
  currentTid @1 :UInt32;
  currentName @2 :Text;
  contextSwitches @3 :UInt64;
  interrupts @4 :UInt64;
  switchCount @5 :UInt64;    # records written so far; `records` are the last of them, oldest first
  records @6 :List(SwitchRecord);
  torn @7 :Bool;
  problem @8 :Text;
}

enum EventKind {
  unknown @0;
  threadCreated @1;
  threadExited @2;
  canaryBroken @3;           # from the guest (at a switch) or the server's scan
  panic @4;
  unknownSyscall @5;         # value: the syscall number
  stackOverflow @6;          # value: the faulting address in the guard page
  watermarkThreshold @7;     # value: the watermark in bytes; watermarkPercent
  eventsLost @8;             # value: how many the ring overwrote before they were read
  tornEvent @9;              # a record that never settled; sequence says which
  vmExited @10;              # value: aramid-vmm's exit status; text: the reason
}

struct Event {
  kind @0 :EventKind;
  sequence @1 :UInt64;       # the guest's event number; 0 for events the server made
  tid @2 :UInt32;
  name @3 :Text;             # the thread's name, if known
  value @4 :UInt64;
  text @5 :Text;
  timeNs @6 :UInt64;         # guest time since boot, if known
  watermarkPercent @7 :Float64;
  fromGuest @8 :Bool;        # read from the guest's event ring (else found by the server)
}

# fsBitmaps: what kind of disagreement (monitor/ext4_check.h says more).
enum FsDisagreementKind {
  blockUsedButFree @0;       # an owner uses the block, the bitmap marks it free (the dangerous kind)
  blockLeaked @1;            # the bitmap marks it used, nothing owns it
  blockMultiplyClaimed @2;   # two owners claim it (`owner` the later, `other` the earlier)
  inodeUsedButFree @3;       # the inode's record is in use, its bitmap bit is clear
  inodeMarkedButUnused @4;   # its bitmap bit is set, its record is not in use
  badBlockPointer @5;        # a block pointer or extent that cannot be right
  groupFreeBlocks @6;        # a group's free-block count differs from its bitmap
  groupFreeInodes @7;        # a group's free-inode count differs from its bitmap
}

struct FsBlockOwner {
  role @0 :Text;             # "data", "extent tree", "indirect block", "xattr block", "superblock",
                             # "group descriptors", "reserved GDT", "block bitmap", "inode bitmap",
                             # "inode table", "MMP block"; empty: none
  inode @1 :UInt32;          # for an inode's blocks
  logical @2 :UInt64;        # for an inode's blocks: the file's block (for tree blocks, the first they map)
  group @3 :UInt32;          # for the file system's own metadata
}

struct FsDisagreement {
  kind @0 :FsDisagreementKind;
  block @1 :UInt64;          # block kinds; badBlockPointer: the pointer
  inode @2 :UInt32;          # inode kinds; the owner for block kinds
  group @3 :UInt32;
  owner @4 :FsBlockOwner;
  other @5 :FsBlockOwner;    # blockMultiplyClaimed: the earlier claim
  recorded @6 :UInt64;       # group kinds: the descriptor's count
  counted @7 :UInt64;        # group kinds: what the bitmap gives
  text @8 :Text;             # one line for people
}

struct FsDisagreementCounts {
  blockUsedButFree @0 :UInt64;
  blockLeaked @1 :UInt64;
  blockMultiplyClaimed @2 :UInt64;
  inodeUsedButFree @3 :UInt64;
  inodeMarkedButUnused @4 :UInt64;
  badBlockPointer @5 :UInt64;
  groupFreeBlocks @6 :UInt64;
  groupFreeInodes @7 :UInt64;
}

struct FsReport {
  slot @0 :UInt32;           # its mount record in the table
  dev @1 :UInt64;            # st_dev (Linux's encoding)
  type @2 :Text;             # "ext4", "ext3", "ext2"
  mountPoint @3 :Text;       # empty if the guest has not said
  readOnly @4 :Bool;
  torn @5 :Bool;             # the record kept changing while read
  problem @6 :Text;          # why it was not checked (or the check could not run), if so
  busy @7 :Bool;             # a metadata change was in flight: disagreements may be its half-done work
  changes @8 :UInt64;        # metadata changes the file system has finished
  dirtyBlocks @9 :UInt32;    # the guest's changed blocks, overlaid on the image
  checked @10 :Bool;         # the check ran: the fields below are valid
  complete @11 :Bool;        # every bitmap and inode table was read and the walk finished (else see notes)
  blockSize @12 :UInt32;
  groups @13 :UInt32;
  blocks @14 :UInt64;
  blocksUsed @15 :UInt64;    # set in the block bitmaps
  inodes @16 :UInt32;
  inodesUsed @17 :UInt64;    # set in the inode bitmaps
  superFreeBlocks @18 :UInt64; # the superblock's counts (Linux updates them lazily: not judged)
  superFreeInodes @19 :UInt64;
  counts @20 :FsDisagreementCounts;
  disagreements @21 :UInt64; # all kinds together
  items @22 :List(FsDisagreement); # `limit` of them: the most dangerous kinds first, each in the order found
  notes @23 :List(Text);     # what limited the check (an unreadable bitmap, ...): the first few
  noteCount @24 :UInt64;
  checkNs @25 :UInt64;       # host time the check took
}
