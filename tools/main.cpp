// The dreamwalk CLI entry point: registers the subcommands and turns errors into exit codes
// (0 ok, 1 failure, 2 bad input), printing one "dreamwalk: ..." line and never a stack trace.
#include <malloc.h>

#include <algorithm>
#include <cstdio>
#include <exception>
#include <string>

#include "nav/base/user_error.h"
#include "tools/commands.h"
#include "tools/launch.h"

namespace {

// LibTorch allocates and frees multi-megabyte activations every training step. With glibc's
// default, each of those is a fresh mmap (page faults and zeroing) and a munmap; keeping them
// in the heap made `bench train` about 1.55x faster on this machine (100-106 -> 159-163
// frames/s at one thread). Peak memory is unchanged: the same blocks are reused.
void keep_large_allocations_in_heap() {
  mallopt(M_MMAP_THRESHOLD, 256 << 20);
  mallopt(M_TRIM_THRESHOLD, 512 << 20);
}

// CLI11 answers an unknown command word with "A subcommand is required", which hides the typo.
// Follows the command words (`bench loader`) as far as they name subcommands; returns the words
// up to and including the first unknown one, or "" when all are known.
std::string unknown_command(CLI::App& app, int argc, char** argv) {
  CLI::App* at = &app;
  std::string words;
  for (int i = 1; i < argc && argv[i][0] != '-'; ++i) {  // options (--help, --version) are CLI11's
    const auto commands = at->get_subcommands([](CLI::App*) { return true; });
    if (commands.empty()) return "";  // the rest are the command's own arguments
    words += (words.empty() ? "" : " ") + std::string(argv[i]);
    const auto match = std::find_if(commands.begin(), commands.end(),
                                    [&](const CLI::App* command) { return command->get_name() == argv[i]; });
    if (match == commands.end()) return words;
    at = *match;
  }
  return "";
}

}  // namespace

int main(int argc, char** argv) {
  keep_large_allocations_in_heap();
  dw::tools::remember_command_line(argc, argv);  // --nproc runs it again as each rank
  CLI::App app{"Dreamwalk: action-conditioned world models you can walk through.", "dreamwalk"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "dreamwalk 0.1.0");
  using namespace dw::tools;
  add_world_command(app);
  add_gen_command(app);
  add_validate_command(app);
  add_sheet_command(app);
  add_bench_command(app);
  add_import_command(app);
  add_train_command(app);
  add_eval_command(app);
  add_rollout_command(app);
  add_plan_command(app);
  add_eval_plan_command(app);
  add_map_views_command(app);
#ifdef DREAMWALK_HAS_VIEWER
  add_view_command(app);
#endif
  if (const std::string words = unknown_command(app, argc, argv); !words.empty()) {
    const std::string parent = words.rfind(' ') == std::string::npos ? "" : " " + words.substr(0, words.rfind(' '));
    std::fprintf(stderr, "dreamwalk: unknown command '%s' (see dreamwalk%s --help)\n", words.c_str(), parent.c_str());
    return 2;
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::fprintf(stderr, "dreamwalk: %s (see --help)\n", e.what());
    return 2;
  } catch (const dw::UserError& e) {
    std::fprintf(stderr, "dreamwalk: %s\n", e.what());
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "dreamwalk: internal error: %s\n", e.what());
    return 1;
  }
  return 0;
}
