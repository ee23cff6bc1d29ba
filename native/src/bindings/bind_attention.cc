// attention over the paged KV cache, and kvWrite into it. Every tile and key-block entry is
// checked here on a private copy (O(tiles + entries + nQ)), so no list can make a kernel read or
// write out of bounds. (qPositions only decide visibility, never an address.)
#include <string>
#include <vector>

#include "bindings/bindings.h"
#include "bindings/js_args.h"
#include "cpu/dispatch.h"
#include "kv/kv_write.h"

namespace fastfill {
namespace {

std::string at(const char* list, int64_t index) { return std::string(list) + "[" + std::to_string(index) + "]"; }

// The element type of the cache at argument `cache`: kCacheF32 for anything but a Uint16Array (which
// floats() then checks), else the argument `typeIndex`, which must then say bf16 or F16 (the same
// 16 bits read as the other type would be wrong numbers, not an error).
int32_t halfCacheType(JsArgs& args, size_t cache, size_t typeIndex) {
  if (!args.isUint16Array(cache)) return kCacheF32;
  if (args.isUndefined(typeIndex)) {
    args.fail("a Uint16Array cache needs its cacheType (bf16 or F16)");
    return kCacheBf16;
  }
  return static_cast<int32_t>(args.integer(typeIndex, "cacheType", kCacheBf16, kCacheF16));
}

bool checkHeads(JsArgs& args, int64_t nHeads, int64_t nKvHeads) {
  if (!args.ok()) return false;
  if (nHeads % nKvHeads != 0)
    return args.fail("nHeads " + std::to_string(nHeads) + " is not a multiple of nKvHeads " + std::to_string(nKvHeads));
  return true;
}

// Each tile's queries and entry range lie inside the arrays; the tiles partition the queries.
bool checkTiles(JsArgs& args, const AttentionArgs& a) {
  std::vector<char> covered(static_cast<size_t>(a.nQ), 0);
  for (int64_t t = 0; t < a.nTiles && args.ok(); ++t) {
    const int64_t qStart = a.tiles[4 * t], qCount = a.tiles[4 * t + 1];
    const int64_t listStart = a.tiles[4 * t + 2], listCount = a.tiles[4 * t + 3];
    if (qStart < 0 || qCount < 0 || qStart + qCount > a.nQ) return args.fail(at("tile", t) + " queries outside [0, nQ)");
    if (listStart < 0 || listCount < 0 || listStart + listCount > a.nEntries)
      return args.fail(at("tile", t) + " key-block list outside the entries");
    for (int64_t i = qStart; i < qStart + qCount; ++i) {
      if (covered[static_cast<size_t>(i)]) return args.fail("query " + std::to_string(i) + " is in two tiles");
      covered[static_cast<size_t>(i)] = 1;
    }
  }
  for (int64_t i = 0; i < a.nQ && args.ok(); ++i) {
    if (!covered[static_cast<size_t>(i)]) return args.fail("query " + std::to_string(i) + " is in no tile");
  }
  return args.ok();
}

bool checkEntries(JsArgs& args, const AttentionArgs& a) {
  const int64_t numBlocks = a.numSlots / a.blockSize;
  for (int64_t e = 0; e < a.nEntries && args.ok(); ++e) {
    const int32_t* entry = a.keyBlocks + 4 * e;
    if (entry[0] < 0 || entry[0] >= numBlocks)
      return args.fail(at("entry", e) + " physical block " + std::to_string(entry[0]) + " outside the cache");
    if (entry[1] < 0) return args.fail(at("entry", e) + " first key position is negative");
    if (entry[2] < 0 || entry[2] > a.blockSize)
      return args.fail(at("entry", e) + " key count " + std::to_string(entry[2]) + " outside [0, blockSize]");
  }
  return args.ok();
}

// attention(q, out, kCache, vCache, qPositions, tiles, keyBlocks, nHeads, nKvHeads, headDim,
//           blockSize, scale[, precision[, cacheType]]): precision kPrecisionF32 (default) or
//           kPrecisionBf16; the caches Float32Arrays, or Uint16Arrays of cacheType kCacheBf16 or
//           kCacheF16 (required for them), in the layouts of common/kernel_args.h
Napi::Value Attention(const Napi::CallbackInfo& info) {
  JsArgs args(info, "attention");
  AttentionArgs a{};
  a.nHeads = static_cast<int32_t>(args.integer(7, "nHeads", 1, kMaxDim));
  a.nKvHeads = static_cast<int32_t>(args.integer(8, "nKvHeads", 1, kMaxDim));
  a.headDim = static_cast<int32_t>(args.integer(9, "headDim", 1, kMaxDim));
  a.blockSize = static_cast<int32_t>(args.integer(10, "blockSize", 1, kMaxDim));
  a.scale = static_cast<float>(args.number(11, "scale"));
  a.precision = info[12].IsUndefined() ? kPrecisionF32
                                       : static_cast<int32_t>(args.integer(12, "precision", kPrecisionF32, kPrecisionBf16));
  checkHeads(args, a.nHeads, a.nKvHeads);
  a.qPositions = args.intsAnyLength(4, "qPositions", &a.nQ);
  const int64_t qSize = args.product(args.product(a.nQ, a.nHeads, "q size"), a.headDim, "q size");
  a.q = args.floats(0, "q", qSize);
  a.out = args.floats(1, "out", qSize);
  const int64_t slotFloats = args.product(a.nKvHeads, a.headDim, "slot size");
  const Napi::Value kValue = info[2];
  const int64_t cacheFloats =
      kValue.IsTypedArray() ? static_cast<int64_t>(kValue.As<Napi::TypedArray>().ElementLength()) : 0;
  const int64_t blockFloats = args.product(slotFloats, a.blockSize, "block size");
  if (args.ok() && cacheFloats % blockFloats != 0)
    args.fail("kCache length is not a whole number of blocks of blockSize * nKvHeads * headDim floats");
  a.numSlots = args.ok() ? cacheFloats / slotFloats : 0;
  const int32_t cacheType = halfCacheType(args, 2, 13);
  if (cacheType == kCacheBf16) {
    a.kCacheBf16 = args.halves(2, "kCache", cacheFloats);
    a.vCacheBf16 = args.halves(3, "vCache", cacheFloats);
    if (args.ok() && a.precision != kPrecisionBf16) args.fail("a bf16 cache needs precision bf16");
    if (args.ok() && (a.blockSize % 2 != 0 || a.headDim % 2 != 0))
      args.fail("a bf16 cache needs an even blockSize and headDim");
  } else if (cacheType == kCacheF16) {
    a.kCacheF16 = args.halves(2, "kCache", cacheFloats);
    a.vCacheF16 = args.halves(3, "vCache", cacheFloats);
  } else {
    a.kCache = args.floats(2, "kCache", cacheFloats);
    a.vCache = args.floats(3, "vCache", cacheFloats);
  }
  const std::vector<int32_t> tiles = args.indexList(5, "tiles");
  const std::vector<int32_t> keyBlocks = args.indexList(6, "keyBlocks");
  if (args.ok() && (tiles.size() % 4 != 0 || keyBlocks.size() % 4 != 0)) args.fail("tiles and keyBlocks hold 4 ints per item");
  a.tiles = tiles.data();
  a.keyBlocks = keyBlocks.data();
  a.nTiles = static_cast<int64_t>(tiles.size() / 4);
  a.nEntries = static_cast<int64_t>(keyBlocks.size() / 4);
  if (args.ok() && checkTiles(args, a) && checkEntries(args, a)) activeKernels().attention(a);
  return args.finish();
}

// kvWrite(kCache, vCache, k, v, slots, nKvHeads, headDim[, cacheType]): caches as attention's
Napi::Value KvWrite(const Napi::CallbackInfo& info) {
  JsArgs args(info, "kvWrite");
  const int64_t nKvHeads = args.integer(5, "nKvHeads", 1, kMaxDim);
  const int64_t headDim = args.integer(6, "headDim", 1, kMaxDim);
  const int64_t rowFloats = args.product(nKvHeads, headDim, "row size");
  const Napi::Value kValue = info[0];
  const int64_t cacheFloats =
      kValue.IsTypedArray() ? static_cast<int64_t>(kValue.As<Napi::TypedArray>().ElementLength()) : 0;
  const int32_t cacheType = halfCacheType(args, 0, 7);
  const bool bf16 = cacheType == kCacheBf16, f16 = cacheType == kCacheF16;
  const int64_t slotsPerUnit = bf16 ? 2 : 1;  // a bf16 cache holds V in pairs of slots
  if (args.ok() && cacheFloats % (slotsPerUnit * rowFloats) != 0)
    args.fail(bf16 ? "kCache length is not a multiple of 2 * nKvHeads * headDim (a bf16 cache holds pairs of slots)"
                   : "kCache length is not a multiple of nKvHeads * headDim");
  float* kCache = cacheType == kCacheF32 ? args.floats(0, "kCache", cacheFloats) : nullptr;
  float* vCache = cacheType == kCacheF32 ? args.floats(1, "vCache", cacheFloats) : nullptr;
  uint16_t* kHalves = cacheType != kCacheF32 ? args.halves(0, "kCache", cacheFloats) : nullptr;
  uint16_t* vHalves = cacheType != kCacheF32 ? args.halves(1, "vCache", cacheFloats) : nullptr;
  const std::vector<int32_t> slotList = args.indexList(4, "slots");
  const int32_t* slots = slotList.data();
  const int64_t tokens = static_cast<int64_t>(slotList.size());
  const float* k = args.floats(2, "k", args.product(tokens, rowFloats, "k size"));
  const float* v = args.floats(3, "v", args.product(tokens, rowFloats, "v size"));
  const int64_t numSlots = args.ok() ? cacheFloats / rowFloats : 0;
  for (int64_t t = 0; args.ok() && t < tokens; ++t) {
    if (slots[t] < 0 || slots[t] >= numSlots)
      args.fail(at("slots", t) + " = " + std::to_string(slots[t]) + " is outside [0, " + std::to_string(numSlots) + ")");
  }
  if (args.ok() && bf16) kvWriteBf16(kHalves, vHalves, k, v, slots, tokens, rowFloats);
  if (args.ok() && f16) kvWriteF16(kHalves, vHalves, k, v, slots, tokens, rowFloats);
  if (args.ok() && cacheType == kCacheF32) kvWrite(kCache, vCache, k, v, slots, tokens, rowFloats);
  return args.finish();
}

}  // namespace

void registerAttention(Napi::Env env, Napi::Object exports) {
  exports.Set("attention", Napi::Function::New(env, Attention, "attention"));
  exports.Set("kvWrite", Napi::Function::New(env, KvWrite, "kvWrite"));
}

}  // namespace fastfill
