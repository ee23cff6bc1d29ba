// The tile unit's own rates on this machine, single thread, to tell the GEMM's losses apart: TDPBF16PS with
// nothing loaded between them, then the GEMM's 2 x 2 step (two A and two B tile loads, four TDPBF16PS) with
// its operands in L1, with A streaming from L2, and with both streaming from L2.
#include "amx_peak.h"

#include <chrono>
#include <cstdint>
#include <cstring>
#include <vector>

#if defined(__AMX_BF16__) && !defined(FASTFILL_AMX_EMULATION)
#include <immintrin.h>
#define AMX_PEAK_TILES 1
#endif

namespace amxcheck {

#ifdef AMX_PEAK_TILES
namespace {

struct PeakTileConfig {
  uint8_t palette, startRow, reserved[14];
  uint16_t bytesPerRow[16];
  uint8_t rows[16];
};

void configure() {
  PeakTileConfig config;
  std::memset(&config, 0, sizeof(config));
  config.palette = 1;
  for (int t = 0; t < 8; ++t) {
    config.bytesPerRow[t] = 64;
    config.rows[t] = 16;
  }
  _tile_loadconfig(&config);
}

void zeroTiles0To3() {  // tile numbers must be constants, hence no loop
  _tile_zero(0);
  _tile_zero(1);
  _tile_zero(2);
  _tile_zero(3);
}

// Steps of the 2 x 2 scheme: A steps of 2 KB from `a` (wrapping after aBytes), B steps of 2 KB (two tiles
// interleaved with a 128-byte row stride, as the pair panels) from `b` (wrapping after bBytes). The GEMM's
// order B0 B1 A0 C00 C01 A1 C10 C11, or with kAFirst A0 B0 C00 B1 C01 A1 C10 C11.
template <bool kAFirst>
double stepLoop(const uint8_t* a, int64_t aBytes, const uint8_t* b, int64_t bBytes, int64_t steps) {
  zeroTiles0To3();
  const auto start = std::chrono::steady_clock::now();
  int64_t ao = 0, bo = 0;
  for (int64_t s = 0; s < steps; ++s) {
    if constexpr (kAFirst) {
      _tile_loadd(4, a + ao, 64);
      _tile_loadd(6, b + bo, 128);
      _tile_dpbf16ps(0, 4, 6);
      _tile_loadd(7, b + bo + 64, 128);
      _tile_dpbf16ps(1, 4, 7);
    } else {
      _tile_loadd(6, b + bo, 128);
      _tile_loadd(7, b + bo + 64, 128);
      _tile_loadd(4, a + ao, 64);
      _tile_dpbf16ps(0, 4, 6);
      _tile_dpbf16ps(1, 4, 7);
    }
    _tile_loadd(5, a + ao + 1024, 64);
    _tile_dpbf16ps(2, 5, 6);
    _tile_dpbf16ps(3, 5, 7);
    ao = ao + 2048 == aBytes ? 0 : ao + 2048;
    bo = bo + 2048 == bBytes ? 0 : bo + 2048;
  }
  float sink[256];
  _tile_stored(0, sink, 64);
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// C 16 rows x 32 columns in tiles 0-1; A and B double-buffered (A in 2 / 3, B in 4-5 / 6-7), so each load
// goes to a tile last read a whole step earlier: 3 loads per 2 TDPBF16PS. Steps counted as half of a 2x2
// step's flops each.
double doubleBufferedLoop(const uint8_t* a, const uint8_t* b, int64_t steps) {
  _tile_zero(0);
  _tile_zero(1);
  const auto start = std::chrono::steady_clock::now();
  int64_t o = 0;
  for (int64_t s = 0; s < steps; s += 2) {
    _tile_loadd(2, a + o, 64);
    _tile_loadd(4, b + o, 128);
    _tile_loadd(5, b + o + 64, 128);
    _tile_dpbf16ps(0, 2, 4);
    _tile_dpbf16ps(1, 2, 5);
    _tile_loadd(3, a + o + 1024, 64);
    _tile_loadd(6, b + o + 2048, 128);
    _tile_loadd(7, b + o + 2048 + 64, 128);
    _tile_dpbf16ps(0, 3, 6);
    _tile_dpbf16ps(1, 3, 7);
    o = o + 4096 == 16384 ? 0 : o + 4096;
  }
  float sink[256];
  _tile_stored(0, sink, 64);
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() * 2;
}

// TDPBF16PS on six C tiles (0-5) from A 6 and B 7: six independent chains instead of four.
double tdpSixChains(int64_t steps, const uint8_t* data) {
  _tile_loadd(6, data, 64);
  _tile_loadd(7, data + 1024, 64);
  zeroTiles0To3();
  _tile_zero(4);
  _tile_zero(5);
  const auto start = std::chrono::steady_clock::now();
  for (int64_t s = 0; s < steps; s += 3) {  // 12 TDPBF16PS per iteration: 3 steps of 4
    for (int twice = 0; twice < 2; ++twice) {
      _tile_dpbf16ps(0, 6, 7);
      _tile_dpbf16ps(1, 6, 7);
      _tile_dpbf16ps(2, 6, 7);
      _tile_dpbf16ps(3, 6, 7);
      _tile_dpbf16ps(4, 6, 7);
      _tile_dpbf16ps(5, 6, 7);
    }
  }
  float sink[256];
  _tile_stored(0, sink, 64);
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

double tdpOnly(int64_t steps, const uint8_t* data) {
  _tile_loadd(4, data, 64);
  _tile_loadd(5, data + 1024, 64);
  _tile_loadd(6, data + 2048, 64);
  _tile_loadd(7, data + 3072, 64);
  zeroTiles0To3();
  const auto start = std::chrono::steady_clock::now();
  for (int64_t s = 0; s < steps; ++s) {
    _tile_dpbf16ps(0, 4, 6);
    _tile_dpbf16ps(1, 4, 7);
    _tile_dpbf16ps(2, 5, 6);
    _tile_dpbf16ps(3, 5, 7);
  }
  float sink[256];
  _tile_stored(0, sink, 64);
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

std::vector<PeakRate> measureAmxPeak() {
  configure();
  std::vector<uint8_t> a(1 << 20), b(1 << 20);  // 1 MB each of bf16 2^-7 (0x3c00): sums stay finite
  for (size_t i = 0; i < a.size(); i += 2) {
    a[i] = 0;
    a[i + 1] = 0x3c;
    b[i] = 0;
    b[i + 1] = 0x3c;
  }
  constexpr int64_t kSteps = 200000;
  constexpr double kStepFlops = 4.0 * 16 * 16 * 32 * 2;
  std::vector<PeakRate> rates;
  auto add = [&](const char* name, double seconds) { rates.push_back({name, kSteps * kStepFlops / seconds * 1e-9}); };
  tdpOnly(kSteps / 10, a.data());  // warm-up (the tile unit's power state)
  add("TDPBF16PS only (4 C tiles, nothing loaded)", tdpOnly(kSteps, a.data()));
  add("TDPBF16PS only (6 C tiles, nothing loaded)", tdpSixChains(kSteps, a.data()));
  add("2x2 step, A and B the same 2 KB each (L1)", stepLoop<false>(a.data(), 2048, b.data(), 2048, kSteps));
  add("2x2 step A-first, A 16 KB and B 16 KB (L1)", stepLoop<true>(a.data(), 16384, b.data(), 16384, kSteps));
  add("1x2 double-buffered, A and B 16 KB (L1)", doubleBufferedLoop(a.data(), b.data(), kSteps));
  add("2x2 step, A 16 KB and B 16 KB (L1)", stepLoop<false>(a.data(), 16384, b.data(), 16384, kSteps));
  add("2x2 step, A 1 MB (L2) and B 16 KB (L1)", stepLoop<false>(a.data(), 1 << 20, b.data(), 16384, kSteps));
  add("2x2 step, A 16 KB (L1) and B 1 MB (L2)", stepLoop<false>(a.data(), 16384, b.data(), 1 << 20, kSteps));
  add("2x2 step, A 1 MB and B 1 MB (L2)", stepLoop<false>(a.data(), 1 << 20, b.data(), 1 << 20, kSteps));
  _tile_release();
  return rates;
}

#else

std::vector<PeakRate> measureAmxPeak() { return {}; }

#endif

}  // namespace amxcheck
