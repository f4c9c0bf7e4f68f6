// `import --actions CSV`: read_csv, the column choice, the alignment to a recording's frames and
// the per-column scaling the importer applies to what it found.
#include "datasets/csv.h"
#include "datasets/import_align.h"
#include "datasets/import_layout.h"
#include "tests/fuzz/fuzz_input.h"
#include "tests/fuzz/recording.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const dw::data::Recording recording = dw::fuzz::six_frame_recording();
  const auto path = dw::fuzz::write_input(data, size, "actions.csv");
  return dw::fuzz::parse_input([&] {
    const dw::data::CsvTable table = dw::data::read_csv(path);
    const auto columns = dw::data::choose_action_columns({}, table);
    dw::data::Alignment alignment = dw::data::select_frames(recording, 0);
    dw::data::align_actions(alignment, recording, table, columns);
    std::vector<float> scales;
    for (const auto& column : columns) scales.push_back(dw::data::derived_scale(table.numbers(column.csv_name)));
    for (std::size_t t = 0; t < alignment.actions.size(); ++t) {
      if (alignment.valid[t]) dw::data::scale_action(alignment.actions[t], scales);
    }
  });
}
