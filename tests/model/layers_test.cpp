// The sub-pixel form of the stride-2 transposed convolution is the transposed convolution: same
// parameters, same outputs, same gradients.
#include <catch2/catch.hpp>

#include "model/layers.h"

using namespace dw::model;

namespace {

// A ConvTranspose2d(in, out, 4, 2, 1) holding `up`'s parameters.
torch::nn::ConvTranspose2d reference_of(SubpixelUp& up) {
  torch::nn::ConvTranspose2d reference(
      torch::nn::ConvTranspose2dOptions(up->weight.size(0), up->weight.size(1), 4).stride(2).padding(1));
  torch::NoGradGuard no_grad;
  reference->weight.copy_(up->weight);
  reference->bias.copy_(up->bias);
  return reference;
}

}  // namespace

TEST_CASE("SubpixelUp keeps ConvTranspose2d's parameter names, shapes and initialisation", "[model][layers]") {
  torch::manual_seed(3);
  torch::nn::ConvTranspose2d reference(torch::nn::ConvTranspose2dOptions(5, 7, 4).stride(2).padding(1));
  torch::manual_seed(3);
  SubpixelUp up(5, 7);
  const auto expected = reference->named_parameters();
  const auto actual = up->named_parameters();
  REQUIRE(actual.size() == expected.size());
  for (const auto& item : expected) {
    REQUIRE(actual.contains(item.key()));
    CHECK(actual[item.key()].sizes() == item.value().sizes());
    CHECK(torch::equal(actual[item.key()], item.value()));
  }
}

TEST_CASE("SubpixelUp computes the transposed convolution, forward and backward", "[model][layers]") {
  torch::manual_seed(11);
  SubpixelUp up(6, 4);
  {
    torch::NoGradGuard no_grad;  // a bias that is not small, so a misplaced bias shows
    up->bias.uniform_(-1.0, 1.0);
  }
  torch::nn::ConvTranspose2d reference = reference_of(up);
  const torch::Tensor input = torch::randn({3, 6, 5, 7}).requires_grad_(true);
  const torch::Tensor input_copy = input.detach().clone().requires_grad_(true);

  const torch::Tensor expected = reference->forward(input_copy);
  const torch::Tensor actual = up->forward(input);
  REQUIRE(actual.sizes() == expected.sizes());
  CHECK(actual.sizes() == torch::IntArrayRef({3, 4, 10, 14}));
  CHECK((actual - expected).abs().max().item<float>() < 1e-5f);

  // The same loss through both: the gradients with respect to input, weight and bias agree.
  const torch::Tensor probe = torch::randn(expected.sizes());
  (expected * probe).sum().backward();
  (actual * probe).sum().backward();
  CHECK((input.grad() - input_copy.grad()).abs().max().item<float>() < 1e-4f);
  CHECK((up->weight.grad() - reference->weight.grad()).abs().max().item<float>() < 1e-4f);
  CHECK((up->bias.grad() - reference->bias.grad()).abs().max().item<float>() < 1e-4f);
}

TEST_CASE("SubpixelUp's 3x3 kernel leaves untouched the taps the stride skips", "[model][layers]") {
  SubpixelUp up(2, 3);
  const auto [kernel, bias] = up->subpixel_kernel();
  REQUIRE(kernel.sizes() == torch::IntArrayRef({12, 2, 3, 3}));
  CHECK(bias.size(0) == 12);
  // Phase a = 0 (even output rows) never reads the row below (u = 2); phase a = 1 never the row above.
  const torch::Tensor phases = kernel.view({3, 2, 2, 2, 3, 3});  // [out, a, b, in, u, v]; u is dim 3 once a is selected
  CHECK(phases.select(1, 0).select(3, 2).abs().max().item<float>() == 0.0f);
  CHECK(phases.select(1, 1).select(3, 0).abs().max().item<float>() == 0.0f);
  CHECK(phases.select(1, 0).select(3, 1).abs().max().item<float>() > 0.0f);
}
