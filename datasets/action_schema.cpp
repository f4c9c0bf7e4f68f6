#include "datasets/episode.h"

namespace dw::data {

ActionSchema ActionSchema::navigation(const nav::ActionLimits& limits) {
  ActionSchema schema;
  schema.names = {"forward", "strafe", "turn"};
  schema.limits = {limits.max_forward, limits.max_strafe, limits.max_turn};
  schema.keys = {"W/S", "D/A", "Q/E"};
  return schema;
}

}  // namespace dw::data
