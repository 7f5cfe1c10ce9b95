// The congested logit assignment of one step's containers to the candidate routes, solved
// in route flows by a Newton method per pair and sector (Bekhor & Toledo 2005, "Investigating
// path-based solution algorithms to the stochastic user equilibrium problem"): equilibrium
// means g_r + mu ln(f_r / T) is the same on every route of a pair, and each iteration moves
// the flows by the Newton step on that condition, the steps summing to zero over the pair's
// routes. Sweeps are Jacobi (all pairs at once, parallel over origins, with the diagonal of
// the Hessian H = dg/df + mu diag(1 / f)) until the step has to be cut below a third, then
// Gauss-Seidel (pairs in a fixed order, each seeing the loads the ones before it left, with
// the pair's whole Hessian, as routes that share a congested link move each other's costs)
// with a step that halves whenever the residual grows. Link sums are merged in block order and
// the switch depends on residuals only, so the result does not depend on the thread count.

#include "state.hpp"

#include "tradesim/sim/parallel.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace tradesim::models::corridors {

namespace {

// Origins per parallel block: the partition of every sum.
constexpr std::size_t origins_per_block = 4;

} // namespace

Assignment assign(const Setting& setting, const RouteSet& routes, const std::vector<LinkNow>& links,
                  const std::vector<double>& node_delay, const std::vector<double>& teu,
                  const std::vector<double>& value, const AssignmentOptions& options,
                  const std::vector<double>* start) {
    const Network& net = *setting.network;
    const auto& p = net.params;
    const double mu = p.dispersion;
    const std::size_t n = routes.economies;
    const std::size_t ns = setting.value_per_teu.size();
    const std::size_t nl = links.size();
    const std::size_t nr = routes.routes();
    const std::size_t blocks = (n + origins_per_block - 1) / origins_per_block;

    Assignment out;
    out.pair_cost.assign(n * n * ns, 0.0);
    out.route_teu.assign(nr, 0.0);
    out.route_days.assign(nr, 0.0);

    // Route flows f[r * ns + k] (TEU per month).
    std::vector<double> flow(nr * ns, 0.0);
    std::vector<double> load(nl, 0.0), factor(nl, 1.0), slope(nl, 0.0);
    std::vector<double> route_cost(nr), route_days(nr), cost_slope(nr), days_slope(nr);
    // The per-kilometre mode constants summed over each route's links (ad valorem).
    std::vector<double> route_extra(nr, 0.0);
    for (std::size_t r = 0; r < nr; ++r) {
        for (std::uint32_t h = routes.hop_begin[r]; h < routes.hop_begin[r + 1]; ++h) {
            const NetworkLink& link = net.links[routes.hops[h].link];
            if (!link.access) {
                route_extra[r] += setting.km_constant[static_cast<std::size_t>(link.mode)] * link.km;
            }
        }
    }
    std::vector<std::vector<double>> partial(blocks);

    const auto origin_range = [&](std::size_t b) {
        return std::pair{b * origins_per_block, std::min(n, (b + 1) * origins_per_block)};
    };
    // Link loads from route flows.
    const auto sum_loads = [&]() {
        sim::parallel_for(blocks, 1, [&](std::size_t first, std::size_t end) {
            for (std::size_t b = first; b < end; ++b) {
                auto& part = partial[b];
                part.assign(nl, 0.0);
                const auto [i0, i1] = origin_range(b);
                for (std::uint32_t r = routes.pair_begin[i0 * n]; r < routes.pair_begin[i1 * n];
                     ++r) {
                    double t = 0.0;
                    for (std::size_t k = 0; k < ns; ++k) {
                        t += flow[r * ns + k];
                    }
                    if (t == 0.0) {
                        continue;
                    }
                    for (std::uint32_t h = routes.hop_begin[r]; h < routes.hop_begin[r + 1]; ++h) {
                        part[routes.hops[h].link] += t;
                    }
                }
            }
        });
        std::fill(load.begin(), load.end(), 0.0);
        for (const auto& part : partial) {
            for (std::size_t l = 0; l < nl; ++l) {
                load[l] += part[l];
            }
        }
    };
    // The congestion factor of a link at its load, and its slope.
    const auto update_link = [&](std::uint32_t l) {
        const double cap = links[l].capacity;
        const double u = cap > 0.0 ? load[l] / cap : 0.0;
        factor[l] = 1.0 + p.alpha * std::pow(u, links[l].beta);
        slope[l] = cap > 0.0 && u > 0.0
                       ? p.alpha * links[l].beta * std::pow(u, links[l].beta - 1.0) / cap
                       : 0.0;
    };
    // Congestion factors and their slopes at the loads; route sums and their slopes.
    const auto costs = [&]() {
        for (std::size_t l = 0; l < nl; ++l) {
            update_link(static_cast<std::uint32_t>(l));
        }
        sim::parallel_for(nr, 4096, [&](std::size_t b, std::size_t e) {
            for (std::size_t r = b; r < e; ++r) {
                double c = 0.0, d = 0.0, cs = 0.0, ds = 0.0;
                for (std::uint32_t h = routes.hop_begin[r]; h < routes.hop_begin[r + 1]; ++h) {
                    const Hop hop = routes.hops[h];
                    const LinkNow& link = links[hop.link];
                    c += link.cost * factor[hop.link];
                    d += link.days * factor[hop.link] + node_delay[hop.to];
                    cs += link.cost * slope[hop.link];
                    ds += link.days * slope[hop.link];
                }
                route_cost[r] = c;
                route_days[r] = d;
                cost_slope[r] = cs;
                days_slope[r] = ds;
            }
        });
    };
    // The logit weights exp(-(g_r - best) / mu) of a pair's routes in sector k at the current
    // route costs (into `s`), with the best cost and the sum of the weights.
    const auto choice = [&](std::uint32_t r0, std::size_t count, std::size_t k,
                            std::vector<double>& s) {
        const double v = setting.value_per_teu[k];
        s.resize(count);
        double best = std::numeric_limits<double>::infinity();
        for (std::size_t r = 0; r < count; ++r) {
            s[r] = route_cost[r0 + r] / v + route_days[r0 + r] * setting.time_cost[k] +
                   route_extra[r0 + r];
            best = std::min(best, s[r]);
        }
        double sum = 0.0;
        for (std::size_t r = 0; r < count; ++r) {
            s[r] = std::exp(-(s[r] - best) / mu);
            sum += s[r];
        }
        return std::pair{best, sum};
    };
    // The logit choice at the current costs: its distance from the flows is the residual;
    // also the pair costs (parallel over origins).
    const auto residual_pass = [&]() {
        std::vector<double> gap(blocks, 0.0);
        sim::parallel_for(blocks, 1, [&](std::size_t first, std::size_t end) {
            std::vector<double> s;
            for (std::size_t b = first; b < end; ++b) {
                const auto [i0, i1] = origin_range(b);
                for (std::size_t i = i0; i < i1; ++i) {
                    for (std::size_t j = 0; j < n; ++j) {
                        if (i == j) {
                            continue;
                        }
                        const std::uint32_t r0 = routes.pair_begin[i * n + j];
                        const std::size_t count = routes.pair_begin[i * n + j + 1] - r0;
                        for (std::size_t k = 0; k < ns; ++k) {
                            const std::size_t fk = (i * n + j) * ns + k;
                            if (!(setting.value_per_teu[k] > 0.0)) {
                                continue;
                            }
                            if (count == 0) {
                                out.pair_cost[fk] = std::numeric_limits<double>::infinity();
                                continue;
                            }
                            const auto [best, sum] = choice(r0, count, k, s);
                            out.pair_cost[fk] = best - mu * std::log(sum);
                            const double total = teu[fk];
                            if (!(total > 0.0)) {
                                continue;
                            }
                            for (std::size_t r = 0; r < count; ++r) {
                                gap[b] += std::abs(total * s[r] / sum - flow[(r0 + r) * ns + k]);
                            }
                        }
                    }
                }
            }
        });
        double total_gap = 0.0;
        for (double v : gap) {
            total_gap += v;
        }
        return total_gap;
    };
    // Scratch for the Newton steps of the pairs.
    struct Work {
        std::vector<double> q, hessian, x, y, jc, jd, mark_c, mark_d;
    };
    // The derivatives of the pair's route costs (USD per TEU) and days with respect to its
    // route flows at the current congestion: jc[r * count + s] = sum over the links that
    // routes r and s share of cost_l x slope_l, jd the same with days. Routes of a pair that
    // share a congested link (the same sea lane from two gateways, say) move each other's costs.
    const auto pair_slopes = [&](std::uint32_t r0, std::size_t count, Work& w) {
        w.jc.assign(count * count, 0.0);
        w.jd.assign(count * count, 0.0);
        w.mark_c.resize(nl, 0.0);
        w.mark_d.resize(nl, 0.0);
        for (std::size_t r = 0; r < count; ++r) {
            const std::uint32_t h0 = routes.hop_begin[r0 + r], h1 = routes.hop_begin[r0 + r + 1];
            for (std::uint32_t h = h0; h < h1; ++h) {
                const std::uint32_t l = routes.hops[h].link;
                w.mark_c[l] = links[l].cost * slope[l];
                w.mark_d[l] = links[l].days * slope[l];
            }
            for (std::size_t o = r; o < count; ++o) {
                double sc = 0.0, sd = 0.0;
                for (std::uint32_t h = routes.hop_begin[r0 + o]; h < routes.hop_begin[r0 + o + 1];
                     ++h) {
                    sc += w.mark_c[routes.hops[h].link];
                    sd += w.mark_d[routes.hops[h].link];
                }
                w.jc[r * count + o] = w.jc[o * count + r] = sc;
                w.jd[r * count + o] = w.jd[o * count + r] = sd;
            }
            for (std::uint32_t h = h0; h < h1; ++h) {
                w.mark_c[routes.hops[h].link] = 0.0;
                w.mark_d[routes.hops[h].link] = 0.0;
            }
        }
    };
    // The Newton step of one pair (routes r0 .. r0 + count) in every sector, at route costs and
    // days `c`, `d` (indexed from 0 for the pair's first route): on g_r + mu ln(f_r / T) = pi,
    // the steps summing to zero over the routes. With `full`, the Hessian is the pair's
    // H = dg/df + mu diag(1 / f) from pair_slopes (symmetric positive definite: its congestion
    // part is a sum of slope x a_l a_l' over the links), and x = H^-1 q, y = H^-1 1,
    // pi = sum x / sum y, step = -(x - pi y) (Cholesky); otherwise its diagonal, from the
    // route slopes `cs`, `ds`. Scaled by `move` and cut so that no route loses more than half
    // its flow. Adds each route's change over the sectors to `delta` when given.
    const auto newton_pair = [&](std::size_t pair, std::uint32_t r0, std::size_t count,
                                 const double* c, const double* d, const double* cs,
                                 const double* ds, bool full, double move, Work& w,
                                 double* delta) {
        w.q.resize(count);
        w.hessian.resize(count * count);
        w.x.resize(count);
        w.y.resize(count);
        double* const hm = w.hessian.data();
        for (std::size_t k = 0; k < ns; ++k) {
            const double v = setting.value_per_teu[k];
            const double total = teu[pair * ns + k];
            if (!(v > 0.0) || !(total > 0.0)) {
                continue;
            }
            const double time = setting.time_cost[k];
            for (std::size_t r = 0; r < count; ++r) {
                const double f = std::max(flow[(r0 + r) * ns + k], 1e-300);
                w.q[r] = c[r] / v + d[r] * time + route_extra[r0 + r] + mu * std::log(f / total);
                if (full) {
                    for (std::size_t o = 0; o < count; ++o) {
                        hm[r * count + o] = w.jc[r * count + o] / v + w.jd[r * count + o] * time;
                    }
                    hm[r * count + r] += mu / f;
                } else {
                    const double h = cs[r] / v + ds[r] * time + mu / f;
                    w.x[r] = w.q[r] / h;
                    w.y[r] = 1.0 / h;
                }
            }
            if (full) {
                // H = L L' (L in the lower triangle), then the two solves.
                for (std::size_t r = 0; r < count; ++r) {
                    for (std::size_t o = 0; o <= r; ++o) {
                        double sum = hm[r * count + o];
                        for (std::size_t m = 0; m < o; ++m) {
                            sum -= hm[r * count + m] * hm[o * count + m];
                        }
                        hm[r * count + o] = r == o ? std::sqrt(sum) : sum / hm[o * count + o];
                    }
                }
                for (std::size_t r = 0; r < count; ++r) {
                    double sx = w.q[r], sy = 1.0;
                    for (std::size_t m = 0; m < r; ++m) {
                        sx -= hm[r * count + m] * w.x[m];
                        sy -= hm[r * count + m] * w.y[m];
                    }
                    w.x[r] = sx / hm[r * count + r];
                    w.y[r] = sy / hm[r * count + r];
                }
                for (std::size_t r = count; r-- > 0;) {
                    double sx = w.x[r], sy = w.y[r];
                    for (std::size_t m = r + 1; m < count; ++m) {
                        sx -= hm[m * count + r] * w.x[m];
                        sy -= hm[m * count + r] * w.y[m];
                    }
                    w.x[r] = sx / hm[r * count + r];
                    w.y[r] = sy / hm[r * count + r];
                }
            }
            double sum_x = 0.0, sum_y = 0.0;
            for (std::size_t r = 0; r < count; ++r) {
                sum_x += w.x[r];
                sum_y += w.y[r];
            }
            const double pi = sum_x / sum_y;
            double theta = move;
            for (std::size_t r = 0; r < count; ++r) {
                const double f = flow[(r0 + r) * ns + k];
                const double step = -(w.x[r] - pi * w.y[r]);
                if (step < 0.0 && f + theta * step < 0.5 * f) {
                    theta = 0.5 * f / -step;
                }
            }
            for (std::size_t r = 0; r < count; ++r) {
                const double step = theta * -(w.x[r] - pi * w.y[r]);
                flow[(r0 + r) * ns + k] += step;
                if (delta != nullptr) {
                    delta[r] += step;
                }
            }
        }
    };
    // One Jacobi sweep, parallel over origins: every pair at the costs of the last loads. Fast
    // where links are far from capacity; where many pairs share a congested link they all push
    // the same way at once and the residual grows, and the caller turns to the serial sweep.
    const auto sweep_parallel = [&](double move) {
        sim::parallel_for(blocks, 1, [&](std::size_t first, std::size_t end) {
            Work w;
            for (std::size_t b = first; b < end; ++b) {
                const auto [i0, i1] = origin_range(b);
                for (std::size_t i = i0; i < i1; ++i) {
                    for (std::size_t j = 0; j < n; ++j) {
                        const std::uint32_t r0 = routes.pair_begin[i * n + j];
                        const std::size_t count = routes.pair_begin[i * n + j + 1] - r0;
                        if (i != j && count >= 2) {
                            newton_pair(i * n + j, r0, count, &route_cost[r0], &route_days[r0],
                                        &cost_slope[r0], &days_slope[r0], false, move, w,
                                        nullptr);
                        }
                    }
                }
            }
        });
    };
    // One Gauss-Seidel sweep over the pairs, in a fixed order: each pair sees the loads that
    // the pairs before it left, so pairs sharing a congested link do not all push the same way
    // at once.
    const auto sweep_serial = [&](double move) {
        Work w;
        std::vector<double> c, d, delta;
        for (std::size_t i = 0; i < n; ++i) {
            for (std::size_t j = 0; j < n; ++j) {
                const std::uint32_t r0 = routes.pair_begin[i * n + j];
                const std::size_t count = routes.pair_begin[i * n + j + 1] - r0;
                if (i == j || count < 2) {
                    continue;
                }
                c.assign(count, 0.0);
                d.assign(count, 0.0);
                delta.assign(count, 0.0);
                for (std::size_t r = 0; r < count; ++r) {
                    for (std::uint32_t hh = routes.hop_begin[r0 + r];
                         hh < routes.hop_begin[r0 + r + 1]; ++hh) {
                        const Hop hop = routes.hops[hh];
                        const LinkNow& link = links[hop.link];
                        c[r] += link.cost * factor[hop.link];
                        d[r] += link.days * factor[hop.link] + node_delay[hop.to];
                    }
                }
                pair_slopes(r0, count, w);
                newton_pair(i * n + j, r0, count, c.data(), d.data(), nullptr, nullptr, true,
                            move, w, delta.data());
                for (std::size_t r = 0; r < count; ++r) {
                    if (delta[r] == 0.0) {
                        continue;
                    }
                    for (std::uint32_t hh = routes.hop_begin[r0 + r];
                         hh < routes.hop_begin[r0 + r + 1]; ++hh) {
                        const std::uint32_t l = routes.hops[hh].link;
                        load[l] = std::max(0.0, load[l] + delta[r]);
                        update_link(l);
                    }
                }
            }
        }
    };

    double total = 0.0;
    for (std::size_t f = 0; f < teu.size(); ++f) {
        total += teu[f];
    }
    // Start: the last step's route flows rescaled to this step's containers, or the logit
    // choice at free-flow costs.
    costs();
    const bool warm = start != nullptr && start->size() == flow.size();
    {
        sim::parallel_for(blocks, 1, [&](std::size_t first, std::size_t end) {
            std::vector<double> s;
            for (std::size_t b = first; b < end; ++b) {
                const auto [i0, i1] = origin_range(b);
                for (std::size_t i = i0; i < i1; ++i) {
                    for (std::size_t j = 0; j < n; ++j) {
                        const std::uint32_t r0 = routes.pair_begin[i * n + j];
                        const std::size_t count = routes.pair_begin[i * n + j + 1] - r0;
                        if (i == j || count == 0) {
                            continue;
                        }
                        for (std::size_t k = 0; k < ns; ++k) {
                            const double v = setting.value_per_teu[k];
                            const double t = teu[(i * n + j) * ns + k];
                            if (!(v > 0.0) || !(t > 0.0)) {
                                continue;
                            }
                            if (warm) {
                                double before = 0.0;
                                for (std::size_t r = 0; r < count; ++r) {
                                    before += (*start)[(r0 + r) * ns + k];
                                }
                                if (before > 0.0) {
                                    for (std::size_t r = 0; r < count; ++r) {
                                        flow[(r0 + r) * ns + k] =
                                            (*start)[(r0 + r) * ns + k] * t / before;
                                    }
                                    continue;
                                }
                            }
                            const double sum = choice(r0, count, k, s).second;
                            for (std::size_t r = 0; r < count; ++r) {
                                flow[(r0 + r) * ns + k] = t * s[r] / sum;
                            }
                        }
                    }
                }
            }
        });
    }
    double move = 1.0;
    bool parallel = true;
    double previous = std::numeric_limits<double>::infinity();
    int iter = 0;
    double residual = 0.0;
    std::vector<double> saved;
    for (;; ++iter) {
        sum_loads();
        costs();
        const double gap = residual_pass();
        residual = total > 0.0 ? gap / total : 0.0;
        if (residual <= options.tolerance || iter >= options.max_iterations) {
            break;
        }
        if (residual > previous) {
            // The last step overshot: go back and take half of it; when the parallel sweep
            // needs less than a third of its step, turn to the serial one at a full step.
            flow = saved;
            move *= 0.5;
            if (parallel && move < 0.3) {
                parallel = false;
                move = 1.0;
            }
            sum_loads();
            costs();
        } else {
            previous = residual;
            move = std::min(1.0, move * 1.5);
        }
        saved = flow;
        if (parallel) {
            sweep_parallel(move);
        } else {
            sweep_serial(move);
        }
    }
    // Report at the final flows.
    for (std::size_t r = 0; r < nr; ++r) {
        double t = 0.0;
        for (std::size_t k = 0; k < ns; ++k) {
            t += flow[r * ns + k];
        }
        out.route_teu[r] = t;
    }
    out.link_value.assign(nl, 0.0);
    out.route_value.assign(nr, 0.0);
    for (std::size_t r = 0; r < nr; ++r) {
        double worth = 0.0;
        for (std::size_t k = 0; k < ns; ++k) {
            worth += flow[r * ns + k] * setting.value_per_teu[k] * 12.0 / 1e9;
        }
        out.route_value[r] = worth;
        for (std::uint32_t h = routes.hop_begin[r]; h < routes.hop_begin[r + 1]; ++h) {
            out.link_value[routes.hops[h].link] += worth;
        }
    }
    (void)value;
    out.load = load;
    out.flows = flow;
    out.route_days = route_days;
    out.iterations = iter;
    out.residual = residual;
    return out;
}

} // namespace tradesim::models::corridors
