// Reshape, transpose, concat, slice, pad, tile, reverse and reductions.
func.func @movement(%a: tensor<2x3x4xf32>, %b: tensor<2x3x2xf32>) -> (tensor<2x1x4xf32>, tensor<3x7x2xf32>, tensor<2x3x1xf32>, tensor<2x4xi32>, tensor<6x4xf32>) {
  %0 = tosa.concat %a, %b {axis = 2 : i32} : (tensor<2x3x4xf32>, tensor<2x3x2xf32>) -> tensor<2x3x6xf32>
  %s = tosa.const_shape {values = dense<[0, 1, 1]> : tensor<3xindex>} : () -> !tosa.shape<3>
  %z = tosa.const_shape {values = dense<[2, 2, 4]> : tensor<3xindex>} : () -> !tosa.shape<3>
  %1 = tosa.slice %0, %s, %z : (tensor<2x3x6xf32>, !tosa.shape<3>, !tosa.shape<3>) -> tensor<2x2x4xf32>
  %2 = tosa.reduce_sum %1 {axis = 1 : i32} : (tensor<2x2x4xf32>) -> tensor<2x1x4xf32>
  %3 = tosa.transpose %0 {perms = array<i32: 2, 0, 1>} : (tensor<2x3x6xf32>) -> tensor<6x2x3xf32>
  %p = tosa.const_shape {values = dense<[0, 0, 1, 0, 0, 0]> : tensor<6xindex>} : () -> !tosa.shape<6>
  %pv = "tosa.const"() <{values = dense<1.5> : tensor<1xf32>}> : () -> tensor<1xf32>
  %4 = tosa.pad %3, %p, %pv : (tensor<6x2x3xf32>, !tosa.shape<6>, tensor<1xf32>) -> tensor<6x3x3xf32>
  %r = tosa.const_shape {values = dense<[3, 9, 2]> : tensor<3xindex>} : () -> !tosa.shape<3>
  %5 = tosa.reshape %4, %r : (tensor<6x3x3xf32>, !tosa.shape<3>) -> tensor<3x9x2xf32>
  %6 = tosa.reverse %5 {axis = 1 : i32} : (tensor<3x9x2xf32>) -> tensor<3x9x2xf32>
  %s2 = tosa.const_shape {values = dense<[0, 2, 0]> : tensor<3xindex>} : () -> !tosa.shape<3>
  %z2 = tosa.const_shape {values = dense<[3, 7, 2]> : tensor<3xindex>} : () -> !tosa.shape<3>
  %7 = tosa.slice %6, %s2, %z2 : (tensor<3x9x2xf32>, !tosa.shape<3>, !tosa.shape<3>) -> tensor<3x7x2xf32>
  %8 = tosa.reduce_max %a {axis = 2 : i32} : (tensor<2x3x4xf32>) -> tensor<2x3x1xf32>
  %9 = tosa.reduce_min %b {axis = 2 : i32} : (tensor<2x3x2xf32>) -> tensor<2x3x1xf32>
  %10 = tosa.add %8, %9 : (tensor<2x3x1xf32>, tensor<2x3x1xf32>) -> tensor<2x3x1xf32>
  %11 = tosa.argmax %a {axis = 1 : i32} : (tensor<2x3x4xf32>) -> tensor<2x4xi32>
  %t = tosa.const_shape {values = dense<[3, 1]> : tensor<2xindex>} : () -> !tosa.shape<2>
  %rs = tosa.const_shape {values = dense<[2, 4]> : tensor<2xindex>} : () -> !tosa.shape<2>
  %12 = tosa.reshape %2, %rs : (tensor<2x1x4xf32>, !tosa.shape<2>) -> tensor<2x4xf32>
  %13 = tosa.tile %12, %t : (tensor<2x4xf32>, !tosa.shape<2>) -> tensor<6x4xf32>
  return %2, %7, %10, %11, %13 : tensor<2x1x4xf32>, tensor<3x7x2xf32>, tensor<2x3x1xf32>, tensor<2x4xi32>, tensor<6x4xf32>
}
