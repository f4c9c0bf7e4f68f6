// World's private data, shared by the World sources (world.cpp, world_map.cpp) and nobody else.
#pragma once

#include "nav/raycaster.h"
#include "nav/world.h"

namespace dw::nav {

struct World::Impl {
  Scene scene;
};

}  // namespace dw::nav
