#include "tradesim/sim/agent_columns.hpp"

#include <catch2/catch.hpp>
#include <string>

using namespace tradesim;

TEST_CASE("AgentColumns: typed fields stay where they are and count their bytes", "[sim]") {
    sim::AgentColumns store;
    auto& a = store.add<float>("a", "index", sim::Temperature::hot);
    auto& n = store.add<std::uint16_t>("n", "count", sim::Temperature::hot);
    auto& c = store.add<float>("c", "USD", sim::Temperature::cold);
    a.assign(1000, 1.0F);
    // Adding fields later does not move the earlier arrays.
    for (int i = 0; i < 50; ++i) {
        std::string name = "x";
        name += std::to_string(i);
        store.add<double>(name, "", sim::Temperature::cold);
    }
    n.assign(1000, 2);
    c.assign(1000, 3.0F);
    CHECK(&a == &std::get<std::vector<float>>(store.fields()[0].data));
    CHECK(a[999] == 1.0F);
    CHECK(store.bytes(sim::Temperature::hot) == 1000 * (4 + 2));
    CHECK(store.bytes(sim::Temperature::cold) == 1000 * 4);
    CHECK(store.bytes() == 10000);
    CHECK(store.fields().size() == 53);
    CHECK(store.fields()[1].name == "n");
}
