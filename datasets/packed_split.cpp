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
      : path_(std::move(path)),
        temporary_(path_.parent_path() / ("." + path_.filename().string() + "." + std::to_string(getpid()) + ".tmp")) {
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
    std::error_code error;
    fs::rename(temporary_, path_, error);
    if (error) throw UserError(path_.string() + ": cannot rename into place: " + error.message());
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

}  // namespace

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
      const Json index = json_file::parse(paths.index);
      if (index.value("key", std::string()) != key || index.value("cache_version", 0) != kCacheVersion) continue;
      packed->width_ = index.at("width").get<int>();
      packed->height_ = index.at("height").get<int>();
      packed->action_dim_ = index.at("action_dim").get<int>();
      packed->total_frames_ = index.at("frames").get<std::int64_t>();
      const auto action_rows = index.at("actions").get<std::int64_t>();
      packed->episodes_.clear();
      for (const auto& row : index.at("episodes"))
        packed->episodes_.push_back({row.at(0).get<std::string>(), row.at(1).get<std::int64_t>(),
                                     row.at(2).get<int>(), row.at(3).get<std::int64_t>()});
      packed->frames_mapping_ = map_file(paths.frames, static_cast<std::size_t>(packed->total_frames_) * packed->frame_bytes());
      packed->actions_mapping_ =
          map_file(paths.actions, static_cast<std::size_t>(action_rows) * packed->action_dim_ * sizeof(float));
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
