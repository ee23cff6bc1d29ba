// matmul and getRows: weight matrices of any compute type.
#include <sys/mman.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "bindings/bindings.h"
#include "bindings/js_args.h"
#include "common/ggml_types.h"
#include "common/int8_panels.h"
#include "common/interleaved_blocks.h"
#include "common/weight_panels.h"
#include "cpu/dispatch.h"

namespace fastfill {
namespace {

// Reads (data: Uint8Array, type, rows, cols) at argument `first` onwards into a checked view.
WeightView readWeight(JsArgs& args, size_t first) {
  WeightView w{};
  w.type = static_cast<int32_t>(args.integer(first + 1, "type", 0, 255));
  w.rows = args.integer(first + 2, "rows", 0, kMaxDim);
  w.cols = args.integer(first + 3, "cols", 1, kMaxDim);
  if (!args.ok()) return w;
  const BlockLayout layout = computeBlockLayout(w.type);
  if (layout.elements == 0) {
    args.fail("weight type " + std::to_string(w.type) + " is not a compute type");
    return w;
  }
  if (w.cols % layout.elements != 0) {
    args.fail("cols " + std::to_string(w.cols) + " is not a multiple of the block size " +
              std::to_string(layout.elements));
    return w;
  }
  w.rowBytes = computeRowBytes(w.type, w.cols);
  w.data = args.bytes(first, "weight data", args.product(w.rows, static_cast<int64_t>(w.rowBytes), "weight size"));
  return w;
}

// The optional precision argument at `index` (undefined: kPrecisionF32).
int32_t readPrecision(JsArgs& args, const Napi::CallbackInfo& info, size_t index) {
  if (info[index].IsUndefined()) return kPrecisionF32;
  return static_cast<int32_t>(args.integer(index, "precision", kPrecisionF32, kPrecisionInt8));
}

// Panel layouts the bindings take: the precision's own panels (common/weight_panels.h), or interleaved
// blocks (common/interleaved_blocks.h: its types at kPrecisionInt8).
constexpr int32_t kLayoutPanels = 0;
constexpr int32_t kLayoutInterleaved = 1;

// The optional layout argument at `index` (undefined: kLayoutPanels), checked against the type and precision.
int32_t readLayout(JsArgs& args, const Napi::CallbackInfo& info, size_t index, int32_t type, int32_t precision) {
  if (info[index].IsUndefined()) return kLayoutPanels;
  const int32_t layout = static_cast<int32_t>(args.integer(index, "layout", kLayoutPanels, kLayoutInterleaved));
  if (args.ok() && layout == kLayoutInterleaved && (!isInterleavedType(type) || precision != kPrecisionInt8)) {
    args.fail("weight type " + std::to_string(type) + " at precision " + std::to_string(precision) +
              " has no interleaved layout (Q4_0, Q5_0, Q8_0, IQ4_NL, Q4_K, Q5_K, Q6_K, Q2_K, Q3_K and IQ4_XS at int8 only)");
  }
  return layout;
}

size_t layoutBytes(int32_t type, int64_t rows, int64_t cols, int32_t precision, int32_t layout) {
  return layout == kLayoutInterleaved ? interleavedBytes(type, rows, cols) : panelBytes(type, rows, cols, precision);
}

// The optional panels argument at `index` (null/undefined: none): exactly the layout's bytes, 4-byte
// aligned, of a type with panels at w.precision in that layout; sets w.panels or w.interleaved.
void readPanels(JsArgs& args, const Napi::CallbackInfo& info, size_t index, int32_t layout, WeightView& w) {
  const Napi::Value value = info[index];
  if (!args.ok() || value.IsNull() || value.IsUndefined()) return;
  if (layout == kLayoutPanels && !hasPanels(w.type, w.precision)) {
    args.fail("weight type " + std::to_string(w.type) + " has no panels at precision " + std::to_string(w.precision));
    return;
  }
  const int64_t bytes = static_cast<int64_t>(layoutBytes(w.type, w.rows, w.cols, w.precision, layout));
  const uint8_t* panels = args.bytes(index, "panels", bytes);
  if (panels != nullptr && reinterpret_cast<uintptr_t>(panels) % 4 != 0) {
    args.fail("panels must be 4-byte aligned");
    return;
  }
  if (layout == kLayoutInterleaved) w.interleaved = panels;
  else w.panels = panels;
}

// Maps in the page tables of a weight about to be packed with one system call: read through page
// faults, a mapped file arrives in 4 KiB pages at ~20 us a fault on these VMs, which made packing
// at load about 1 GB/s. Advice only (older kernels lack it, and the bytes stay readable anyway).
void prefaultForReading(const uint8_t* data, size_t bytes) {
#ifdef MADV_POPULATE_READ
  const uintptr_t page = static_cast<uintptr_t>(sysconf(_SC_PAGESIZE));
  const uintptr_t first = reinterpret_cast<uintptr_t>(data) / page * page;
  const uintptr_t end = reinterpret_cast<uintptr_t>(data) + bytes;
  if (bytes > 0) madvise(reinterpret_cast<void*>(first), end - first, MADV_POPULATE_READ);
#else
  (void)data;
  (void)bytes;
#endif
}

// matmul(x, m, data, type, rows, cols, out, bias | null, panels?, precision?, gate?, layout?): with a gate
// (m x cols floats), the input rows are silu(gate) * x; layout says what panels hold (kLayoutPanels).
Napi::Value Matmul(const Napi::CallbackInfo& info) {
  JsArgs args(info, "matmul");
  WeightView w = readWeight(args, 2);
  w.precision = readPrecision(args, info, 9);
  readPanels(args, info, 8, readLayout(args, info, 11, w.type, w.precision), w);
  const int64_t m = args.integer(1, "m", 0, kMaxDim);
  const float* x = args.floats(0, "x", args.product(m, w.cols, "m*cols"));
  float* out = args.floats(6, "out", args.product(m, w.rows, "m*rows"));
  const float* bias = args.optionalFloats(7, "bias", w.rows);
  const float* gate = args.optionalFloats(10, "gate", args.product(m, w.cols, "m*cols"));
  if (args.ok()) activeKernels().matmul(MatmulArgs{x, m, w, bias, out, gate});
  return args.finish();
}

// matmulGroup(x, m, then per part: data, type, rows, cols, out, bias | null, panels | null, precision,
// layout): 1..8 parts of the same cols.
Napi::Value MatmulGroup(const Napi::CallbackInfo& info) {
  JsArgs args(info, "matmulGroup");
  constexpr size_t kPartArgs = 9;
  const size_t count = info.Length() < 2 ? 0 : (info.Length() - 2) / kPartArgs;
  if (info.Length() < 2 + kPartArgs || (info.Length() - 2) % kPartArgs != 0 || count > 8) {
    args.fail("expected x, m and 1 to 8 parts of 9 arguments each");
    return args.finish();
  }
  const int64_t m = args.integer(1, "m", 0, kMaxDim);
  std::vector<MatmulArgs> parts(count);
  for (size_t i = 0; i < count && args.ok(); ++i) {
    const size_t first = 2 + i * kPartArgs;
    WeightView w = readWeight(args, first);
    w.precision = readPrecision(args, info, first + 7);
    readPanels(args, info, first + 6, readLayout(args, info, first + 8, w.type, w.precision), w);
    if (args.ok() && i > 0 && w.cols != parts[0].w.cols) {
      args.fail("part " + std::to_string(i) + " has " + std::to_string(w.cols) + " cols, part 0 has " +
                std::to_string(parts[0].w.cols));
    }
    float* out = args.floats(first + 4, "out", args.product(m, w.rows, "m*rows"));
    const float* bias = args.optionalFloats(first + 5, "bias", w.rows);
    parts[i] = MatmulArgs{nullptr, m, w, bias, out};
  }
  const float* x = args.ok() ? args.floats(0, "x", args.product(m, parts[0].w.cols, "m*cols")) : nullptr;
  if (!args.ok()) return args.finish();
  for (MatmulArgs& part : parts) part.x = x;
  activeKernels().matmulGroup(MatmulGroupArgs{parts.data(), static_cast<int>(count)});
  return args.finish();
}

// getRows(data, type, rows, cols, ids, out, panels?, precision?, layout?): with the weight's panels, rows whose
// values a packed copy holds exactly are decoded from it (kernels/dequantize.h: decodeRow), so the file pages that
// packing released are not read back; the others from data.
Napi::Value GetRows(const Napi::CallbackInfo& info) {
  JsArgs args(info, "getRows");
  WeightView w = readWeight(args, 0);
  w.precision = readPrecision(args, info, 7);
  readPanels(args, info, 6, readLayout(args, info, 8, w.type, w.precision), w);
  const std::vector<int32_t> idList = args.indexList(4, "ids");
  const int32_t* ids = idList.data();
  const int64_t count = static_cast<int64_t>(idList.size());
  float* out = args.floats(5, "out", args.product(count, w.cols, "ids.length*cols"));
  for (int64_t i = 0; args.ok() && i < count; ++i) {
    if (ids[i] < 0 || ids[i] >= w.rows)
      args.fail("ids[" + std::to_string(i) + "] = " + std::to_string(ids[i]) + " is outside [0, " +
                std::to_string(w.rows) + ")");
  }
  if (args.ok()) activeKernels().getRows(GetRowsArgs{w, ids, count, out});
  return args.finish();
}

// panelBytes(type, rows, cols, precision, layout?): bytes of the weight's panels in the layout (0: the type
// has none there).
Napi::Value PanelBytes(const Napi::CallbackInfo& info) {
  JsArgs args(info, "panelBytes");
  const int32_t type = static_cast<int32_t>(args.integer(0, "type", 0, 255));
  const int64_t rows = args.integer(1, "rows", 0, kMaxDim);
  const int64_t cols = args.integer(2, "cols", 1, kMaxDim);
  const int32_t precision = static_cast<int32_t>(args.integer(3, "precision", kPrecisionF32, kPrecisionInt8));
  if (args.ok() && computeBlockLayout(type).elements == 0) args.fail("weight type " + std::to_string(type) + " is not a compute type");
  const int32_t layout = args.ok() ? readLayout(args, info, 4, type, precision) : kLayoutPanels;
  if (!args.ok()) return args.finish();
  return Napi::Number::New(info.Env(), static_cast<double>(layoutBytes(type, rows, cols, precision, layout)));
}

// packWeight(data, type, rows, cols, precision, dest, layout?): writes the weight's panels in the layout to
// dest, a 64-byte aligned Uint8Array of exactly panelBytes bytes (a piece of a PanelArena: native
// zero-on-touch memory with huge pages, io/anonymous_memory.h).
Napi::Value PackWeight(const Napi::CallbackInfo& info) {
  JsArgs args(info, "packWeight");
  WeightView w = readWeight(args, 0);
  w.precision = readPrecision(args, info, 4);
  const int32_t layout = args.ok() ? readLayout(args, info, 6, w.type, w.precision) : kLayoutPanels;
  if (!args.ok()) return args.finish();
  const size_t bytes = layoutBytes(w.type, w.rows, w.cols, w.precision, layout);
  uint8_t* dest = const_cast<uint8_t*>(args.bytes(5, "dest", static_cast<int64_t>(bytes)));
  if (dest != nullptr && reinterpret_cast<uintptr_t>(dest) % 64 != 0) args.fail("dest must be 64-byte aligned");
  if (args.ok() && bytes > 0) {
    prefaultForReading(w.data, static_cast<size_t>(w.rows) * w.rowBytes);
    if (layout == kLayoutInterleaved) packInterleaved(w, dest);
    else packPanels(w, w.precision, dest);
  }
  return args.finish();
}

}  // namespace

void registerLinear(Napi::Env env, Napi::Object exports) {
  exports.Set("packWeight", Napi::Function::New(env, PackWeight, "packWeight"));
  exports.Set("panelBytes", Napi::Function::New(env, PanelBytes, "panelBytes"));
  exports.Set("matmul", Napi::Function::New(env, Matmul, "matmul"));
  exports.Set("matmulGroup", Napi::Function::New(env, MatmulGroup, "matmulGroup"));
  exports.Set("getRows", Napi::Function::New(env, GetRows, "getRows"));
}

}  // namespace fastfill
