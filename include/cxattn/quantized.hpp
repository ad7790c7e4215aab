// SPDX-License-Identifier: MIT
// cxattn/quantized.hpp: int8 attention with TensorFlow Lite's quantization, bit for bit with
// TFLite Micro and CMSIS-NN (docs/quantized.md), in namespace cxattn::quantized.
#ifndef CXATTN_QUANTIZED_HPP
#define CXATTN_QUANTIZED_HPP

#include "cxattn/quantized/multiplier.hpp"
#include "cxattn/quantized/softmax.hpp"
#include "cxattn/quantized/matmul.hpp"
#include "cxattn/quantized/attention.hpp"

#endif // CXATTN_QUANTIZED_HPP
