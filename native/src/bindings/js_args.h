// Reads and checks the arguments of one native call. The TypeScript boundary checks everything
// first with friendlier messages; this is the second line: no kernel runs on a wrong type, a
// length that does not match the shapes, or an index out of range. The first problem is kept and
// thrown as a JS Error by finish(); later getters return null / 0 once one has failed.
#pragma once
#include <napi.h>

#include <cstdint>
#include <string>
#include <vector>

namespace fastfill {

class JsArgs {
 public:
  JsArgs(const Napi::CallbackInfo& info, const char* function) : info_(info), function_(function) {}

  // Float32Array of exactly `length` elements.
  float* floats(size_t index, const char* name, int64_t length);
  // Uint16Array of exactly `length` elements (bf16 bits).
  uint16_t* halves(size_t index, const char* name, int64_t length);
  // Whether the argument is a Uint16Array, or undefined (no error either way).
  bool isUint16Array(size_t index) const;
  bool isUndefined(size_t index) const { return info_[index].IsUndefined(); }
  // As floats(), or nullptr without error when the argument is null or undefined.
  float* optionalFloats(size_t index, const char* name, int64_t length);
  // Int32Array of exactly `length` elements.
  const int32_t* ints(size_t index, const char* name, int64_t length);
  // Int32Array of any length (stored in *length).
  const int32_t* intsAnyLength(size_t index, const char* name, int64_t* length);
  // A private copy of an Int32Array of any length: indices are checked on the copy and the kernel
  // reads the copy, so a SharedArrayBuffer written by another thread cannot change them between.
  std::vector<int32_t> indexList(size_t index, const char* name);
  // Uint8Array of exactly `length` bytes.
  const uint8_t* bytes(size_t index, const char* name, int64_t length);
  // An integer number in [min, max].
  int64_t integer(size_t index, const char* name, int64_t min, int64_t max);
  // A finite number.
  double number(size_t index, const char* name);
  bool boolean(size_t index, const char* name);
  std::string string(size_t index, const char* name);

  // a * b, failing on overflow past 2^53 (no typed array is that long).
  int64_t product(int64_t a, int64_t b, const char* what);

  bool ok() const { return error_.empty(); }
  // Records a problem (the first one wins); returns false for convenience.
  bool fail(const std::string& message);
  // Throws the recorded problem, if any; the value to return from the binding.
  Napi::Value finish();

 private:
  Napi::TypedArray typedArray(size_t index, const char* name, napi_typedarray_type type, const char* typeName);
  // As typedArray, and of exactly `length` elements (called `units` in the message); empty on failure.
  Napi::TypedArray sizedArray(size_t index, const char* name, napi_typedarray_type type, const char* typeName,
                              int64_t length, const char* units);

  const Napi::CallbackInfo& info_;
  const char* function_;
  std::string error_;
};

}  // namespace fastfill
