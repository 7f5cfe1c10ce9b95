// Behaviour "none": the government observes and never acts (the default for every country).

#include "tradesim/models/friction.hpp"

namespace tradesim::models {
namespace {

class None final : public Behaviour {
public:
    explicit None(std::size_t government) { government_ = government; }
    [[nodiscard]] const std::string& name() const noexcept override { return name_; }
    [[nodiscard]] std::unique_ptr<Behaviour> clone() const override {
        return std::make_unique<None>(*this);
    }
    void react(const Observed&, Decisions&) override {}

private:
    std::string name_ = "none";
};

} // namespace

void register_behaviour_none(BehaviourRegistry& registry) {
    registry.add("none",
                 [](const sim::SpecNode&, BehaviourContext& ctx, std::vector<std::string>&) {
                     return std::make_unique<None>(ctx.government);
                 });
}

} // namespace tradesim::models
