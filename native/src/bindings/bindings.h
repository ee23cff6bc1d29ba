// Each file registers its group of native functions on the addon's exports.
#pragma once
#include <napi.h>

#include <cstdint>

namespace fastfill {

// Upper bound of every dimension argument (rows, columns, heads, ...).
constexpr int64_t kMaxDim = 0x7FFFFFFF;
// 2^53 - 1: the largest integer a JS number holds exactly.
constexpr int64_t kMaxSafeInteger = (int64_t{1} << 53) - 1;

void registerSystem(Napi::Env env, Napi::Object exports);
void registerLinear(Napi::Env env, Napi::Object exports);
void registerElementwise(Napi::Env env, Napi::Object exports);
void registerAttention(Napi::Env env, Napi::Object exports);

}  // namespace fastfill
