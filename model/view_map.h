// A map of views: the frames of a dataset's training walks, kept by the pose each was seen from
// (and its world), so that a model walking a world it was trained in can recall what a place
// looks like instead of imagining it. The model is never told where it is: it finds itself by
// matching a frame it was shown against the views (locate), and from there it moves by dead
// reckoning from its actions, as the place memory does. Torch-free header.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "datasets/dataset.h"
#include "nav/base/image.h"
#include "nav/pose.h"

namespace dw::data {
struct GenerateOptions;  // datasets/generate.h
}  // namespace dw::data

namespace dw::model {

// How densely a map keeps views: one per cell of this size in position and heading (the first
// view of a dataset in each cell is kept), so a long dataset does not make a huge map.
struct ViewMapSpacing {
  float position = 0.05f;  // grid cells
  float yaw = 0.025f;      // radians (about 1.3 px at 64 px and a 1.2 rad field of view)
};

struct View {
  std::uint64_t world = 0;  // the episode's world seed (0 when the dataset does not say)
  nav::Pose pose;
};

struct ViewMatch {
  int index = -1;       // -1: the map is empty
  double rms = 0.0;     // root mean square pixel difference in [0, 1]
};

struct NearestView {
  int index = -1;       // -1: no view within the search radius
  float distance = 0.0f;        // cells
  float yaw_difference = 0.0f;  // radians
};

using ViewMapProgress = std::function<void(int episodes_done, int episodes_total)>;

class ViewMap {
 public:
  ViewMap() = default;

  // Every frame of `split` whose episode records poses, thinned by `spacing`. UserError naming
  // the dataset when no episode of the split has poses.
  static ViewMap build(const std::filesystem::path& dataset_dir, const std::string& split,
                       const ViewMapSpacing& spacing, const ViewMapProgress& progress = {});
  // The same from `count` episodes handed over one at a time, episode(0) .. episode(count - 1):
  // walks generated in memory need not be written and read back as a dataset. `source` names
  // them in the error when none records poses.
  static ViewMap build(int count, const std::function<data::Episode(int)>& episode, const ViewMapSpacing& spacing,
                       const std::string& source, const ViewMapProgress& progress = {});
  // The map `build` makes of the training split that `dreamwalk gen` writes with `options`, its
  // walks generated in memory one at a time (about 5x faster: no PNGs written and read back).
  // UserError naming the flag for bad options.
  static ViewMap build_generated(const data::GenerateOptions& options, const ViewMapSpacing& spacing,
                                 const ViewMapProgress& progress = {});
  // UserError naming the file when it is missing, truncated or not a view map.
  static ViewMap load(const std::filesystem::path& file);
  // Written atomically (temporary name, then rename).
  void save(const std::filesystem::path& file) const;

  // Adds every view of `other`, its indices after this map's: a map of more worlds, built in parts.
  // UserError when `other` shows a world this map already holds (its views would be kept twice).
  void append(const ViewMap& other);
  // UserError naming the first of `worlds` this map already holds (append's check, for a caller
  // that knows the worlds before it has their views).
  void check_new_worlds(const std::set<std::uint64_t>& worlds) const;
  // The world seeds of its views.
  std::set<std::uint64_t> worlds() const;

  // Adds one view (frames must all have one size). `build` uses it; so can a program with its
  // own frames and poses.
  void add(const View& view, Image frame);

  bool empty() const { return views_.empty(); }
  std::size_t size() const { return views_.size(); }
  int width() const { return width_; }
  int height() const { return height_; }
  const View& view(int index) const { return views_.at(static_cast<std::size_t>(index)); }
  // A copy of view `index`'s frame (the frames are kept in blocks, see frame_blocks_).
  Image frame(int index) const;

  // The `count` views that look most like `frame` (same size as the map's frames), best first:
  // a quick pass over 16x16 thumbnails, then full frames for the closest few.
  std::vector<ViewMatch> candidates(const Image& frame, int count) const;
  // Root mean square difference of view `index` and `frame`, in [0, 1].
  double difference(int index, const Image& frame) const;
  // The same at 16x16 (`thumbnail` = thumbnail_of(frame)): blind to the fine texture that a view
  // seen from a little aside shifts, not to the room's colours and layout.
  double coarse_difference(int index, const Image& thumbnail) const;
  static Image thumbnail_of(const Image& frame);
  // The view of `world` nearest to `pose` by distance + yaw_weight x heading difference, among
  // those within `radius` cells and `max_yaw` radians; index -1 when there is none.
  NearestView nearest(std::uint64_t world, const nav::Pose& pose, float radius, float max_yaw,
                      float yaw_weight) const;

  // The smallest coarse_difference to `thumbnail` of the views of `world` within `radius` cells and
  // `max_yaw` radians of `pose`; infinity when there is none.
  double closest_looking(std::uint64_t world, const nav::Pose& pose, float radius, float max_yaw,
                         const Image& thumbnail) const;

  using CellKey = std::tuple<std::uint64_t, std::int64_t, std::int64_t>;  // world, grid cell x, y

 private:
  // Calls visit(index, distance, heading difference) for every view of `world` within reach.
  void for_each_near(std::uint64_t world, const nav::Pose& pose, float radius, float max_yaw,
                     const std::function<void(int, float, float)>& visit) const;

  // Files views_[index] under its cell and its thumbnail, once its frame is in frame_blocks_.
  void index_view(const View& view);
  const std::uint8_t* frame_data(int index) const;
  std::size_t frame_size() const { return static_cast<std::size_t>(width_) * height_ * 3; }

  std::vector<View> views_;
  // Every view's frame (RGB bytes, width_ x height_), one after another in blocks of
  // kFramesPerBlock frames: a map of 800 walks is 1.6 GB, and in one growing block every doubling
  // copied it, so building that map peaked at 3.7 GB; in blocks nothing moves once added. Loaded
  // straight from the file into the blocks, saved from them, it is in memory once.
  static constexpr std::size_t kFramesPerBlock = 1024;
  std::vector<std::vector<std::uint8_t>> frame_blocks_;
  // Every view's 16x16 thumbnail (RGB bytes), one after another: a search reads them all, and in
  // one block the reads stream (as separate images it waited on memory at every one).
  std::vector<std::uint8_t> thumbnails_;
  // Each thumbnail's 4x4 blocks summed per colour, 48 per view one after another: a search reads
  // these first and the thumbnails of the few views they cannot rule out (view_map.cpp).
  std::vector<std::uint16_t> block_sums_;
  std::map<CellKey, std::vector<int>> cells_;  // the views standing in each grid cell
  int width_ = 0;
  int height_ = 0;
};

// A dataset can give a model views only when its frames are the model's size and its actions are
// the model's navigation actions; UserError naming `dataset_dir` otherwise.
void check_view_map_source(const data::Manifest& manifest, int width, int height, const data::ActionSchema& schema,
                           const std::filesystem::path& dataset_dir);
// A map loaded for a model must hold frames of its size; UserError naming `file` otherwise.
void check_view_map_size(const ViewMap& map, int width, int height, const std::filesystem::path& file);

}  // namespace dw::model
