// `dreamwalk validate DIR`: checks a dataset and prints "ok: ..." (exit 0) or every problem, one
// line each naming the file (exit 2).
#include <cstdio>
#include <string>
#include <memory>

#include "datasets/dataset.h"
#include "nav/base/user_error.h"
#include "tools/commands.h"
#include "tools/progress.h"

namespace dw::tools {

namespace {

struct ValidateFlags {
  std::string dir;
  int threads = 2;
};

void run_validate(const ValidateFlags& flags) {
  const auto report = data::validate_dataset_report(flags.dir, flags.threads);
  if (report.problems.size() == 1) throw UserError(report.problems.front());
  if (!report.problems.empty()) {
    for (const auto& problem : report.problems) std::fprintf(stderr, "dreamwalk: %s\n", problem.c_str());
    throw UserError(flags.dir + ": " + std::to_string(report.problems.size()) + " problem" +
                    (report.problems.size() == 1 ? "" : "s") + " found");
  }
  std::string splits;
  for (const auto& name : data::split_names()) {
    const auto it = report.split_episode_counts.find(name);
    if (it != report.split_episode_counts.end())
      splits += (splits.empty() ? "" : ", ") + name + " " + std::to_string(it->second);
  }
  std::printf("ok: %s, %s, splits %s\n", counted(report.episodes, "episode").c_str(),
              counted(report.frames, "frame").c_str(), splits.c_str());
}

}  // namespace

void add_validate_command(CLI::App& app) {
  auto flags = std::make_shared<ValidateFlags>();
  CLI::App* command = app.add_subcommand("validate", "Check a dataset folder and say exactly what is wrong");
  command->add_option("dir", flags->dir, "Dataset folder (holds manifest.json)")->required();
  command->add_option("--threads", flags->threads, "Episodes decoded in parallel")->check(CLI::Range(1, 64));
  command->callback([flags] { run_validate(*flags); });
}

}  // namespace dw::tools
