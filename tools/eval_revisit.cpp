// `dreamwalk eval --protocol turn|outback`: the revisit protocol (DESIGN.md) for a checkpoint in the
// ground-truth world, so no dataset is needed. Table on stdout, JSON on request. Its flags join the
// rest of `eval` (eval.cpp), which calls run_revisit_eval when --protocol is given.
#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <memory>
#include <string>

#include "model/evaluate.h"
#include "model/revisit.h"
#include "model/simulator.h"
#include "model/threads.h"
#include "nav/base/atomic_file.h"
#include "nav/base/user_error.h"
#include "tools/progress.h"

namespace dw::tools {

void add_revisit_options(CLI::App& command, model::RevisitOptions& revisit) {
  command.add_option("--protocol", revisit.protocol, "Revisit walks in the world instead of a dataset: turn or outback");
  command.add_option("--world-seed", revisit.world_seed, "With --protocol: the world")->capture_default_str();
  command.add_option("--walks", revisit.walks, "With --protocol: walks from seeded spawn poses")->capture_default_str();
  command.add_option("--spawn-seed", revisit.spawn_seed, "With --protocol: chooses the spawn poses")->capture_default_str();
}

void run_revisit_eval(const std::string& checkpoint, const std::string& device, int threads,
                      model::RevisitOptions revisit, const model::EvalOptions& eval, bool is_context_given,
                      bool no_memory, bool no_view_map, const std::string& json) {
  // --context, --batch, --temperature and --seed mean the same as for the dataset evaluation, but
  // without --context the model sees as many frames as it was trained with.
  revisit.context = is_context_given ? eval.context : 0;
  if (is_context_given && eval.context < 1) throw UserError("--context must be at least 1");
  revisit.batch = eval.batch;
  revisit.temperature = eval.temperature;
  revisit.seed = eval.seed;
  model::check_revisit_options(revisit);  // before the checkpoint loads: a bad flag fails at once
  model::configure_default_threads(threads);
  auto simulator = model::Simulator::load(checkpoint, device);
  model::set_memories(*simulator, no_memory, no_view_map);
  ProgressLine progress("eval " + revisit.protocol, revisit.walks, "walks");
  const model::RevisitReport report =
      model::evaluate_revisit(*simulator, revisit, [&](int done, int) { progress.update(done); });
  progress.finish();
  fmt::print("{}", model::revisit_report_table(report));
  if (!json.empty()) {
    write_file_atomically(json, model::revisit_report_json(report) + "\n");
    fmt::print("json: {}\n", json);
  }
}

}  // namespace dw::tools
