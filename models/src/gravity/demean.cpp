#include "gravity/detail/demean.hpp"

#include "tradesim/sim/parallel.hpp"

#include <algorithm>
#include <cmath>

namespace tradesim::models::gravity::detail {

Groups recode(const std::vector<std::vector<std::int32_t>>& fe,
              const std::vector<std::size_t>& rows) {
    Groups g;
    for (const auto& dim : fe) {
        std::int32_t top = 0;
        for (std::int32_t c : dim) {
            top = std::max(top, c + 1);
        }
        std::vector<std::int32_t> map(static_cast<std::size_t>(top), -1);
        std::vector<std::int32_t> code(rows.size());
        std::int32_t next = 0;
        for (std::size_t r = 0; r < rows.size(); ++r) {
            auto& m = map[static_cast<std::size_t>(dim[rows[r]])];
            if (m < 0) {
                m = next++;
            }
            code[r] = m;
        }
        g.code.push_back(std::move(code));
        g.size.push_back(static_cast<std::size_t>(next));
        g.map.push_back(std::move(map));
    }
    return g;
}

Demeaner::Demeaner(const Groups& groups, const std::vector<double>& w) : groups_(groups), w_(w) {
    std::size_t total = 0;
    for (std::size_t s : groups.size) {
        offset_.push_back(total);
        total += s;
    }
    offset_.push_back(total);
    inverse_weight_.assign(total, 0.0);
    for (std::size_t d = 0; d < groups.code.size(); ++d) {
        double* sw = inverse_weight_.data() + offset_[d];
        const std::int32_t* c = groups.code[d].data();
        for (std::size_t i = 0; i < w.size(); ++i) {
            sw[c[i]] += w[i];
        }
    }
    for (double& s : inverse_weight_) {
        s = 1.0 / s;
    }
    // A dimension whose codes never decrease (the caller sorted the rows by it) has its
    // groups in contiguous runs.
    start_.resize(groups.code.size());
    for (std::size_t d = 0; d < groups.code.size(); ++d) {
        const auto& code = groups.code[d];
        if (!std::is_sorted(code.begin(), code.end())) {
            continue;
        }
        for (std::size_t i = 0; i < code.size(); ++i) {
            if (i == 0 || code[i] != code[i - 1]) {
                start_[d].push_back(i);
            }
        }
        start_[d].push_back(code.size());
    }
}

namespace {

// Effects of the other dimensions at row i.
inline double others_at(std::size_t i, const std::vector<const std::int32_t*>& c,
                        const std::vector<const double*>& a) {
    double s = 0.0;
    for (std::size_t e = 0; e < c.size(); ++e) {
        s += a[e][c[e][i]];
    }
    return s;
}

// As accumulate() below, for a dimension whose rows come in contiguous groups (`start` has
// each group's first row, then n): sums in registers, two chains to hide the add latency.
void accumulate_sorted(const std::vector<std::size_t>& start, const double* w,
                       const std::vector<const std::int32_t*>& c,
                       const std::vector<const double*>& a, double* sums) {
    for (std::size_t g = 0; g + 1 < start.size(); ++g) {
        double s0 = 0.0, s1 = 0.0;
        std::size_t i = start[g];
        const std::size_t end = start[g + 1];
        if (c.size() == 2) {
            const std::int32_t* c1 = c[0];
            const std::int32_t* c2 = c[1];
            const double* a1 = a[0];
            const double* a2 = a[1];
            for (; i + 1 < end; i += 2) {
                s0 += w[i] * (a1[c1[i]] + a2[c2[i]]);
                s1 += w[i + 1] * (a1[c1[i + 1]] + a2[c2[i + 1]]);
            }
        } else {
            for (; i + 1 < end; i += 2) {
                s0 += w[i] * others_at(i, c, a);
                s1 += w[i + 1] * others_at(i + 1, c, a);
            }
        }
        if (i < end) {
            s0 += w[i] * others_at(i, c, a);
        }
        sums[g] = s0 + s1;
    }
}

// sums[cd[i]] += w[i] * (sum over the other dimensions e of a_e[c_e[i]]), with the common
// case of two other dimensions written out for the compiler. Rows are spread over four
// partial sums (row i to i % 4, added up in a fixed order) so that nearby rows of the same
// group do not wait for each other's stores: with few levels that stall dominated.
void accumulate(std::size_t n, const double* w, const std::int32_t* cd, std::size_t levels,
                const std::vector<const std::int32_t*>& c, const std::vector<const double*>& a,
                double* sums, std::vector<double>& partial) {
    partial.assign(4 * levels, 0.0);
    double* p0 = partial.data();
    double* p1 = p0 + levels;
    double* p2 = p1 + levels;
    double* p3 = p2 + levels;
    std::size_t i = 0;
    if (c.size() == 2) {
        const std::int32_t* c1 = c[0];
        const std::int32_t* c2 = c[1];
        const double* a1 = a[0];
        const double* a2 = a[1];
        for (; i + 3 < n; i += 4) {
            p0[cd[i]] += w[i] * (a1[c1[i]] + a2[c2[i]]);
            p1[cd[i + 1]] += w[i + 1] * (a1[c1[i + 1]] + a2[c2[i + 1]]);
            p2[cd[i + 2]] += w[i + 2] * (a1[c1[i + 2]] + a2[c2[i + 2]]);
            p3[cd[i + 3]] += w[i + 3] * (a1[c1[i + 3]] + a2[c2[i + 3]]);
        }
    } else {
        for (; i + 3 < n; i += 4) {
            p0[cd[i]] += w[i] * others_at(i, c, a);
            p1[cd[i + 1]] += w[i + 1] * others_at(i + 1, c, a);
            p2[cd[i + 2]] += w[i + 2] * others_at(i + 2, c, a);
            p3[cd[i + 3]] += w[i + 3] * others_at(i + 3, c, a);
        }
    }
    for (; i < n; ++i) {
        p0[cd[i]] += w[i] * others_at(i, c, a);
    }
    for (std::size_t g = 0; g < levels; ++g) {
        sums[g] = (p0[g] + p1[g]) + (p2[g] + p3[g]);
    }
}

} // namespace

// One Gauss-Seidel sweep over the dimensions, from coefficients `from` to `to`: each
// dimension's coefficients become the weighted group means of (in - the other dimensions'
// effects), where the group sums of w * in are `rhs`. Passes over the rows read only the
// weights and codes; the coefficients of the smaller dimensions stay in cache.
void Demeaner::sweep(const std::vector<std::size_t>& active, const std::vector<const double*>& from,
                     const std::vector<double*>& to, const std::vector<double*>& sums,
                     const std::vector<const double*>& rhs) const {
    const std::size_t q = groups_.code.size();
    std::vector<const std::int32_t*> others(q - 1);
    std::vector<const double*> coefs(q - 1);
    std::vector<double> partial;
    for (std::size_t t : active) {
        for (std::size_t d = 0; d < q; ++d) {
            for (std::size_t e = 0, j = 0; e < q; ++e) {
                if (e != d) {
                    others[j] = groups_.code[e].data();
                    coefs[j++] = (e < d ? to[t] : from[t]) + offset_[e];
                }
            }
            double* s = sums[t] + offset_[d];
            if (!start_[d].empty()) {
                accumulate_sorted(start_[d], w_.data(), others, coefs, s);
            } else {
                accumulate(w_.size(), w_.data(), groups_.code[d].data(), groups_.size[d], others,
                           coefs, s, partial);
            }
            for (std::size_t g = offset_[d]; g < offset_[d + 1]; ++g) {
                to[t][g] = (rhs[t][g] - sums[t][g]) * inverse_weight_[g];
            }
        }
    }
}

int Demeaner::demean(const std::vector<Target>& targets, double tol, int max_sweeps) const {
    const std::size_t q = groups_.code.size();
    const std::size_t n = w_.size();
    const std::size_t k = offset_.back();
    const std::size_t m = targets.size();
    const double* w = w_.data();
    // Right-hand sides: group sums of w * in, for every dimension.
    std::vector<std::vector<double>> rhs(m, std::vector<double>(k, 0.0));
    std::vector<double> limit(m, 0.0);
    for (std::size_t t = 0; t < m; ++t) {
        const double* in = targets[t].in;
        double scale = 0.0;
        for (std::size_t d = 0; d < q; ++d) {
            double* r = rhs[t].data() + offset_[d];
            const std::int32_t* c = groups_.code[d].data();
            for (std::size_t i = 0; i < n; ++i) {
                r[c[i]] += w[i] * in[i];
            }
        }
        for (std::size_t i = 0; i < n; ++i) {
            scale = std::max(scale, std::abs(in[i]));
        }
        limit[t] = tol * (1.0 + scale);
        if (targets[t].alpha->size() != k) {
            targets[t].alpha->assign(k, 0.0);
        }
    }

    int used = 0;
    if (q == 1) {
        for (std::size_t t = 0; t < m; ++t) {
            for (std::size_t g = 0; g < k; ++g) {
                (*targets[t].alpha)[g] = rhs[t][g] * inverse_weight_[g];
            }
        }
        used = 1;
    } else if (q > 1) {
        // a0 -> a1 = F(a0) -> a2 = F(a1); then stop or extrapolate into a0.
        std::vector<std::vector<double>> a1(m, std::vector<double>(k)), a2 = a1, sums = a1;
        std::vector<const double*> from0(m), from1(m), rhs_ptr(m);
        std::vector<double*> to1(m), to2(m), sum_ptr(m);
        std::vector<std::size_t> active;
        for (std::size_t t = 0; t < m; ++t) {
            from0[t] = targets[t].alpha->data();
            from1[t] = to1[t] = a1[t].data();
            to2[t] = a2[t].data();
            sum_ptr[t] = sums[t].data();
            rhs_ptr[t] = rhs[t].data();
            active.push_back(t);
        }
        int sweeps = 0;
        while (!active.empty() && sweeps + 2 <= max_sweeps) {
            sweep(active, from0, to1, sum_ptr, rhs_ptr);
            sweep(active, from1, to2, sum_ptr, rhs_ptr);
            sweeps += 2;
            std::vector<std::size_t> still;
            for (std::size_t t : active) {
                auto& a0 = *targets[t].alpha;
                // Largest possible change of an observation's fitted effects.
                double change = 0.0;
                for (std::size_t d = 0; d < q; ++d) {
                    double top = 0.0;
                    for (std::size_t g = offset_[d]; g < offset_[d + 1]; ++g) {
                        top = std::max(top, std::abs(a2[t][g] - a1[t][g]));
                    }
                    change += top;
                }
                if (change <= limit[t]) {
                    a0.swap(a2[t]);
                    from0[t] = a0.data();
                    to2[t] = a2[t].data();
                    continue;
                }
                // Irons-Tuck: the sweep is affine, so extrapolate along the last step.
                double num = 0.0, den = 0.0;
                for (std::size_t g = 0; g < k; ++g) {
                    const double d1 = a2[t][g] - a1[t][g];
                    const double d2 = d1 - (a1[t][g] - a0[g]);
                    num += d1 * d2;
                    den += d2 * d2;
                }
                const double step = den > 0.0 && std::isfinite(num / den) ? num / den : 0.0;
                for (std::size_t g = 0; g < k; ++g) {
                    a0[g] = a2[t][g] - step * (a2[t][g] - a1[t][g]);
                }
                still.push_back(t);
            }
            active = std::move(still);
        }
        if (!active.empty()) {
            return -1;
        }
        used = sweeps;
    }
    for (std::size_t t = 0; t < m; ++t) {
        const double* in = targets[t].in;
        double* out = targets[t].out;
        if (out != in) {
            std::copy(in, in + n, out);
        }
        for (std::size_t d = 0; d < q; ++d) {
            const double* a = targets[t].alpha->data() + offset_[d];
            const std::int32_t* c = groups_.code[d].data();
            for (std::size_t i = 0; i < n; ++i) {
                out[i] -= a[c[i]];
            }
        }
    }
    return used;
}

int partial_out(const Demeaner& demeaner, const std::vector<Demeaner::Target>& targets, double tol,
                int max_sweeps) {
    if (targets.empty()) {
        return 0;
    }
    const std::size_t tasks =
        std::min(targets.size(), static_cast<std::size_t>(std::max(1, sim::active_threads())));
    std::vector<int> sweeps(tasks, 0);
    sim::parallel_for(tasks, 1, [&](std::size_t b, std::size_t e) {
        for (std::size_t task = b; task < e; ++task) {
            std::vector<Demeaner::Target> mine;
            for (std::size_t t = task; t < targets.size(); t += tasks) {
                mine.push_back(targets[t]);
            }
            sweeps[task] = demeaner.demean(mine, tol, max_sweeps);
        }
    });
    return std::find(sweeps.begin(), sweeps.end(), -1) != sweeps.end()
               ? -1
               : *std::max_element(sweeps.begin(), sweeps.end());
}

} // namespace tradesim::models::gravity::detail
