// Embedding Dreamwalk: load a trained world model, start it from a picture, walk through the
// model's imagination with actions, and write every imagined frame as a PNG. Built against the
// *installed* package (find_package(dreamwalk)); it needs no LibTorch headers.
//
//   embed-example CHECKPOINT START.png STEPS OUT_DIR
#include <cstdio>
#include <exception>
#include <filesystem>
#include <string>
#include <vector>

#include "model/simulator.h"
#include "nav/base/image.h"
#include "nav/base/user_error.h"

namespace {

// A gentle left curve: full speed along the first action (forward, for navigation models) and a
// little of the last one (turn). Any other model gets the same vector, sized to its schema.
std::vector<float> curve_action(const dw::data::ActionSchema& schema) {
  std::vector<float> action(schema.dimension(), 0.0f);
  action.front() = 1.0f;
  if (schema.dimension() > 1) action.back() = 0.3f;
  return action;
}

int run(const std::filesystem::path& checkpoint, const std::filesystem::path& start_png, int steps,
        const std::filesystem::path& out_dir) {
  std::unique_ptr<dw::model::Simulator> simulator = dw::model::Simulator::load(checkpoint, "cpu");
  const dw::model::ModelInfo& info = simulator->info();
  std::printf("model %s: %lld parameters, %dx%d, actions:", info.config_name.c_str(),
              static_cast<long long>(info.parameters), info.width, info.height);
  for (const std::string& name : info.schema.names) std::printf(" %s", name.c_str());
  std::printf("\n");

  // The model sees frames of its own size; any picture is resized to it.
  dw::Image start = dw::resize_image(dw::load_image(start_png), info.width, info.height);
  simulator->reset_single({start}, /*seed=*/0);

  std::filesystem::create_directories(out_dir);
  const std::vector<float> action = curve_action(info.schema);
  for (int step = 1; step <= steps; ++step) {
    dw::Image frame = simulator->step_single(action);
    char name[32];
    std::snprintf(name, sizeof name, "frame_%03d.png", step);
    dw::save_png(frame, out_dir / name);
  }
  std::printf("wrote %d imagined frames to %s\n", steps, out_dir.string().c_str());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 5) {
    std::fprintf(stderr, "usage: %s CHECKPOINT START.png STEPS OUT_DIR\n", argv[0]);
    return 2;
  }
  try {
    const int steps = std::stoi(argv[3]);
    if (steps < 1) throw dw::UserError(std::string("STEPS must be at least 1, got ") + argv[3]);
    return run(argv[1], argv[2], steps, argv[4]);
  } catch (const dw::UserError& error) {  // bad files and arguments: one line, exit 2
    std::fprintf(stderr, "embed-example: %s\n", error.what());
    return 2;
  } catch (const std::invalid_argument&) {
    std::fprintf(stderr, "embed-example: STEPS must be a number, got %s\n", argv[3]);
    return 2;
  }
}
