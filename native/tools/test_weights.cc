#include "test_weights.h"

#include <cstring>

#include "common/ggml_types.h"
#include "common/weight_panels.h"

namespace amxcheck {

using namespace fastfill;

uint64_t Rng::next() {
  uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

float Rng::uniform(float lo, float hi) {
  const float unit = static_cast<float>(next() >> 40) * (1.0f / 16777216.0f);
  return lo + (hi - lo) * unit;
}

int Rng::range(int lo, int hi) { return lo + static_cast<int>(next() % static_cast<uint64_t>(hi - lo + 1)); }

namespace {

// f16 bits with magnitude in [2^(exponent - 15), 2^(exponentMax - 14)): normal numbers only, so
// halfBitsToFloat gives the value exactly.
uint16_t randomHalf(Rng& rng, int exponentMin, int exponentMax) {
  const uint16_t sign = static_cast<uint16_t>(rng.range(0, 1) << 15);
  const uint16_t exponent = static_cast<uint16_t>(rng.range(exponentMin, exponentMax) << 10);
  return sign | exponent | static_cast<uint16_t>(rng.range(0, 1023));
}

void putHalf(uint8_t* dst, uint16_t bits) { std::memcpy(dst, &bits, 2); }  // little-endian x86

}  // namespace

TestWeight randomWeight(Rng& rng, int32_t type, int64_t rows, int64_t cols) {
  TestWeight w{type, rows, cols, {}, {}};
  const size_t rowBytes = computeRowBytes(type, cols);
  w.data.resize(static_cast<size_t>(rows) * rowBytes);
  w.values.resize(static_cast<size_t>(rows * cols));
  for (int64_t r = 0; r < rows; ++r) {
    uint8_t* row = w.data.data() + r * rowBytes;
    float* values = w.values.data() + r * cols;
    if (type == kTypeQ8_0) {
      for (int64_t b = 0; b < cols / 32; ++b) {
        uint8_t* block = row + b * 34;  // f16 scale d, then 32 int8 quants
        const uint16_t d = randomHalf(rng, 6, 8);  // 2^-9 .. 2^-6
        putHalf(block, d);
        for (int e = 0; e < 32; ++e) {
          const int q = rng.range(-127, 127);
          block[2 + e] = static_cast<uint8_t>(static_cast<int8_t>(q));
          values[b * 32 + e] = halfBitsToFloat(d) * static_cast<float>(q);  // exact: 11 x 8 bits
        }
      }
    } else {
      for (int64_t e = 0; e < cols; ++e) {
        uint16_t bits;
        if (rng.range(0, 15) == 0) bits = 0;
        else if (type == kTypeF16) bits = randomHalf(rng, 9, 14);  // 2^-6 .. 1
        else bits = floatToBf16(rng.uniform(-1.0f, 1.0f));
        putHalf(row + 2 * e, bits);
        values[e] = type == kTypeF16 ? halfBitsToFloat(bits) : bf16ToFloat(bits);
      }
    }
  }
  return w;
}

PackedWeight packWeight(const TestWeight& weight, int32_t precision) {
  PackedWeight p{};
  p.view.data = weight.data.data();
  p.view.type = weight.type;
  p.view.rows = weight.rows;
  p.view.cols = weight.cols;
  p.view.rowBytes = computeRowBytes(weight.type, weight.cols);
  p.view.precision = precision;
  p.view.panels = nullptr;
  const size_t bytes = panelBytes(weight.type, weight.rows, weight.cols, precision);
  if (bytes == 0) return p;
  p.panels.reset(static_cast<uint8_t*>(std::aligned_alloc(64, (bytes + 63) / 64 * 64)));
  packPanels(p.view, precision, p.panels.get());
  p.view.panels = p.panels.get();
  return p;
}

std::vector<float> randomFloats(Rng& rng, size_t count, float scale) {
  std::vector<float> v(count);
  for (float& x : v) x = rng.uniform(-scale, scale);
  return v;
}

const char* typeName(int32_t type) {
  switch (type) {
    case kTypeF16: return "F16";
    case kTypeBF16: return "BF16";
    case kTypeQ8_0: return "Q8_0";
    default: return "?";
  }
}

const char* precisionName(int32_t precision) {
  switch (precision) {
    case kPrecisionBf16: return "bf16";
    case kPrecisionInt8: return "int8";
    default: return "f32";
  }
}

}  // namespace amxcheck
