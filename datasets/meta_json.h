// Internal: JSON form of the episode metadata and the action schema, shared by episode.json and
// manifest.json so both files describe actions the same way.
#pragma once

#include <filesystem>

#include "datasets/episode.h"
#include "datasets/json_file.h"

namespace dw::data {

json_file::Json schema_to_json(const ActionSchema& schema);
ActionSchema schema_from_json(const json_file::Json& value, const std::filesystem::path& path);

json_file::Json meta_to_json(const EpisodeMeta& meta);
EpisodeMeta meta_from_json(const json_file::Json& value, const std::filesystem::path& path);

// The problem with a schema in one phrase ("has 3 names but 2 limits"), or "" when consistent.
std::string schema_problem(const ActionSchema& schema);

}  // namespace dw::data
