// Weight panels: the layouts the GEMM reads weights in, packed once when a Weight is created.
// Panel p holds weight rows (outputs) [32p, 32p + 32); rows past the last are zeros.
//
//   kPrecisionF32 ("native" panels, F32/F16/BF16 weights): element k of the 32 rows side by side,
//     at k * 32 + c, in the weight's own type; as many bytes as the weights themselves.
//   kPrecisionBf16 ("pair" panels, F32/F16/BF16 and Q8_0 weights): K in pairs (k = 2q + h,
//     zero-padded to an even count), at (q * 32 + c) * 2 + h, as bf16 rounded to nearest even (Q8_0:
//     of the F32 value q * d, as decoding gives it): the vdpbf16ps layout (and the AMX B-tile layout,
//     16 columns per 64-byte row); 2 bytes per weight. Q8_0's are read by the GEMM only (8 rows or
//     more); fewer rows read its blocks, exactly.
//   kPrecisionInt8: the int8 types (common/int8_panels.h) get int8 panels when the caller stores them
//     (else the int8 GEMM packs their records as it goes); F32/F16/BF16 get the native panels of kPrecisionF32.
// Other block-quantized types have no panels: the GEMM decodes them tile by tile.
#pragma once
#include "common/half_float.h"
#include <cstddef>
#include <cstdint>

#include "common/kernel_args.h"

namespace fastfill {

constexpr int kPanelColumns = 32;

// True for the F32, F16 and BF16 types (at either precision).
bool isPanelType(int32_t type);

// True when a weight of `type` has panels at `precision`: the panel types, the int8 types at
// kPrecisionInt8 (common/int8_panels.h) and Q8_0 at kPrecisionBf16.
bool hasPanels(int32_t type, int32_t precision);

// Bytes of the panels of a rows x cols weight at `precision`; 0 when the type has none there.
size_t panelBytes(int32_t type, int64_t rows, int64_t cols, int32_t precision);

// Writes the panels of w (a panel type) to dst (panelBytes(...) bytes), on the thread pool.
void packPanels(const WeightView& w, int32_t precision, uint8_t* dst);

}  // namespace fastfill
