// Plain-data arguments of the kernels. The bindings fill them after checking every length and
// index; kernels may assume they are consistent.
#pragma once
#include <cstddef>
#include <cstdint>

namespace fastfill {

// How a matmul rounds: kPrecisionF32 is exact F32 math on the weights' values; kPrecisionBf16
// rounds weights and (from kGemmMinRows rows on) activations to bf16, accumulating in F32;
// kPrecisionInt8 quantizes activations to int8 per 32-element block for the int8 types
// (common/int8_panels.h): from kInt8GemmMinRows (6) rows on for every such type, and below that (decode) for
// Q8_0 with stored panels, Q4_0, Q5_0 and the K-quants (kernels/gemv_int8.h, on the weights' own blocks) and
// interleaved blocks (kernels/gemv_interleaved.h); any other weights compute as at F32.
constexpr int32_t kPrecisionF32 = 0;
constexpr int32_t kPrecisionBf16 = 1;
constexpr int32_t kPrecisionInt8 = 2;

// A weight matrix of `rows` output features, each row `cols` elements stored as consecutive blocks.
struct WeightView {
  const uint8_t* data;  // any alignment
  int32_t type;         // GgmlType
  int64_t rows;
  int64_t cols;
  size_t rowBytes;
  int32_t precision;  // kPrecisionF32, kPrecisionBf16 or kPrecisionInt8
  // The same weights in the panel layout of `precision` (common/weight_panels.h), 4-byte aligned;
  // nullptr when the weight was not packed (block-quantized types are only at kPrecisionInt8).
  const uint8_t* panels;
  // The interleaved types at kPrecisionInt8 only: the same weights as interleaved blocks (common/interleaved_blocks.h),
  // read instead of `data` by the int8 GEMV, the int8 GEMM's record packer and decodeRow; panels is then nullptr.
  const uint8_t* interleaved = nullptr;
};

// out[m][n] = bias[n] + sum_k x[m][k] * W[n][k]
struct MatmulArgs {
  const float* x;  // [m][w.cols]
  int64_t m;
  WeightView w;
  const float* bias;  // [w.rows] or nullptr (no bias)
  float* out;         // [m][w.rows]
  // When not nullptr, the matmul's input rows are silu(gate) * x (an FFN's gate and up outputs, [m][w.cols]),
  // the same floats as siluMul's; matmul only (matmulGroup parts have none).
  const float* gate = nullptr;
};

// Several matmuls of one x: every part has the same x, m and w.cols (kernels/matmul_group.h).
struct MatmulGroupArgs {
  const MatmulArgs* parts;
  int count;
};

// out[i] = dequantized W row ids[i]
struct GetRowsArgs {
  WeightView w;
  const int32_t* ids;  // each in [0, w.rows)
  int64_t count;
  float* out;  // [count][w.cols]
};

struct RmsNormArgs {
  const float* x;  // [rows][cols]
  int64_t rows;
  int64_t cols;
  const float* weight;  // [cols]
  float eps;
  float* out;  // [rows][cols], may equal x
  // addRmsNorm: residual[r] = x[r] + delta[r] first (residual may equal x, not out), and the norm
  // is taken of that sum; nullptr for a plain rmsNorm.
  const float* delta;
  float* residual;
};

// Rotary embedding in place on x[tokens][heads][headDim]; dims >= ropeDim are untouched.
// angle_i = position * freqBase^(-2i/ropeDim) / freqFactors[i], i < ropeDim/2.
struct RopeArgs {
  float* x;
  int64_t tokens;
  int64_t heads;
  int64_t headDim;
  int64_t ropeDim;              // even, <= headDim
  const int32_t* positions;     // [tokens]
  double freqBase;
  bool neox;                    // pairs (i, i + ropeDim/2) instead of (2i, 2i+1)
  const float* freqFactors;     // [ropeDim/2] or nullptr (all 1)
  // [tokens][ropeDim]: per token the cosines of its ropeDim/2 angles, then their sines (ropeTable);
  // when set, positions, freqBase and freqFactors are not read.
  const float* table;
};

// Flash attention over a paged KV cache; see docs in src/kernels/attention.ts.
struct AttentionArgs {
  const float* q;        // [nQ][nHeads][headDim]
  float* out;            // [nQ][nHeads][headDim]
  // The cache, F32, bf16 or F16 (exactly one pair of pointers is set):
  const float* kCache;   // [numSlots][nKvHeads][headDim]
  const float* vCache;   // [numSlots][nKvHeads][headDim]
  const uint16_t* kCacheBf16;  // [numSlots][nKvHeads][headDim]
  const uint16_t* vCacheBf16;  // [numSlots / 2][nKvHeads][headDim][2]: slots 2i and 2i + 1 side by side
                               // (bf16 pairs for P V); needs an even blockSize and headDim
  const uint16_t* kCacheF16;   // [numSlots][nKvHeads][headDim]
  const uint16_t* vCacheF16;   // [numSlots][nKvHeads][headDim]
  const int32_t* qPositions;  // [nQ]
  const int32_t* tiles;       // [nTiles][4]: qStart, qCount, listStart, listCount
  const int32_t* keyBlocks;   // [nEntries][4]: physicalBlock, firstKeyPosition, keyCount, needsMask
  int64_t nQ;
  int64_t nTiles;
  int64_t nEntries;
  int64_t numSlots;
  int32_t nHeads;
  int32_t nKvHeads;
  int32_t headDim;
  int32_t blockSize;     // slots per physical block
  float scale;
  int32_t precision;     // kPrecisionF32, or kPrecisionBf16: q, k, p, v rounded to bf16 (kernels/attention_bf16.h)
};

// KV cache element types, as the bindings receive them.
constexpr int32_t kCacheF32 = 0;
constexpr int32_t kCacheBf16 = 1;
constexpr int32_t kCacheF16 = 2;

}  // namespace fastfill
