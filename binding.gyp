{
  "target_defaults": {
    "include_dirs": ["native/src"],
    "cflags_cc": ["-O3", "-std=c++17", "-fno-exceptions"],
    "cflags_cc!": ["-fno-rtti"],
    "conditions": [
      ["target_arch=='x64'", { "defines": ["FASTFILL_X86_LEVELS=1"] }, { "defines": ["FASTFILL_X86_LEVELS=0"] }]
    ]
  },
  "targets": [
    {
      "target_name": "fastfill_native",
      "sources": [
        "native/src/addon.cc",
        "native/src/bindings/bind_attention.cc",
        "native/src/bindings/bind_elementwise.cc",
        "native/src/bindings/bind_linear.cc",
        "native/src/bindings/bind_system.cc",
        "native/src/bindings/js_args.cc",
        "native/src/common/ggml_types.cc",
        "native/src/common/int8_panels.cc",
        "native/src/common/interleaved_blocks.cc",
        "native/src/common/weight_panels.cc",
        "native/src/common/rope_table.cc",
        "native/src/cpu/amx.cc",
        "native/src/cpu/cpu_features.cc",
        "native/src/cpu/dispatch.cc",
        "native/src/io/map_file.cc",
        "native/src/io/anonymous_memory.cc",
        "native/src/kv/kv_write.cc",
        "native/src/levels/level_scalar.cc",
        "native/src/threads/contention.cc",
        "native/src/threads/thread_pool.cc"
      ],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      "defines": ["NAPI_VERSION=8", "NAPI_DISABLE_CPP_EXCEPTIONS"],
      "conditions": [
        ["target_arch=='x64'", { "dependencies": ["fastfill_level_avx2", "fastfill_level_avx512", "fastfill_level_avx512bf16", "fastfill_level_amx"] }]
      ]
    }
  ],
  "conditions": [
    ["target_arch=='x64'", {
      "targets": [
        {
          "target_name": "fastfill_level_avx2",
          "type": "static_library",
          "sources": ["native/src/levels/level_avx2.cc"],
          "cflags_cc": ["-fPIC", "-mavx2", "-mfma", "-mf16c"]
        },
        {
          "target_name": "fastfill_level_avx512",
          "type": "static_library",
          "sources": ["native/src/levels/level_avx512.cc"],
          "cflags_cc": ["-fPIC", "-mavx2", "-mfma", "-mf16c", "-mavx512f", "-mavx512bw", "-mavx512vl", "-mavx512dq", "-Wno-maybe-uninitialized", "-Wno-uninitialized"]
        },
        {
          "target_name": "fastfill_level_avx512bf16",
          "type": "static_library",
          "sources": ["native/src/levels/level_avx512bf16.cc"],
          "cflags_cc": ["-fPIC", "-mavx2", "-mfma", "-mf16c", "-mavx512f", "-mavx512bw", "-mavx512vl", "-mavx512dq", "-mavx512bf16", "-mavx512vnni", "-Wno-maybe-uninitialized", "-Wno-uninitialized"]
        },
        {
          "target_name": "fastfill_level_amx",
          "type": "static_library",
          "sources": ["native/src/levels/level_amx.cc"],
          "cflags_cc": ["-fPIC", "-mavx2", "-mfma", "-mf16c", "-mavx512f", "-mavx512bw", "-mavx512vl", "-mavx512dq", "-mavx512bf16", "-mavx512vnni", "-mamx-tile", "-mamx-bf16", "-mamx-int8", "-Wno-maybe-uninitialized", "-Wno-uninitialized"]
        }
      ]
    }]
  ]
}
