// Crash-safe writes: data goes to a temporary name in the same folder, then is renamed into place,
// so a reader never sees a half-written file and a kill never destroys the last good copy.
#pragma once

#include <filesystem>
#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace dw {

// A temporary sibling name for one new write of `path` (same folder, so rename is atomic):
// ".NAME.HOST.PID.N.tmp", unique to the machine, the process and the call, so two processes (the
// ranks of a distributed run building one cache) or two threads writing one file never share a
// temporary. The temporaries of `path` that writers on this machine left and that no longer run
// (a kill -9) are removed first.
std::filesystem::path temporary_path_for(const std::filesystem::path& path);
// The temporaries of `path` now in its folder: writes in progress, or left by killed writers.
std::vector<std::filesystem::path> temporaries_of(const std::filesystem::path& path);
// Renames a finished temporary (from temporary_path_for) onto `path`; UserError naming `path` if
// that fails. For writers that fill the temporary themselves (GIF, MP4).
void rename_into_place(const std::filesystem::path& temporary, const std::filesystem::path& path);
// Missing parent folders are created.
void write_file_atomically(const std::filesystem::path& path, const std::string& contents);
void write_file_atomically(const std::filesystem::path& path, const void* data, size_t size);
// The pieces one after another, never gathered in memory first (a view map's frames are over a
// gigabyte, kept in blocks).
using FilePieces = std::vector<std::pair<const void*, size_t>>;
void write_file_atomically(const std::filesystem::path& path, const FilePieces& pieces);
// Writes `path` directly, with no temporary of its own: only for a file inside a folder that is
// being built under a temporary name and renamed into place whole (write_folder_atomically, an
// episode's frames), where a temporary per file would only cost time.
void write_file_in_new_folder(const std::filesystem::path& path, const void* data, size_t size);
// Copies `from` to a temporary sibling of `to`, then renames it into place.
void copy_file_atomically(const std::filesystem::path& from, const std::filesystem::path& to);
// Builds a folder by calling `write` on an empty temporary sibling, then replaces `dir` with it (replace_folder); on
// any error the temporary is removed and the error passed on, so `dir` is never half-written.
void write_folder_atomically(const std::filesystem::path& dir,
                             const std::function<void(const std::filesystem::path& building)>& write);
// Reads a whole file; throws UserError naming it when it cannot be read.
std::string read_whole_file(const std::filesystem::path& path);
// Renames a completely written folder `built` to `target`. An existing `target` (a --force
// replace) is set aside first and removed only once the new one is in place.
void replace_folder(const std::filesystem::path& built, const std::filesystem::path& target);

}  // namespace dw
