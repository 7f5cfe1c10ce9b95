#include "tradesim/history/backtest.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace tradesim::history {

Metrics compute_metrics(const std::vector<double>& x0, const std::vector<double>& x1,
                        const std::vector<double>& pred, const std::vector<unsigned char>& mask) {
    Metrics m;
    // Smallest positive prediction: stands in for ln 0 so that a lost flow is penalised
    // heavily but finitely.
    double floor = std::numeric_limits<double>::infinity();
    for (std::size_t p = 0; p < mask.size(); ++p) {
        if (mask[p] != 0 && pred[p] > 0.0) {
            floor = std::min(floor, pred[p]);
        }
    }
    double sum_sq = 0, abs_err = 0, obs = 0;
    std::size_t right = 0;
    std::vector<double> dp, dx;
    for (std::size_t p = 0; p < mask.size(); ++p) {
        if (mask[p] == 0) {
            continue;
        }
        const double lp = std::log(pred[p] > 0.0 ? pred[p] : floor);
        const double e = lp - std::log(x1[p]);
        sum_sq += e * e;
        abs_err += std::abs(pred[p] - x1[p]);
        obs += x1[p];
        const double predicted_change = pred[p] - x0[p];
        const double observed_change = x1[p] - x0[p];
        if (predicted_change != 0.0 && pred[p] > 0.0 &&
            (predicted_change > 0.0) == (observed_change > 0.0) && observed_change != 0.0) {
            ++right;
        }
        dp.push_back(lp - std::log(x0[p]));
        dx.push_back(std::log(x1[p] / x0[p]));
        ++m.pairs;
    }
    if (m.pairs == 0) {
        return m;
    }
    const double count = static_cast<double>(m.pairs);
    m.rmse_log = std::sqrt(sum_sq / count);
    m.twape = abs_err / obs;
    m.right_sign = static_cast<double>(right) / count;
    double mp = 0, mx = 0;
    for (std::size_t q = 0; q < dp.size(); ++q) {
        mp += dp[q];
        mx += dx[q];
    }
    mp /= count;
    mx /= count;
    double spp = 0, sxx = 0, spx = 0;
    for (std::size_t q = 0; q < dp.size(); ++q) {
        spp += (dp[q] - mp) * (dp[q] - mp);
        sxx += (dx[q] - mx) * (dx[q] - mx);
        spx += (dp[q] - mp) * (dx[q] - mx);
    }
    // A constant prediction (all changes equal up to rounding) has no correlation to speak of.
    const double scale = std::max(1.0, std::abs(mp));
    if (std::sqrt(spp / count) > 1e-12 * scale && sxx > 0.0) {
        m.correlation = spx / std::sqrt(spp * sxx);
    }
    return m;
}

const std::vector<std::string>& belt_and_road_partners() {
    // Countries that signed a Belt and Road cooperation document with China, from the Belt
    // and Road Portal (yidaiyilu.gov.cn) as compiled by C. Nedopil, "Countries of the Belt
    // and Road Initiative", Green Finance & Development Center, FISF Fudan University
    // (greenfdc.org, list of 2023, 150 countries; Italy left in 2023 and stays here as it was
    // a member over the years backtested). Territories without ISO codes in trade data (Cook
    // Islands, Niue, Palestine) are included under their ISO codes where they have one.
    // The Republic of Korea is not: the Belt and Road Portal lists no cooperation document
    // with it, as the default world's countries.csv (bri_year 0) has it; a test checks the
    // two lists agree.
    static const std::vector<std::string> partners = [] {
        std::vector<std::string> v{
            // Africa
            "AGO", "BDI", "BEN", "BFA", "BWA", "CAF", "CIV", "CMR", "COD", "COG", "COM", "CPV",
            "DJI", "DZA", "EGY", "ERI", "ETH", "GAB", "GHA", "GIN", "GMB", "GNB", "GNQ", "KEN",
            "LBR", "LBY", "LSO", "MAR", "MDG", "MLI", "MOZ", "MRT", "MWI", "NAM", "NER", "NGA",
            "RWA", "SDN", "SEN", "SLE", "SOM", "SSD", "STP", "SYC", "TCD", "TGO", "TUN", "TZA",
            "UGA", "ZAF", "ZMB", "ZWE",
            // Asia and the Middle East
            "AFG", "ARE", "ARM", "AZE", "BGD", "BHR", "BRN", "GEO", "IDN", "IRN", "IRQ", "JOR",
            "KAZ", "KGZ", "KHM", "KWT", "LAO", "LBN", "LKA", "MDV", "MMR", "MNG", "MYS", "NPL",
            "OMN", "PAK", "PHL", "PSE", "QAT", "SAU", "SGP", "SYR", "THA", "TJK", "TLS", "TUR",
            "UZB", "VNM", "YEM",
            // Europe
            "ALB", "AUT", "BGR", "BIH", "BLR", "CYP", "CZE", "EST", "GRC", "HRV", "HUN", "ITA",
            "LTU", "LUX", "LVA", "MDA", "MKD", "MLT", "MNE", "POL", "PRT", "ROU", "RUS", "SRB",
            "SVK", "SVN", "UKR",
            // Oceania
            "COK", "FJI", "FSM", "KIR", "NIU", "NZL", "PNG", "SLB", "TON", "VUT", "WSM",
            // Latin America and the Caribbean
            "ARG", "ATG", "BOL", "BRB", "CHL", "CRI", "CUB", "DMA", "DOM", "ECU", "GRD", "GUY",
            "HND", "JAM", "NIC", "PAN", "PER", "SLV", "SUR", "TTO", "URY", "VEN"};
        std::sort(v.begin(), v.end());
        return v;
    }();
    return partners;
}

} // namespace tradesim::history
