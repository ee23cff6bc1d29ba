#include "bindings/js_args.h"

#include "bindings/bindings.h"

#include <cmath>

namespace fastfill {

bool JsArgs::fail(const std::string& message) {
  if (error_.empty()) error_ = std::string(function_) + ": " + message;
  return false;
}

Napi::Value JsArgs::finish() {
  Napi::Env env = info_.Env();
  if (!error_.empty()) Napi::Error::New(env, error_).ThrowAsJavaScriptException();
  return env.Undefined();
}

Napi::TypedArray JsArgs::typedArray(size_t index, const char* name, napi_typedarray_type type, const char* typeName) {
  if (!ok()) return Napi::TypedArray();
  const Napi::Value value = info_[index];
  if (!value.IsTypedArray() || value.As<Napi::TypedArray>().TypedArrayType() != type) {
    fail(std::string(name) + " must be a " + typeName);
    return Napi::TypedArray();
  }
  return value.As<Napi::TypedArray>();
}

Napi::TypedArray JsArgs::sizedArray(size_t index, const char* name, napi_typedarray_type type, const char* typeName,
                                    int64_t length, const char* units) {
  Napi::TypedArray array = typedArray(index, name, type, typeName);
  if (array.IsEmpty()) return array;
  if (static_cast<int64_t>(array.ElementLength()) != length) {
    fail(std::string(name) + " has " + std::to_string(array.ElementLength()) + " " + units + ", expected " +
         std::to_string(length));
    return Napi::TypedArray();
  }
  return array;
}

float* JsArgs::floats(size_t index, const char* name, int64_t length) {
  Napi::TypedArray array = sizedArray(index, name, napi_float32_array, "Float32Array", length, "elements");
  return array.IsEmpty() ? nullptr : array.As<Napi::Float32Array>().Data();
}

uint16_t* JsArgs::halves(size_t index, const char* name, int64_t length) {
  Napi::TypedArray array = sizedArray(index, name, napi_uint16_array, "Uint16Array", length, "elements");
  return array.IsEmpty() ? nullptr : array.As<Napi::Uint16Array>().Data();
}

bool JsArgs::isUint16Array(size_t index) const {
  const Napi::Value value = info_[index];
  return value.IsTypedArray() && value.As<Napi::TypedArray>().TypedArrayType() == napi_uint16_array;
}

float* JsArgs::optionalFloats(size_t index, const char* name, int64_t length) {
  const Napi::Value value = info_[index];
  if (value.IsNull() || value.IsUndefined()) return nullptr;
  return floats(index, name, length);
}

const int32_t* JsArgs::ints(size_t index, const char* name, int64_t length) {
  int64_t actual = 0;
  const int32_t* data = intsAnyLength(index, name, &actual);
  if (data == nullptr && !ok()) return nullptr;
  if (actual != length) {
    fail(std::string(name) + " has " + std::to_string(actual) + " elements, expected " + std::to_string(length));
    return nullptr;
  }
  return data;
}

const int32_t* JsArgs::intsAnyLength(size_t index, const char* name, int64_t* length) {
  *length = 0;
  Napi::TypedArray array = typedArray(index, name, napi_int32_array, "Int32Array");
  if (array.IsEmpty()) return nullptr;
  *length = static_cast<int64_t>(array.ElementLength());
  return array.As<Napi::Int32Array>().Data();
}

std::vector<int32_t> JsArgs::indexList(size_t index, const char* name) {
  int64_t length = 0;
  const int32_t* data = intsAnyLength(index, name, &length);
  return data != nullptr ? std::vector<int32_t>(data, data + length) : std::vector<int32_t>();
}

const uint8_t* JsArgs::bytes(size_t index, const char* name, int64_t length) {
  Napi::TypedArray array = sizedArray(index, name, napi_uint8_array, "Uint8Array", length, "bytes");
  return array.IsEmpty() ? nullptr : array.As<Napi::Uint8Array>().Data();
}

int64_t JsArgs::integer(size_t index, const char* name, int64_t min, int64_t max) {
  if (!ok()) return 0;
  const Napi::Value value = info_[index];
  const double number = value.IsNumber() ? value.As<Napi::Number>().DoubleValue() : NAN;
  if (!(number >= static_cast<double>(min) && number <= static_cast<double>(max)) || std::floor(number) != number) {
    fail(std::string(name) + " must be an integer in [" + std::to_string(min) + ", " + std::to_string(max) + "]");
    return 0;
  }
  return static_cast<int64_t>(number);
}

double JsArgs::number(size_t index, const char* name) {
  if (!ok()) return 0.0;
  const Napi::Value value = info_[index];
  const double number = value.IsNumber() ? value.As<Napi::Number>().DoubleValue() : NAN;
  if (!std::isfinite(number)) {
    fail(std::string(name) + " must be a finite number");
    return 0.0;
  }
  return number;
}

bool JsArgs::boolean(size_t index, const char* name) {
  if (!ok()) return false;
  const Napi::Value value = info_[index];
  if (!value.IsBoolean()) return fail(std::string(name) + " must be a boolean");
  return value.As<Napi::Boolean>().Value();
}

std::string JsArgs::string(size_t index, const char* name) {
  if (!ok()) return std::string();
  const Napi::Value value = info_[index];
  if (!value.IsString()) {
    fail(std::string(name) + " must be a string");
    return std::string();
  }
  return value.As<Napi::String>().Utf8Value();
}

int64_t JsArgs::product(int64_t a, int64_t b, const char* what) {
  if (!ok()) return 0;
  int64_t result = 0;
  if (a < 0 || b < 0 || __builtin_mul_overflow(a, b, &result) || result > kMaxSafeInteger) {
    fail(std::string(what) + " is too large");
    return 0;
  }
  return result;
}

}  // namespace fastfill
