// The int8 GEMM's records (common/int8_panels.h) packed from interleaved blocks (common/interleaved_blocks.h)
// with AVX2, at every level that has it: group block chunk j of the panel's 4 groups is already record
// group j (Q8_0) or, as low and high nibbles (with Q5_0's fifth bits) minus the offset, record groups j and
// 4 + j (Q4_0, Q5_0), 8 columns each (Q4_K: the nibble chunks of the sub-block's pair, gemv_interleaved_q4k.h);
// no transpose. Byte for byte common/int8_panels.cc's records (packInt8Records reads the same layout).
#pragma once
#include "common/int8_panels.h"
#include "common/interleaved_blocks.h"
#include "kernels/gemv_interleaved_q4k.h"
#include "kernels/level_common.h"

#ifdef __AVX2__
namespace fastfill {
namespace FASTFILL_LEVEL {

// Records of K blocks [block0, block0 + blocks) of one panel of w (interleaved Q4_0, Q5_0, Q8_0 or Q4_K) into dst.
inline void packInterleavedRun(const WeightView& w, int64_t panel, int64_t block0, int64_t blocks, uint8_t* dst) {
  constexpr int kSets = kInt8PanelColumns / kInterleavedRows;
  const int64_t groups = interleavedGroups(w.rows);
  const int64_t recordBytes = int8RecordBytes(w.type);
  const int correctionOffset = int8CorrectionOffset(w.type);
  const bool q8 = w.type == kTypeQ8_0, q5 = w.type == kTypeQ5_0, q4k = w.type == kTypeQ4_K;
  const int64_t perBlock = interleavedBlockElements(w.type) / kInt8BlockElements;
  const __m256i offset = _mm256_set1_epi8(q5 ? 16 : 8);
  __m256i valid[kSets];
  for (int set = 0; set < kSets; ++set) {
    const int64_t first = panel * kInt8PanelColumns + set * kInterleavedRows;
    const __m256i column = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    valid[set] = _mm256_cmpgt_epi32(_mm256_set1_epi32(static_cast<int32_t>(minI64(kInterleavedRows, maxI64(0, w.rows - first)))), column);
  }
  const __m256i nibble = _mm256_set1_epi8(0x0F);
  for (int64_t b = block0; b < block0 + blocks; ++b) {
    uint8_t* record = dst + static_cast<size_t>((b - block0) * recordBytes);
    for (int set = 0; set < kSets; ++set) {
      const int64_t group = panel * kSets + set;
      __m256i quants[8];
      __m256 scales = _mm256_setzero_ps(), mins = _mm256_setzero_ps();
      if (group < groups && q4k) {
        const uint8_t* source = interleavedBlock(w, group, b / perBlock);
        const int s = static_cast<int>(b % perBlock);
        q4kSubBlockNibbles(source, s, quants);
        q4kSubBlockScales(source, s, scales, mins);
        scales = _mm256_and_ps(_mm256_castsi256_ps(valid[set]), scales);
        mins = _mm256_and_ps(_mm256_castsi256_ps(valid[set]), mins);
      } else if (group < groups) {
        const uint8_t* source = interleavedBlock(w, group, b);
        const uint8_t* chunks = source + interleavedQuantsOffset(w.type);
        if (q8) {
          for (int g = 0; g < 8; ++g) quants[g] = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(chunks + g * kInterleavedChunkBytes));
        } else {
          const __m256i fifth = q5 ? _mm256_loadu_si256(reinterpret_cast<const __m256i*>(source + kInterleavedScaleBytes))
                                   : _mm256_setzero_si256();
          for (int j = 0; j < 4; ++j) {
            const __m256i chunk = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(chunks + j * kInterleavedChunkBytes));
            // Q5_0: bit j (low nibbles) or 4 + j (high) of each fifth-bit byte, moved to bit 4 (gemv_interleaved.h)
            const __m256i lowBit = _mm256_slli_epi16(_mm256_and_si256(fifth, _mm256_set1_epi8(static_cast<char>(1 << j))), 4 - j);
            const __m256i highBit = _mm256_srli_epi16(_mm256_and_si256(fifth, _mm256_set1_epi8(static_cast<char>(16 << j))), j);
            quants[j] = _mm256_sub_epi8(_mm256_or_si256(_mm256_and_si256(chunk, nibble), lowBit), offset);
            quants[4 + j] = _mm256_sub_epi8(_mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(chunk, 4), nibble), highBit), offset);
          }
        }
        scales = _mm256_and_ps(_mm256_castsi256_ps(valid[set]), _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(source))));
      } else {
        for (__m256i& q : quants) q = _mm256_setzero_si256();
      }
      __m256i sums = _mm256_setzero_si256();
      for (int g = 0; g < 8; ++g) {
        const __m256i q = _mm256_and_si256(valid[set], quants[g]);
        _mm256_storeu_si256(reinterpret_cast<__m256i*>(record + g * 128 + set * 32), q);
        sums = _mm256_add_epi32(sums, _mm256_madd_epi16(_mm256_maddubs_epi16(_mm256_set1_epi8(1), q), _mm256_set1_epi16(1)));
      }
      _mm256_storeu_ps(reinterpret_cast<float*>(record + kInt8ScalesOffset + set * 32), scales);
      if (q4k) _mm256_storeu_ps(reinterpret_cast<float*>(record + int8MinsOffset(kTypeQ4_K) + set * 32), mins);
      const __m256i correction = _mm256_sub_epi32(_mm256_setzero_si256(), _mm256_slli_epi32(sums, 7));
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(record + correctionOffset + set * 32), correction);
    }
  }
}

}  // namespace FASTFILL_LEVEL
}  // namespace fastfill
#endif  // __AVX2__
