// The kernel command line, Linux style: space-separated `key` or `key=value`
// words; a value may be double-quoted to hold spaces. Everything after a
// lone `--` belongs to init, as on Linux.
#pragma once

#include <lib/string_view.h>

namespace lib {

class CommandLine {
public:
    CommandLine() = default;
    explicit CommandLine(StringView text) : m_text(text) { }

    struct Word {
        StringView key;
        StringView value; // without quotes; empty for a flag
        bool has_value;
    };

    // Calls f(StringView) for every word after `--`: init's arguments after
    // its path, as Linux passes them. A word in double quotes loses them
    // (`-c "echo hi"` is two arguments); quotes inside a word stay (Linux
    // also drops those of a `key="value"` word: not done here).
    template<typename F>
    void for_each_init_argument(F f) const {
        usize i = init_arguments_start();
        while (true) {
            StringView word;
            if (!next_raw(i, word)) return;
            if (word.length() >= 2 && word[0] == '"' && word[word.length() - 1] == '"')
                word = word.substring(1, word.length() - 2);
            f(word);
        }
    }

    // Calls f(Word) for every word before `--`.
    template<typename F>
    void for_each(F f) const {
        usize i = 0;
        while (true) {
            Word word;
            if (!next(i, word)) return;
            f(word);
        }
    }

    // The value of the last `key=value`, or `fallback` if there is none.
    StringView value(StringView key, StringView fallback = {}) const;
    bool has(StringView key) const;
    // `key`, `key=1`, `key=y`, `key=yes`, `key=on` are true; others false.
    bool flag(StringView key) const;
    // The value parsed as a number, or `fallback`.
    u64 number(StringView key, u64 fallback) const;
    StringView text() const { return m_text; }

private:
    bool next(usize& position, Word& word) const;
    // The next space-separated word, quotes and all.
    bool next_raw(usize& position, StringView& word) const;
    // Where the words after `--` begin (the end if there is no `--`).
    usize init_arguments_start() const;
    StringView m_text;
};

} // namespace lib

using lib::CommandLine;
