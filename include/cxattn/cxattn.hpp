// SPDX-License-Identifier: MIT
// cxattn/cxattn.hpp: the whole library in one include.
#ifndef CXATTN_CXATTN_HPP
#define CXATTN_CXATTN_HPP

#include "cxattn/config.hpp"
#include "cxattn/version.hpp"
#include "cxattn/matrix.hpp"
#include "cxattn/shapes.hpp"
#include "cxattn/math.hpp"
#include "cxattn/ops.hpp"
#include "cxattn/softmax.hpp"
#include "cxattn/options.hpp"
#include "cxattn/attention.hpp"
#include "cxattn/additive.hpp"
#include "cxattn/streaming.hpp"
#include "cxattn/partial.hpp"
#include "cxattn/multi_head.hpp"
#include "cxattn/kv_cache.hpp"
#include "cxattn/quantized.hpp"

#endif // CXATTN_CXATTN_HPP
