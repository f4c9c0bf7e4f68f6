// Our safetensors reader/writer: bit-exact round trip, the layout Python's reader expects, and a
// clear UserError naming the file for each kind of damage.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "model/safetensors.h"
#include "model_test_util.h"
#include "nav/base/atomic_file.h"
#include "nav/base/user_error.h"

using namespace dw::model;

namespace {

std::string header_of(const std::string& file) {
  uint64_t length = 0;
  for (int i = 0; i < 8; ++i) length |= uint64_t{static_cast<unsigned char>(file[i])} << (8 * i);
  return file.substr(8, length);
}

void require_error_names_file(const std::filesystem::path& path, const std::string& problem) {
  try {
    load_safetensors(path);
    FAIL("no error for " << problem);
  } catch (const dw::UserError& e) {
    INFO(e.what());
    CHECK(std::string(e.what()).find(path.string()) != std::string::npos);
    CHECK(std::string(e.what()).find(problem) != std::string::npos);
  }
}

}  // namespace

TEST_CASE("safetensors round trip is bit-exact", "[model][safetensors]") {
  const auto dir = testing::scratch_dir("safetensors_round_trip");
  torch::manual_seed(4);
  TensorMap tensors{{"a.weight", torch::randn({3, 4, 5})},
                    {"b", torch::tensor({1.0f / 3.0f, -0.0f, 1e-38f, 3.4e38f})},
                    {"count", torch::tensor(int64_t{123456789012})},
                    {"bytes", torch::arange(0, 7, torch::kUInt8)},
                    {"empty", torch::zeros({0, 2})}};
  save_safetensors(dir / "t.safetensors", tensors, {{"step", "7"}});
  const TensorMap loaded = load_safetensors(dir / "t.safetensors");
  REQUIRE(loaded.size() == tensors.size());
  for (const auto& [name, tensor] : tensors) {
    const auto& other = loaded.at(name);
    CHECK(other.scalar_type() == tensor.scalar_type());
    CHECK(other.sizes() == tensor.sizes());
    CHECK(std::memcmp(other.data_ptr(), tensor.contiguous().data_ptr(), tensor.numel() * tensor.element_size()) == 0);
  }
}

TEST_CASE("safetensors files have the layout Python's reader expects", "[model][safetensors]") {
  const auto dir = testing::scratch_dir("safetensors_layout");
  save_safetensors(dir / "t.safetensors", {{"x", torch::ones({2, 3})}, {"y", torch::zeros({4}, torch::kInt64)}},
                   {{"format", "pt"}});
  const std::string file = dw::read_whole_file(dir / "t.safetensors");
  const std::string header = header_of(file);
  CHECK((8 + header.size()) % 8 == 0);  // data starts 8-byte aligned
  const auto json = nlohmann::json::parse(header);
  CHECK(json["__metadata__"]["format"] == "pt");
  CHECK(json["x"]["dtype"] == "F32");
  CHECK(json["x"]["shape"] == nlohmann::json::array({2, 3}));
  CHECK(json["x"]["data_offsets"] == nlohmann::json::array({0, 24}));
  CHECK(json["y"]["dtype"] == "I64");
  CHECK(json["y"]["data_offsets"] == nlohmann::json::array({24, 56}));
  CHECK(file.size() == 8 + header.size() + 56);
  float first = 0.0f;
  std::memcpy(&first, file.data() + 8 + header.size(), 4);
  CHECK(first == 1.0f);  // little-endian float32
}

TEST_CASE("damaged safetensors files give a UserError naming the file", "[model][safetensors]") {
  const auto dir = testing::scratch_dir("safetensors_damage");
  save_safetensors(dir / "good.safetensors", {{"x", torch::ones({64})}});
  const std::string good = dw::read_whole_file(dir / "good.safetensors");

  testing::write_text(dir / "truncated.safetensors", good.substr(0, good.size() - 10));
  require_error_names_file(dir / "truncated.safetensors", "truncated");
  testing::write_text(dir / "short.safetensors", good.substr(0, 5));
  require_error_names_file(dir / "short.safetensors", "too short");
  testing::write_text(dir / "header_cut.safetensors", good.substr(0, 20));
  require_error_names_file(dir / "header_cut.safetensors", "header");

  std::string bad_json = good;
  bad_json[8] = '[';
  bad_json[9] = '{';
  testing::write_text(dir / "bad_json.safetensors", bad_json);
  require_error_names_file(dir / "bad_json.safetensors", "JSON");

  std::string bad_dtype = good;
  const auto at = bad_dtype.find("F32");
  bad_dtype.replace(at, 3, "Q32");
  testing::write_text(dir / "bad_dtype.safetensors", bad_dtype);
  require_error_names_file(dir / "bad_dtype.safetensors", "dtype");

  CHECK_THROWS_AS(load_safetensors(dir / "missing.safetensors"), dw::UserError);
}

TEST_CASE("a safetensors reader reads one tensor at a time, straight into memory given to it",
          "[model][safetensors]") {
  const auto dir = testing::scratch_dir("safetensors_reader");
  const torch::Tensor bytes = torch::arange(0, 200, torch::kUInt8);
  save_safetensors(dir / "t.safetensors", {{"bytes", bytes}, {"other", torch::randn({3, 2})}});
  SafetensorsReader reader(dir / "t.safetensors");
  CHECK(reader.find("absent") == nullptr);
  const SafetensorsEntry* entry = reader.find("bytes");
  REQUIRE(entry != nullptr);
  CHECK(entry->dtype == SafetensorsDtype::U8);
  std::vector<std::uint8_t> into(200, 0);
  reader.read(*entry, into.data());
  CHECK(std::memcmp(into.data(), bytes.data_ptr(), into.size()) == 0);
  // Read again after another tensor, as a tensor: the reader seeks to each tensor's own bytes.
  const torch::Tensor other = reader.read(*reader.find("other"));
  CHECK(other.sizes() == torch::IntArrayRef({3, 2}));
  CHECK(torch::equal(reader.read(*entry), bytes));

  // The header is checked against the file's size before any tensor is read.
  const std::string good = dw::read_whole_file(dir / "t.safetensors");
  testing::write_text(dir / "cut.safetensors", good.substr(0, good.size() - 30));
  CHECK_THROWS_AS(SafetensorsReader(dir / "cut.safetensors"), dw::UserError);
  CHECK_THROWS_AS(SafetensorsReader(dir), dw::UserError);  // a folder
}

TEST_CASE("a tensor written from pieces is the file its whole tensor makes; a read may take part of one",
          "[model][safetensors]") {
  const auto dir = testing::scratch_dir("safetensors_pieces");
  const torch::Tensor bytes = torch::arange(0, 240, torch::kUInt8).reshape({4, 60});
  const torch::Tensor values = torch::randn({5});
  save_safetensors(dir / "whole.safetensors", {{"bytes", bytes}, {"values", values}}, {{"format", "x"}});
  // The same tensors, `bytes` as three pieces of memory that are not one block.
  const std::vector<std::uint8_t> first(bytes.data_ptr<std::uint8_t>(), bytes.data_ptr<std::uint8_t>() + 100);
  const std::vector<std::uint8_t> second(bytes.data_ptr<std::uint8_t>() + 100, bytes.data_ptr<std::uint8_t>() + 101);
  const std::vector<std::uint8_t> rest(bytes.data_ptr<std::uint8_t>() + 101, bytes.data_ptr<std::uint8_t>() + 240);
  std::map<std::string, TensorPieces> pieces{
      {"bytes", {SafetensorsDtype::U8, {4, 60}, {{first.data(), 100}, {second.data(), 1}, {rest.data(), 139}}}},
      {"values", {SafetensorsDtype::F32, {5}, {{values.data_ptr(), 5 * sizeof(float)}}}}};
  save_safetensors(dir / "pieces.safetensors", pieces, {{"format", "x"}});
  CHECK(dw::read_whole_file(dir / "pieces.safetensors") == dw::read_whole_file(dir / "whole.safetensors"));
  // Pieces that do not fill the shape are a programming error, and nothing is written.
  pieces["bytes"].pieces.pop_back();
  CHECK_THROWS_AS(save_safetensors(dir / "short.safetensors", pieces), std::logic_error);
  CHECK_FALSE(std::filesystem::exists(dir / "short.safetensors"));

  SafetensorsReader reader(dir / "pieces.safetensors");
  const SafetensorsEntry& entry = *reader.find("bytes");
  std::vector<std::uint8_t> part(30, 0);
  reader.read(entry, 95, 30, part.data());
  for (int i = 0; i < 30; ++i) CHECK(part[static_cast<std::size_t>(i)] == 95 + i);
  CHECK_THROWS_AS(reader.read(entry, 220, 30, part.data()), std::out_of_range);  // past its end
}
