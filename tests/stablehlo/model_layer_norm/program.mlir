module @jit_layer_norm attributes {mhlo.num_partitions = 1 : i32, mhlo.num_replicas = 1 : i32} {
  func.func public @main(%arg0: tensor<3x4x16xf32>) -> (tensor<3x4x16xf32> {jax.result_info = "result"}) {
    %cst = stablehlo.constant dense<[0.582296312, 1.33852661, 1.01246142, 0.695858657, 0.62720853, 1.30666482, 0.911912977, 1.09952617, 0.759274184, 0.955782175, 0.7597543, 0.760201454, 1.4347899, 1.24835384, 0.908989429, 1.15984643]> : tensor<16xf32>
    %cst_0 = stablehlo.constant dense<[-0.18189165, -0.151920348, 0.0763884634, -0.06841591, -0.0688465238, 0.0587804615, 0.199678734, -0.0380434804, -0.0756790489, -0.198890477, 0.00950097758, 0.0306613967, 0.101008952, 0.110397741, 0.149739981, 0.0935295894]> : tensor<16xf32>
    %cst_1 = stablehlo.constant dense<0.000000e+00> : tensor<f32>
    %0 = stablehlo.reduce(%arg0 init: %cst_1) applies stablehlo.add across dimensions = [2] : (tensor<3x4x16xf32>, tensor<f32>) -> tensor<3x4xf32>
    %1 = stablehlo.broadcast_in_dim %0, dims = [0, 1] : (tensor<3x4xf32>) -> tensor<3x4x1xf32>
    %cst_2 = stablehlo.constant dense<1.600000e+01> : tensor<f32>
    %2 = stablehlo.broadcast_in_dim %cst_2, dims = [] : (tensor<f32>) -> tensor<3x4x1xf32>
    %3 = stablehlo.divide %1, %2 : tensor<3x4x1xf32>
    %4 = stablehlo.broadcast_in_dim %3, dims = [0, 1, 2] : (tensor<3x4x1xf32>) -> tensor<3x4x16xf32>
    %5 = stablehlo.subtract %arg0, %4 : tensor<3x4x16xf32>
    %6 = stablehlo.multiply %5, %5 : tensor<3x4x16xf32>
    %cst_3 = stablehlo.constant dense<0.000000e+00> : tensor<f32>
    %7 = stablehlo.reduce(%6 init: %cst_3) applies stablehlo.add across dimensions = [2] : (tensor<3x4x16xf32>, tensor<f32>) -> tensor<3x4xf32>
    %8 = stablehlo.broadcast_in_dim %7, dims = [0, 1] : (tensor<3x4xf32>) -> tensor<3x4x1xf32>
    %cst_4 = stablehlo.constant dense<1.600000e+01> : tensor<f32>
    %9 = stablehlo.broadcast_in_dim %cst_4, dims = [] : (tensor<f32>) -> tensor<3x4x1xf32>
    %10 = stablehlo.divide %8, %9 : tensor<3x4x1xf32>
    %11 = stablehlo.broadcast_in_dim %3, dims = [0, 1, 2] : (tensor<3x4x1xf32>) -> tensor<3x4x16xf32>
    %12 = stablehlo.subtract %arg0, %11 : tensor<3x4x16xf32>
    %cst_5 = stablehlo.constant dense<9.99999974E-6> : tensor<f32>
    %13 = stablehlo.broadcast_in_dim %cst_5, dims = [] : (tensor<f32>) -> tensor<3x4x1xf32>
    %14 = stablehlo.add %10, %13 : tensor<3x4x1xf32>
    %15 = stablehlo.rsqrt %14 : tensor<3x4x1xf32>
    %16 = stablehlo.broadcast_in_dim %15, dims = [0, 1, 2] : (tensor<3x4x1xf32>) -> tensor<3x4x16xf32>
    %17 = stablehlo.multiply %12, %16 : tensor<3x4x16xf32>
    %18 = stablehlo.broadcast_in_dim %cst, dims = [2] : (tensor<16xf32>) -> tensor<1x1x16xf32>
    %19 = stablehlo.broadcast_in_dim %18, dims = [0, 1, 2] : (tensor<1x1x16xf32>) -> tensor<3x4x16xf32>
    %20 = stablehlo.multiply %17, %19 : tensor<3x4x16xf32>
    %21 = stablehlo.broadcast_in_dim %cst_0, dims = [2] : (tensor<16xf32>) -> tensor<1x1x16xf32>
    %22 = stablehlo.broadcast_in_dim %21, dims = [0, 1, 2] : (tensor<1x1x16xf32>) -> tensor<3x4x16xf32>
    %23 = stablehlo.add %20, %22 : tensor<3x4x16xf32>
    return %23 : tensor<3x4x16xf32>
  }
}
