// What the fuzz targets share: a property that must hold for every input, checked in release
// builds too (not assert), and stopping the process so that libFuzzer — or the corpus replay
// under ctest — reports the input that broke it.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "pingyi/core/error.hpp"

namespace pingyi::fuzz {

[[noreturn]] inline void violated(std::string_view property, std::string_view detail = {}) {
  std::fprintf(stderr, "fuzz property violated: %.*s%s%.*s\n", static_cast<int>(property.size()), property.data(),
               detail.empty() ? "" : " — ", static_cast<int>(detail.size()), detail.data());
  std::abort();
}

inline void must(bool holds, std::string_view property) {
  if (!holds) violated(property);
}

// For a property about a refusal: says which refusal it was.
inline void must(bool holds, std::string_view property, const core::error& refusal) {
  if (!holds) violated(property, core::describe(refusal));
}

}  // namespace pingyi::fuzz
