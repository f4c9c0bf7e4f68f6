// The viewer's stepper from two threads at once: its worker steps the session while this thread
// (the window's, in the app) presses keys, rewinds, restarts, saves walks and records. Run under
// ThreadSanitizer by tools/run-tsan-tests.sh; here it checks that the stepper keeps its promises
// while the window hammers it. Torch- and Vulkan-free: the model is the fake simulator.
#include <catch2/catch.hpp>

#include <chrono>
#include <filesystem>
#include <thread>

#include "tests/scratch.h"
#include "tests/viewer/fake_simulator.h"
#include "viewer/key_bindings.h"
#include "viewer/session.h"
#include "viewer/stepper.h"
#include "viewer/walk.h"

using namespace dw;
using namespace dw::viewer;

namespace {

std::filesystem::path scratch(const std::string& name) { return test::scratch_file("stepper_threads", name); }

// Waits (bounded) until the worker has published a snapshot past `step`.
Snapshot wait_for_step(Stepper& stepper, Snapshot& latest, int step) {
  for (int i = 0; i < 2000 && latest.step <= step; ++i) {
    stepper.fetch(latest);
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return latest;
}

}  // namespace

TEST_CASE("the stepper's worker and the window thread share a session safely", "[viewer][threads]") {
  test::FakeSimulator simulator(32);
  Session session(simulator, 7);
  session.start(WalkStart{3, {}});
  StepperSettings settings;
  settings.tick_rate = 500.0;  // fast ticks: many worker steps while this thread pokes at it
  Stepper stepper(session, KeyBindings(simulator.info().schema), settings);
  stepper.start();

  Snapshot latest;
  REQUIRE(stepper.fetch(latest));
  stepper.set_key("W", true);
  wait_for_step(stepper, latest, 5);
  CHECK(latest.step > 5);  // held W walks forward on the worker

  // The window's thread acts while the worker keeps stepping.
  std::uint64_t last_version = latest.version;
  for (int round = 0; round < 20; ++round) {
    stepper.set_key(round % 2 ? "A" : "D", true);
    stepper.request_temperature(round % 3 ? 0.0f : 0.5f);
    if (round == 5) stepper.start_recording();
    if (round == 10) stepper.request_rewind(2);
    if (round == 12) stepper.request_save_walk(scratch("walk.json"));
    if (round == 15) stepper.request_restart();
    stepper.set_key(round % 2 ? "A" : "D", false);
    if (stepper.fetch(latest)) {
      CHECK(latest.version > last_version);  // versions only grow
      last_version = latest.version;
    }
    CHECK(latest.dream.width == 32);
    (void)stepper.stats();
    (void)stepper.status_message();
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  const std::vector<Image> recorded = stepper.stop_recording();
  stepper.set_key("W", false);
  stepper.stop();
  stepper.rethrow_worker_error();  // the worker did not die

  CHECK_FALSE(recorded.empty());
  for (const Image& frame : recorded) CHECK(frame.width == 32);
  CHECK(stepper.stats().steps > 5);
  // The walk saved by the worker mid-run is complete and loads.
  const Walk walk = load_walk(scratch("walk.json"));
  CHECK(walk.model_hash == "fake0001");
  CHECK(walk.seed == 7);
}
