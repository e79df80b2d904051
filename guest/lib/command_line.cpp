#include <lib/command_line.h>

namespace lib {

static bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

bool CommandLine::next_raw(usize& i, StringView& word) const {
    usize const n = m_text.length();
    while (i < n && is_space(m_text[i])) i++;
    if (i >= n) return false;
    usize start = i;
    bool quoted = false;
    while (i < n && (quoted || !is_space(m_text[i]))) {
        if (m_text[i] == '"') quoted = !quoted;
        i++;
    }
    word = m_text.substring(start, i - start);
    return true;
}

usize CommandLine::init_arguments_start() const {
    usize i = 0;
    StringView word;
    while (next_raw(i, word))
        if (word == "--") return i;
    return m_text.length();
}

bool CommandLine::next(usize& i, Word& word) const {
    StringView raw;
    if (!next_raw(i, raw)) return false;
    if (raw == "--") {
        i = m_text.length();
        return false;
    }
    usize eq = raw.find('=');
    word.key = raw.substring(0, eq);
    word.has_value = eq < raw.length();
    word.value = word.has_value ? raw.substring(eq + 1) : StringView();
    if (word.value.length() >= 2 && word.value[0] == '"' && word.value[word.value.length() - 1] == '"')
        word.value = word.value.substring(1, word.value.length() - 2);
    return true;
}

StringView CommandLine::value(StringView key, StringView fallback) const {
    StringView result = fallback;
    for_each([&](Word const& w) {
        if (w.key == key && w.has_value) result = w.value;
    });
    return result;
}

bool CommandLine::has(StringView key) const {
    bool found = false;
    for_each([&](Word const& w) { found |= w.key == key; });
    return found;
}

bool CommandLine::flag(StringView key) const {
    bool result = false;
    for_each([&](Word const& w) {
        if (w.key != key) return;
        result = !w.has_value || w.value == "1" || w.value == "y" || w.value == "yes" || w.value == "on";
    });
    return result;
}

u64 CommandLine::number(StringView key, u64 fallback) const {
    u64 parsed;
    StringView v = value(key);
    return !v.is_empty() && v.to_u64(parsed) ? parsed : fallback;
}

} // namespace lib
