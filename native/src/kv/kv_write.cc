#include "kv/kv_write.h"

#include <algorithm>
#include <cstring>

#include "common/half_float.h"
#include "threads/thread_pool.h"

namespace fastfill {

namespace {
constexpr int64_t kTokensPerChunk = 32;  // slots are distinct, so chunks write disjoint cache rows

struct WriteJob {
  void* kCache;
  void* vCache;
  const float* k;
  const float* v;
  const int32_t* slots;
  int64_t tokens, rowFloats;
};

// Runs writeToken(job, t) for every token on the thread pool.
template <void (*writeToken)(const WriteJob&, int64_t)>
void forEachToken(const WriteJob& job) {
  const auto chunk = [](void* context, int64_t c, int) {
    const WriteJob& j = *static_cast<const WriteJob*>(context);
    const int64_t end = std::min(j.tokens, (c + 1) * kTokensPerChunk);
    for (int64_t t = c * kTokensPerChunk; t < end; ++t) writeToken(j, t);
  };
  parallelFor((job.tokens + kTokensPerChunk - 1) / kTokensPerChunk, chunk, const_cast<WriteJob*>(&job));
}

void copyToken(const WriteJob& j, int64_t t) {
  const size_t rowBytes = static_cast<size_t>(j.rowFloats) * sizeof(float);
  const int64_t slot = j.slots[t];
  std::memcpy(static_cast<float*>(j.kCache) + slot * j.rowFloats, j.k + t * j.rowFloats, rowBytes);
  std::memcpy(static_cast<float*>(j.vCache) + slot * j.rowFloats, j.v + t * j.rowFloats, rowBytes);
}

void bf16Token(const WriteJob& j, int64_t t) {
  const int64_t slot = j.slots[t], n = j.rowFloats;
  uint16_t* kRow = static_cast<uint16_t*>(j.kCache) + slot * n;
  uint16_t* vPairs = static_cast<uint16_t*>(j.vCache) + (slot / 2) * 2 * n + slot % 2;
  const float* kIn = j.k + t * n;
  const float* vIn = j.v + t * n;
  for (int64_t i = 0; i < n; ++i) kRow[i] = floatToBf16(kIn[i]);
  for (int64_t i = 0; i < n; ++i) vPairs[2 * i] = floatToBf16(vIn[i]);
}

void f16Token(const WriteJob& j, int64_t t) {
  const int64_t slot = j.slots[t], n = j.rowFloats;
  uint16_t* kRow = static_cast<uint16_t*>(j.kCache) + slot * n;
  uint16_t* vRow = static_cast<uint16_t*>(j.vCache) + slot * n;
  for (int64_t i = 0; i < n; ++i) kRow[i] = floatToHalfBits(j.k[t * n + i]);
  for (int64_t i = 0; i < n; ++i) vRow[i] = floatToHalfBits(j.v[t * n + i]);
}
}  // namespace

void kvWrite(float* kCache, float* vCache, const float* k, const float* v, const int32_t* slots, int64_t tokens,
             int64_t rowFloats) {
  forEachToken<copyToken>(WriteJob{kCache, vCache, k, v, slots, tokens, rowFloats});
}

// Two tokens may share a V pair row (slots 2i and 2i + 1), but each writes only its own half.
void kvWriteBf16(uint16_t* kCache, uint16_t* vCache, const float* k, const float* v, const int32_t* slots,
                 int64_t tokens, int64_t rowFloats) {
  forEachToken<bf16Token>(WriteJob{kCache, vCache, k, v, slots, tokens, rowFloats});
}

void kvWriteF16(uint16_t* kCache, uint16_t* vCache, const float* k, const float* v, const int32_t* slots,
                int64_t tokens, int64_t rowFloats) {
  forEachToken<f16Token>(WriteJob{kCache, vCache, k, v, slots, tokens, rowFloats});
}

}  // namespace fastfill
