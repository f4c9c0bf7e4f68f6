// `dreamwalk eval`: open-loop prediction quality on a dataset split, per horizon step, for the
// model and the copy-last-frame baseline (protocol in DESIGN.md). Table on stdout; JSON and plot
// on request; best and worst windows as comparison strips.
#include <fmt/format.h>

#include <filesystem>
#include <memory>
#include <string>

#include "model/evaluate.h"
#include "model/perceptual.h"
#include "model/revisit.h"
#include "model/simulator.h"
#include "model/threads.h"
#include "nav/base/atomic_file.h"
#include "nav/base/image.h"
#include "nav/base/user_error.h"
#include "tools/commands.h"
#include "tools/progress.h"

namespace dw::tools {

// The revisit walks instead of a dataset (--protocol ...), in eval_revisit.cpp.
void add_revisit_options(CLI::App& command, model::RevisitOptions& revisit);
void run_revisit_eval(const std::string& checkpoint, const std::string& device, int threads,
                      model::RevisitOptions revisit, const model::EvalOptions& eval, bool is_context_given,
                      bool no_memory, bool no_view_map, const std::string& json);

namespace {

struct EvalCommandOptions {
  std::string checkpoint;
  std::string data;
  std::string device = "cpu";
  std::string json;
  std::string plot;
  std::string strips;
  std::string perceptual;
  int threads = 0;
  bool no_memory = false;
  bool no_view_map = false;
  bool no_start_room = false;
  model::EvalOptions eval;
  model::RevisitOptions revisit;
};

void write_strips(const model::EvalReport& report, const std::filesystem::path& prefix) {
  auto write = [&](const std::vector<model::WindowStrip>& strips, const char* kind) {
    for (size_t i = 0; i < strips.size(); ++i) {
      const auto path = prefix.string() + fmt::format("_{}_{}.png", kind, i);
      save_png(strips[i].strip, path);
      fmt::print("{} window {} (mean PSNR {:.2f} dB): {}\n", kind, strips[i].window, strips[i].mean_psnr, path);
    }
  };
  write(report.best, "best");
  write(report.worst, "worst");
}

void run_eval(EvalCommandOptions& options) {
  if (options.data.empty()) throw UserError("--data is required (or --protocol turn|outback for the revisit walks)");
  model::configure_default_threads(options.threads);
  auto simulator = model::Simulator::load(options.checkpoint, options.device);
  model::set_memories(*simulator, options.no_memory, options.no_view_map, options.no_start_room);
  std::unique_ptr<model::PerceptualMetric> perceptual;
  if (!options.perceptual.empty()) {
    perceptual = model::PerceptualMetric::load(options.perceptual);
    options.eval.perceptual = perceptual.get();
  }
  ProgressLine progress("eval " + options.eval.split, 0, "windows");
  const model::EvalReport report = model::evaluate(
      *simulator, options.data, options.eval,
      [&](std::int64_t done, std::int64_t) { progress.update(done); });
  progress.finish();
  fmt::print("{}", model::eval_report_table(report));
  if (!options.json.empty()) {
    write_file_atomically(options.json, model::eval_report_json(report) + "\n");
    fmt::print("json: {}\n", options.json);
  }
  if (!options.plot.empty()) {
    save_png(model::eval_report_plot(report), options.plot);
    fmt::print("plot: {}\n", options.plot);
  }
  if (!options.strips.empty()) write_strips(report, options.strips);
}

}  // namespace

void add_eval_command(CLI::App& app) {
  auto options = std::make_shared<EvalCommandOptions>();
  CLI::App* command = app.add_subcommand(
      "eval", "Open-loop prediction quality per horizon step (PSNR, SSIM, MSE, layout PSNR, sharpness) vs copy-last-frame");
  command->add_option("--checkpoint", options->checkpoint, "Run folder or its model.json")->required();
  command->add_option("--data", options->data, "Dataset folder (not with --protocol)");
  command->add_option("--split", options->eval.split, "train, val, test or test_unseen")->capture_default_str();
  command->add_option("--context", options->eval.context, "True frames the model sees")->capture_default_str();
  command->add_option("--horizon", options->eval.horizon,
                      "Frames predicted from actions alone (1..256; windows are context + horizon frames)")
      ->capture_default_str();
  command->add_option("--stride", options->eval.stride, "Window start stride (0 = context + horizon)")->capture_default_str();
  command->add_option("--max-windows", options->eval.max_windows,
                      "Evaluate this many windows, evenly spread over the split (0 = all)")
      ->capture_default_str();
  command->add_option("--batch", options->eval.batch, "Windows per forward pass")->capture_default_str();
  command->add_option("--failure-psnr", options->eval.failure_psnr, "Horizon to failure: first step with mean PSNR below this (dB)")->capture_default_str();
  command->add_option("--temperature", options->eval.temperature, "0 = mean prediction; > 0 samples")->capture_default_str();
  command->add_option("--samples", options->eval.samples,
                      "Sampled rollouts per window, every metric averaged over them (needs --temperature > 0)")
      ->capture_default_str();
  command->add_option("--seed", options->eval.seed, "Seed for sampled predictions")->capture_default_str();
  command->add_option("--json", options->json, "Write the per-horizon metrics as JSON here");
  command->add_option("--plot", options->plot, "Write a PNG plot of PSNR and SSIM vs horizon here");
  command->add_option("--strips", options->strips, "Write best/worst window strips as PREFIX_best_0.png ...");
  command->add_option("--strip-steps", options->eval.strip_steps,
                      "Steps shown in the strips, e.g. 1,2,4,8,16,32,64 (default: every step)")
      ->delimiter(',');
  command->add_option("--perceptual", options->perceptual, "TorchScript module (e.g. exported LPIPS): forward(a, b) on [N,3,H,W] in [-1,1]");
  command->add_option("--device", options->device, "cpu or cuda")->capture_default_str();
  command->add_option("--threads", options->threads, "CPU threads (0 = measured default)")->capture_default_str();
  command->add_flag("--no-memory", options->no_memory,
                   "Score the model alone: without its place memory (it recalls the state of a pose it has been "
                   "at), the walls its start frames showed and its view map");
  command->add_flag("--no-view-map", options->no_view_map,
                    "Score without the run's view map (views of the training walks recalled by pose)");
  command->add_flag("--no-start-room", options->no_start_room,
                    "Score without the start room (in a world the view map does not know, the room the start "
                    "frames showed, drawn from where the walk stands)");
  add_revisit_options(*command, options->revisit);
  command->callback([options, command] {
    if (command->count("--protocol") == 0) return run_eval(*options);
    run_revisit_eval(options->checkpoint, options->device, options->threads, options->revisit, options->eval,
                     command->count("--context") > 0, options->no_memory, options->no_view_map,
                     options->json);
  });
}

}  // namespace dw::tools
