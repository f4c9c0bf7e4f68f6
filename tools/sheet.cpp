// `dreamwalk sheet`: a contact sheet PNG of a dataset split (rows = episodes, columns = frames).
#include <fmt/format.h>

#include <memory>
#include <string>

#include "datasets/contact_sheet.h"
#include "nav/base/image.h"
#include "tools/commands.h"

namespace dw::tools {

namespace {

struct SheetFlags {
  std::string data;
  std::string out;
  data::ContactSheetOptions options;
};

void run_sheet(const SheetFlags& flags) {
  const Image sheet = data::make_contact_sheet(flags.data, flags.options);
  save_png(sheet, flags.out);
  fmt::print("wrote {} ({}x{}, split {})\n", flags.out, sheet.width, sheet.height, flags.options.split);
}

}  // namespace

void add_sheet_command(CLI::App& app) {
  auto flags = std::make_shared<SheetFlags>();
  CLI::App* command = app.add_subcommand("sheet", "Write a contact sheet PNG of a dataset split");
  command->add_option("--data", flags->data, "Dataset folder")->required();
  command->add_option("--out", flags->out, "Output PNG")->required();
  command->add_option("--split", flags->options.split, "Split to show: train, val, test or test_unseen")
      ->capture_default_str();
  command->add_option("--episodes", flags->options.episodes, "Rows (episodes spread over the split)")
      ->capture_default_str();
  command->add_option("--frames", flags->options.frames, "Columns (frames spread over each episode)")
      ->capture_default_str();
  command->add_option("--tile", flags->options.tile, "Tile size in pixels (0 = frame size)")->capture_default_str();
  command->callback([flags] { run_sheet(*flags); });
}

}  // namespace dw::tools
