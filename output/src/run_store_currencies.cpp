// The currency tables of a run file (/currencies, see run_store.hpp): written by RunFile at
// every step of a run with currency settlement, exported as CSV by RunReader.
#include "h5.hpp"
#include "run_file.hpp"

#include "tradesim/models/currencies.hpp"
#include "tradesim/models/settlement.hpp"
#include "tradesim/output/run_store.hpp"

#include <fmt/format.h>

#include <iterator>
#include <stdexcept>

namespace tradesim::output::detail {

namespace {

// The per-currency series and the two means are a few hundred bytes a step: 64 steps a chunk,
// like the series in /steps. The economy and pair tables are one step a chunk, so that one step
// reads one chunk. On the default world (41 economies, 35 currencies, 66 KiB a step per pair
// table, baseline.toml's 120 steps) shuffle + deflate stores pair_share in 60 % of its size
// (4.7 MiB, the file 6 % smaller) with no run time difference beyond noise (2.37 s against
// 2.33 s, best of five); pair_payment would shrink only to 87 %, so payments stay uncompressed,
// like flows.
constexpr hsize_t series_chunk_rows = 64;
constexpr h5::Compress pair_share_compression = h5::Compress::deflate;
constexpr h5::Compress pair_payment_compression = h5::Compress::none;

std::string fx_paths(const models::SettlementParams& p) {
    return p.fx_random ? "random" : "fixed";
}

} // namespace

void RunFile::create_currencies(const models::StepView& view) {
    const models::Settlement& s = *view.settlement;
    const models::Currencies& set = s.currencies();
    const std::size_t c_n = set.currencies.size();
    const std::size_t slots = models::Settlement::slots;
    const std::vector<std::int32_t>& slot_currency = s.slot_currency();
    if (slot_currency.size() != countries_n_ * countries_n_ * slots) {
        throw std::logic_error(fmt::format("RunWriter: step {} has {} settlement slots, "
                                           "expected {} ({})",
                                           view.step, slot_currency.size(),
                                           countries_n_ * countries_n_ * slots, path_));
    }

    h5::Group group = file_.create_group("currencies");
    const models::SettlementParams& p = s.params();
    group.write_double_attribute("spread_min", p.spread_min);
    group.write_double_attribute("spread_max", p.spread_max);
    group.write_double_attribute("half", p.half);
    group.write_double_attribute("eta", p.eta);
    group.write_double_attribute("risk", p.risk);
    group.write_double_attribute("scale", p.scale);
    group.write_double_attribute("inertia", p.inertia);
    group.write_double_attribute("depth_weight", p.depth_weight);
    group.write_double_attribute("local_weight", p.local_weight);
    group.write_string_attribute("fx_paths", fx_paths(p));
    group.write_double_attribute("price_reset_months", p.price_reset_months);
    group.write_double_attribute("managed_pull", p.managed_pull);

    std::vector<std::string> codes, regimes;
    for (const models::Currency& c : set.currencies) {
        codes.push_back(c.code);
        regimes.push_back(models::to_string(c.regime));
    }
    group.write_strings("codes", codes);
    group.write_strings("regime", regimes);
    // Written once as [exporter][importer][slot]: an extendible dataset of N rows, one chunk.
    h5::Dataset slot_dataset = group.create_extendible<std::int32_t>(
        "slot_currency", {countries_n_, slots}, countries_n_, h5::Compress::deflate);
    slot_dataset.append<std::int32_t>(slot_currency, countries_n_);

    CurrencyDatasets d;
    d.currencies_n = c_n;
    d.slot_currency = slot_currency;
    for (auto [dataset, name] :
         {std::pair{&d.world_share, "world_share"}, std::pair{&d.payments, "payments"},
          std::pair{&d.fx_turnover, "fx_turnover"}, std::pair{&d.rate, "rate"}}) {
        *dataset =
            group.create_extendible<double>(name, {c_n}, series_chunk_rows, h5::Compress::deflate);
    }
    d.country_share = group.create_extendible<double>("country_share", {countries_n_, c_n}, 1,
                                                      h5::Compress::deflate);
    d.pair_share = group.create_extendible<double>(
        "pair_share", {countries_n_, countries_n_, slots}, 1, pair_share_compression);
    d.pair_payment = group.create_extendible<double>(
        "pair_payment", {countries_n_, countries_n_, slots}, 1, pair_payment_compression);
    d.cost = group.create_extendible<double>("cost", {}, series_chunk_rows, h5::Compress::deflate);
    d.price_gap =
        group.create_extendible<double>("price_gap", {}, series_chunk_rows, h5::Compress::deflate);
    currencies_ = std::move(d);
}

void RunFile::write_currencies(const models::StepView& view) {
    if (!optional_group(view.settlement != nullptr, currencies_.has_value(), "currency settlement",
                        view.step)) {
        return;
    }
    if (!currencies_) {
        create_currencies(view);
    }
    CurrencyDatasets& d = *currencies_;
    // slot_currency is in the file once: a step whose slots differ would be misread.
    if (view.settlement->slot_currency() != d.slot_currency) {
        throw std::logic_error(fmt::format("RunWriter: step {} has settlement slots that differ "
                                           "from the first step's ({})",
                                           view.step, path_));
    }
    const models::SettlementTables& t = view.settlement->tables();
    const std::size_t c_n = d.currencies_n;
    const std::size_t slot_n = countries_n_ * countries_n_ * models::Settlement::slots;
    const auto check = [&](const std::vector<double>& values, std::size_t expected,
                           const char* what) {
        if (values.size() != expected) {
            throw std::logic_error(fmt::format("RunWriter: step {} has {} values of {}, "
                                               "expected {} ({})",
                                               view.step, values.size(), what, expected, path_));
        }
    };
    check(t.world_share, c_n, "world_share");
    check(t.payments, c_n, "payments");
    check(t.fx_turnover, c_n, "fx_turnover");
    check(t.rate, c_n, "rate");
    check(t.country_share, countries_n_ * c_n, "country_share");
    check(t.pair_share, slot_n, "pair_share");
    check(t.pair_payment, slot_n, "pair_payment");

    d.world_share.append<double>(t.world_share, 1);
    d.payments.append<double>(t.payments, 1);
    d.fx_turnover.append<double>(t.fx_turnover, 1);
    d.rate.append<double>(t.rate, 1);
    d.country_share.append<double>(t.country_share, 1);
    d.pair_share.append<double>(t.pair_share, 1);
    d.pair_payment.append<double>(t.pair_payment, 1);
    d.cost.append<double>({&t.cost, 1}, 1);
    d.price_gap.append<double>({&t.price_gap, 1}, 1);
}

void write_currency_csv(const RunReader& run, const std::string& table, int first, int last,
                        std::ostream& out) {
    const std::vector<std::string> dates = run.dates();
    const std::vector<std::string> codes = run.currency_codes();
    const std::vector<std::string> countries = run.countries();
    const std::size_t c_n = codes.size();
    const std::size_t n = countries.size();
    const auto prefix = [&](int s) {
        return fmt::format("{},{},", s, csv_field(dates[static_cast<std::size_t>(s)]));
    };

    if (table == "currencies") {
        write_csv_header(out, {"step", "date", "currency", "world_share", "payments_usd_bn",
                               "fx_turnover_usd_bn", "rate"});
        for (int s = first; s < last; ++s) {
            const models::SettlementTables t = run.settlement_tables(s);
            const std::string p = prefix(s);
            fmt::memory_buffer buf;
            for (std::size_t c = 0; c < c_n; ++c) {
                fmt::format_to(std::back_inserter(buf), "{}{},{},{},{},{}\n", p,
                               csv_field(codes[c]), t.world_share[c], t.payments[c],
                               t.fx_turnover[c], t.rate[c]);
            }
            out.write(buf.data(), static_cast<std::streamsize>(buf.size()));
        }
        return;
    }

    if (table == "settlement") {
        write_csv_header(out, {"step", "date", "country", "currency", "share"});
        for (int s = first; s < last; ++s) {
            const models::SettlementTables t = run.settlement_tables(s);
            const std::string p = prefix(s);
            fmt::memory_buffer buf;
            for (std::size_t i = 0; i < n; ++i) {
                for (std::size_t c = 0; c < c_n; ++c) {
                    // Most economies settle in a handful of the currencies: rows of the others
                    // would be all zeros.
                    const double share = t.country_share[i * c_n + c];
                    if (share > 0) {
                        fmt::format_to(std::back_inserter(buf), "{}{},{},{}\n", p,
                                       csv_field(countries[i]), csv_field(codes[c]), share);
                    }
                }
            }
            out.write(buf.data(), static_cast<std::streamsize>(buf.size()));
        }
        return;
    }

    // payments: from the importer (payer) to the exporter (payee) of each pair, per slot in use,
    // ordered by payer (the file's pair tables are exporter-major).
    write_csv_header(out, {"step", "date", "payer", "payee", "currency", "share", "usd_bn"});
    const std::vector<std::int32_t> slot_currency = run.slot_currency();
    constexpr std::size_t slots = models::Settlement::slots;
    for (int s = first; s < last; ++s) {
        const models::SettlementTables t = run.settlement_tables(s);
        const std::string p = prefix(s);
        fmt::memory_buffer buf;
        for (std::size_t j = 0; j < n; ++j) {
            for (std::size_t i = 0; i < n; ++i) {
                for (std::size_t slot = 0; slot < slots; ++slot) {
                    const std::size_t at = (i * n + j) * slots + slot;
                    const std::int32_t c = slot_currency[at];
                    if (c < 0 || static_cast<std::size_t>(c) >= c_n || !(t.pair_payment[at] > 0)) {
                        continue;
                    }
                    fmt::format_to(std::back_inserter(buf), "{}{},{},{},{},{}\n", p,
                                   csv_field(countries[j]), csv_field(countries[i]),
                                   csv_field(codes[static_cast<std::size_t>(c)]), t.pair_share[at],
                                   t.pair_payment[at]);
                }
            }
        }
        out.write(buf.data(), static_cast<std::streamsize>(buf.size()));
    }
}

} // namespace tradesim::output::detail
