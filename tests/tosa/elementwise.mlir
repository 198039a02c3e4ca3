// Binary ops with size-1 broadcasting, unary math, compare + select, clamp,
// cast with rounding and saturation.
func.func @elementwise(%a: tensor<2x3xf32>, %b: tensor<1x3xf32>) -> (tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xi8>, tensor<2x3xf32>) {
  %shift = "tosa.const"() <{values = dense<0> : tensor<1xi8>}> : () -> tensor<1xi8>
  %0 = tosa.add %a, %b : (tensor<2x3xf32>, tensor<1x3xf32>) -> tensor<2x3xf32>
  %1 = tosa.mul %0, %a, %shift : (tensor<2x3xf32>, tensor<2x3xf32>, tensor<1xi8>) -> tensor<2x3xf32>
  %2 = tosa.sub %1, %b : (tensor<2x3xf32>, tensor<1x3xf32>) -> tensor<2x3xf32>
  %3 = tosa.maximum %2, %a : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  %4 = tosa.minimum %3, %b : (tensor<2x3xf32>, tensor<1x3xf32>) -> tensor<2x3xf32>
  %5 = tosa.abs %4 : (tensor<2x3xf32>) -> tensor<2x3xf32>
  %6 = tosa.exp %5 : (tensor<2x3xf32>) -> tensor<2x3xf32>
  %7 = tosa.log %6 : (tensor<2x3xf32>) -> tensor<2x3xf32>
  %8 = tosa.tanh %a : (tensor<2x3xf32>) -> tensor<2x3xf32>
  %9 = tosa.sigmoid %8 : (tensor<2x3xf32>) -> tensor<2x3xf32>
  %10 = tosa.floor %a : (tensor<2x3xf32>) -> tensor<2x3xf32>
  %11 = tosa.ceil %b : (tensor<1x3xf32>) -> tensor<1x3xf32>
  %12 = tosa.add %10, %11 : (tensor<2x3xf32>, tensor<1x3xf32>) -> tensor<2x3xf32>
  %13 = tosa.erf %12 : (tensor<2x3xf32>) -> tensor<2x3xf32>
  %14 = tosa.sin %13 : (tensor<2x3xf32>) -> tensor<2x3xf32>
  %15 = tosa.cos %14 : (tensor<2x3xf32>) -> tensor<2x3xf32>
  %16 = tosa.reciprocal %15 : (tensor<2x3xf32>) -> tensor<2x3xf32>
  %17 = tosa.rsqrt %6 : (tensor<2x3xf32>) -> tensor<2x3xf32>
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %18 = tosa.negate %17, %zp, %zp : (tensor<2x3xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<2x3xf32>
  %19 = tosa.greater %a, %b : (tensor<2x3xf32>, tensor<1x3xf32>) -> tensor<2x3xi1>
  %20 = tosa.greater_equal %a, %18 : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xi1>
  %21 = tosa.logical_and %19, %20 : (tensor<2x3xi1>, tensor<2x3xi1>) -> tensor<2x3xi1>
  %22 = tosa.logical_not %21 : (tensor<2x3xi1>) -> tensor<2x3xi1>
  %23 = tosa.select %22, %9, %16 : (tensor<2x3xi1>, tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  %24 = tosa.clamp %23 {min_val = -0.5 : f32, max_val = 0.75 : f32} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  %big = "tosa.const"() <{values = dense<100.0> : tensor<1x1xf32>}> : () -> tensor<1x1xf32>
  %25 = tosa.mul %a, %big, %shift : (tensor<2x3xf32>, tensor<1x1xf32>, tensor<1xi8>) -> tensor<2x3xf32>
  %26 = tosa.cast %25 : (tensor<2x3xf32>) -> tensor<2x3xi8>
  %two = "tosa.const"() <{values = dense<2.0> : tensor<1x1xf32>}> : () -> tensor<1x1xf32>
  %27 = tosa.pow %6, %two : (tensor<2x3xf32>, tensor<1x1xf32>) -> tensor<2x3xf32>
  return %24, %12, %26, %27 : tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xi8>, tensor<2x3xf32>
}
