#include "datasets/packed_split.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <system_error>

#include "datasets/dataset.h"
#include "datasets/json_file.h"
#include "nav/base/atomic_file.h"
#include "nav/base/user_error.h"

namespace dw::data {

using json_file::Json;
namespace fs = std::filesystem;

namespace {

constexpr int kCacheVersion = 1;

// FNV-1a: the cache key only has to notice change, not resist an adversary.
class Fingerprint {
 public:
  void add(const void* data, std::size_t size) {
    const auto* bytes = static_cast<const unsigned char*>(data);
    for (std::size_t i = 0; i < size; ++i) hash_ = (hash_ ^ bytes[i]) * 1099511628211ull;
  }
  void add(std::uint64_t value) { add(&value, sizeof(value)); }
  void add(const std::string& text) {
    add(static_cast<std::uint64_t>(text.size()));
    add(text.data(), text.size());
  }
  std::string hex() const {
    char text[17];
    std::snprintf(text, sizeof(text), "%016llx", static_cast<unsigned long long>(hash_));
    return text;
  }

 private:
  std::uint64_t hash_ = 1469598103934665603ull;
};

// Name, size, inode and change times of each frame file: a replaced PNG changes the key without us
// reading every image. The inode catches a same-size replacement within the clock's granularity
// (our writers replace files by rename, which always brings a new inode).
void add_frames_listing(Fingerprint& fingerprint, const fs::path& frames_dir) {
  std::error_code error;
  std::vector<std::string> names;
  for (fs::directory_iterator it(frames_dir, error), end; !error && it != end; it.increment(error))
    names.push_back(it->path().filename().string());
  std::sort(names.begin(), names.end());
  for (const auto& name : names) {
    struct stat info {};
    if (::stat((frames_dir / name).c_str(), &info) != 0) continue;
    fingerprint.add(name);
    for (const auto value : {static_cast<std::uint64_t>(info.st_size), static_cast<std::uint64_t>(info.st_ino),
                             static_cast<std::uint64_t>(info.st_mtim.tv_sec), static_cast<std::uint64_t>(info.st_mtim.tv_nsec),
                             static_cast<std::uint64_t>(info.st_ctim.tv_sec), static_cast<std::uint64_t>(info.st_ctim.tv_nsec)})
      fingerprint.add(value);
  }
}

std::string cache_key(const fs::path& dataset_dir, const std::string& split,
                      const std::vector<std::string>& names) {
  Fingerprint fingerprint;
  fingerprint.add(static_cast<std::uint64_t>(kCacheVersion));
  fingerprint.add(split);
  fingerprint.add(read_whole_file(dataset_dir / "manifest.json"));
  for (const auto& name : names) {
    fingerprint.add(name);
    std::error_code error;
    const fs::path json = dataset_dir / name / "episode.json";
    fingerprint.add(fs::exists(json, error) ? read_whole_file(json) : std::string("(missing)"));
    add_frames_listing(fingerprint, dataset_dir / name / "frames");
  }
  return fingerprint.hex();
}

struct CachePaths {
  fs::path index, frames, actions;
};

CachePaths cache_paths(const fs::path& dataset_dir, const std::string& split) {
  const fs::path dir = PackedSplit::cache_dir(dataset_dir);
  return {dir / (split + ".json"), dir / (split + ".frames"), dir / (split + ".actions")};
}

// Streams a big file to a temporary name; commit() renames it into place.
class StreamingFile {
 public:
  explicit StreamingFile(fs::path path)
      : path_(std::move(path)), temporary_(temporary_path_for(path_)) {
    file_ = std::fopen(temporary_.c_str(), "wb");
    if (!file_) throw UserError(path_.string() + ": cannot create the packed cache file");
  }
  ~StreamingFile() {
    if (file_) std::fclose(file_);
    std::error_code ignored;
    fs::remove(temporary_, ignored);
  }
  void write(const void* data, std::size_t size) {
    if (size && std::fwrite(data, 1, size, file_) != size)
      throw UserError(path_.string() + ": write failed (disk full?)");
  }
  void commit() {
    const bool flushed = std::fflush(file_) == 0;
    std::fclose(file_);
    file_ = nullptr;
    if (!flushed) throw UserError(path_.string() + ": write failed (disk full?)");
    rename_into_place(temporary_, path_);
  }

 private:
  fs::path path_, temporary_;
  std::FILE* file_ = nullptr;
};

// Reads every episode of the split (fully validated), appends it to the two data files and writes
// the index last: the index is the commit point, so a killed build is simply rebuilt next time.
void build_cache(const fs::path& dataset_dir, const Manifest& manifest, const std::vector<std::string>& names,
                 const CachePaths& paths, const std::string& key) {
  std::error_code error;
  fs::remove(paths.index, error);
  fs::create_directories(paths.index.parent_path(), error);
  if (error) throw UserError(paths.index.parent_path().string() + ": cannot create the cache folder: " + error.message());
  StreamingFile frames(paths.frames), actions(paths.actions);
  Json episodes = Json::array();
  std::int64_t frame_rows = 0, action_rows = 0;
  for (const auto& name : names) {
    const Episode episode = read_episode(dataset_dir / name);
    const std::string json = (dataset_dir / name / "episode.json").string();
    if (episode.meta.width != manifest.width || episode.meta.height != manifest.height)
      throw UserError(json + ": frames are " + std::to_string(episode.meta.width) + "x" +
                      std::to_string(episode.meta.height) + " but manifest.json says " +
                      std::to_string(manifest.width) + "x" + std::to_string(manifest.height));
    if (episode.meta.schema.dimension() != manifest.schema.dimension())
      throw UserError(json + ": has " + std::to_string(episode.meta.schema.dimension()) +
                      " action dimensions but manifest.json has " + std::to_string(manifest.schema.dimension()));
    for (const auto& image : episode.frames) frames.write(image.pixels.data(), image.pixels.size());
    for (const auto& row : episode.actions) actions.write(row.data(), row.size() * sizeof(float));
    episodes.push_back({name, frame_rows, episode.frames.size(), action_rows});
    frame_rows += static_cast<std::int64_t>(episode.frames.size());
    action_rows += static_cast<std::int64_t>(episode.actions.size());
  }
  frames.commit();
  actions.commit();
  const Json index{{"cache_version", kCacheVersion}, {"key", key},
                   {"width", manifest.width}, {"height", manifest.height},
                   {"action_dim", manifest.schema.dimension()}, {"frames", frame_rows},
                   {"actions", action_rows}, {"episodes", episodes}};
  write_file_atomically(paths.index, json_file::dump(index));
}

// A non-negative whole number of rows no larger than `limit`.
std::int64_t row_count(const Json& value, const std::string& field, const fs::path& path, std::uint64_t limit) {
  const std::uint64_t count = json_file::as_uint64(value, field, path);
  if (count > limit) throw UserError(path.string() + ": \"" + field + "\" is out of range: " + value.dump());
  return static_cast<std::int64_t>(count);
}

}  // namespace

PackedIndex parse_packed_index(const std::string& text, const fs::path& path) {
  using namespace json_file;
  const Json doc = parse_text(text, path);
  PackedIndex index;
  index.cache_version = as_int(member(doc, "cache_version", path), "cache_version", path);
  index.key = as_string(member(doc, "key", path), "key", path);
  index.width = as_int(member(doc, "width", path), "width", path);
  index.height = as_int(member(doc, "height", path), "height", path);
  index.action_dim = as_int(member(doc, "action_dim", path), "action_dim", path);
  if (index.width < 1 || index.height < 1 || index.width > (1 << 16) || index.height > (1 << 16))
    throw UserError(path.string() + ": \"width\" and \"height\" must be in 1..65536");
  if (index.action_dim < 0 || index.action_dim > kMaxActionDimension)
    throw UserError(path.string() + ": \"action_dim\" must be in 0.." + std::to_string(kMaxActionDimension));
  // Bounds that keep rows x row bytes inside size_t; map_file then checks the real file sizes.
  const std::uint64_t frame_bytes = static_cast<std::uint64_t>(index.width) * index.height * 3;
  index.frames = row_count(member(doc, "frames", path), "frames", path, (std::uint64_t{1} << 62) / frame_bytes);
  index.actions = row_count(member(doc, "actions", path), "actions", path, std::uint64_t{1} << 56);
  std::int64_t frame_rows = 0, action_rows = 0;
  for (const auto& row : as_array(member(doc, "episodes", path), "episodes", path)) {
    const std::string field = "episodes[" + std::to_string(index.episodes.size()) + "]";
    if (!row.is_array() || row.size() != 4)
      throw UserError(path.string() + ": \"" + field + "\" must be [name, first frame, frames, first action]");
    PackedEpisode episode{as_string(row[0], field, path), row_count(row[1], field, path, index.frames),
                          as_int(row[2], field, path), row_count(row[3], field, path, index.actions)};
    // Rows are packed in episode order, so each episode starts where the previous one ended.
    const std::int64_t episode_actions = index.action_dim > 0 ? episode.frame_count - 1 : 0;
    if (episode.frame_count < 1 || episode.first_frame != frame_rows || episode.first_action != action_rows ||
        episode.frame_count > index.frames - frame_rows || episode_actions > index.actions - action_rows)
      throw UserError(path.string() + ": \"" + field + "\" does not follow the rows before it");
    frame_rows += episode.frame_count;
    action_rows += episode_actions;
    index.episodes.push_back(std::move(episode));
  }
  if (frame_rows != index.frames || action_rows != index.actions)
    throw UserError(path.string() + ": the episodes do not add up to \"frames\" and \"actions\"");
  return index;
}

fs::path PackedSplit::cache_dir(const fs::path& dataset_dir) { return dataset_dir / ".cache"; }

PackedSplit::Mapping PackedSplit::map_file(const fs::path& path, std::size_t expected_size) {
  Mapping mapping;
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw UserError(path.string() + ": cannot open the packed cache file");
  struct stat info {};
  if (::fstat(fd, &info) != 0 || static_cast<std::size_t>(info.st_size) != expected_size) {
    ::close(fd);
    throw UserError(path.string() + ": packed cache file has the wrong size");
  }
  if (expected_size > 0) {
    // Prefaulting a split that fits comfortably in memory costs far less than one page fault per
    // 4 KiB on first touch during training; a huge split is left to fault in on demand.
    const std::size_t populate_limit = std::size_t{2} << 30;
    const int flags = MAP_SHARED | (expected_size <= populate_limit ? MAP_POPULATE : 0);
    void* address = ::mmap(nullptr, expected_size, PROT_READ, flags, fd, 0);
    if (address == MAP_FAILED) {
      ::close(fd);
      throw UserError(path.string() + ": cannot memory-map the packed cache file");
    }
    mapping.address = address;
    mapping.size = expected_size;
  }
  ::close(fd);  // the mapping keeps the file alive
  return mapping;
}

PackedSplit::~PackedSplit() {
  if (frames_mapping_.address) ::munmap(frames_mapping_.address, frames_mapping_.size);
  if (actions_mapping_.address) ::munmap(actions_mapping_.address, actions_mapping_.size);
}

std::shared_ptr<const PackedSplit> PackedSplit::open(const fs::path& dataset_dir, const std::string& split) {
  const Manifest manifest = read_manifest(dataset_dir);
  const auto& names = split_episodes(manifest, split, dataset_dir);
  if (names.empty())
    throw UserError((dataset_dir / "manifest.json").string() + ": split \"" + split + "\" has no episodes");
  const std::string key = cache_key(dataset_dir, split, names);
  const CachePaths paths = cache_paths(dataset_dir, split);
  std::shared_ptr<PackedSplit> packed(new PackedSplit());
  for (int attempt = 0; attempt < 2; ++attempt) {
    std::error_code error;
    if (attempt == 1 || !fs::exists(paths.index, error)) {
      build_cache(dataset_dir, manifest, names, paths, key);
      packed->was_built_ = true;
    }
    try {
      const PackedIndex index = parse_packed_index(read_whole_file(paths.index), paths.index);
      if (index.key != key || index.cache_version != kCacheVersion) continue;
      packed->width_ = index.width;
      packed->height_ = index.height;
      packed->action_dim_ = index.action_dim;
      packed->total_frames_ = index.frames;
      packed->episodes_ = index.episodes;
      packed->frames_mapping_ = map_file(paths.frames, static_cast<std::size_t>(index.frames) * packed->frame_bytes());
      packed->actions_mapping_ =
          map_file(paths.actions, static_cast<std::size_t>(index.actions) * index.action_dim * sizeof(float));
      packed->frames_ = static_cast<const std::uint8_t*>(packed->frames_mapping_.address);
      packed->actions_ = static_cast<const float*>(packed->actions_mapping_.address);
      return packed;
    } catch (const std::exception&) {
      // A damaged or foreign cache is ours to replace, not the user's problem: rebuild once.
      if (attempt == 1) throw;
      packed.reset(new PackedSplit());  // drops any mapping made before the failure
    }
  }
  throw UserError(paths.index.string() + ": the packed cache could not be built");
}

}  // namespace dw::data
