// Each file registers its group of native functions on the addon's exports.
#pragma once
#include <napi.h>

#include <cstdint>

namespace fastfill {

// Upper bound of every dimension argument (rows, columns, heads, ...).
constexpr int64_t kMaxDim = 0x7FFFFFFF;

void registerSystem(Napi::Env env, Napi::Object exports);
void registerLinear(Napi::Env env, Napi::Object exports);
void registerElementwise(Napi::Env env, Napi::Object exports);
void registerAttention(Napi::Env env, Napi::Object exports);

}  // namespace fastfill
