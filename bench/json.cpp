#include "json.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace bench {

namespace {

Json const kNull;
Json::Array const kEmptyArray;
Json::Object const kEmptyObject;

std::string number_text(double value) {
    if (!std::isfinite(value)) return "null";
    char buffer[32];
    if (value == std::floor(value) && std::fabs(value) < 1e15) std::snprintf(buffer, sizeof(buffer), "%.0f", value);
    else std::snprintf(buffer, sizeof(buffer), "%.6g", value);
    return buffer;
}

class Parser {
public:
    explicit Parser(std::string const& text) : m_text(text) { }

    std::optional<Json> document(std::string* error) {
        Json value;
        bool ok = parse_value(value);
        skip_space();
        if (ok && m_at != m_text.size()) fail("trailing characters");
        if (!m_error.empty()) {
            if (error) *error = m_error + " at offset " + std::to_string(m_at);
            return std::nullopt;
        }
        return value;
    }

private:
    bool fail(std::string const& message) {
        if (m_error.empty()) m_error = message;
        return false;
    }
    void skip_space() {
        while (m_at < m_text.size() && (m_text[m_at] == ' ' || m_text[m_at] == '\n' || m_text[m_at] == '\t'
                                        || m_text[m_at] == '\r'))
            m_at++;
    }
    bool take(char c) {
        skip_space();
        if (m_at < m_text.size() && m_text[m_at] == c) {
            m_at++;
            return true;
        }
        return false;
    }
    bool take_word(char const* word) {
        size_t const length = std::char_traits<char>::length(word);
        if (m_text.compare(m_at, length, word) != 0) return false;
        m_at += length;
        return true;
    }

    // Each parse_* reads one value into `out`; false (and m_error) if it
    // is not there.
    bool parse_value(Json& out) {
        if (++m_depth > 64) return fail("nested too deeply");
        bool const ok = parse_value_inner(out);
        m_depth--;
        return ok;
    }

    bool parse_value_inner(Json& out) {
        skip_space();
        if (m_at >= m_text.size()) return fail("unexpected end");
        char const c = m_text[m_at];
        if (c == '{') return parse_object(out);
        if (c == '[') return parse_array(out);
        if (c == '"') {
            std::string s;
            if (!parse_string(s)) return false;
            out = Json(std::move(s));
            return true;
        }
        if (take_word("null")) {
            out = Json();
            return true;
        }
        if (take_word("true")) {
            out = Json(true);
            return true;
        }
        if (take_word("false")) {
            out = Json(false);
            return true;
        }
        char const* begin = m_text.c_str() + m_at;
        char* end = nullptr;
        double const value = std::strtod(begin, &end);
        if (end == begin) return fail("unexpected character");
        m_at += size_t(end - begin);
        out = Json(value);
        return true;
    }

    bool parse_string(std::string& out) {
        m_at++; // the opening quote
        while (m_at < m_text.size() && m_text[m_at] != '"') {
            char c = m_text[m_at++];
            if (c != '\\') {
                out.push_back(c);
                continue;
            }
            if (m_at >= m_text.size()) break;
            char e = m_text[m_at++];
            switch (e) {
            case 'n': out.push_back('\n'); break;
            case 't': out.push_back('\t'); break;
            case 'r': out.push_back('\r'); break;
            case 'b': out.push_back('\b'); break;
            case 'f': out.push_back('\f'); break;
            case 'u': {
                // Only what we write ourselves: \u00XX.
                if (m_at + 4 > m_text.size()) break;
                unsigned code = unsigned(std::strtoul(m_text.substr(m_at, 4).c_str(), nullptr, 16));
                m_at += 4;
                out.push_back(code < 0x80 ? char(code) : '?');
                break;
            }
            default: out.push_back(e);
            }
        }
        if (m_at >= m_text.size()) return fail("unterminated string");
        m_at++;
        return true;
    }

    bool parse_array(Json& out) {
        m_at++;
        Json::Array items;
        if (!take(']')) {
            for (;;) {
                items.emplace_back();
                if (!parse_value(items.back())) return false;
                if (take(']')) break;
                if (!take(',')) return fail("expected , or ]");
            }
        }
        out = Json(std::move(items));
        return true;
    }

    bool parse_object(Json& out) {
        m_at++;
        Json::Object members;
        if (!take('}')) {
            for (;;) {
                skip_space();
                if (m_at >= m_text.size() || m_text[m_at] != '"') return fail("expected a key");
                std::string key;
                if (!parse_string(key)) return false;
                if (!take(':')) return fail("expected :");
                if (!parse_value(members[key])) return false;
                if (take('}')) break;
                if (!take(',')) return fail("expected , or }");
            }
        }
        out = Json(std::move(members));
        return true;
    }

    std::string const& m_text;
    size_t m_at = 0;
    int m_depth = 0;
    std::string m_error;
};

} // namespace

std::string json_quote(std::string const& s) {
    std::string out = "\"";
    for (char c : s) {
        if (c == '"' || c == '\\') out += '\\', out += c;
        else if (c == '\n') out += "\\n";
        else if (uint8_t(c) < 0x20) {
            char buffer[8];
            std::snprintf(buffer, sizeof(buffer), "\\u%04x", unsigned(uint8_t(c)));
            out += buffer;
        } else out += c;
    }
    return out + "\"";
}

Json::Array const& Json::array() const { return is_array() ? std::get<Array>(m_value) : kEmptyArray; }

Json::Object const& Json::object() const { return is_object() ? std::get<Object>(m_value) : kEmptyObject; }

Json const& Json::operator[](std::string const& key) const {
    if (!is_object()) return kNull;
    auto const& members = std::get<Object>(m_value);
    auto it = members.find(key);
    return it == members.end() ? kNull : it->second;
}

std::string Json::dump(int indent) const {
    std::string const pad(size_t(indent + 2), ' '), end_pad(size_t(indent), ' ');
    if (is_null()) return "null";
    if (auto const* b = std::get_if<bool>(&m_value)) return *b ? "true" : "false";
    if (is_number()) return number_text(std::get<double>(m_value));
    if (is_string()) return json_quote(std::get<std::string>(m_value));
    if (is_array()) {
        auto const& items = std::get<Array>(m_value);
        if (items.empty()) return "[]";
        bool scalars = true;
        for (auto const& item : items) scalars = scalars && !item.is_array() && !item.is_object();
        std::string out = "[";
        for (size_t i = 0; i < items.size(); i++) {
            if (scalars) out += (i ? ", " : "") + items[i].dump(indent + 2);
            else out += (i ? ",\n" : "\n") + pad + items[i].dump(indent + 2);
        }
        return out + (scalars ? "]" : "\n" + end_pad + "]");
    }
    auto const& members = std::get<Object>(m_value);
    if (members.empty()) return "{}";
    std::string out = "{";
    bool first = true;
    for (auto const& [key, value] : members) {
        out += (first ? "\n" : ",\n") + pad + json_quote(key) + ": " + value.dump(indent + 2);
        first = false;
    }
    return out + "\n" + end_pad + "}";
}

std::optional<Json> Json::parse(std::string const& text, std::string* error) { return Parser(text).document(error); }

} // namespace bench
