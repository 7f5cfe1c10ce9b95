#include "tradesim/sim/spec.hpp"

#include "tradesim/sim/error.hpp"

#include <algorithm>
#include <filesystem>
#include <fmt/format.h>
#include <fstream>
#include <sstream>
#include <toml++/toml.h>

namespace tradesim::sim {

SpecNode SpecNode::make_table(Location where) {
    SpecNode n;
    n.kind_ = Kind::table;
    n.where_ = std::move(where);
    return n;
}
SpecNode SpecNode::make_array(Location where) {
    SpecNode n;
    n.kind_ = Kind::array;
    n.where_ = std::move(where);
    return n;
}
SpecNode SpecNode::make_string(std::string value, Location where) {
    SpecNode n;
    n.kind_ = Kind::string;
    n.text_ = std::move(value);
    n.where_ = std::move(where);
    return n;
}
SpecNode SpecNode::make_integer(std::int64_t value, Location where) {
    SpecNode n;
    n.kind_ = Kind::integer;
    n.integer_ = value;
    n.where_ = std::move(where);
    return n;
}
SpecNode SpecNode::make_floating(double value, Location where) {
    SpecNode n;
    n.kind_ = Kind::floating;
    n.floating_ = value;
    n.where_ = std::move(where);
    return n;
}
SpecNode SpecNode::make_boolean(bool value, Location where) {
    SpecNode n;
    n.kind_ = Kind::boolean;
    n.integer_ = value ? 1 : 0;
    n.where_ = std::move(where);
    return n;
}

const char* SpecNode::kind_name() const noexcept {
    switch (kind_) {
    case Kind::table:
        return "table";
    case Kind::array:
        return "array";
    case Kind::string:
        return "string";
    case Kind::integer:
        return "integer";
    case Kind::floating:
        return "float";
    case Kind::boolean:
        return "boolean";
    }
    return "value";
}

double SpecNode::as_number() const noexcept {
    return kind_ == Kind::integer ? static_cast<double>(integer_) : floating_;
}

const SpecNode* SpecNode::find(const std::string& key) const noexcept {
    for (const auto& [k, v] : members_) {
        if (k == key) {
            return &v;
        }
    }
    return nullptr;
}

void SpecNode::set(const std::string& key, SpecNode value) {
    for (auto& [k, v] : members_) {
        if (k == key) {
            v = std::move(value);
            return;
        }
    }
    members_.emplace_back(key, std::move(value));
}

void SpecNode::push_back(SpecNode value) {
    items_.push_back(std::move(value));
}

void SpecNode::erase(const std::string& key) {
    std::erase_if(members_, [&](const auto& m) { return m.first == key; });
}

namespace {

Location location_of(const toml::source_region& src, const std::string& name) {
    return Location{name, src.begin.line, src.begin.column};
}

SpecNode convert(const toml::node& node, const std::string& name) {
    const Location where = location_of(node.source(), name);
    if (const auto* t = node.as_table()) {
        SpecNode out = SpecNode::make_table(where);
        // toml++ keeps tables in key order; restore file order so messages and the stored
        // scenario read like the input.
        std::vector<std::pair<const toml::key*, const toml::node*>> members;
        for (const auto& [k, v] : *t) {
            members.emplace_back(&k, &v);
        }
        std::stable_sort(members.begin(), members.end(), [](const auto& a, const auto& b) {
            const auto& sa = a.second->source().begin;
            const auto& sb = b.second->source().begin;
            return sa.line != sb.line ? sa.line < sb.line : sa.column < sb.column;
        });
        for (const auto& [k, v] : members) {
            SpecNode child = convert(*v, name);
            if (k->source().begin.line != 0) {
                child.set_key_where(location_of(k->source(), name));
            }
            out.set(std::string(k->str()), std::move(child));
        }
        return out;
    }
    if (const auto* a = node.as_array()) {
        SpecNode out = SpecNode::make_array(where);
        for (const auto& item : *a) {
            out.push_back(convert(item, name));
        }
        return out;
    }
    if (const auto* s = node.as_string()) {
        return SpecNode::make_string(s->get(), where);
    }
    if (const auto* i = node.as_integer()) {
        return SpecNode::make_integer(i->get(), where);
    }
    if (const auto* f = node.as_floating_point()) {
        return SpecNode::make_floating(f->get(), where);
    }
    if (const auto* b = node.as_boolean()) {
        return SpecNode::make_boolean(b->get(), where);
    }
    std::ostringstream text;
    if (const auto* d = node.as_date()) {
        text << d->get();
    } else if (const auto* tm = node.as_time()) {
        text << tm->get();
    } else if (const auto* dt = node.as_date_time()) {
        text << dt->get();
    }
    return SpecNode::make_string(text.str(), where);
}

} // namespace

SpecNode parse_spec(const std::string& text, const std::string& name) {
    toml::table table;
    try {
        table = toml::parse(text, name);
    } catch (const toml::parse_error& e) {
        Diagnostics d;
        d.error(location_of(e.source(), name), std::string(e.description()));
        d.throw_if_any();
    }
    return convert(table, name);
}

SpecNode parse_spec_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in || std::filesystem::is_directory(path)) {
        throw IoError(fmt::format("{}: error: cannot open file", path));
    }
    std::ostringstream buf;
    buf << in.rdbuf();
    return parse_spec(buf.str(), path);
}

SpecNode merge_specs(const SpecNode& base, const SpecNode& over) {
    if (base.is_table() && over.is_table()) {
        SpecNode out = base;
        for (const auto& [key, value] : over.members()) {
            const SpecNode* old = base.find(key);
            out.set(key, old != nullptr ? merge_specs(*old, value) : value);
        }
        return out;
    }
    const auto all_tables = [](const SpecNode& n) {
        return std::all_of(n.items().begin(), n.items().end(),
                           [](const SpecNode& i) { return i.is_table(); });
    };
    if (base.is_array() && over.is_array() && all_tables(base) && all_tables(over) &&
        !over.items().empty()) {
        SpecNode out = base;
        for (const auto& item : over.items()) {
            out.push_back(item);
        }
        return out;
    }
    return over;
}

namespace {

std::string quoted(const std::string& s) {
    std::string out = "\"";
    for (char c : s) {
        switch (c) {
        case '"':
            out += "\\\"";
            break;
        case '\\':
            out += "\\\\";
            break;
        case '\n':
            out += "\\n";
            break;
        case '\t':
            out += "\\t";
            break;
        case '\r':
            out += "\\r";
            break;
        case '\b':
            out += "\\b";
            break;
        case '\f':
            out += "\\f";
            break;
        default:
            // TOML forbids raw control characters in basic strings.
            if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
                out +=
                    fmt::format("\\u{:04X}", static_cast<unsigned>(static_cast<unsigned char>(c)));
            } else {
                out += c;
            }
        }
    }
    return out + "\"";
}

std::string bare_key(const std::string& key) {
    const bool bare = !key.empty() && std::all_of(key.begin(), key.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-';
    });
    return bare ? key : quoted(key);
}

std::string inline_value(const SpecNode& n) {
    switch (n.kind()) {
    case SpecNode::Kind::string:
        return quoted(n.as_string());
    case SpecNode::Kind::integer:
        return std::to_string(n.as_integer());
    case SpecNode::Kind::floating: {
        // Keep floats floats when read back: 2.0 must not become the integer 2.
        std::string text = fmt::format("{}", n.as_number());
        if (text.find_first_of(".eEn") == std::string::npos) {
            text += ".0";
        }
        return text;
    }
    case SpecNode::Kind::boolean:
        return n.as_boolean() ? "true" : "false";
    case SpecNode::Kind::array: {
        std::string out = "[";
        for (std::size_t i = 0; i < n.items().size(); ++i) {
            out += (i ? ", " : "") + inline_value(n.items()[i]);
        }
        return out + "]";
    }
    case SpecNode::Kind::table: {
        std::string out = "{";
        bool first = true;
        for (const auto& [k, v] : n.members()) {
            out += (first ? " " : ", ") + bare_key(k) + " = " + inline_value(v);
            first = false;
        }
        return out + (first ? "}" : " }");
    }
    }
    return {};
}

bool is_table_array(const SpecNode& n) {
    return n.is_array() && !n.items().empty() &&
           std::all_of(n.items().begin(), n.items().end(),
                       [](const SpecNode& i) { return i.is_table(); });
}

void write_table(const SpecNode& table, const std::string& path, std::string& out) {
    for (const auto& [k, v] : table.members()) {
        if (!v.is_table() && !is_table_array(v)) {
            out += bare_key(k) + " = " + inline_value(v) + "\n";
        }
    }
    for (const auto& [k, v] : table.members()) {
        const std::string sub = path.empty() ? bare_key(k) : path + "." + bare_key(k);
        if (v.is_table()) {
            out += "\n[" + sub + "]\n";
            write_table(v, sub, out);
        } else if (is_table_array(v)) {
            for (const auto& item : v.items()) {
                out += "\n[[" + sub + "]]\n";
                write_table(item, sub, out);
            }
        }
    }
}

} // namespace

std::string to_toml(const SpecNode& node) {
    std::string out;
    write_table(node, "", out);
    return out;
}

} // namespace tradesim::sim
