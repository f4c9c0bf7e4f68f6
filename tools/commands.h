// One function per subcommand: each adds itself to the CLI11 app and does its work in a callback.
// Subcommand files stay thin: parse flags, call a library, print.
#pragma once

#include <CLI/CLI.hpp>

namespace dw::tools {

void add_world_command(CLI::App& app);
void add_gen_command(CLI::App& app);
void add_validate_command(CLI::App& app);
void add_sheet_command(CLI::App& app);
void add_bench_command(CLI::App& app);
// Only in builds with the viewer (DREAMWALK_HAS_VIEWER).
void add_view_command(CLI::App& app);
void add_import_command(CLI::App& app);
void add_train_command(CLI::App& app);
void add_eval_command(CLI::App& app);
void add_rollout_command(CLI::App& app);
void add_plan_command(CLI::App& app);
void add_eval_plan_command(CLI::App& app);
void add_map_views_command(CLI::App& app);

// `dreamwalk bench <what>`: each adds a subcommand of `bench`.
void add_bench_world(CLI::App& bench);
void add_bench_loader(CLI::App& bench);
void add_bench_rollout(CLI::App& bench);
void add_bench_train(CLI::App& bench);
void add_bench_step(CLI::App& bench);
void add_bench_plan(CLI::App& bench);

}  // namespace dw::tools
