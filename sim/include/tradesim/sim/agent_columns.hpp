#pragma once
/// Typed column-wise storage for large agent populations (firms): every field is one
/// contiguous array of its own small type, registered with a name, a unit and whether it is
/// hot (read or written every step) or cold (reports only), so that a sweep streams only the
/// hot arrays and the memory per agent can be reported field by field. Rows are agent ids.
/// ColumnTable stays the store of small double-valued tables (countries).

#include <cstddef>
#include <cstdint>
#include <deque>
#include <string>
#include <variant>
#include <vector>

namespace tradesim::sim {

enum class Temperature { hot, cold };

class AgentColumns {
public:
    using Array = std::variant<std::vector<float>, std::vector<double>, std::vector<std::uint16_t>,
                               std::vector<std::uint32_t>>;
    struct Field {
        std::string name;
        std::string unit;
        Temperature temperature = Temperature::hot;
        Array data;
    };

    /// Adds an empty field and returns its array; the reference stays valid for the life of
    /// the store (fields are never moved).
    template <typename T>
    std::vector<T>& add(std::string name, std::string unit, Temperature temperature) {
        fields_.push_back(Field{std::move(name), std::move(unit), temperature, std::vector<T>{}});
        return std::get<std::vector<T>>(fields_.back().data);
    }

    [[nodiscard]] const std::deque<Field>& fields() const noexcept { return fields_; }
    /// Bytes held by the fields of one temperature, or by all.
    [[nodiscard]] std::size_t bytes(Temperature temperature) const noexcept;
    [[nodiscard]] std::size_t bytes() const noexcept;

private:
    std::deque<Field> fields_;
};

} // namespace tradesim::sim
