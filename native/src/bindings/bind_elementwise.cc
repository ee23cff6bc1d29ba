// rmsNorm, rope and the element-wise kernels.
#include <string>

#include "bindings/bindings.h"
#include "bindings/js_args.h"
#include "common/rope_table.h"
#include "cpu/dispatch.h"

namespace fastfill {
namespace {

// rmsNorm(x, rows, cols, weight, eps, out), and with a delta (addRmsNorm(x, delta, rows, cols, weight,
// eps, out)): x += delta first, then out = rmsNorm(x).
Napi::Value Norm(const Napi::CallbackInfo& info, const char* name, bool withDelta) {
  JsArgs args(info, name);
  const size_t at = withDelta ? 1 : 0;  // the delta, when there is one, is argument 1
  RmsNormArgs a{};
  a.rows = args.integer(at + 1, "rows", 0, kMaxDim);
  a.cols = args.integer(at + 2, "cols", 1, kMaxDim);
  const int64_t size = args.product(a.rows, a.cols, "rows*cols");
  float* x = args.floats(0, "x", size);
  a.x = x;
  if (withDelta) {
    a.residual = x;
    a.delta = args.floats(1, "delta", size);
  }
  a.weight = args.floats(at + 3, "weight", a.cols);
  a.eps = static_cast<float>(args.number(at + 4, "eps"));
  a.out = args.floats(at + 5, "out", size);
  if (args.ok() && !(a.eps >= 0.0f)) args.fail("eps must be >= 0");
  if (args.ok()) activeKernels().rmsNorm(a);
  return args.finish();
}

Napi::Value RmsNorm(const Napi::CallbackInfo& info) { return Norm(info, "rmsNorm", false); }
Napi::Value AddRmsNorm(const Napi::CallbackInfo& info) { return Norm(info, "addRmsNorm", true); }

// x (argument 0) and its shape (arguments 1-4: tokens, heads, headDim, ropeDim) into a.
void readRopeShape(JsArgs& args, RopeArgs& a) {
  a.tokens = args.integer(1, "tokens", 0, kMaxDim);
  a.heads = args.integer(2, "heads", 1, kMaxDim);
  a.headDim = args.integer(3, "headDim", 1, kMaxDim);
  a.ropeDim = args.integer(4, "ropeDim", 0, a.headDim);
  a.x = args.floats(0, "x", args.product(args.product(a.tokens, a.heads, "size"), a.headDim, "size"));
  if (args.ok() && a.ropeDim % 2 != 0) args.fail("ropeDim must be even");
}

// The angle parameters' rules: freqBase > 0, every frequency factor > 0.
void checkRopeFrequencies(JsArgs& args, int64_t ropeDim, double freqBase, const float* freqFactors) {
  if (args.ok() && !(freqBase > 0.0)) args.fail("freqBase must be > 0");
  for (int64_t i = 0; args.ok() && freqFactors != nullptr && i < ropeDim / 2; ++i) {
    if (!(freqFactors[i] > 0.0f)) args.fail("freqFactors[" + std::to_string(i) + "] must be > 0");
  }
}

// rope(x, tokens, heads, headDim, ropeDim, positions, freqBase, neox, freqFactors | null)
Napi::Value Rope(const Napi::CallbackInfo& info) {
  JsArgs args(info, "rope");
  RopeArgs a{};
  readRopeShape(args, a);
  a.positions = args.ints(5, "positions", a.tokens);
  a.freqBase = args.number(6, "freqBase");
  a.neox = args.boolean(7, "neox");
  a.freqFactors = args.optionalFloats(8, "freqFactors", a.ropeDim / 2);
  checkRopeFrequencies(args, a.ropeDim, a.freqBase, a.freqFactors);
  if (args.ok()) activeKernels().rope(a);
  return args.finish();
}

// ropeTable(positions, ropeDim, freqBase, freqFactors | null, out): out [positions.length][ropeDim].
Napi::Value RopeTable(const Napi::CallbackInfo& info) {
  JsArgs args(info, "ropeTable");
  int64_t tokens = 0;
  const int32_t* positions = args.intsAnyLength(0, "positions", &tokens);
  const int64_t ropeDim = args.integer(1, "ropeDim", 0, kMaxDim);
  const double freqBase = args.number(2, "freqBase");
  const float* freqFactors = args.optionalFloats(3, "freqFactors", ropeDim / 2);
  float* out = args.floats(4, "out", args.product(tokens, ropeDim, "positions.length*ropeDim"));
  if (args.ok() && ropeDim % 2 != 0) args.fail("ropeDim must be even");
  checkRopeFrequencies(args, ropeDim, freqBase, freqFactors);
  if (args.ok()) ropeTable(positions, tokens, ropeDim, freqBase, freqFactors, out);
  return args.finish();
}

// ropeWithTable(x, tokens, heads, headDim, ropeDim, table, neox): table from ropeTable.
Napi::Value RopeWithTable(const Napi::CallbackInfo& info) {
  JsArgs args(info, "ropeWithTable");
  RopeArgs a{};
  readRopeShape(args, a);
  a.table = args.floats(5, "table", args.product(a.tokens, a.ropeDim, "tokens*ropeDim"));
  a.neox = args.boolean(6, "neox");
  if (args.ok()) activeKernels().rope(a);
  return args.finish();
}

// siluMul(gate, up, out), add(a, b, out): three arrays of one length.
using BinaryKernel = void (*)(const float*, const float*, float*, int64_t);

Napi::Value Binary(const Napi::CallbackInfo& info, const char* name, BinaryKernel KernelTable::*kernel) {
  JsArgs args(info, name);
  const Napi::Value first = info[0];
  const int64_t n = first.IsTypedArray() ? static_cast<int64_t>(first.As<Napi::TypedArray>().ElementLength()) : 0;
  const float* a = args.floats(0, "first input", n);
  const float* b = args.floats(1, "second input", n);
  float* out = args.floats(2, "out", n);
  if (args.ok()) (activeKernels().*kernel)(a, b, out, n);
  return args.finish();
}

Napi::Value SiluMul(const Napi::CallbackInfo& info) { return Binary(info, "siluMul", &KernelTable::siluMul); }
Napi::Value Add(const Napi::CallbackInfo& info) { return Binary(info, "add", &KernelTable::add); }

// scale(x, factor, out)
Napi::Value Scale(const Napi::CallbackInfo& info) {
  JsArgs args(info, "scale");
  const Napi::Value first = info[0];
  const int64_t n = first.IsTypedArray() ? static_cast<int64_t>(first.As<Napi::TypedArray>().ElementLength()) : 0;
  const float* x = args.floats(0, "x", n);
  const float factor = static_cast<float>(args.number(1, "factor"));
  float* out = args.floats(2, "out", n);
  if (args.ok()) activeKernels().scale(x, factor, out, n);
  return args.finish();
}

// addBias(x, rows, cols, bias)
Napi::Value AddBias(const Napi::CallbackInfo& info) {
  JsArgs args(info, "addBias");
  const int64_t rows = args.integer(1, "rows", 0, kMaxDim);
  const int64_t cols = args.integer(2, "cols", 1, kMaxDim);
  float* x = args.floats(0, "x", args.product(rows, cols, "rows*cols"));
  const float* bias = args.floats(3, "bias", cols);
  if (args.ok()) activeKernels().addBias(x, rows, cols, bias);
  return args.finish();
}

}  // namespace

void registerElementwise(Napi::Env env, Napi::Object exports) {
  exports.Set("rmsNorm", Napi::Function::New(env, RmsNorm, "rmsNorm"));
  exports.Set("addRmsNorm", Napi::Function::New(env, AddRmsNorm, "addRmsNorm"));
  exports.Set("rope", Napi::Function::New(env, Rope, "rope"));
  exports.Set("ropeTable", Napi::Function::New(env, RopeTable, "ropeTable"));
  exports.Set("ropeWithTable", Napi::Function::New(env, RopeWithTable, "ropeWithTable"));
  exports.Set("siluMul", Napi::Function::New(env, SiluMul, "siluMul"));
  exports.Set("add", Napi::Function::New(env, Add, "add"));
  exports.Set("scale", Napi::Function::New(env, Scale, "scale"));
  exports.Set("addBias", Napi::Function::New(env, AddBias, "addBias"));
}

}  // namespace fastfill
