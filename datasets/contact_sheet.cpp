#include "datasets/contact_sheet.h"

#include "datasets/dataset.h"
#include "nav/base/user_error.h"

namespace dw::data {

namespace {

// `count` indices spread evenly over [0, n), first and last included.
std::vector<std::size_t> spread(std::size_t n, int count) {
  std::vector<std::size_t> indices;
  const auto wanted = static_cast<std::size_t>(count);
  for (std::size_t i = 0; i < wanted; ++i)
    indices.push_back(wanted == 1 ? 0 : i * (n - 1) / (wanted - 1));
  return indices;
}

}  // namespace

Image make_contact_sheet(const std::filesystem::path& dataset_dir, const ContactSheetOptions& options) {
  if (options.episodes < 1 || options.episodes > 256) throw UserError("--episodes must be 1..256");
  if (options.frames < 1 || options.frames > 256) throw UserError("--frames must be 1..256");
  if (options.tile < 0 || options.tile > 1024) throw UserError("--tile must be 0..1024 pixels (0 = frame size)");
  const Manifest manifest = read_manifest(dataset_dir);
  const auto& names = split_episodes(manifest, options.split, dataset_dir);
  if (names.empty())
    throw UserError((dataset_dir / "manifest.json").string() + ": split \"" + options.split + "\" has no episodes");
  const int rows = std::min<int>(options.episodes, static_cast<int>(names.size()));
  std::vector<Image> tiles;
  for (std::size_t row : spread(names.size(), rows)) {
    const Episode episode = read_episode(dataset_dir / names[row]);
    if (episode.meta.width != manifest.width || episode.meta.height != manifest.height)
      throw UserError((dataset_dir / names[row] / "episode.json").string() + ": frames are " +
                      std::to_string(episode.meta.width) + "x" + std::to_string(episode.meta.height) +
                      " but manifest.json says " + std::to_string(manifest.width) + "x" +
                      std::to_string(manifest.height));
    for (std::size_t column : spread(episode.frames.size(), options.frames)) {
      const Image& frame = episode.frames[column];
      const bool resize = options.tile > 0 && (frame.width != options.tile || frame.height != options.tile);
      tiles.push_back(resize ? resize_image(frame, options.tile, options.tile) : frame);
    }
  }
  return tile_images(tiles, options.frames);
}

}  // namespace dw::data
