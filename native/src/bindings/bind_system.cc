// version, cpuInfo, setThreads, setCpuLevel, mapFile.
#include <string>
#include <utility>

#include "bindings/bindings.h"
#include "bindings/js_args.h"
#include "cpu/amx.h"
#include "cpu/cpu_features.h"
#include "cpu/dispatch.h"
#include "io/anonymous_memory.h"
#include "io/map_file.h"
#include "threads/thread_pool.h"

namespace fastfill {
namespace {

Napi::Value Version(const Napi::CallbackInfo& info) { return Napi::String::New(info.Env(), "fastfill-native 0.2"); }

// { features: {...}, level, maxLevel, threads }
Napi::Value CpuInfo(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const CpuFeatures& f = cpuFeatures();
  Napi::Object features = Napi::Object::New(env);
  features.Set("avx2", f.avx2);
  features.Set("fma", f.fma);
  features.Set("f16c", f.f16c);
  features.Set("avx512f", f.avx512f);
  features.Set("avx512bw", f.avx512bw);
  features.Set("avx512vl", f.avx512vl);
  features.Set("avx512dq", f.avx512dq);
  features.Set("avx512vnni", f.avx512vnni);
  features.Set("avx512bf16", f.avx512bf16);
  features.Set("amxTile", f.amxTile);
  features.Set("amxBf16", f.amxBf16);
  features.Set("amxInt8", f.amxInt8);
  features.Set("amxPermitted", amxPermitted());
  Napi::Object result = Napi::Object::New(env);
  result.Set("features", features);
  result.Set("level", levelName(activeLevel()));
  result.Set("maxLevel", levelName(maxSupportedLevel()));
  result.Set("threads", threadCount());
  return result;
}

// setThreads(n)
Napi::Value SetThreads(const Napi::CallbackInfo& info) {
  JsArgs args(info, "setThreads");
  const int64_t n = args.integer(0, "n", 1, kMaxThreads);
  if (args.ok()) setThreadCount(static_cast<int>(n));
  return args.finish();
}

// setCpuLevel(name): at most the supported level.
Napi::Value SetCpuLevel(const Napi::CallbackInfo& info) {
  JsArgs args(info, "setCpuLevel");
  const std::string name = args.string(0, "level");
  CpuLevel level = CpuLevel::kScalar;
  if (args.ok() && !parseLevel(name, &level)) args.fail("level '" + name + "' is not one of scalar, avx2, avx512, avx512bf16, amx");
  if (args.ok() && !setActiveLevel(level))
    args.fail(std::string("level ") + name + " is above what this CPU supports (" + levelName(maxSupportedLevel()) + ")");
  return args.finish();
}

// mapFile(path, offset, length (-1: to the end), maxLength): ArrayBuffer over a private
// copy-on-write mapping, unmapped when collected. maxLength is the runtime's largest ArrayBuffer:
// creating a bigger external one fails inside Node in a way that frees the finalizer data twice.
Napi::Value MapFile(const Napi::CallbackInfo& info) {
  JsArgs args(info, "mapFile");
  const std::string path = args.string(0, "path");
  const int64_t offset = args.integer(1, "offset", 0, kMaxSafeInteger);
  const int64_t length = args.integer(2, "length", -1, kMaxSafeInteger);
  const int64_t maxLength = args.integer(3, "maxLength", 0, kMaxSafeInteger);
  MappedFile mapped{};
  std::string error;
  if (args.ok() && !mapFileCopyOnWrite(path, offset, length, maxLength, &mapped, &error)) args.fail(error);
  if (!args.ok()) return args.finish();
  Napi::Env env = info.Env();
  if (mapped.base == nullptr) return Napi::ArrayBuffer::New(env, 0);
  return Napi::ArrayBuffer::New(env, mapped.data, mapped.length,
                                [](Napi::Env, void*, MappedFile* hint) {
                                  unmapFile(*hint);
                                  delete hint;
                                },
                                new MappedFile(mapped));
}

// allocateZeroed(bytes, maxLength): a zero-filled ArrayBuffer over anonymous memory (huge pages
// from 2 MiB on, see io/anonymous_memory.h), unmapped when collected.
Napi::Value AllocateZeroed(const Napi::CallbackInfo& info) {
  JsArgs args(info, "allocateZeroed");
  const int64_t maxLength = args.integer(1, "maxLength", 0, kMaxSafeInteger);
  const int64_t bytes = args.integer(0, "bytes", 0, maxLength);
  if (!args.ok()) return args.finish();
  Napi::Env env = info.Env();
  if (bytes == 0) return Napi::ArrayBuffer::New(env, 0);
  AnonymousMemory memory{};
  if (!mapAnonymous(static_cast<size_t>(bytes), &memory)) {
    args.fail("cannot map " + std::to_string(bytes) + " bytes of memory");
    return args.finish();
  }
  Napi::MemoryManagement::AdjustExternalMemory(env, bytes);
  return Napi::ArrayBuffer::New(env, memory.data, static_cast<size_t>(bytes),
                                [](Napi::Env finalizeEnv, void*, std::pair<AnonymousMemory, int64_t>* hint) {
                                  unmapAnonymous(hint->first);
                                  Napi::MemoryManagement::AdjustExternalMemory(finalizeEnv, -hint->second);
                                  delete hint;
                                },
                                new std::pair<AnonymousMemory, int64_t>(memory, bytes));
}

// releaseMappedPages(view: Uint8Array): bytes of this process's pages dropped (see map_file.h);
// 0 for a view that is not inside a mapped file.
Napi::Value ReleaseMappedPages(const Napi::CallbackInfo& info) {
  if (info.Length() < 1 || !info[0].IsTypedArray() ||
      info[0].As<Napi::TypedArray>().TypedArrayType() != napi_uint8_array) {
    Napi::TypeError::New(info.Env(), "releaseMappedPages: view must be a Uint8Array").ThrowAsJavaScriptException();
    return info.Env().Undefined();
  }
  const Napi::Uint8Array view = info[0].As<Napi::Uint8Array>();
  return Napi::Number::New(info.Env(), static_cast<double>(releaseMappedPages(view.Data(), view.ByteLength())));
}

}  // namespace

void registerSystem(Napi::Env env, Napi::Object exports) {
  exports.Set("version", Napi::Function::New(env, Version, "version"));
  exports.Set("cpuInfo", Napi::Function::New(env, CpuInfo, "cpuInfo"));
  exports.Set("setThreads", Napi::Function::New(env, SetThreads, "setThreads"));
  exports.Set("setCpuLevel", Napi::Function::New(env, SetCpuLevel, "setCpuLevel"));
  exports.Set("mapFile", Napi::Function::New(env, MapFile, "mapFile"));
  exports.Set("allocateZeroed", Napi::Function::New(env, AllocateZeroed, "allocateZeroed"));
  exports.Set("releaseMappedPages", Napi::Function::New(env, ReleaseMappedPages, "releaseMappedPages"));
}

}  // namespace fastfill
