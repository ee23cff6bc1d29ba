#include "common/rope_table.h"

#include <algorithm>

#include "common/rope_angles.h"
#include "threads/thread_pool.h"

namespace fastfill {

namespace {
constexpr int64_t kTokensPerChunk = 64;

struct TableJob {
  const int32_t* positions;
  int64_t tokens, ropeDim;
  double freqBase;
  const float* freqFactors;
  float* out;
};

void tableChunk(void* context, int64_t chunk, int) {
  const TableJob& j = *static_cast<const TableJob*>(context);
  const int64_t end = std::min(j.tokens, (chunk + 1) * kTokensPerChunk);
  for (int64_t t = chunk * kTokensPerChunk; t < end; ++t) {
    float* row = j.out + t * j.ropeDim;
    ropeAngles(j.positions[t], j.ropeDim, j.freqBase, j.freqFactors, row, row + j.ropeDim / 2);
  }
}
}  // namespace

void ropeTable(const int32_t* positions, int64_t tokens, int64_t ropeDim, double freqBase, const float* freqFactors,
               float* out) {
  if (tokens == 0 || ropeDim == 0) return;
  TableJob job{positions, tokens, ropeDim, freqBase, freqFactors, out};
  parallelFor((tokens + kTokensPerChunk - 1) / kTokensPerChunk, tableChunk, &job);
}

}  // namespace fastfill
