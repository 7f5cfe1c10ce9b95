// UN Comtrade bulk files, legacy and current layouts. The rules (see also import.hpp):
//  - exports (X, legacy 2) are filed exporter = reporter, importer = partner; imports (M, 1)
//    exporter = partner, importer = reporter. Both sides are kept apart (a bit in the key) and
//    combined at the end by the mirror rule (import_panel.cpp): imports win;
//  - re-exports and re-imports (RX, RM, legacy 3 and 4) are dropped: they are not production
//    of the exporter and would count goods twice;
//  - other flow codes of the current API (e.g. DX, FM, processing flows) are dropped;
//  - rows that break a total down by second partner, transport mode or customs procedure are
//    dropped; only partner2Code 0, motCode 0 and customsCode C00 rows are totals;
//  - the commodity level of a row is the digit count of its code (TOTAL = level 0); each
//    (reporter, year, flow) keeps its finest level only, so HS2 + HS4 + HS6 rows of the same
//    goods are not added up (the level counts are kept per group in `groups`).

#include "import_rows.hpp"

namespace tradesim::history::detail {

namespace {

class ComtradeLayout : public Layout {
public:
    int year = -1, period = -1, flow = -1, reporter = -1, reporter_iso = -1, partner = -1;
    int partner_iso = -1, product = -1, value = -1, cif = -1, fob = -1;
    int partner2 = -1, mot = -1, customs = -1;
    double scale = 1;
    const CountryTable* countries = nullptr;
    const Concordance* concordance = nullptr;

    void row(const Fields& f, std::size_t line, std::string_view text,
             BlockResult& out) const override {
        int side = 0; // 0 exports, 1 imports
        const std::string_view flow_code = at(f, flow);
        if (flow_code == "X" || flow_code == "2") {
            side = 0;
        } else if (flow_code == "M" || flow_code == "1") {
            side = 1;
        } else if (flow_code == "RX" || flow_code == "RM" || flow_code == "3" || flow_code == "4") {
            out.drop(kReExport, line, text);
            return;
        } else if (flow_code.empty()) {
            out.drop(kMissingField, line, text);
            return;
        } else {
            out.drop(kOtherFlow, line, text);
            return;
        }
        if (!is_total(partner2, f, "0") || !is_total(mot, f, "0") || !is_total(customs, f, "C00")) {
            out.drop(kBreakdown, line, text);
            return;
        }
        unsigned y = 0;
        const std::string_view year_text =
            year >= 0 ? at(f, year) : at(f, period).substr(0, 4); // "201901" -> 2019
        if (!year_of(year_text, y, line, text, out)) {
            return;
        }
        int r = 0, p = 0;
        if (!code_of(f, reporter, reporter_iso, r, line, text, out) ||
            !code_of(f, partner, partner_iso, p, line, text, out)) {
            return;
        }
        std::uint32_t code = 0;
        const int sector = sector_of(*concordance, at(f, product), code, line, text, out);
        if (sector == kUnknownProduct) {
            return;
        }
        // primaryValue is the CIF (M) or FOB (X) value; without it, the side's own column.
        int column = value;
        const int own = side == 1 ? cif : fob;
        if (own >= 0 && (value < 0 || at(f, value).empty())) {
            column = own;
        }
        if (column < 0) {
            out.drop(kMissingField, line, text);
            return;
        }
        double v = 0;
        bool has_value = false;
        if (!flow_value(at(f, column), scale, false, v, has_value, line, text, out)) {
            return;
        }
        const auto exporter = static_cast<unsigned>(side == 0 ? r : p);
        const auto importer = static_cast<unsigned>(side == 0 ? p : r);
        const unsigned level = code == kTotalProduct ? 0 : (code >> 20) / 2;
        const std::uint64_t key =
            pack(y, exporter, importer,
                 (static_cast<std::uint64_t>(sector) << 8) | (unsigned(side) << 4) | level);
        out.flows.add(key, v);
        if (code != kTotalProduct) {
            out.products.push_back(code);
        }
        out.keep(y, at(f, reporter), at(f, partner), (code << 1) | static_cast<unsigned>(side), key,
                 v, line, text);
        out.groups.add(pack(y, static_cast<unsigned>(r), 0, (unsigned(side) << 4) | level), 1);
    }

private:
    static std::string_view at(const Fields& f, int c) noexcept {
        return f[static_cast<std::size_t>(c)];
    }
    static bool is_total(int c, const Fields& f, std::string_view total) noexcept {
        return c < 0 || at(f, c).empty() || at(f, c) == total;
    }
    // The numeric code decides (ISO alpha is empty for many areas in Comtrade files); the
    // alpha code is the fallback for numeric codes the table does not know.
    bool code_of(const Fields& f, int numeric, int alpha, int& index, std::size_t line,
                 std::string_view text, BlockResult& out) const {
        const std::string_view code = at(f, numeric);
        if (code.empty()) {
            out.drop(kMissingField, line, text);
            return false;
        }
        index = countries->lookup(code);
        if (index == kUnknownCountry && alpha >= 0 && !at(f, alpha).empty()) {
            index = countries->lookup(at(f, alpha));
        }
        if (index >= 0) {
            return true;
        }
        out.drop(index == kAggregate ? kAggregateCode : kUnknownCountryCode, line, text);
        return false;
    }
};

} // namespace

std::unique_ptr<Layout> make_comtrade_layout(const FormatContext& context, const Fields& fields) {
    Header header(context, fields);
    auto layout = std::make_unique<ComtradeLayout>();
    layout->year = header.find({"refYear", "Year"});
    if (layout->year < 0) {
        layout->period = header.require({"period"});
    }
    layout->flow = header.require({"flowCode", "Trade Flow Code"});
    layout->reporter = header.require({"reporterCode", "Reporter Code"});
    layout->partner = header.require({"partnerCode", "Partner Code"});
    layout->product = header.require({"cmdCode", "Commodity Code"});
    layout->value = header.find({"primaryValue", "Trade Value (US$)"});
    layout->cif = header.find({"cifvalue"});
    layout->fob = header.find({"fobvalue"});
    if (layout->value < 0 && (layout->cif < 0 || layout->fob < 0)) {
        (void)header.require({"primaryValue"});
    }
    header.check("current layout: refYear or period, flowCode, reporterCode, partnerCode, "
                 "cmdCode, primaryValue; legacy layout: Year, Trade Flow Code, Reporter Code, "
                 "Partner Code, Commodity Code, Trade Value (US$)");
    layout->reporter_iso = header.find({"reporterISO", "Reporter ISO"});
    layout->partner_iso = header.find({"partnerISO", "Partner ISO"});
    layout->partner2 = header.find({"partner2Code", "2nd Partner Code"});
    layout->mot = header.find({"motCode"});
    layout->customs = header.find({"customsCode"});
    layout->scale = context.options.value_scale != 0 ? context.options.value_scale : 1;
    layout->countries = &context.countries;
    layout->concordance = &context.concordance;
    return layout;
}

} // namespace tradesim::history::detail
