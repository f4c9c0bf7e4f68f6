#include "model/view_map.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <map>
#include <queue>
#include <set>
#include <tuple>

#include "datasets/dataset.h"
#include "datasets/episode.h"
#include "datasets/generate.h"
#include "model/safetensors.h"
#include "nav/base/user_error.h"
#include "nav/world.h"

namespace dw::model {
namespace {

constexpr int kThumbnail = 16;
constexpr int kLocateCandidates = 24;  // thumbnails' nearest, compared again at full size

constexpr std::size_t kThumbnailBytes = static_cast<std::size_t>(kThumbnail) * kThumbnail * 3;

// Each 16x16 thumbnail's 4x4 blocks summed per colour (48 sums). By Cauchy-Schwarz a block's summed
// difference squared is at most 16 times its squared differences summed, so the block sums give
// a lower bound of the thumbnails' squared difference from 96 bytes instead of 768: a search
// passes over every view whose bound is already further than the closest it keeps, exactly (a
// map of 800 walks holds 100 MB of thumbnails, read at every look).
constexpr int kBlock = 4;
constexpr std::size_t kBlockSums = static_cast<std::size_t>(kThumbnail / kBlock) * (kThumbnail / kBlock) * 3;

void append_block_sums(const std::uint8_t* thumbnail, std::vector<std::uint16_t>& out) {
  for (int by = 0; by < kThumbnail; by += kBlock) {
    for (int bx = 0; bx < kThumbnail; bx += kBlock) {
      for (int c = 0; c < 3; ++c) {
        int sum = 0;
        for (int y = by; y < by + kBlock; ++y)
          for (int x = bx; x < bx + kBlock; ++x) sum += thumbnail[(y * kThumbnail + x) * 3 + c];
        out.push_back(static_cast<std::uint16_t>(sum));
      }
    }
  }
}

// 16 x the lower bound above (kept whole: the comparison is with 16 x the limit).
std::int64_t block_bound_times_16(const std::uint16_t* a, const std::uint16_t* b) {
  std::int64_t sum = 0;
  for (std::size_t i = 0; i < kBlockSums; ++i) {
    const std::int64_t d = static_cast<std::int64_t>(a[i]) - static_cast<std::int64_t>(b[i]);
    sum += d * d;
  }
  return sum;
}

ViewMap::CellKey cell_key(std::uint64_t world, float x, float y) {
  return {world, static_cast<std::int64_t>(std::floor(x)), static_cast<std::int64_t>(std::floor(y))};
}

}  // namespace

void ViewMap::add(const View& view, Image frame) {
  if (views_.empty()) {
    width_ = frame.width;
    height_ = frame.height;
  } else if (frame.width != width_ || frame.height != height_) {
    throw UserError("view map: a frame of " + std::to_string(frame.width) + "x" + std::to_string(frame.height) +
                    " among frames of " + std::to_string(width_) + "x" + std::to_string(height_));
  }
  if (frame_blocks_.empty() || frame_blocks_.back().size() == kFramesPerBlock * frame_size()) {
    frame_blocks_.emplace_back().reserve(kFramesPerBlock * frame_size());
  }
  frame_blocks_.back().insert(frame_blocks_.back().end(), frame.pixels.begin(), frame.pixels.end());
  index_view(view);
}

std::set<std::uint64_t> ViewMap::worlds() const {
  std::set<std::uint64_t> seeds;
  for (const View& view : views_) seeds.insert(view.world);
  return seeds;
}

void ViewMap::check_new_worlds(const std::set<std::uint64_t>& worlds) const {
  const std::set<std::uint64_t> held = this->worlds();
  for (const std::uint64_t world : worlds) {
    if (held.count(world)) throw UserError("view map: world seed " + std::to_string(world) + " is already in the map");
  }
}

void ViewMap::append(const ViewMap& other) {
  check_new_worlds(other.worlds());
  for (std::size_t i = 0; i < other.views_.size(); ++i) add(other.views_[i], other.frame(static_cast<int>(i)));
}

void ViewMap::index_view(const View& view) {
  const int index = static_cast<int>(views_.size());
  cells_[cell_key(view.world, view.pose.x, view.pose.y)].push_back(index);
  views_.push_back(view);
  const Image thumbnail = resize_image(frame(index), kThumbnail, kThumbnail);
  thumbnails_.insert(thumbnails_.end(), thumbnail.pixels.begin(), thumbnail.pixels.end());
  append_block_sums(thumbnail.pixels.data(), block_sums_);
}

const std::uint8_t* ViewMap::frame_data(int index) const {
  if (index < 0 || static_cast<std::size_t>(index) >= views_.size()) {
    throw UserError("view map: there is no view " + std::to_string(index));
  }
  const auto i = static_cast<std::size_t>(index);
  return frame_blocks_[i / kFramesPerBlock].data() + (i % kFramesPerBlock) * frame_size();
}

Image ViewMap::frame(int index) const {
  Image out(width_, height_);
  std::memcpy(out.pixels.data(), frame_data(index), frame_size());
  return out;
}

ViewMap ViewMap::build(const std::filesystem::path& dataset_dir, const std::string& split,
                       const ViewMapSpacing& spacing, const ViewMapProgress& progress) {
  const data::Manifest manifest = data::read_manifest(dataset_dir);
  const std::vector<std::string>& names = data::split_episodes(manifest, split, dataset_dir);
  return build(
      static_cast<int>(names.size()),
      [&](int i) { return data::read_episode(dataset_dir / names.at(static_cast<std::size_t>(i))); }, spacing,
      dataset_dir.string() + ": no episode of split '" + split + "'", progress);
}

ViewMap ViewMap::build(int count, const std::function<data::Episode(int)>& episode, const ViewMapSpacing& spacing,
                       const std::string& source, const ViewMapProgress& progress) {
  if (!(spacing.position > 0.0f) || !(spacing.yaw > 0.0f)) throw UserError("view map: spacings must be positive");
  ViewMap map;
  std::set<std::tuple<std::uint64_t, std::int64_t, std::int64_t, std::int64_t>> kept;
  for (int i = 0; i < count; ++i) {
    const data::Episode walk = episode(i);
    const std::uint64_t world = walk.meta.world_seed.value_or(0);
    for (std::size_t t = 0; t < walk.poses.size(); ++t) {
      const nav::Pose& pose = walk.poses[t];
      const auto bin = [](float value, float size) { return static_cast<std::int64_t>(std::floor(value / size)); };
      const auto key = std::make_tuple(world, bin(pose.x, spacing.position), bin(pose.y, spacing.position),
                                       bin(pose.yaw, spacing.yaw));
      if (!kept.insert(key).second) continue;
      map.add({world, pose}, walk.frames[t]);
    }
    if (progress) progress(i + 1, count);
  }
  if (map.empty()) throw UserError(source + " records poses; a view map needs the pose of every frame");
  return map;
}

ViewMap ViewMap::build_generated(const data::GenerateOptions& options, const ViewMapSpacing& spacing,
                                 const ViewMapProgress& progress) {
  const data::GenerateOptions resolved = data::resolve_options(options);
  std::vector<data::PlannedEpisode> walks;
  for (const data::PlannedEpisode& planned : data::plan_dataset(resolved)) {
    if (planned.split == "train") walks.push_back(planned);
  }
  std::map<std::uint64_t, nav::World> worlds;
  for (const data::PlannedEpisode& walk : walks) {
    if (!worlds.count(walk.world_seed)) worlds.emplace(walk.world_seed, nav::World(walk.world_seed, resolved.settings));
  }
  return build(
      static_cast<int>(walks.size()),
      [&](int i) {
        const data::PlannedEpisode& walk = walks.at(static_cast<std::size_t>(i));
        return data::generate_episode(worlds.at(walk.world_seed), walk, resolved);
      },
      spacing, "the generated walks", progress);
}

std::vector<ViewMatch> ViewMap::candidates(const Image& frame, int count) const {
  std::vector<ViewMatch> matches;
  if (views_.empty() || count < 1) return matches;
  if (frame.width != width_ || frame.height != height_) {
    throw UserError("view map: a frame of " + std::to_string(frame.width) + "x" + std::to_string(frame.height) +
                    " cannot be located among views of " + std::to_string(width_) + "x" + std::to_string(height_));
  }
  // A quick pass over 16x16 thumbnails, then the full frames of the closest few.
  const Image thumbnail = resize_image(frame, kThumbnail, kThumbnail);
  std::vector<std::uint16_t> sums;
  append_block_sums(thumbnail.pixels.data(), sums);
  const std::size_t keep = std::min<std::size_t>(std::max(kLocateCandidates, count), views_.size());
  // The closest `keep` so far, the furthest on top.
  std::priority_queue<std::pair<std::int64_t, int>> closest;
  for (std::size_t i = 0; i < views_.size(); ++i) {
    const bool full = closest.size() == keep;
    if (full && block_bound_times_16(block_sums_.data() + i * kBlockSums, sums.data()) > 16 * closest.top().first) {
      continue;
    }
    const std::pair<std::int64_t, int> candidate{
        static_cast<std::int64_t>(squared_difference(thumbnails_.data() + i * kThumbnailBytes, thumbnail.pixels.data(),
                                                     kThumbnailBytes)),
        static_cast<int>(i)};
    if (!full) {
      closest.push(candidate);
    } else if (candidate < closest.top()) {
      closest.pop();
      closest.push(candidate);
    }
  }
  std::vector<std::pair<std::int64_t, int>> coarse(closest.size());
  for (std::size_t c = coarse.size(); c-- > 0; closest.pop()) coarse[c] = closest.top();  // nearest first
  for (std::size_t c = 0; c < keep; ++c) matches.push_back({coarse[c].second, difference(coarse[c].second, frame)});
  std::sort(matches.begin(), matches.end(), [](const ViewMatch& a, const ViewMatch& b) {
    return a.rms < b.rms || (a.rms == b.rms && a.index < b.index);
  });
  matches.resize(std::min<std::size_t>(matches.size(), static_cast<std::size_t>(count)));
  return matches;
}

Image ViewMap::thumbnail_of(const Image& frame) { return resize_image(frame, kThumbnail, kThumbnail); }

double ViewMap::coarse_difference(int index, const Image& thumbnail) const {
  if (thumbnail.width != kThumbnail || thumbnail.height != kThumbnail) {
    throw UserError("view map: thumbnails must be 16x16");
  }
  if (index < 0 || static_cast<std::size_t>(index) >= views_.size()) {
    throw UserError("view map: there is no view " + std::to_string(index));
  }
  const std::uint8_t* view = thumbnails_.data() + static_cast<std::size_t>(index) * kThumbnailBytes;
  return rms_difference(view, thumbnail.pixels.data(), kThumbnailBytes);
}

double ViewMap::difference(int index, const Image& frame) const {
  const std::uint8_t* view = frame_data(index);
  if (frame.width != width_ || frame.height != height_) {
    throw UserError("view map: frames of another size cannot be compared");
  }
  return rms_difference(view, frame.pixels.data(), frame_size());
}

void ViewMap::for_each_near(std::uint64_t world, const nav::Pose& pose, float radius, float max_yaw,
                            const std::function<void(int, float, float)>& visit) const {
  // The planner asks this for every candidate at every step, over cells of hundreds of views, so
  // cells wholly out of reach are skipped and a view far outside the radius is passed over before
  // the exact distance (hypot) and heading are worked out. The margin keeps every view the exact
  // test accepts.
  const float reach_squared = radius * radius * 1.001f + 1e-6f;
  const int reach = static_cast<int>(std::ceil(radius));
  const std::int64_t home_x = static_cast<std::int64_t>(std::floor(pose.x));
  const std::int64_t home_y = static_cast<std::int64_t>(std::floor(pose.y));
  for (int dy = -reach; dy <= reach; ++dy) {
    for (int dx = -reach; dx <= reach; ++dx) {
      const auto cell_x = static_cast<float>(home_x + dx);
      const auto cell_y = static_cast<float>(home_y + dy);
      const float gap_x = std::max({cell_x - pose.x, 0.0f, pose.x - (cell_x + 1.0f)});
      const float gap_y = std::max({cell_y - pose.y, 0.0f, pose.y - (cell_y + 1.0f)});
      if (gap_x * gap_x + gap_y * gap_y > reach_squared) continue;
      const auto found = cells_.find(CellKey{world, home_x + dx, home_y + dy});
      if (found == cells_.end()) continue;
      for (const int i : found->second) {
        const nav::Pose& there = views_[static_cast<std::size_t>(i)].pose;
        const float ex = pose.x - there.x;
        const float ey = pose.y - there.y;
        if (ex * ex + ey * ey > reach_squared) continue;
        const float distance = std::hypot(ex, ey);
        if (distance > radius) continue;
        const float yaw = nav::heading_difference(pose.yaw, there.yaw);
        if (yaw <= max_yaw) visit(i, distance, yaw);
      }
    }
  }
}

NearestView ViewMap::nearest(std::uint64_t world, const nav::Pose& pose, float radius, float max_yaw,
                             float yaw_weight) const {
  NearestView nearest;
  float best = std::numeric_limits<float>::infinity();
  for_each_near(world, pose, radius, max_yaw, [&](int i, float distance, float yaw) {
    const float score = distance + yaw_weight * yaw;
    if (score < best) {
      best = score;
      nearest = {i, distance, yaw};
    }
  });
  return nearest;
}

double ViewMap::closest_looking(std::uint64_t world, const nav::Pose& pose, float radius, float max_yaw,
                                const Image& thumbnail) const {
  double best = std::numeric_limits<double>::infinity();
  for_each_near(world, pose, radius, max_yaw,
                [&](int i, float, float) { best = std::min(best, coarse_difference(i, thumbnail)); });
  return best;
}

void check_view_map_source(const data::Manifest& manifest, int width, int height, const data::ActionSchema& schema,
                           const std::filesystem::path& dataset_dir) {
  if (manifest.width != width || manifest.height != height) {
    throw UserError(dataset_dir.string() + ": frames are " + std::to_string(manifest.width) + "x" +
                    std::to_string(manifest.height) + ", the model's are " + std::to_string(width) + "x" +
                    std::to_string(height));
  }
  if (!schema.is_navigation() || manifest.schema.names != schema.names) {
    throw UserError(dataset_dir.string() + ": a view map needs a model and a dataset that both act by forward, "
                    "strafe and turn");
  }
}

void check_view_map_size(const ViewMap& map, int width, int height, const std::filesystem::path& file) {
  if (map.width() != width || map.height() != height) {
    throw UserError(file.string() + ": its views are " + std::to_string(map.width()) + "x" +
                    std::to_string(map.height()) + ", the model's frames " + std::to_string(width) + "x" +
                    std::to_string(height));
  }
}

void ViewMap::save(const std::filesystem::path& file) const {
  const auto count = static_cast<std::int64_t>(views_.size());
  std::vector<float> poses;
  std::vector<std::int64_t> worlds;
  for (const View& view : views_) {
    poses.insert(poses.end(), {view.pose.x, view.pose.y, view.pose.yaw});
    worlds.push_back(static_cast<std::int64_t>(view.world));
  }
  // The frames straight from their blocks, never gathered into one buffer.
  TensorPieces frames{SafetensorsDtype::U8, {count, height_, width_, 3}, {}};
  for (const auto& block : frame_blocks_) frames.pieces.emplace_back(block.data(), block.size());
  save_safetensors(file,
                   std::map<std::string, TensorPieces>{
                       {"poses", {SafetensorsDtype::F32, {count, 3}, {{poses.data(), poses.size() * sizeof(float)}}}},
                       {"worlds", {SafetensorsDtype::I64, {count}, {{worlds.data(), worlds.size() * sizeof(std::int64_t)}}}},
                       {"frames", frames}},
                   {{"format", "dreamwalk view map"}, {"version", "1"}});
}

ViewMap ViewMap::load(const std::filesystem::path& file) {
  SafetensorsReader reader(file);
  const auto get = [&](const std::string& name, SafetensorsDtype type, std::size_t dims) {
    const SafetensorsEntry* found = reader.find(name);
    if (!found || found->dtype != type || found->shape.size() != dims) {
      throw UserError(file.string() + ": not a view map (tensor '" + name + "' is missing or of the wrong type)");
    }
    return *found;
  };
  const torch::Tensor poses = reader.read(get("poses", SafetensorsDtype::F32, 2));
  const torch::Tensor worlds = reader.read(get("worlds", SafetensorsDtype::I64, 1));
  const SafetensorsEntry frames = get("frames", SafetensorsDtype::U8, 4);
  const std::int64_t count = frames.shape[0];
  if (count == 0 || poses.size(0) != count || poses.size(1) != 3 || worlds.size(0) != count || frames.shape[3] != 3 ||
      frames.shape[1] < 1 || frames.shape[2] < 1) {
    throw UserError(file.string() + ": not a view map (its tensors disagree in size)");
  }
  ViewMap map;
  map.width_ = static_cast<int>(frames.shape[2]);
  map.height_ = static_cast<int>(frames.shape[1]);
  // The header checked the frames are count x the frame's size: read them block by block.
  for (std::int64_t first = 0; first < count; first += static_cast<std::int64_t>(kFramesPerBlock)) {
    const auto frames_in_block = std::min<std::int64_t>(static_cast<std::int64_t>(kFramesPerBlock), count - first);
    auto& block = map.frame_blocks_.emplace_back(static_cast<std::size_t>(frames_in_block) * map.frame_size());
    reader.read(frames, static_cast<std::uint64_t>(first) * map.frame_size(), block.size(), block.data());
  }
  const auto* pose_data = poses.data_ptr<float>();
  const auto* world_data = worlds.data_ptr<std::int64_t>();
  map.views_.reserve(static_cast<std::size_t>(count));
  map.thumbnails_.reserve(static_cast<std::size_t>(count) * kThumbnailBytes);
  map.block_sums_.reserve(static_cast<std::size_t>(count) * kBlockSums);
  for (std::int64_t i = 0; i < count; ++i) {
    const float* p = pose_data + i * 3;
    if (!std::isfinite(p[0]) || !std::isfinite(p[1]) || !std::isfinite(p[2]) || world_data[i] < 0) {
      throw UserError(file.string() + ": view " + std::to_string(i) + " has a pose that is not finite");
    }
    map.index_view({static_cast<std::uint64_t>(world_data[i]), {p[0], p[1], p[2]}});
  }
  return map;
}

}  // namespace dw::model
