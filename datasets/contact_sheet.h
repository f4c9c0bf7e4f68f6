// A contact sheet of a dataset split: one row per episode, columns of evenly spaced frames, so a
// person can see at a glance what a dataset contains.
#pragma once

#include <filesystem>
#include <string>

#include "nav/base/image.h"

namespace dw::data {

struct ContactSheetOptions {
  std::string split = "train";
  int episodes = 8;  // rows; episodes are spread evenly over the split
  int frames = 8;    // columns; frames are spread evenly over each episode
  int tile = 0;      // tile size in pixels; 0 = the frames' own size
};

// Throws UserError for a bad dataset, split or option.
Image make_contact_sheet(const std::filesystem::path& dataset_dir, const ContactSheetOptions& options);

}  // namespace dw::data
