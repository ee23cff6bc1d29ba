// The fastfill native addon: kernels that compute, nothing that decides (see src/kernels/).
#include <napi.h>

#include <string>

#include "bindings/bindings.h"
#include "cpu/dispatch.h"
#include "threads/thread_config.h"

namespace fastfill {
namespace {

// FASTFILL_CPU and FASTFILL_THREADS are checked when the addon loads, so a typo fails loudly.
bool applyEnvironment(Napi::Env env) {
  std::string error;
  int threads = 0;
  if (!applyCpuEnvironment(&error) || !defaultThreadCount(&threads, &error)) {
    Napi::Error::New(env, "fastfill native: " + error).ThrowAsJavaScriptException();
    return false;
  }
  return true;
}

}  // namespace
}  // namespace fastfill

static Napi::Object Init(Napi::Env env, Napi::Object exports) {
  using namespace fastfill;
  if (!applyEnvironment(env)) return exports;
  registerSystem(env, exports);
  registerLinear(env, exports);
  registerElementwise(env, exports);
  registerAttention(env, exports);
  return exports;
}

NODE_API_MODULE(fastfill_native, Init)
