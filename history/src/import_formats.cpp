// Row handling of each import format: which columns, which units, which rows are dropped.

#include "import_rows.hpp"

#include "tradesim/sim/error.hpp"

#include <algorithm>
#include <cctype>
#include <fmt/format.h>

namespace tradesim::history::detail {

namespace {

// BACI, CEPII Gravity and plain tables: one row = one flow of (year, exporter, importer
// [, product]), with optional pair and exporter variables.
class FlowLayout : public Layout {
public:
    int year = -1, exporter = -1, importer = -1, value = -1, product = -1;
    double scale = 1;
    bool missing_value_ok = false;
    std::vector<VariableColumn> pair_vars, exporter_vars;
    const CountryTable* countries = nullptr;
    const Concordance* concordance = nullptr;

    void row(const Fields& f, std::size_t line, std::string_view text,
             BlockResult& out) const override {
        unsigned y = 0;
        int e = 0, i = 0;
        if (!year_of(f[idx(year)], y, line, text, out) ||
            !country(*countries, f[idx(exporter)], e, line, text, out) ||
            !country(*countries, f[idx(importer)], i, line, text, out)) {
            return;
        }
        int sector = kTotalSector;
        std::uint32_t code = 0;
        if (product >= 0) {
            sector = sector_of(*concordance, f[idx(product)], code, line, text, out);
            if (sector == kUnknownProduct) {
                return;
            }
        }
        double v = 0;
        bool has_value = false;
        if (!flow_value(f[idx(value)], scale, missing_value_ok, v, has_value, line, text, out)) {
            return;
        }
        const auto ue = static_cast<unsigned>(e);
        const auto ui = static_cast<unsigned>(i);
        std::uint64_t flow = kEmptyKey;
        if (has_value) {
            flow = pack(y, ue, ui, static_cast<std::uint64_t>(sector) << 8);
            out.flows.add(flow, v);
            if (product >= 0) {
                out.products.push_back(code);
            }
        }
        out.keep(y, f[idx(exporter)], f[idx(importer)], code, flow, v, line, text);
        read_variables(
            pair_vars, f, [&](unsigned s) { return pack(y, ue, ui, s); }, out.pair_vars);
        read_variables(
            exporter_vars, f, [&](unsigned s) { return pack(y, ue, 0, s); }, out.country_vars);
    }

private:
    static std::size_t idx(int c) noexcept { return static_cast<std::size_t>(c); }
};

// Penn World Table: one row per country and year, variables only.
class PwtLayout : public Layout {
public:
    int year = -1, code = -1;
    std::vector<VariableColumn> vars;
    const CountryTable* countries = nullptr;

    void row(const Fields& f, std::size_t line, std::string_view text,
             BlockResult& out) const override {
        unsigned y = 0;
        int c = 0;
        if (!year_of(f[static_cast<std::size_t>(year)], y, line, text, out) ||
            !country(*countries, f[static_cast<std::size_t>(code)], c, line, text, out)) {
            return;
        }
        const auto uc = static_cast<unsigned>(c);
        out.keep(y, f[static_cast<std::size_t>(code)], {}, 0, kEmptyKey, 0, line, text);
        read_variables(
            vars, f, [&](unsigned s) { return pack(y, uc, 0, s); }, out.country_vars);
    }
};

int pair_slot(const FormatContext& context, const std::string& name, const std::string& unit,
              const std::string& column) {
    return Schema::slot(context.schema.pair,
                        {name, unit, fmt::format("{} column {}", context.path, column)});
}
int country_slot(const FormatContext& context, const std::string& name, const std::string& unit,
                 const std::string& column) {
    return Schema::slot(context.schema.country,
                        {name, unit, fmt::format("{} column {}", context.path, column)});
}

std::unique_ptr<Layout> baci_layout(const FormatContext& context, const Fields& fields) {
    Header header(context, fields);
    auto layout = std::make_unique<FlowLayout>();
    layout->year = header.require({"t"});
    layout->exporter = header.require({"i"});
    layout->importer = header.require({"j"});
    layout->product = header.require({"k"});
    layout->value = header.require({"v"});
    header.check("t,i,j,k,v,q");
    layout->scale = 1000; // BACI: thousand USD
    return layout;
}

std::unique_ptr<Layout> table_layout(const FormatContext& context, const Fields& fields) {
    const ImportOptions& o = context.options;
    Header header(context, fields);
    auto layout = std::make_unique<FlowLayout>();
    layout->year = header.require(o.year_column);
    layout->exporter = header.require(o.exporter_column);
    layout->importer = header.require(o.importer_column);
    layout->value = header.require(o.value_column);
    if (!o.product_column.empty()) {
        layout->product = header.require(o.product_column);
    }
    std::vector<std::pair<std::string, std::string>> pairs, countries;
    for (const auto& spec : o.pair_columns) {
        pairs.push_back(named_column(spec));
        (void)header.require(pairs.back().second);
    }
    for (const auto& spec : o.country_columns) {
        countries.push_back(named_column(spec));
        (void)header.require(countries.back().second);
    }
    std::vector<std::string> expected = {o.exporter_column, o.importer_column, o.year_column,
                                         o.value_column};
    header.check(fmt::format("{} (as given by the options)", fmt::join(expected, ",")));
    for (const auto& [name, column] : pairs) {
        layout->pair_vars.push_back(
            {pair_slot(context, name, "", column), header.find({column}), 1, -1});
    }
    for (const auto& [name, column] : countries) {
        layout->exporter_vars.push_back(
            {country_slot(context, name, "", column), header.find({column}), 1, -1});
    }
    layout->scale = 1;
    return layout;
}

std::unique_ptr<Layout> gravity_layout(const FormatContext& context, const Fields& fields) {
    const ImportOptions& o = context.options;
    // The table defaults ("value") mean "not given" here: tradeflow_baci is the default flow.
    const std::string value = o.value_column == "value" ? "tradeflow_baci" : o.value_column;
    Header header(context, fields);
    auto layout = std::make_unique<FlowLayout>();
    layout->year = header.require({"year"});
    layout->exporter = header.require({"iso3_o"});
    layout->importer = header.require({"iso3_d"});
    layout->value = header.require(value);
    header.check(fmt::format("year,iso3_o,iso3_d,{} ...", value));
    layout->scale = 1000; // thousand USD
    layout->missing_value_ok = true;
    struct Default {
        const char* name;
        const char* column;
        const char* unit;
        double scale;
    };
    static constexpr Default pair_defaults[] = {{"dist", "dist", "km", 1},
                                                {"contig", "contig", "1", 1},
                                                {"comlang_off", "comlang_off", "1", 1},
                                                {"col45", "col45", "1", 1},
                                                {"rta", "fta_wto", "1", 1}};
    for (const auto& d : pair_defaults) {
        if (const int c = header.find({d.column}); c >= 0) {
            layout->pair_vars.push_back({pair_slot(context, d.name, d.unit, d.column), c, d.scale});
        }
    }
    for (const auto& spec : o.pair_columns) {
        const auto [name, column] = named_column(spec);
        const int c = header.require(column);
        header.check(fmt::format("the pair column {}", column));
        layout->pair_vars.push_back({pair_slot(context, name, "", column), c, 1});
    }
    // gdp_o is in thousand current USD, pop_o in thousands (CEPII Gravity V202211 codebook).
    if (const int c = header.find({"gdp_o"}); c >= 0) {
        layout->exporter_vars.push_back({country_slot(context, "gdp_usd", "USD", "gdp_o"), c, 1e3});
    }
    if (const int c = header.find({"pop_o"}); c >= 0) {
        layout->exporter_vars.push_back({country_slot(context, "pop", "persons", "pop_o"), c, 1e3});
    }
    return layout;
}

std::unique_ptr<Layout> pwt_layout(const FormatContext& context, const Fields& fields) {
    Header header(context, fields);
    auto layout = std::make_unique<PwtLayout>();
    layout->year = header.require({"year"});
    layout->code = header.require({"countrycode", "isocode"});
    header.check("countrycode (PWT 10) or isocode (PWT 9), year, cgdpo, pl_gdpo, pop ...");
    // PWT reports money in millions and people in millions.
    // Nominal GDP at current exchange rates = CGDPo x pl_gdpo, since pl_gdpo is the price level
    // of CGDPo (PPP over exchange rate, USA = 1): Feenstra, Inklaar & Timmer (2015), sec. III.
    const int cgdpo = header.find({"cgdpo"});
    const int pl_gdpo = header.find({"pl_gdpo"});
    if (cgdpo >= 0 && pl_gdpo >= 0) {
        layout->vars.push_back(
            {country_slot(context, "gdp_usd", "USD", "cgdpo*pl_gdpo"), cgdpo, 1e6, pl_gdpo});
    }
    struct Default {
        const char* name;
        const char* unit;
        double scale;
    };
    static constexpr Default defaults[] = {{"rgdpna", "2017 USD (PWT 10; 2011 USD in PWT 9)", 1e6},
                                           {"rgdpo", "PPP USD of the PWT base year", 1e6},
                                           {"cgdpo", "current PPP USD", 1e6},
                                           {"pop", "persons", 1e6},
                                           {"xr", "national currency per USD", 1},
                                           {"pl_gdpo", "1 (USA = 1)", 1}};
    for (const auto& d : defaults) {
        if (const int c = header.find({d.name}); c >= 0) {
            layout->vars.push_back({country_slot(context, d.name, d.unit, d.name), c, d.scale});
        }
    }
    layout->countries = &context.countries;
    return layout;
}

} // namespace

std::unique_ptr<Layout> make_comtrade_layout(const FormatContext& context, const Fields& fields);

int Schema::slot(std::vector<VariableSpec>& list, VariableSpec spec) {
    for (std::size_t s = 0; s < list.size(); ++s) {
        if (list[s].name == spec.name) {
            return static_cast<int>(s);
        }
    }
    list.push_back(std::move(spec));
    return static_cast<int>(list.size() - 1);
}

std::unique_ptr<Layout> make_layout(const FormatContext& context, const Fields& header) {
    std::unique_ptr<Layout> layout;
    switch (context.options.format) {
    case Format::baci:
        layout = baci_layout(context, header);
        break;
    case Format::table:
        layout = table_layout(context, header);
        break;
    case Format::cepii_gravity:
        layout = gravity_layout(context, header);
        break;
    case Format::pwt:
        return pwt_layout(context, header);
    case Format::comtrade:
        return make_comtrade_layout(context, header);
    }
    auto* flow = static_cast<FlowLayout*>(layout.get());
    flow->countries = &context.countries;
    flow->concordance = &context.concordance;
    if (context.options.value_scale != 0) {
        flow->scale = context.options.value_scale;
    }
    return layout;
}

} // namespace tradesim::history::detail
