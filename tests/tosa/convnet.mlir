// A small NHWC network: conv2d (stride, pad, dilation), bias, clamp (ReLU6),
// depthwise conv, max and average pooling, then a batched matmul head.
func.func @convnet(%x: tensor<1x9x9x3xf32>) -> tensor<1x1x5xf32> {
  %w = "tosa.const"() <{values = dense<[[[[0.1, -0.2, 0.3], [0.05, 0.1, -0.1]], [[0.2, 0.1, 0.0], [-0.3, 0.2, 0.1]]], [[[0.0, 0.1, 0.2], [0.3, -0.1, 0.05]], [[-0.2, 0.3, 0.1], [0.1, 0.1, 0.1]]], [[[0.25, -0.05, 0.15], [0.1, 0.2, -0.2]], [[0.05, 0.05, 0.3], [-0.1, 0.0, 0.2]]], [[[-0.15, 0.2, 0.1], [0.2, 0.1, 0.0]], [[0.1, -0.2, 0.25], [0.05, 0.3, -0.05]]]]> : tensor<4x2x2x3xf32>}> : () -> tensor<4x2x2x3xf32>
  %bias = "tosa.const"() <{values = dense<[0.1, -0.1, 0.2, 0.0]> : tensor<4xf32>}> : () -> tensor<4xf32>
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %0 = tosa.conv2d %x, %w, %bias, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 2>, pad = array<i64: 1, 0, 1, 1>, stride = array<i64: 2, 1>} : (tensor<1x9x9x3xf32>, tensor<4x2x2x3xf32>, tensor<4xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x5x9x4xf32>
  %1 = tosa.clamp %0 {min_val = 0.0 : f32, max_val = 6.0 : f32} : (tensor<1x5x9x4xf32>) -> tensor<1x5x9x4xf32>
  %dw = "tosa.const"() <{values = dense<0.25> : tensor<3x3x4x2xf32>}> : () -> tensor<3x3x4x2xf32>
  %db = "tosa.const"() <{values = dense<0.5> : tensor<8xf32>}> : () -> tensor<8xf32>
  %2 = tosa.depthwise_conv2d %1, %dw, %db, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 1, 1, 1, 1>, stride = array<i64: 1, 1>} : (tensor<1x5x9x4xf32>, tensor<3x3x4x2xf32>, tensor<8xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x5x9x8xf32>
  %3 = tosa.max_pool2d %2 {kernel = array<i64: 2, 2>, pad = array<i64: 0, 1, 0, 1>, stride = array<i64: 2, 2>} : (tensor<1x5x9x8xf32>) -> tensor<1x3x5x8xf32>
  %4 = tosa.avg_pool2d %3, %zp, %zp {acc_type = f32, kernel = array<i64: 3, 3>, pad = array<i64: 1, 1, 1, 1>, stride = array<i64: 2, 2>} : (tensor<1x3x5x8xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x2x3x8xf32>
  %s = tosa.const_shape {values = dense<[1, 1, 48]> : tensor<3xindex>} : () -> !tosa.shape<3>
  %5 = tosa.reshape %4, %s : (tensor<1x2x3x8xf32>, !tosa.shape<3>) -> tensor<1x1x48xf32>
  %hw = "tosa.const"() <{values = dense<0.02> : tensor<1x48x5xf32>}> : () -> tensor<1x48x5xf32>
  %6 = tosa.matmul %5, %hw, %zp, %zp : (tensor<1x1x48xf32>, tensor<1x48x5xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x5xf32>
  return %6 : tensor<1x1x5xf32>
}
