// A small JSON value for aramid-bench: enough to write the results and to
// read a baseline back for --compare. Numbers are doubles; objects keep
// their keys sorted (std::map), which makes the output stable.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace bench {

class Json {
public:
    using Array = std::vector<Json>;
    using Object = std::map<std::string, Json>;

    Json() = default; // null
    Json(std::nullptr_t) { }
    Json(bool value) : m_value(value) { }
    Json(double value) : m_value(value) { }
    Json(int value) : m_value(double(value)) { }
    Json(long value) : m_value(double(value)) { }
    Json(std::string value) : m_value(std::move(value)) { }
    Json(char const* value) : m_value(std::string(value)) { }
    Json(Array value) : m_value(std::move(value)) { }
    Json(Object value) : m_value(std::move(value)) { }

    bool is_null() const { return std::holds_alternative<std::monostate>(m_value); }
    bool is_number() const { return std::holds_alternative<double>(m_value); }
    bool is_string() const { return std::holds_alternative<std::string>(m_value); }
    bool is_array() const { return std::holds_alternative<Array>(m_value); }
    bool is_object() const { return std::holds_alternative<Object>(m_value); }

    double number(double fallback = 0) const { return is_number() ? std::get<double>(m_value) : fallback; }
    std::string string(std::string fallback = {}) const {
        return is_string() ? std::get<std::string>(m_value) : fallback;
    }
    Array const& array() const;
    Object const& object() const;
    // The member `key` of an object, or null.
    Json const& operator[](std::string const& key) const;

    // Pretty-printed with two-space indentation; arrays of scalars on one line.
    std::string dump(int indent = 0) const;
    // Parses a whole document; nullopt (and `error` set) if it is not JSON.
    static std::optional<Json> parse(std::string const& text, std::string* error = nullptr);

private:
    std::variant<std::monostate, bool, double, std::string, Array, Object> m_value;
};

std::string json_quote(std::string const& s);

} // namespace bench
