#include "datasets/episode.h"

#include "nav/base/user_error.h"

namespace dw::data {

ActionSchema ActionSchema::navigation(const nav::ActionLimits& limits) {
  ActionSchema schema;
  schema.names = {"forward", "strafe", "turn"};
  schema.limits = {limits.max_forward, limits.max_strafe, limits.max_turn};
  schema.keys = {"W/S", "D/A", "Q/E"};
  return schema;
}

bool ActionSchema::is_navigation() const {
  return names == std::vector<std::string>{"forward", "strafe", "turn"} && limits.size() == 3;
}

nav::WorldSettings world_settings_for(const ActionSchema& schema) {
  if (!schema.is_navigation()) {
    std::string names;
    for (const std::string& name : schema.names) names += (names.empty() ? "" : ", ") + name;
    throw UserError("the ground-truth world takes the actions forward, strafe, turn, but this model's are (" +
                    names + ")");
  }
  nav::WorldSettings settings;
  settings.limits = {schema.limits[0], schema.limits[1], schema.limits[2]};
  return settings;
}

}  // namespace dw::data
