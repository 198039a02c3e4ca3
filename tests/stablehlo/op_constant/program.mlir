module @jit__lambda attributes {mhlo.num_partitions = 1 : i32, mhlo.num_replicas = 1 : i32} {
  func.func public @main(%arg0: tensor<2x3xf32>) -> (tensor<2x3xf32> {jax.result_info = "result[0]"}, tensor<3xi32> {jax.result_info = "result[1]"}, tensor<3xi1> {jax.result_info = "result[2]"}, tensor<2x3xf32> {jax.result_info = "result[3]"}) {
    %cst = stablehlo.constant dense<[[1.500000e+00, -2.000000e+00, 3.250000e+00], [0.000000e+00, 7.000000e+00, -1.000000e+00]]> : tensor<2x3xf32>
    %c = stablehlo.constant dense<[1, -2, 3]> : tensor<3xi32>
    %c_0 = stablehlo.constant dense<[true, false, true]> : tensor<3xi1>
    %cst_1 = stablehlo.constant dense<[[0.000000e+00, 1.000000e+00, 2.000000e+00], [3.000000e+00, 4.000000e+00, 5.000000e+00]]> : tensor<2x3xf32>
    %0 = stablehlo.add %arg0, %cst : tensor<2x3xf32>
    %c_2 = stablehlo.constant dense<2> : tensor<i32>
    %1 = stablehlo.broadcast_in_dim %c_2, dims = [] : (tensor<i32>) -> tensor<3xi32>
    %2 = stablehlo.multiply %c, %1 : tensor<3xi32>
    %3 = stablehlo.convert %arg0 : (tensor<2x3xf32>) -> tensor<2x3xi32>
    %4 = stablehlo.slice %3 [0:1, 0:3] : (tensor<2x3xi32>) -> tensor<1x3xi32>
    %5 = stablehlo.reshape %4 : (tensor<1x3xi32>) -> tensor<3xi32>
    %6 = stablehlo.add %2, %5 : tensor<3xi32>
    %7 = stablehlo.slice %arg0 [0:1, 0:3] : (tensor<2x3xf32>) -> tensor<1x3xf32>
    %8 = stablehlo.reshape %7 : (tensor<1x3xf32>) -> tensor<3xf32>
    %cst_3 = stablehlo.constant dense<0.000000e+00> : tensor<f32>
    %9 = stablehlo.broadcast_in_dim %cst_3, dims = [] : (tensor<f32>) -> tensor<3xf32>
    %10 = stablehlo.compare GT, %8, %9, FLOAT : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xi1>
    %11 = stablehlo.and %c_0, %10 : tensor<3xi1>
    %12 = stablehlo.add %arg0, %cst_1 : tensor<2x3xf32>
    return %0, %6, %11, %12 : tensor<2x3xf32>, tensor<3xi32>, tensor<3xi1>, tensor<2x3xf32>
  }
}
