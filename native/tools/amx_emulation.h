// A software stand-in for the AMX instructions that kernels/gemm_amx.h uses, for the emulated build
// of amx_check only (build_amx_check.sh with AMX_EMULATION=1, which defines FASTFILL_AMX_EMULATION):
// it lets a machine without AMX run the amx level's tile code, so the tile layouts, the padding of
// the last K pairs, the partial tiles and the per-thread configuration are checked against the
// float64 references before a borrowed AMX machine runs the real instructions. It follows the
// instruction set reference: palette 1, 8 tiles of at most 16 rows x 64 bytes, TDPBF16PS
// C[m][n] += sum over pairs p of A[m][2p] B[p][2n] + A[m][2p+1] B[p][2n+1] (bf16 products in F32);
// a configuration or shape the hardware would fault on aborts with a message instead.
#pragma once
#include <math.h>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace fastfill {
namespace FASTFILL_LEVEL {

struct EmulatedTiles {
  alignas(64) uint8_t data[8][16 * 64];
  int rows[8];
  int bytesPerRow[8];
  bool configured;
};

inline thread_local EmulatedTiles emulatedTiles;

[[noreturn]] inline void emulatedFault(const char* what, int tile) {
  std::fprintf(stderr, "amx emulation: %s (tile %d): the hardware would fault here\n", what, tile);
  std::abort();
}

// The 64-byte configuration: byte 0 palette, bytes 16 + 2t the bytes per row of tile t, byte 48 + t its rows.
inline void emulatedLoadConfig(const void* config) {
  const uint8_t* c = static_cast<const uint8_t*>(config);
  if (c[0] != 1) emulatedFault("palette is not 1", -1);
  for (int t = 0; t < 8; ++t) {
    const int bytes = c[16 + 2 * t] | (c[17 + 2 * t] << 8), rows = c[48 + t];
    if (bytes > 64 || rows > 16 || bytes % 4 != 0) emulatedFault("tile shape past 16 rows x 64 bytes", t);
    emulatedTiles.bytesPerRow[t] = bytes;
    emulatedTiles.rows[t] = rows;
  }
  emulatedTiles.configured = true;
}

inline void emulatedCheck(int t) {
  if (!emulatedTiles.configured) emulatedFault("tile used before this thread loaded a configuration", t);
  if (t < 0 || t > 7 || emulatedTiles.rows[t] == 0) emulatedFault("tile is not configured", t);
}

inline void emulatedLoad(int t, const void* base, int64_t stride) {
  emulatedCheck(t);
  std::memset(emulatedTiles.data[t], 0, sizeof(emulatedTiles.data[t]));
  for (int r = 0; r < emulatedTiles.rows[t]; ++r) {
    std::memcpy(emulatedTiles.data[t] + 64 * r, static_cast<const uint8_t*>(base) + r * stride,
                static_cast<size_t>(emulatedTiles.bytesPerRow[t]));
  }
}

inline void emulatedStore(int t, void* base, int64_t stride) {
  emulatedCheck(t);
  for (int r = 0; r < emulatedTiles.rows[t]; ++r) {
    std::memcpy(static_cast<uint8_t*>(base) + r * stride, emulatedTiles.data[t] + 64 * r,
                static_cast<size_t>(emulatedTiles.bytesPerRow[t]));
  }
}

inline void emulatedZero(int t) {
  emulatedCheck(t);
  std::memset(emulatedTiles.data[t], 0, sizeof(emulatedTiles.data[t]));
}

// The shapes of a dot-product instruction's tiles, checked as the hardware does: C is m x n 4-byte
// elements, A m rows of `groups` 4-byte groups (bf16 pairs or int8 quads), B `groups` rows of C's width.
struct EmulatedShape {
  int m, n, groups;
};

inline EmulatedShape emulatedDotShape(int c, int a, int b) {
  emulatedCheck(c);
  emulatedCheck(a);
  emulatedCheck(b);
  const EmulatedTiles& e = emulatedTiles;
  const EmulatedShape shape{e.rows[c], e.bytesPerRow[c] / 4, e.bytesPerRow[a] / 4};
  if (e.rows[a] != shape.m) emulatedFault("A rows differ from C rows", a);
  if (e.rows[b] != shape.groups) emulatedFault("B rows differ from the 4-byte groups in a row of A", b);
  if (e.bytesPerRow[b] != e.bytesPerRow[c]) emulatedFault("B bytes per row differ from C's", b);
  return shape;
}

// TDPBUSD: C[m][n] (int32) += sum over groups p of 4 of u8(A[m][4p + i]) * s8(B[p][4n + i]).
inline void emulatedDpbusd(int c, int a, int b) {
  const auto [m, n, groups] = emulatedDotShape(c, a, b);
  const EmulatedTiles& e = emulatedTiles;
  for (int i = 0; i < m; ++i) {
    int32_t* out = reinterpret_cast<int32_t*>(emulatedTiles.data[c] + 64 * i);
    for (int j = 0; j < n; ++j) {
      for (int p = 0; p < groups; ++p) {
        for (int q = 0; q < 4; ++q) {
          out[j] += static_cast<int32_t>(e.data[a][64 * i + 4 * p + q]) * static_cast<int8_t>(e.data[b][64 * p + 4 * j + q]);
        }
      }
    }
  }
}

inline float emulatedBf16(const uint8_t* p) {
  const uint32_t bits = static_cast<uint32_t>(p[0] | (p[1] << 8)) << 16;
  float v;
  std::memcpy(&v, &bits, 4);
  return v;
}

inline void emulatedDpbf16ps(int c, int a, int b) {
  const auto [m, n, pairs] = emulatedDotShape(c, a, b);
  const EmulatedTiles& e = emulatedTiles;
  for (int i = 0; i < m; ++i) {
    float* out = reinterpret_cast<float*>(emulatedTiles.data[c] + 64 * i);
    for (int j = 0; j < n; ++j) {
      float acc = out[j];
      for (int p = 0; p < pairs; ++p) {
        const uint8_t* x = e.data[a] + 64 * i + 4 * p;
        const uint8_t* y = e.data[b] + 64 * p + 4 * j;
        acc = fmaf(emulatedBf16(x), emulatedBf16(y), acc);
        acc = fmaf(emulatedBf16(x + 2), emulatedBf16(y + 2), acc);
      }
      out[j] = acc;
    }
  }
}

}  // namespace FASTFILL_LEVEL
}  // namespace fastfill

#undef _tile_loadconfig
#undef _tile_loadd
#undef _tile_stored
#undef _tile_dpbf16ps
#undef _tile_zero
#undef _tile_dpbusd
#define _tile_loadconfig(config) emulatedLoadConfig(config)
#define _tile_loadd(t, base, stride) emulatedLoad(t, base, stride)
#define _tile_stored(t, base, stride) emulatedStore(t, base, stride)
#define _tile_dpbf16ps(c, a, b) emulatedDpbf16ps(c, a, b)
#define _tile_zero(t) emulatedZero(t)
#define _tile_dpbusd(c, a, b) emulatedDpbusd(c, a, b)
