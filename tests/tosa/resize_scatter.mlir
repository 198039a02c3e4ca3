// resize in both modes, float and integer (integer BILINEAR: the wide,
// unnormalised sum), with fractional scales, negative offsets and borders;
// scatter of rows into (N, K, C) values.
func.func @resize_scatter(%x: tensor<1x3x4x2xf32>, %q: tensor<1x3x4x2xi8>, %v: tensor<2x5x3xf32>, %u: tensor<2x3x3xf32>) -> (tensor<1x7x6x2xf32>, tensor<1x7x6x2xf32>, tensor<1x5x5x2xi32>, tensor<1x5x5x2xi8>, tensor<2x5x3xf32>) {
  %s1 = tosa.const_shape {values = dense<[5, 2, 3, 2]> : tensor<4xindex>} : () -> !tosa.shape<4>
  %o1 = tosa.const_shape {values = dense<[-1, 0]> : tensor<2xindex>} : () -> !tosa.shape<2>
  %b1 = tosa.const_shape {values = dense<[1, 1]> : tensor<2xindex>} : () -> !tosa.shape<2>
  %0 = tosa.resize %x, %s1, %o1, %b1 {mode = BILINEAR} : (tensor<1x3x4x2xf32>, !tosa.shape<4>, !tosa.shape<2>, !tosa.shape<2>) -> tensor<1x7x6x2xf32>
  %1 = tosa.resize %x, %s1, %o1, %b1 {mode = NEAREST_NEIGHBOR} : (tensor<1x3x4x2xf32>, !tosa.shape<4>, !tosa.shape<2>, !tosa.shape<2>) -> tensor<1x7x6x2xf32>
  %s2 = tosa.const_shape {values = dense<[4, 2, 4, 3]> : tensor<4xindex>} : () -> !tosa.shape<4>
  %o2 = tosa.const_shape {values = dense<[0, 0]> : tensor<2xindex>} : () -> !tosa.shape<2>
  %b2 = tosa.const_shape {values = dense<[0, 0]> : tensor<2xindex>} : () -> !tosa.shape<2>
  %2 = tosa.resize %q, %s2, %o2, %b2 {mode = BILINEAR} : (tensor<1x3x4x2xi8>, !tosa.shape<4>, !tosa.shape<2>, !tosa.shape<2>) -> tensor<1x5x5x2xi32>
  %3 = tosa.resize %q, %s2, %o2, %b2 {mode = NEAREST_NEIGHBOR} : (tensor<1x3x4x2xi8>, !tosa.shape<4>, !tosa.shape<2>, !tosa.shape<2>) -> tensor<1x5x5x2xi8>
  %idx = "tosa.const"() <{values = dense<[[4, 0, 2], [1, 3, 0]]> : tensor<2x3xi32>}> : () -> tensor<2x3xi32>
  %4 = tosa.scatter %v, %idx, %u : (tensor<2x5x3xf32>, tensor<2x3xi32>, tensor<2x3x3xf32>) -> tensor<2x5x3xf32>
  return %0, %1, %2, %3, %4 : tensor<1x7x6x2xf32>, tensor<1x7x6x2xf32>, tensor<1x5x5x2xi32>, tensor<1x5x5x2xi8>, tensor<2x5x3xf32>
}
