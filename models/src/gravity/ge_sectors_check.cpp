// Input checking of solve_ge_sectors: every problem is listed, not only the first.

#include "gravity/detail/ge_sectors_model.hpp"

#include "tradesim/sim/error.hpp"

#include <cmath>
#include <fmt/format.h>

namespace tradesim::models::gravity::detail::sectors {

namespace {

// Bad values listed one by one before the rest is only counted.
constexpr std::size_t max_listed = 20;

} // namespace

std::string quoted(const std::vector<std::string>& names, std::size_t i) {
    return i < names.size() && !names[i].empty() ? fmt::format("\"{}\"", names[i])
                                                 : fmt::format("#{}", i + 1);
}

namespace {

class Problems {
public:
    explicit Problems(std::string source) : source_(std::move(source)) {}
    void add(const std::string& message) {
        lines_.push_back(fmt::format("{}: error: {}", source_, message));
    }
    // Problems about single flows: the first max_listed are listed, the rest counted.
    void add_flow(const std::string& message) {
        if (flow_problems_++ < max_listed) {
            add(message);
        }
    }
    void raise() {
        if (flow_problems_ > max_listed) {
            add(fmt::format("... and {} more bad flows, tariffs or partial effects",
                            flow_problems_ - max_listed));
        }
        if (!lines_.empty()) {
            throw sim::InputError(fmt::format("{}", fmt::join(lines_, "\n")));
        }
    }

private:
    std::string source_;
    std::vector<std::string> lines_;
    std::size_t flow_problems_ = 0;
};

void check_unique(const std::vector<std::string>& names, const char* what, Problems& problems) {
    for (std::size_t i = 0; i < names.size(); ++i) {
        for (std::size_t k = 0; k < i; ++k) {
            if (names[k] == names[i]) {
                problems.add(fmt::format("{} {} is listed twice (positions {} and {})", what,
                                         quoted(names, i), k + 1, i + 1));
                break;
            }
        }
    }
}

} // namespace

void validate(const GeSectorsProblem& p, const GeSectorsOptions& o) {
    Problems problems(p.source.empty() ? "ge" : p.source);
    const std::size_t n = p.countries.size();
    const std::size_t ns = p.sectors.size();
    if (n == 0) {
        problems.add("no countries");
    }
    if (ns == 0) {
        problems.add("no sectors");
    }
    check_unique(p.countries, "country", problems);
    check_unique(p.sectors, "sector", problems);
    if (o.decomposition_steps < 0) {
        problems.add(
            fmt::format("decomposition_steps must be >= 0 (got {})", o.decomposition_steps));
    }
    const std::size_t count = n * n * ns;
    const auto fits = [&](const std::vector<double>& v, const char* what, bool optional) {
        if (v.size() == count || (optional && v.empty())) {
            return true;
        }
        problems.add(fmt::format("{} {} for {} countries and {} sectors; expected n x n x K = {}"
                                 "{} (exporter, importer, sector)",
                                 v.size(), what, n, ns, count, optional ? " or none" : ""));
        return false;
    };
    const bool flows_fit = fits(p.flows, "flows", false);
    const bool tariffs_fit = fits(p.tariffs, "baseline tariffs", true);
    const bool new_fit = fits(p.new_tariffs, "counterfactual tariffs", true);
    const bool partial_fits = fits(p.partial, "partial effects", true);
    if (p.theta.size() != ns) {
        problems.add(fmt::format("{} trade elasticities for {} sectors; expected one per sector",
                                 p.theta.size(), ns));
    } else {
        for (std::size_t k = 0; k < ns; ++k) {
            if (!(p.theta[k] > 0.0 && std::isfinite(p.theta[k]))) {
                problems.add(fmt::format("the trade elasticity theta of sector {} is {}; it must "
                                         "be positive and finite",
                                         quoted(p.sectors, k), p.theta[k]));
            }
        }
    }
    const auto pair = [&](std::size_t f) {
        const std::size_t k = f % ns;
        const std::size_t j = (f / ns) % n;
        const std::size_t i = f / ns / n;
        return fmt::format("{} -> {} in sector {}", quoted(p.countries, i), quoted(p.countries, j),
                           quoted(p.sectors, k));
    };
    const auto check_tariffs = [&](const std::vector<double>& t, bool ok, const char* what) {
        if (!ok) {
            return;
        }
        for (std::size_t f = 0; f < t.size(); ++f) {
            if (!(t[f] > -1.0 && std::isfinite(t[f]))) {
                problems.add_flow(fmt::format("{} tariff on {} is {}; ad valorem tariffs must be "
                                              "finite and > -1",
                                              what, pair(f), t[f]));
            }
        }
    };
    check_tariffs(p.tariffs, tariffs_fit, "the baseline");
    check_tariffs(p.new_tariffs, new_fit, "the counterfactual");
    if (partial_fits) {
        for (std::size_t f = 0; f < p.partial.size(); ++f) {
            if (!std::isfinite(p.partial[f])) {
                problems.add_flow(fmt::format("the partial effect on {} is {}; it must be finite",
                                              pair(f), p.partial[f]));
            }
        }
    }
    if (flows_fit && n > 0 && ns > 0) {
        std::vector<double> output(n * ns, 0.0), spending(n * ns, 0.0);
        std::vector<unsigned char> row_bad(n, 0), column_bad(n, 0);
        for (std::size_t i = 0; i < n; ++i) {
            for (std::size_t j = 0; j < n; ++j) {
                const double* x = p.flows.data() + (i * n + j) * ns;
                for (std::size_t k = 0; k < ns; ++k) {
                    if (!(x[k] >= 0.0 && std::isfinite(x[k]))) {
                        problems.add_flow(
                            fmt::format("the flow {} is {}; flows must be finite and >= 0",
                                        pair((i * n + j) * ns + k), x[k]));
                        row_bad[i] = 1;
                        column_bad[j] = 1;
                    } else {
                        output[i * ns + k] += x[k];
                        spending[j * ns + k] += x[k];
                    }
                }
            }
        }
        for (std::size_t c = 0; c < n; ++c) {
            double out = 0.0, spend = 0.0, home = 0.0;
            std::vector<std::size_t> missing;
            for (std::size_t k = 0; k < ns; ++k) {
                out += output[c * ns + k];
                spend += spending[c * ns + k];
                const double x = p.flows[(c * n + c) * ns + k];
                home += x > 0.0 ? x : 0.0;
                // Data without domestic sales (e.g. trade statistics alone) shows up as a
                // zero domestic flow in a sector the country both makes and buys.
                if (x == 0.0 && output[c * ns + k] > 0.0 && spending[c * ns + k] > 0.0) {
                    missing.push_back(k);
                }
            }
            if (!row_bad[c] && out == 0.0) {
                problems.add(fmt::format("country {} has zero output: all its flows, domestic "
                                         "included, are 0",
                                         quoted(p.countries, c)));
            }
            if (!column_bad[c] && spend == 0.0) {
                problems.add(fmt::format("country {} has zero expenditure: all flows into it, "
                                         "domestic included, are 0",
                                         quoted(p.countries, c)));
            }
            if (!row_bad[c] && out > 0.0 && home == 0.0) {
                problems.add(fmt::format("country {} has no domestic flows in any sector; the "
                                         "model needs domestic sales (output minus exports)",
                                         quoted(p.countries, c)));
            } else if (!row_bad[c] && !column_bad[c]) {
                for (std::size_t k : missing) {
                    problems.add(fmt::format(
                        "country {} makes and buys goods of sector {} but its domestic flow is "
                        "0; the model needs domestic sales (output minus exports)",
                        quoted(p.countries, c), quoted(p.sectors, k)));
                }
            }
        }
    }
    problems.raise();
}

} // namespace tradesim::models::gravity::detail::sectors
