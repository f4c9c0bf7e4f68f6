#include "nav/base/atomic_file.h"

#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <system_error>
#include <thread>
#include <utility>

#include "nav/base/user_error.h"

namespace dw {

namespace {

// Test hook for the kill -9 soaks (tools/soak-train.sh, killed_writes_test): DREAMWALK_TEST_SLOW_WRITES_MS=N waits N ms between a finished
// temporary and its rename, so that a SIGKILL at a random moment often lands inside a write.
void pause_before_rename() {
  static const int pause_ms = [] {
    const char* value = std::getenv("DREAMWALK_TEST_SLOW_WRITES_MS");
    return value ? std::atoi(value) : 0;
  }();
  if (pause_ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(pause_ms));
}

// This machine's name as it goes into a temporary's name: letters, digits and '-' only, so the
// name's dots still separate its fields.
const std::string& host_name() {
  static const std::string name = [] {
    char buffer[256] = {};
    std::string host = gethostname(buffer, sizeof buffer - 1) == 0 && buffer[0] ? buffer : "host";
    for (char& c : host)
      if (!std::isalnum(static_cast<unsigned char>(c))) c = '-';
    return host;
  }();
  return name;
}

// Who made a temporary ".NAME.HOST.PID.N.EXT" of `name`; pid 0 when `file` is not one.
struct TemporaryOwner {
  std::string host;
  long pid = 0;
};

TemporaryOwner temporary_owner(const std::string& file, const std::string& name) {
  const std::string prefix = "." + name + ".";
  if (file.compare(0, prefix.size(), prefix) != 0) return {};
  std::vector<std::string> fields;  // HOST, PID, N, then the extension's
  std::stringstream rest(file.substr(prefix.size()));
  for (std::string field; std::getline(rest, field, '.');) fields.push_back(field);
  const auto digits = [](const std::string& text) {
    return !text.empty() && text.size() < 10 &&
           text.find_first_not_of("0123456789") == std::string::npos;
  };
  if (fields.size() < 4 || fields[0].empty() || !digits(fields[1]) || !digits(fields[2])) return {};
  return {fields[0], std::atol(fields[1].c_str())};
}

bool process_runs(long pid) { return kill(static_cast<pid_t>(pid), 0) == 0 || errno != ESRCH; }

// The temporaries of `path` in its folder, each with who made it.
std::vector<std::pair<std::filesystem::path, TemporaryOwner>> owned_temporaries(
    const std::filesystem::path& path) {
  std::vector<std::pair<std::filesystem::path, TemporaryOwner>> found;
  std::error_code error;
  const auto folder = path.parent_path().empty() ? std::filesystem::path(".") : path.parent_path();
  for (std::filesystem::directory_iterator it(folder, error), end; !error && it != end;
       it.increment(error)) {
    TemporaryOwner owner =
        temporary_owner(it->path().filename().string(), path.filename().string());
    if (owner.pid > 0) found.emplace_back(it->path(), std::move(owner));
  }
  return found;
}

// Writes the pieces to `file` (created or truncated); on failure removes it and throws a UserError
// naming `path`, the file the caller is writing.
void write_pieces(const std::filesystem::path& file, const FilePieces& pieces,
                  const std::filesystem::path& path) {
  std::FILE* stream = std::fopen(file.c_str(), "wb");
  if (!stream) throw UserError(path.string() + ": cannot open for writing");
  bool written = true;
  for (const auto& [data, size] : pieces)
    written = written && (size == 0 || std::fwrite(data, 1, size, stream) == size);
  const bool flushed = std::fflush(stream) == 0;
  std::fclose(stream);
  if (!written || !flushed) {
    std::error_code ignored;
    std::filesystem::remove(file, ignored);
    throw UserError(path.string() + ": write failed (disk full?)");
  }
}

}  // namespace

void rename_into_place(const std::filesystem::path& temporary, const std::filesystem::path& path) {
  pause_before_rename();
  std::error_code error;
  std::filesystem::rename(temporary, path, error);
  if (error) {
    std::error_code ignored;
    std::filesystem::remove(temporary, ignored);
    throw UserError(path.string() + ": cannot rename into place: " + error.message());
  }
}

std::vector<std::filesystem::path> temporaries_of(const std::filesystem::path& path) {
  std::vector<std::filesystem::path> found;
  for (const auto& [temporary, owner] : owned_temporaries(path)) found.push_back(temporary);
  return found;
}

std::filesystem::path temporary_path_for(const std::filesystem::path& path) {
  for (const auto& [temporary, owner] : owned_temporaries(path)) {
    // Only this machine's: on a folder that several machines share (the ranks of a distributed
    // run), another machine's pid says nothing here.
    if (owner.host != host_name() || process_runs(owner.pid)) continue;
    std::error_code ignored;  // another writer may be removing it too
    std::filesystem::remove_all(temporary, ignored);
  }
  static std::atomic<unsigned long> made{0};
  const std::string unique =
      host_name() + "." + std::to_string(getpid()) + "." + std::to_string(made++);
  return path.parent_path() / ("." + path.filename().string() + "." + unique + ".tmp");
}

void write_file_atomically(const std::filesystem::path& path, const void* data, size_t size) {
  write_file_atomically(path, FilePieces{{data, size}});
}

void write_file_atomically(const std::filesystem::path& path, const FilePieces& pieces) {
  const auto temporary = temporary_path_for(path);
  // Folders on the way are made, as `--out` folders are: `--json out/eval.json` on a fresh checkout.
  std::error_code ignored;  // if this fails, fopen below says so
  if (!path.parent_path().empty()) std::filesystem::create_directories(path.parent_path(), ignored);
  write_pieces(temporary, pieces, path);
  rename_into_place(temporary, path);
}

void write_file_in_new_folder(const std::filesystem::path& path, const void* data, size_t size) {
  write_pieces(path, FilePieces{{data, size}}, path);
}

void copy_file_atomically(const std::filesystem::path& from, const std::filesystem::path& to) {
  const auto temporary = temporary_path_for(to);
  std::error_code error;
  std::filesystem::copy_file(from, temporary, std::filesystem::copy_options::overwrite_existing, error);
  if (error) throw UserError(to.string() + ": cannot copy " + from.string() + ": " + error.message());
  rename_into_place(temporary, to);
}

void write_folder_atomically(const std::filesystem::path& dir,
                             const std::function<void(const std::filesystem::path& building)>& write) {
  const auto temporary = temporary_path_for(dir);
  std::filesystem::remove_all(temporary);
  std::filesystem::create_directories(temporary);
  try {
    write(temporary);
    pause_before_rename();
    replace_folder(temporary, dir);
  } catch (...) {
    std::filesystem::remove_all(temporary);
    throw;
  }
}

void write_file_atomically(const std::filesystem::path& path, const std::string& contents) {
  write_file_atomically(path, contents.data(), contents.size());
}

std::string read_whole_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw UserError(path.string() + ": cannot open for reading (missing or unreadable)");
  std::error_code error;
  if (std::filesystem::is_directory(path, error)) throw UserError(path.string() + ": is a folder, not a file");
  if (std::filesystem::is_regular_file(path, error)) {
    // One allocation of the file's size and one read: a view map is close to a gigabyte, and a
    // growing stream buffer copies it several times over.
    const auto size = std::filesystem::file_size(path, error);
    if (error) throw UserError(path.string() + ": read failed (" + error.message() + ")");
    std::string contents(static_cast<std::size_t>(size), '\0');
    if (!in.read(contents.data(), static_cast<std::streamsize>(size))) throw UserError(path.string() + ": read failed");
    return contents;
  }
  std::ostringstream buffer;  // a pipe or device: its size is not known in advance
  buffer << in.rdbuf();
  if (in.bad()) throw UserError(path.string() + ": read failed");
  return buffer.str();
}

void replace_folder(const std::filesystem::path& built, const std::filesystem::path& target) {
  namespace fs = std::filesystem;
  const fs::path old = target.parent_path() / ("." + target.filename().string() + ".old");
  std::error_code error;
  fs::remove_all(old, error);
  if (fs::exists(target, error)) fs::rename(target, old, error);
  if (!error) fs::rename(built, target, error);
  if (error) throw UserError(target.string() + ": cannot move the finished folder into place: " + error.message());
  fs::remove_all(old, error);
}

}  // namespace dw
