#include "reference.h"

#include <cmath>
#include <limits>

#include "common/kernel_args.h"
#include "common/weight_panels.h"

namespace amxcheck {
namespace {

float bf16Rounded(float value) { return fastfill::bf16ToFloat(fastfill::floatToBf16(value)); }

// Quants q (as doubles) and per-block scales d of x, by the int8 rule above.
void quantizeRows(const std::vector<float>& x, std::vector<double>* q, std::vector<double>* d) {
  const size_t blocks = x.size() / 32;
  q->resize(x.size());
  d->resize(blocks);
  for (size_t b = 0; b < blocks; ++b) {
    float amax = 0.0f;
    for (int e = 0; e < 32; ++e) amax = std::fmax(amax, std::fabs(x[b * 32 + e]));
    const float scale = amax / 127.0f;
    const float inverse = scale != 0.0f ? 1.0f / scale : 0.0f;
    (*d)[b] = scale;
    for (int e = 0; e < 32; ++e) {
      const float scaled = x[b * 32 + e] * inverse;
      const double rounded = std::nearbyint(static_cast<double>(scaled));  // default mode: half to even
      (*q)[b * 32 + e] = std::fmin(127.0, std::fmax(-127.0, rounded));
    }
  }
}

}  // namespace

Reference referenceMatmul(const std::vector<float>& x, int64_t m, const std::vector<float>& w, int64_t n, int64_t k,
                          const float* bias, int32_t precision) {
  Reference ref;
  ref.want.assign(static_cast<size_t>(m * n), 0.0);
  ref.magnitude.assign(static_cast<size_t>(m * n), 0.0);
  const bool bf16 = precision == fastfill::kPrecisionBf16;
  std::vector<double> xs(x.begin(), x.end()), ws(w.begin(), w.end());
  if (bf16) {
    for (size_t i = 0; i < w.size(); ++i) ws[i] = bf16Rounded(w[i]);
    if (m >= kGemmMinRows)
      for (size_t i = 0; i < x.size(); ++i) xs[i] = bf16Rounded(x[i]);
  }
  std::vector<double> xq, xd;
  const bool int8 = precision == fastfill::kPrecisionInt8;
  if (int8) quantizeRows(x, &xq, &xd);
  for (int64_t i = 0; i < m; ++i) {
    for (int64_t j = 0; j < n; ++j) {
      double sum = bias != nullptr ? bias[j] : 0.0, abs = std::fabs(sum);
      const double* wr = ws.data() + j * k;
      if (int8) {
        for (int64_t b = 0; b < k / 32; ++b) {
          double dot = 0.0, dotAbs = 0.0;
          for (int64_t e = b * 32; e < (b + 1) * 32; ++e) {
            dot += xq[i * k + e] * wr[e];
            dotAbs += std::fabs(xq[i * k + e] * wr[e]);
          }
          sum += xd[i * (k / 32) + b] * dot;
          abs += xd[i * (k / 32) + b] * dotAbs;
        }
      } else {
        const double* xr = xs.data() + i * k;
        for (int64_t e = 0; e < k; ++e) {
          sum += xr[e] * wr[e];
          abs += std::fabs(xr[e] * wr[e]);
        }
      }
      ref.want[i * n + j] = sum;
      ref.magnitude[i * n + j] = abs;
    }
  }
  return ref;
}

double maxRelativeError(const std::vector<float>& out, const Reference& ref) {
  double worst = 0.0;
  for (size_t i = 0; i < out.size(); ++i) {
    if (std::isnan(out[i])) return std::numeric_limits<double>::infinity();
    worst = std::fmax(worst, std::fabs(out[i] - ref.want[i]) / (ref.magnitude[i] + 1e-30));
  }
  return worst;
}

double maxRelativeDifference(const std::vector<float>& a, const std::vector<float>& b, const Reference& ref) {
  double worst = 0.0;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::isnan(a[i]) != std::isnan(b[i])) return std::numeric_limits<double>::infinity();
    if (std::isnan(a[i])) continue;
    worst = std::fmax(worst, std::fabs(static_cast<double>(a[i]) - b[i]) / (ref.magnitude[i] + 1e-30));
  }
  return worst;
}

}  // namespace amxcheck
