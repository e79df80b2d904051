// IntrusiveList: a doubly-linked list threaded through a member node of its
// elements, so linking never allocates. An element may sit on one list per
// node member; the list does not own it.
#pragma once

#include <lib/types.h>

namespace lib {

class IntrusiveListNode {
public:
    bool is_linked() const { return m_next != nullptr; }

private:
    template<typename T, IntrusiveListNode T::*>
    friend class IntrusiveList;
    IntrusiveListNode* m_next { nullptr };
    IntrusiveListNode* m_prev { nullptr };
};

template<typename T, IntrusiveListNode T::*Member>
class IntrusiveList {
public:
    IntrusiveList() { m_head.m_next = m_head.m_prev = &m_head; }
    IntrusiveList(IntrusiveList const&) = delete;
    IntrusiveList& operator=(IntrusiveList const&) = delete;

    bool is_empty() const { return m_head.m_next == &m_head; }
    usize size() const {
        usize n = 0;
        for (auto* node = m_head.m_next; node != &m_head; node = node->m_next) n++;
        return n;
    }

    void append(T& item) { insert_before(m_head, item); }
    void prepend(T& item) { insert_before(*m_head.m_next, item); }
    // Links `item` just before `existing`, which must be on this list.
    void insert_before(T& existing, T& item) { insert_before(existing.*Member, item); }
    void remove(T& item) {
        IntrusiveListNode& node = item.*Member;
        node.m_prev->m_next = node.m_next;
        node.m_next->m_prev = node.m_prev;
        node.m_next = node.m_prev = nullptr;
    }
    T* first() const { return is_empty() ? nullptr : owner(m_head.m_next); }
    T* take_first() {
        T* item = first();
        if (item) remove(*item);
        return item;
    }

    class Iterator {
    public:
        Iterator(IntrusiveListNode* node, IntrusiveListNode const* end) : m_node(node), m_end(end) { }
        T& operator*() const { return *owner(m_node); }
        T* operator->() const { return owner(m_node); }
        Iterator& operator++() {
            m_node = m_node->m_next;
            return *this;
        }
        bool operator!=(Iterator const& other) const { return m_node != other.m_node; }

    private:
        IntrusiveListNode* m_node;
        IntrusiveListNode const* m_end;
    };
    // Iteration must not remove the current element; use take_first() loops for that.
    Iterator begin() { return Iterator(m_head.m_next, &m_head); }
    Iterator end() { return Iterator(&m_head, &m_head); }

private:
    static T* owner(IntrusiveListNode* node) {
        // The node's offset inside T, measured on raw storage (no object is built).
        alignas(T) static unsigned char storage[sizeof(T)];
        auto* probe = reinterpret_cast<T*>(storage);
        usize offset = usize(reinterpret_cast<unsigned char*>(&(probe->*Member)) - storage);
        return reinterpret_cast<T*>(reinterpret_cast<u8*>(node) - offset);
    }
    void insert_before(IntrusiveListNode& at, T& item) {
        IntrusiveListNode& node = item.*Member;
        node.m_next = &at;
        node.m_prev = at.m_prev;
        at.m_prev->m_next = &node;
        at.m_prev = &node;
    }
    IntrusiveListNode m_head;
};

} // namespace lib

using lib::IntrusiveList;
using lib::IntrusiveListNode;
