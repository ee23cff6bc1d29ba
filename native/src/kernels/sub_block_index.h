// Sub-block indices as compile-time constants for the interleaved decoders (gemv_interleaved_q4k.h, _q6k.h, _q3k.h):
// with the index a constant, each sub-block's shifts and masks are immediates and its choices compile away; as a
// runtime value in a loop the compiler keeps, they had cost branches and register-count shifts per vector.
#pragma once
#include <type_traits>
#include <utility>

namespace fastfill {

template <int s>
using SubBlock = std::integral_constant<int, s>;

template <class F, int... S>
inline void forEachSubBlockOf(const F& f, std::integer_sequence<int, S...>) {
  (f(SubBlock<S>{}), ...);
}

// f(SubBlock<s>{}) for s = 0..7, in order.
template <class F>
inline void forEachSubBlock(const F& f) {
  forEachSubBlockOf(f, std::make_integer_sequence<int, 8>{});
}

// f(SubBlock<s>{}) for a runtime s in 0..7.
template <class F>
inline void withSubBlock(int s, const F& f) {
  switch (s) {
    case 0: return f(SubBlock<0>{});
    case 1: return f(SubBlock<1>{});
    case 2: return f(SubBlock<2>{});
    case 3: return f(SubBlock<3>{});
    case 4: return f(SubBlock<4>{});
    case 5: return f(SubBlock<5>{});
    case 6: return f(SubBlock<6>{});
    default: return f(SubBlock<7>{});
  }
}

}  // namespace fastfill
