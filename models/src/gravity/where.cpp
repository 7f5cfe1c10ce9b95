#include "tradesim/models/gravity/where.hpp"

#include "gravity/detail/where_ast.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <functional>
#include <string_view>

namespace tradesim::models::gravity {

namespace {

using detail::Node;
using detail::Op;
using detail::Type;

using Flags = std::vector<unsigned char>;

// A numeric value over all rows: a constant, a column read in place, or a computed vector.
struct Numbers {
    bool constant = false;
    double value = 0.0;
    const double* borrowed = nullptr;
    std::vector<double> owned;
    [[nodiscard]] const double* data() const {
        return borrowed != nullptr ? borrowed : owned.data();
    }
};

// Evaluates one node at a time over every row (a loop per node, not a tree walk per row), so
// that a million rows cost a few passes over contiguous arrays.
class Evaluator {
public:
    Evaluator(const std::vector<Node>& nodes, std::size_t rows) : nodes_(nodes), rows_(rows) {}

    Flags condition(std::int32_t id) const {
        const Node& n = node(id);
        switch (n.op) {
        case Op::both:
        case Op::either: {
            Flags a = condition(n.lhs);
            const Flags b = condition(n.rhs);
            if (n.op == Op::both) {
                for (std::size_t i = 0; i < rows_; ++i) {
                    a[i] = static_cast<unsigned char>(a[i] & b[i]);
                }
            } else {
                for (std::size_t i = 0; i < rows_; ++i) {
                    a[i] = static_cast<unsigned char>(a[i] | b[i]);
                }
            }
            return a;
        }
        case Op::negation: {
            Flags a = condition(n.lhs);
            for (auto& v : a) {
                v = static_cast<unsigned char>(v ^ 1U);
            }
            return a;
        }
        default:
            return with_comparison(n.op, [&](auto cmp) {
                return node(n.lhs).type == Type::number
                           ? compare(numbers(n.lhs), numbers(n.rhs), cmp)
                           : compare_text(node(n.lhs), node(n.rhs), cmp);
            });
        }
    }

private:
    const Node& node(std::int32_t id) const { return nodes_[static_cast<std::size_t>(id)]; }

    template <class Visit> static Flags with_comparison(Op op, Visit visit) {
        switch (op) {
        case Op::eq:
            return visit(std::equal_to<>{});
        case Op::ne:
            return visit(std::not_equal_to<>{});
        case Op::lt:
            return visit(std::less<>{});
        case Op::le:
            return visit(std::less_equal<>{});
        case Op::gt:
            return visit(std::greater<>{});
        default:
            return visit(std::greater_equal<>{});
        }
    }

    Numbers numbers(std::int32_t id) const {
        const Node& n = node(id);
        Numbers out;
        switch (n.op) {
        case Op::column:
            out.borrowed = n.column->numbers.data();
            return out;
        case Op::number:
            out.constant = true;
            out.value = n.number;
            return out;
        case Op::negate: {
            Numbers zero;
            zero.constant = true;
            return arithmetic(zero, numbers(n.lhs), std::minus<>{});
        }
        case Op::add:
            return arithmetic(numbers(n.lhs), numbers(n.rhs), std::plus<>{});
        case Op::subtract:
            return arithmetic(numbers(n.lhs), numbers(n.rhs), std::minus<>{});
        case Op::multiply:
            return arithmetic(numbers(n.lhs), numbers(n.rhs), std::multiplies<>{});
        case Op::divide:
            return arithmetic(numbers(n.lhs), numbers(n.rhs), std::divides<>{});
        default:
            return arithmetic(numbers(n.lhs), numbers(n.rhs),
                              [](double x, double y) { return std::fmod(x, y); });
        }
    }

    // Calls f(x, y) for every row, with separate loops for constant sides so that each loop
    // is a plain pass over arrays.
    template <class Out, class F>
    void each_row(const Numbers& a, const Numbers& b, Out* out, F f) const {
        if (a.constant && b.constant) {
            std::fill(out, out + rows_, f(a.value, b.value));
        } else if (a.constant) {
            const double* y = b.data();
            for (std::size_t i = 0; i < rows_; ++i) {
                out[i] = f(a.value, y[i]);
            }
        } else if (b.constant) {
            const double* x = a.data();
            for (std::size_t i = 0; i < rows_; ++i) {
                out[i] = f(x[i], b.value);
            }
        } else {
            const double* x = a.data();
            const double* y = b.data();
            for (std::size_t i = 0; i < rows_; ++i) {
                out[i] = f(x[i], y[i]);
            }
        }
    }

    template <class F> Numbers arithmetic(const Numbers& a, const Numbers& b, F f) const {
        Numbers out;
        if (a.constant && b.constant) {
            out.constant = true;
            out.value = f(a.value, b.value);
            return out;
        }
        out.owned.resize(rows_);
        each_row(a, b, out.owned.data(), [f](double x, double y) -> double { return f(x, y); });
        return out;
    }

    // NaN is missing: every comparison with it is false, != included.
    template <class F> Flags compare(const Numbers& a, const Numbers& b, F f) const {
        Flags out(rows_);
        each_row(a, b, out.data(), [f](double x, double y) {
            return static_cast<unsigned char>(!std::isnan(x) && !std::isnan(y) && f(x, y));
        });
        return out;
    }

    // Text compares by characters: each side's levels get their rank in the sorted union of
    // both sides' levels, so codes from different level lists become comparable.
    template <class F> Flags compare_text(const Node& a, const Node& b, F f) const {
        const auto levels = [](const Node& n) {
            std::vector<std::string_view> out;
            if (n.op == Op::column) {
                out.assign(n.column->levels.begin(), n.column->levels.end());
            } else {
                out.emplace_back(n.text);
            }
            return out;
        };
        const auto la = levels(a);
        const auto lb = levels(b);
        std::vector<std::string_view> all(la);
        all.insert(all.end(), lb.begin(), lb.end());
        std::sort(all.begin(), all.end());
        all.erase(std::unique(all.begin(), all.end()), all.end());
        const auto ranks = [&](const std::vector<std::string_view>& ls) {
            std::vector<std::int32_t> out;
            for (const auto& l : ls) {
                out.push_back(static_cast<std::int32_t>(
                    std::lower_bound(all.begin(), all.end(), l) - all.begin()));
            }
            return out;
        };
        const auto ra = ranks(la);
        const auto rb = ranks(lb);
        const std::int32_t* ca = a.op == Op::column ? a.column->codes.data() : nullptr;
        const std::int32_t* cb = b.op == Op::column ? b.column->codes.data() : nullptr;
        Flags out(rows_);
        for (std::size_t i = 0; i < rows_; ++i) {
            const std::int32_t x = ca != nullptr ? ca[i] : 0;
            const std::int32_t y = cb != nullptr ? cb[i] : 0;
            out[i] = static_cast<unsigned char>(
                x >= 0 && y >= 0 &&
                f(ra[static_cast<std::size_t>(x)], rb[static_cast<std::size_t>(y)]));
        }
        return out;
    }

    const std::vector<Node>& nodes_;
    std::size_t rows_;
};

} // namespace

std::vector<unsigned char> evaluate_where(const std::string& expression,
                                          const sim::DataFrame& data) {
    const auto [nodes, root] = detail::parse_where(expression, data);
    return Evaluator(nodes, data.rows()).condition(root);
}

} // namespace tradesim::models::gravity
