// `dreamwalk bench <what>`: every speed figure of the project, one JSON object per measurement.
#include "tools/commands.h"

namespace dw::tools {

void add_bench_command(CLI::App& app) {
  CLI::App* bench = app.add_subcommand("bench", "Measure speed; prints one JSON object per measurement");
  bench->require_subcommand(1);
  add_bench_world(*bench);
  add_bench_loader(*bench);
  add_bench_train(*bench);
  add_bench_step(*bench);
  add_bench_rollout(*bench);
  add_bench_plan(*bench);
}

}  // namespace dw::tools
