// conv3d (NDHWC x ODHWI, asymmetric pads, strides, dilation) and
// transpose_conv2d (OHWI, strides, positive and negative out_pad).
func.func @conv3d_transpose(%x: tensor<1x4x5x6x2xf32>, %t: tensor<1x3x4x2xf32>) -> (tensor<1x3x3x6x3xf32>, tensor<1x8x8x3xf32>) {
  %w = "tosa.const"() <{values = dense<[[[[[0.1, -0.2], [0.3, 0.05]], [[0.1, -0.1], [0.2, 0.1]]], [[[0.0, -0.3], [0.2, 0.1]], [[0.0, 0.1], [0.2, 0.3]]]], [[[[-0.1, 0.05], [0.2, 0.1]], [[-0.2, 0.3], [0.1, 0.1]]], [[[0.1, 0.1], [0.25, -0.05]], [[0.15, 0.1], [0.2, -0.2]]]], [[[[0.05, 0.05], [0.3, -0.1]], [[0.0, 0.2], [-0.15, 0.2]]], [[[0.1, 0.2], [0.1, 0.0]], [[0.1, -0.2], [0.25, 0.05]]]]]> : tensor<3x2x2x2x2xf32>}> : () -> tensor<3x2x2x2x2xf32>
  %b = "tosa.const"() <{values = dense<[0.1, -0.1, 0.2]> : tensor<3xf32>}> : () -> tensor<3xf32>
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %0 = tosa.conv3d %x, %w, %b, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1, 2>, pad = array<i64: 1, 1, 0, 1, 1, 1>, stride = array<i64: 2, 2, 1>} : (tensor<1x4x5x6x2xf32>, tensor<3x2x2x2x2xf32>, tensor<3xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x3x3x6x3xf32>
  %tw = "tosa.const"() <{values = dense<[[[[0.1, -0.2], [0.3, 0.05], [0.2, 0.1]], [[0.1, -0.1], [0.2, 0.1], [0.0, 0.3]]], [[[0.0, -0.3], [0.2, 0.1], [-0.1, 0.1]], [[0.0, 0.1], [0.2, 0.3], [0.1, 0.2]]], [[[-0.1, 0.05], [0.2, 0.1], [0.3, 0.0]], [[-0.2, 0.3], [0.1, 0.1], [0.2, -0.2]]]]> : tensor<3x2x3x2xf32>}> : () -> tensor<3x2x3x2xf32>
  %1 = tosa.transpose_conv2d %t, %tw, %b, %zp, %zp {acc_type = f32, out_pad = array<i64: 1, -1, 0, -1>, stride = array<i64: 3, 2>} : (tensor<1x3x4x2xf32>, tensor<3x2x3x2xf32>, tensor<3xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x8x8x3xf32>
  return %0, %1 : tensor<1x3x3x6x3xf32>, tensor<1x8x8x3xf32>
}
