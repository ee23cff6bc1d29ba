// The int8 GEMM's records (common/int8_panels.h) packed from interleaved blocks (common/interleaved_blocks.h)
// with AVX2, at every level that has it: group block chunk j of the panel's 4 groups is already record
// group j (Q8_0) or, as low and high nibbles (with Q5_0's fifth bits) minus the offset (IQ4_NL: their levels),
// record groups j and 4 + j (Q4_0, Q5_0, IQ4_NL), 8 columns each; the 256-element types' sub-blocks decode as
// their GEMVs do (gemv_interleaved_q4k.h, gemv_interleaved_q6k.h, gemv_interleaved_q3k.h, gemv_interleaved_iq4.h,
// gemv_interleaved_q2k.h; Q2_K's quants times their half's integer scale in 16-bit lanes: both bytes' products
// stay below 256).
// No transpose. Byte for byte common/int8_panels.cc's
// records (packInt8Records reads the same layout).
#pragma once
#include "common/int8_panels.h"
#include "common/interleaved_blocks.h"
#include "kernels/gemv_interleaved_iq4.h"
#include "kernels/gemv_interleaved_q2k.h"
#include "kernels/gemv_interleaved_q3k.h"
#include "kernels/gemv_interleaved_q4k.h"
#include "kernels/gemv_interleaved_q6k.h"
#include "kernels/interleaved_nibbles.h"
#include "kernels/level_common.h"

#ifdef __AVX2__
namespace fastfill {
namespace FASTFILL_LEVEL {

// One group's 8 columns of a record: quants of groups 0-7, scales of the sub-blocks (Q6_K, Q3_K: 2), mins (Q4_K),
// half mins and dmin (Q2_K).
struct InterleavedSet {
  __m256i quants[8];
  __m256 scales[2], mins, halfMins[2], dmin;
};

// Q2_K's sub-block s: quants sc_h u, scale d, half mins m_2s, m_2s+1 and dmin.
inline void q2kSet(const uint8_t* source, int s, InterleavedSet& out) {
  const Q2KScalePairs pairs = q2kScalePairs(source, s);
  __m256i u[8];
  q2kSubBlockQuants(source, s, u);
  for (int g = 0; g < 8; ++g) out.quants[g] = _mm256_mullo_epi16(u[g], g < 4 ? pairs.first : pairs.second);
  out.scales[0] = pairs.d;
  out.halfMins[0] = _mm256_cvtepi32_ps(_mm256_and_si256(pairs.mins, _mm256_set1_epi32(0xFFFF)));
  out.halfMins[1] = _mm256_cvtepi32_ps(_mm256_srli_epi32(pairs.mins, 16));
  out.dmin = pairs.dmin;
}

// Q4_0 / Q5_0: the unsigned nibbles (interleaved_nibbles.h) minus the offset; Q4_1 / Q5_1: the nibbles and the mins.
template <int32_t kType>
inline void smallNibbleSet(const uint8_t* source, InterleavedSet& out) {
  smallBlockNibbles<kType>(source, out.quants);
  if constexpr (interleavedHasMins(kType)) {
    out.mins = _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(source + kInterleavedMinsOffset)));
  } else {
    const __m256i offset = _mm256_set1_epi8(kType == kTypeQ5_0 ? 16 : 8);
    for (__m256i& q : out.quants) q = _mm256_sub_epi8(q, offset);
  }
}

// K block b (of 32) of group `group`, unmasked.
inline void decodeInterleavedSet(const WeightView& w, int64_t group, int64_t b, InterleavedSet& out) {
  out.scales[1] = out.mins = out.halfMins[0] = out.halfMins[1] = out.dmin = _mm256_setzero_ps();
  if (interleavedBlockElements(w.type) == 256) {
    const uint8_t* source = interleavedBlock(w, group, b / 8);
    const int s = static_cast<int>(b % 8);
    if (w.type == kTypeQ4_K || w.type == kTypeQ5_K) {
      if (w.type == kTypeQ5_K) q45kSubBlockQuants<kTypeQ5_K>(source, s, out.quants);
      else q45kSubBlockQuants<kTypeQ4_K>(source, s, out.quants);
      q4kSubBlockScales(source, s, out.scales[0], out.mins);
    } else if (w.type == kTypeIQ4_XS) {
      iq4ChunkLevels(iq4xsChunks(source, s), out.quants);
      out.scales[0] = iq4xsBlockScales(source, s);
    } else if (w.type == kTypeQ2_K) {
      q2kSet(source, s, out);
    } else if (w.type == kTypeQ3_K) {
      q3kSubBlockQuants(source, s, out.quants);
      for (__m256i& q : out.quants) q = _mm256_sub_epi8(q, _mm256_set1_epi8(4));
      q3kSubBlockScales(source, s, out.scales[0], out.scales[1]);
    } else {
      q6kSubBlockQuants(source, s, out.quants);
      for (__m256i& q : out.quants) q = _mm256_sub_epi8(q, _mm256_set1_epi8(32));
      q6kSubBlockScales(source, s, out.scales[0], out.scales[1]);
    }
    return;
  }
  const uint8_t* source = interleavedBlock(w, group, b);
  if (w.type == kTypeQ8_0) {
    const uint8_t* chunks = source + interleavedQuantsOffset(kTypeQ8_0);
    for (int g = 0; g < 8; ++g) out.quants[g] = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(chunks + g * kInterleavedChunkBytes));
  } else if (w.type == kTypeIQ4_NL) {
    iq4ChunkLevels(source + interleavedQuantsOffset(kTypeIQ4_NL), out.quants);
  } else if (w.type == kTypeQ5_0) {
    smallNibbleSet<kTypeQ5_0>(source, out);
  } else if (w.type == kTypeQ4_1) {
    smallNibbleSet<kTypeQ4_1>(source, out);
  } else if (w.type == kTypeQ5_1) {
    smallNibbleSet<kTypeQ5_1>(source, out);
  } else {
    smallNibbleSet<kTypeQ4_0>(source, out);
  }
  out.scales[0] = _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(source)));
}

// Records of K blocks [block0, block0 + blocks) of one panel of w (interleaved) into dst.
inline void packInterleavedRun(const WeightView& w, int64_t panel, int64_t block0, int64_t blocks, uint8_t* dst) {
  constexpr int kSets = kInt8PanelColumns / kInterleavedRows;
  const int64_t groups = interleavedGroups(w.rows);
  const int64_t recordBytes = int8RecordBytes(w.type);
  const int subBlocks = int8SubBlocks(w.type);
  __m256i valid[kSets];
  for (int set = 0; set < kSets; ++set) {
    const int64_t first = panel * kInt8PanelColumns + set * kInterleavedRows;
    const __m256i column = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    valid[set] = _mm256_cmpgt_epi32(_mm256_set1_epi32(static_cast<int32_t>(minI64(kInterleavedRows, maxI64(0, w.rows - first)))), column);
  }
  for (int64_t b = block0; b < block0 + blocks; ++b) {
    uint8_t* record = dst + static_cast<size_t>((b - block0) * recordBytes);
    for (int set = 0; set < kSets; ++set) {
      const int64_t group = panel * kSets + set;
      InterleavedSet decoded;
      if (group < groups) {
        decodeInterleavedSet(w, group, b, decoded);
      } else {
        for (__m256i& q : decoded.quants) q = _mm256_setzero_si256();
        decoded.scales[0] = decoded.scales[1] = decoded.mins = decoded.halfMins[0] = decoded.halfMins[1] = decoded.dmin =
            _mm256_setzero_ps();
      }
      const __m256 validFloats = _mm256_castsi256_ps(valid[set]);
      __m256i sums[2] = {_mm256_setzero_si256(), _mm256_setzero_si256()};
      for (int g = 0; g < 8; ++g) {
        const __m256i q = _mm256_and_si256(valid[set], decoded.quants[g]);
        _mm256_storeu_si256(reinterpret_cast<__m256i*>(record + g * 128 + set * 32), q);
        const int sub = subBlocks == 2 && g >= 4 ? 1 : 0;
        sums[sub] = _mm256_add_epi32(sums[sub], _mm256_madd_epi16(_mm256_maddubs_epi16(_mm256_set1_epi8(1), q), _mm256_set1_epi16(1)));
      }
      for (int h = 0; h < subBlocks; ++h) {
        _mm256_storeu_ps(reinterpret_cast<float*>(record + kInt8ScalesOffset + h * 128 + set * 32), _mm256_and_ps(validFloats, decoded.scales[h]));
        const __m256i correction = _mm256_sub_epi32(_mm256_setzero_si256(), _mm256_slli_epi32(sums[h], 7));
        _mm256_storeu_si256(reinterpret_cast<__m256i*>(record + int8CorrectionOffset(w.type) + h * 128 + set * 32), correction);
      }
      if (int8HasMins(w.type)) {
        _mm256_storeu_ps(reinterpret_cast<float*>(record + int8MinsOffset(w.type) + set * 32), _mm256_and_ps(validFloats, decoded.mins));
      }
      if (int8HasHalfMins(w.type)) {
        const __m256 tail[3] = {decoded.halfMins[0], decoded.halfMins[1], decoded.dmin};
        for (int i = 0; i < 3; ++i) {
          _mm256_storeu_ps(reinterpret_cast<float*>(record + int8MinsOffset(w.type) + i * 128 + set * 32), _mm256_and_ps(validFloats, tail[i]));
        }
      }
    }
  }
}

}  // namespace FASTFILL_LEVEL
}  // namespace fastfill
#endif  // __AVX2__
