#include "common/int8_panels.h"

#include <cstring>

#include "common/ggml_types.h"
#include "common/interleaved_blocks.h"
#include "common/low_bit_blocks.h"
#include "common/weight_panels.h"
#include "threads/thread_pool.h"

namespace fastfill {
namespace {

float halfAt(const uint8_t* p) {
  uint16_t half;
  std::memcpy(&half, p, 2);
  return halfBitsToFloat(half);
}

using Quants = Int8BlockQuants;

// 32 nibbles (element j: low nibble of byte j, j + 16: its high nibble) plus bit j of `high`
// as bit 4, minus `offset`.
void splitNibbles(const uint8_t* nibbles, uint32_t high, int offset, int8_t* q) {
  for (int j = 0; j < 16; ++j) {
    q[j] = static_cast<int8_t>(((nibbles[j] & 15) | static_cast<int>(((high >> j) & 1u) << 4)) - offset);
    q[j + 16] = static_cast<int8_t>(((nibbles[j] >> 4) | static_cast<int>(((high >> (j + 16)) & 1u) << 4)) - offset);
  }
}

// Sub-block s (32 elements) of a Q4_K / Q5_K block (layout as kernels/dequantize.h:
// decodeKQuant): nibble s % 2 of bytes 32 (s / 2) .. + 31, plus bit s of the 32 high-bit bytes.
void kQuantSubBlock(const uint8_t* block, bool fiveBits, int s, Quants* out) {
  const uint8_t* packed = block + 4;
  int scale, min;
  if (s < 4) {
    scale = packed[s] & 63;
    min = packed[s + 4] & 63;
  } else {
    scale = (packed[s + 4] & 0xF) | ((packed[s - 4] >> 6) << 4);
    min = (packed[s + 4] >> 4) | ((packed[s] >> 6) << 4);
  }
  out->d[0] = halfAt(block) * static_cast<float>(scale);
  out->min = -(halfAt(block + 2) * static_cast<float>(min));
  const uint8_t* nibbles = block + (fiveBits ? 48 : 16) + 32 * (s / 2);
  for (int j = 0; j < 32; ++j) {
    int q = (nibbles[j] >> (4 * (s % 2))) & 15;
    if (fiveBits) q |= ((block[16 + j] >> s) & 1) << 4;
    out->q[j] = static_cast<int8_t>(q);
  }
}

// Elements [32 s, 32 s + 32) of a Q6_K block (layout as kernels/dequantize.h: decodeQ6_K):
// sub-blocks of 16 with scale d * scales[e / 16], quants q - 32.
void q6kRun(const uint8_t* block, int s, Quants* out) {
  const float d = halfAt(block + 208);
  const int8_t* scales = reinterpret_cast<const int8_t*>(block + 192);
  const int h = s / 4, r = s % 4;
  const uint8_t* ql = block + 64 * h + 32 * (r % 2);
  const uint8_t* qh = block + 128 + 32 * h;
  for (int l = 0; l < 32; ++l) {
    const int q = ((ql[l] >> (4 * (r / 2))) & 15) | (((qh[l] >> (2 * r)) & 3) << 4);
    out->q[l] = static_cast<int8_t>(q - 32);
  }
  out->d[0] = d * static_cast<float>(scales[2 * s]);
  out->d[1] = d * static_cast<float>(scales[2 * s + 1]);
  out->min = 0.0f;
}

// Elements [32 s, 32 s + 32) of a Q3_K block (layout as kernels/dequantize.h: decodeQ3_K): sub-blocks of
// 16 with scale d * (sc - 32); quants (two low bits) - 4 where the hmask bit is clear.
void q3kRun(const uint8_t* block, int s, Quants* out) {
  const float d = halfAt(block + 108);
  for (int l = 0; l < 32; ++l) out->q[l] = static_cast<int8_t>(q3kQuant(block, 32 * s + l));
  out->d[0] = d * static_cast<float>(q3kScale(block + 96, 2 * s) - 32);
  out->d[1] = d * static_cast<float>(q3kScale(block + 96, 2 * s + 1) - 32);
  out->min = 0.0f;
}

// Elements [32 s, 32 s + 32) of a Q2_K block (common/low_bit_blocks.h: q2kQuant; scale byte j: sc_j low nibble,
// m_j high): quant sc_(2s + h) u of half h with scale d, half mins m_2s, m_2s+1 and dmin.
void q2kRun(const uint8_t* block, int s, Quants* out) {
  for (int l = 0; l < 32; ++l) out->q[l] = static_cast<int8_t>((block[2 * s + l / 16] & 0xF) * q2kQuant(block, 32 * s + l));
  out->d[0] = halfAt(block + 80);
  out->d[1] = out->min = 0.0f;
  out->halfMins[0] = static_cast<float>(block[2 * s] >> 4);
  out->halfMins[1] = static_cast<float>(block[2 * s + 1] >> 4);
  out->dmin = halfAt(block + 82);
}

// The 32 elements [32 b, 32 b + 32) of a row (ggml layouts; see kernels/dequantize.h).
void quantsAt(int32_t type, const uint8_t* row, int64_t b, Quants* out) {
  const BlockLayout layout = computeBlockLayout(type);
  if (type == kTypeQ3_K) {
    q3kRun(row + (b / 8) * layout.bytes, static_cast<int>(b % 8), out);
    return;
  }
  if (type == kTypeQ2_K) {
    q2kRun(row + (b / 8) * layout.bytes, static_cast<int>(b % 8), out);
    return;
  }
  if (type == kTypeIQ4_XS || type == kTypeIQ4_NL) {
    const uint8_t* block = row + (type == kTypeIQ4_XS ? (b / 8) * layout.bytes : b * layout.bytes);
    const int s = static_cast<int>(b % 8);
    const uint8_t* nibbles = type == kTypeIQ4_XS ? block + 8 + 16 * s : block + 2;
    for (int e = 0; e < 32; ++e) out->q[e] = static_cast<int8_t>(iq4Level(nibbles, e));
    out->d[0] = halfAt(block) * (type == kTypeIQ4_XS ? static_cast<float>(iq4xsScale(block, s) - 32) : 1.0f);
    out->min = 0.0f;
    return;
  }
  if (type == kTypeQ6_K) {
    q6kRun(row + (b / 8) * layout.bytes, static_cast<int>(b % 8), out);
    return;
  }
  if (layout.elements == 256) {
    kQuantSubBlock(row + (b / 8) * layout.bytes, type == kTypeQ5_K, static_cast<int>(b % 8), out);
    return;
  }
  const uint8_t* block = row + b * layout.bytes;
  const bool withMin = type == kTypeQ4_1 || type == kTypeQ5_1;
  out->d[0] = halfAt(block);
  out->min = withMin ? halfAt(block + 2) : 0.0f;
  const uint8_t* rest = block + (withMin ? 4 : 2);
  if (type == kTypeQ8_0) {
    std::memcpy(out->q, rest, kInt8BlockElements);
    return;
  }
  uint32_t high = 0;
  const bool fiveBits = type == kTypeQ5_0 || type == kTypeQ5_1;
  if (fiveBits) std::memcpy(&high, rest, 4);
  const int offset = type == kTypeQ4_0 ? 8 : type == kTypeQ5_0 ? 16 : 0;
  splitNibbles(rest + (fiveBits ? 4 : 0), high, offset, out->q);
}

struct PackJob {
  const WeightView* w;
  uint8_t* dst;
};

void packPanel(void* context, int64_t p, int) {
  const PackJob& job = *static_cast<const PackJob*>(context);
  const int64_t blocks = job.w->cols / kInt8BlockElements;
  packInt8Records(*job.w, p, 0, blocks, job.dst + static_cast<size_t>(p * blocks) * int8RecordBytes(job.w->type));
}

}  // namespace

void int8QuantsAt(const WeightView& w, int64_t row, int64_t b, Int8BlockQuants* out) {
  if (w.interleaved == nullptr) {
    quantsAt(w.type, w.data + static_cast<size_t>(row) * w.rowBytes, b, out);
    return;
  }
  // the row's own block, rebuilt from the interleaved layout (a Q4_K super-block holds 8 blocks of 32)
  const int64_t perBlock = interleavedBlockElements(w.type) / kInt8BlockElements;
  uint8_t block[256];
  interleavedRowBlock(w, row, b / perBlock, block);
  quantsAt(w.type, block, b % perBlock, out);
}

bool isInt8Type(int32_t type) {
  switch (type) {
    case kTypeQ8_0: case kTypeQ4_0: case kTypeQ5_0: case kTypeQ4_1: case kTypeQ5_1: case kTypeQ4_K: case kTypeQ5_K:
    case kTypeQ6_K: case kTypeQ3_K: case kTypeIQ4_NL: case kTypeIQ4_XS: case kTypeQ2_K:
      return true;
    default:
      return false;
  }
}

bool usesInt8Panels(int32_t type, int32_t precision) { return precision == kPrecisionInt8 && isInt8Type(type); }

size_t int8PanelBytes(int32_t type, int64_t rows, int64_t cols) {
  const size_t panels = static_cast<size_t>((rows + kInt8PanelColumns - 1) / kInt8PanelColumns);
  return panels * static_cast<size_t>(cols / kInt8BlockElements) * static_cast<size_t>(int8RecordBytes(type));
}

void packInt8Records(const WeightView& w, int64_t panel, int64_t block0, int64_t blocks, uint8_t* dst) {
  const size_t recordBytes = static_cast<size_t>(int8RecordBytes(w.type));
  const bool mins = int8HasMins(w.type), halfMins = int8HasHalfMins(w.type);
  const int subBlocks = int8SubBlocks(w.type), subElements = kInt8BlockElements / subBlocks;
  const int correctionOffset = int8CorrectionOffset(w.type), minsOffset = int8MinsOffset(w.type);
  const int64_t first = panel * kInt8PanelColumns;
  const int64_t columns = w.rows - first < kInt8PanelColumns ? w.rows - first : kInt8PanelColumns;
  uint8_t* record = dst;
  std::memset(record, 0, static_cast<size_t>(blocks) * recordBytes);
  for (int64_t b = block0; b < block0 + blocks; ++b, record += recordBytes) {
    for (int64_t c = 0; c < columns; ++c) {
      Quants quants;
      int8QuantsAt(w, first + c, b, &quants);
      for (int h = 0; h < subBlocks; ++h) {
        int32_t sum = 0;
        for (int k = h * subElements; k < (h + 1) * subElements; ++k) {
          record[((k / 4) * kInt8PanelColumns + c) * 4 + k % 4] = static_cast<uint8_t>(quants.q[k]);
          sum += quants.q[k];
        }
        const int32_t correction = -128 * sum;
        std::memcpy(record + kInt8ScalesOffset + 4 * (h * kInt8PanelColumns + c), &quants.d[h], 4);
        std::memcpy(record + correctionOffset + 4 * (h * kInt8PanelColumns + c), &correction, 4);
      }
      if (mins) std::memcpy(record + minsOffset + 4 * c, &quants.min, 4);
      if (halfMins) {
        const float tail[3] = {quants.halfMins[0], quants.halfMins[1], quants.dmin};
        for (int i = 0; i < 3; ++i) std::memcpy(record + minsOffset + 4 * (i * kInt8PanelColumns + c), &tail[i], 4);
      }
    }
  }
}

void packInt8Panels(const WeightView& w, uint8_t* dst) {
  PackJob job{&w, dst};
  parallelFor((w.rows + kInt8PanelColumns - 1) / kInt8PanelColumns, packPanel, &job);
}

}  // namespace fastfill
