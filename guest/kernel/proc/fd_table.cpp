#include <kernel/proc/fd_table.h>

#include <new>

Result<RefPtr<FdTable>> FdTable::create() {
    auto* table = new (std::nothrow) FdTable;
    if (!table) return Errno(ENOMEM);
    return RefPtr<FdTable>::adopt(table);
}

Result<RefPtr<FdTable>> FdTable::clone() {
    auto copy = TRY(create());
    TRY(copy->m_slots.try_resize(m_slots.size()));
    for (usize i = 0; i < m_slots.size(); i++) copy->m_slots[i] = m_slots[i];
    copy->m_limit = m_limit;
    return copy;
}

Result<RefPtr<File>> FdTable::get(int fd) {
    if (fd < 0 || usize(fd) >= m_slots.size() || !m_slots[usize(fd)].file) return Errno(EBADF);
    return m_slots[usize(fd)].file;
}

Result<int> FdTable::allocate(RefPtr<File> file, bool close_on_exec, int minimum) {
    if (minimum < 0) return Errno(EINVAL);
    for (int fd = minimum; fd < m_limit; fd++) {
        if (usize(fd) >= m_slots.size()) TRY(m_slots.try_resize(usize(fd) + 1));
        if (!m_slots[usize(fd)].file) {
            m_slots[usize(fd)] = { file, close_on_exec };
            return fd;
        }
    }
    return Errno(minimum >= m_limit ? EINVAL : EMFILE);
}

Result<void> FdTable::install(int fd, RefPtr<File> file, bool close_on_exec) {
    if (fd < 0 || fd >= m_limit) return Errno(EBADF);
    if (usize(fd) >= m_slots.size()) TRY(m_slots.try_resize(usize(fd) + 1));
    // Drop the old file after the slot changed: its destructor may block.
    RefPtr<File> old = m_slots[usize(fd)].file;
    m_slots[usize(fd)] = { file, close_on_exec };
    return {};
}

Result<void> FdTable::close(int fd) {
    if (fd < 0 || usize(fd) >= m_slots.size() || !m_slots[usize(fd)].file) return Errno(EBADF);
    RefPtr<File> old = m_slots[usize(fd)].file;
    m_slots[usize(fd)] = {};
    return {};
}

Result<bool> FdTable::close_on_exec(int fd) {
    TRY(get(fd));
    return m_slots[usize(fd)].close_on_exec;
}

Result<void> FdTable::set_close_on_exec(int fd, bool value) {
    TRY(get(fd));
    m_slots[usize(fd)].close_on_exec = value;
    return {};
}

void FdTable::close_on_exec_all() {
    for (auto& slot : m_slots)
        if (slot.close_on_exec) slot = {};
}

void FdTable::close_all() {
    for (auto& slot : m_slots) slot = {};
}

int FdTable::highest_open() const {
    for (usize i = m_slots.size(); i > 0; i--)
        if (m_slots[i - 1].file) return int(i - 1);
    return -1;
}
