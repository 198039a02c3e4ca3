module {
  func.func @main(%arg0: tensor<2x6x5xf32>, %arg1: tensor<2x5x4xf32>) -> (tensor<2x4x5xf32>, tensor<2x2x5xf32>, tensor<5x12xf32>, tensor<2x7x8xf32>, tensor<2x6x5xf32>, tensor<2x6x2xf32>, tensor<2x6x2xi64>) {
    %cst = arith.constant dense<[2, 1, 1]> : tensor<3xi64>
    %cst_0 = arith.constant dense<[2, 1, 4]> : tensor<3xi64>
    %cst_1 = arith.constant dense<0> : tensor<1xi64>
    %cst_2 = arith.constant dense<[2, 6, 2]> : tensor<3xi64>
    %cst_3 = arith.constant dense<5.000000e-01> : tensor<1xf64>
    %cst_4 = arith.constant dense<[5, 12]> : tensor<2xi64>
    %cst_5 = arith.constant dense<[2, 5]> : tensor<2xi64>
    %cst_6 = arith.constant dense<[2, 8]> : tensor<2xi64>
    %cst_7 = arith.constant dense<[2, 2, 4]> : tensor<3xindex>
    %cst_8 = arith.constant dense<[2, 1, 4]> : tensor<3xindex>
    %cst_9 = arith.constant dense<1> : tensor<2xi64>
    %cst_10 = arith.constant dense<[2, 4]> : tensor<2xi64>
    %cst_11 = arith.constant dense<0> : tensor<2xi64>
    %cst_12 = arith.constant dense<[2, 5, 1]> : tensor<3xi64>
    %cst_13 = arith.constant dense<[2, 5]> : tensor<2xindex>
    %cst_14 = arith.constant dense<[2, 1, 5]> : tensor<3xi64>
    %cst_15 = arith.constant dense<[2, 2, 5]> : tensor<3xi64>
    %cst_16 = arith.constant dense<1> : tensor<3xi64>
    %cst_17 = arith.constant dense<[2, 5, 3]> : tensor<3xi64>
    %cst_18 = arith.constant dense<0> : tensor<3xi64>
    %cst_19 = arith.constant dense<[1, 2, 1]> : tensor<3xi64>
    %cst_20 = arith.constant dense<[2, 5, 5]> : tensor<3xi64>
    %cst_21 = arith.constant dense<[0, 1, 0]> : tensor<3xi64>
    %0 = stablehlo.real_dynamic_slice %arg0, %cst_21, %cst_20, %cst_19 : (tensor<2x6x5xf32>, tensor<3xi64>, tensor<3xi64>, tensor<3xi64>) -> tensor<2x2x5xf32>
    %1 = stablehlo.real_dynamic_slice %arg1, %cst_18, %cst_17, %cst_16 : (tensor<2x5x4xf32>, tensor<3xi64>, tensor<3xi64>, tensor<3xi64>) -> tensor<2x5x3xf32>
    %2 = stablehlo.transpose %1, dims = [0, 2, 1] : (tensor<2x5x3xf32>) -> tensor<2x3x5xf32>
    %3 = stablehlo.real_dynamic_slice %2, %cst_18, %cst_15, %cst_16 : (tensor<2x3x5xf32>, tensor<3xi64>, tensor<3xi64>, tensor<3xi64>) -> tensor<2x2x5xf32>
    %4 = stablehlo.concatenate %0, %3, dim = 1 : (tensor<2x2x5xf32>, tensor<2x2x5xf32>) -> tensor<2x4x5xf32>
    %5 = stablehlo.real_dynamic_slice %arg0, %cst_18, %cst_14, %cst_16 : (tensor<2x6x5xf32>, tensor<3xi64>, tensor<3xi64>, tensor<3xi64>) -> tensor<2x1x5xf32>
    %6 = stablehlo.dynamic_reshape %5, %cst_13 : (tensor<2x1x5xf32>, tensor<2xindex>) -> tensor<2x5xf32>
    %7 = stablehlo.real_dynamic_slice %arg1, %cst_18, %cst_12, %cst_16 : (tensor<2x5x4xf32>, tensor<3xi64>, tensor<3xi64>, tensor<3xi64>) -> tensor<2x5x1xf32>
    %8 = stablehlo.dynamic_reshape %7, %cst_13 : (tensor<2x5x1xf32>, tensor<2xindex>) -> tensor<2x5xf32>
    %9 = stablehlo.real_dynamic_slice %8, %cst_11, %cst_10, %cst_9 : (tensor<2x5xf32>, tensor<2xi64>, tensor<2xi64>, tensor<2xi64>) -> tensor<2x4xf32>
    %10 = stablehlo.dynamic_reshape %9, %cst_8 : (tensor<2x4xf32>, tensor<3xindex>) -> tensor<2x1x4xf32>
    %11 = stablehlo.dynamic_broadcast_in_dim %10, %cst_7, dims = [0, 1, 2] : (tensor<2x1x4xf32>, tensor<3xindex>) -> tensor<2x2x4xf32>
    %12 = stablehlo.dynamic_reshape %11, %cst_6 : (tensor<2x2x4xf32>, tensor<2xi64>) -> tensor<2x8xf32>
    %13 = stablehlo.real_dynamic_slice %12, %cst_11, %cst_5, %cst_9 : (tensor<2x8xf32>, tensor<2xi64>, tensor<2xi64>, tensor<2xi64>) -> tensor<2x5xf32>
    %14 = stablehlo.concatenate %6, %13, dim = 0 : (tensor<2x5xf32>, tensor<2x5xf32>) -> tensor<4x5xf32>
    %15 = stablehlo.dynamic_reshape %14, %cst_15 : (tensor<4x5xf32>, tensor<3xi64>) -> tensor<2x2x5xf32>
    %16 = stablehlo.reverse %arg0, dims = [2] : tensor<2x6x5xf32>
    %17 = stablehlo.transpose %16, dims = [2, 0, 1] : (tensor<2x6x5xf32>) -> tensor<5x2x6xf32>
    %18 = stablehlo.dynamic_reshape %17, %cst_4 : (tensor<5x2x6xf32>, tensor<2xi64>) -> tensor<5x12xf32>
    %19 = stablehlo.convert %cst_3 : (tensor<1xf64>) -> tensor<1xf32>
    %20 = stablehlo.reshape %19 : (tensor<1xf32>) -> tensor<f32>
    %21 = stablehlo.pad %arg0, %20, low = [0, 0, 1], high = [0, 1, 2], interior = [0, 0, 0] : (tensor<2x6x5xf32>, tensor<f32>) -> tensor<2x7x8xf32>
    %22 = stablehlo.iota dim = 2 : tensor<2x6x5xi64>
    %23:2 = "stablehlo.sort"(%arg0, %22) <{dimension = 2 : i64, is_stable = false}> ({
    ^bb0(%arg2: tensor<f32>, %arg3: tensor<f32>, %arg4: tensor<i64>, %arg5: tensor<i64>):
      %33 = stablehlo.compare GT, %arg2, %arg3, FLOAT : (tensor<f32>, tensor<f32>) -> tensor<i1>
      stablehlo.return %33 : tensor<i1>
    }) : (tensor<2x6x5xf32>, tensor<2x6x5xi64>) -> (tensor<2x6x5xf32>, tensor<2x6x5xi64>)
    %24 = stablehlo.real_dynamic_slice %23#0, %cst_18, %cst_2, %cst_16 : (tensor<2x6x5xf32>, tensor<3xi64>, tensor<3xi64>, tensor<3xi64>) -> tensor<2x6x2xf32>
    %25 = stablehlo.real_dynamic_slice %23#1, %cst_18, %cst_2, %cst_16 : (tensor<2x6x5xi64>, tensor<3xi64>, tensor<3xi64>, tensor<3xi64>) -> tensor<2x6x2xi64>
    %26 = stablehlo.convert %cst_1 : tensor<1xi64>
    %27 = stablehlo.reshape %26 : (tensor<1xi64>) -> tensor<i64>
    %28 = stablehlo.convert %27 : (tensor<i64>) -> tensor<f32>
    %29 = chlo.broadcast_compare %arg0, %28 {compare_type = #chlo<comparison_type FLOAT>, comparison_direction = #chlo<comparison_direction GT>} : (tensor<2x6x5xf32>, tensor<f32>) -> tensor<2x6x5xi1>
    %30 = stablehlo.real_dynamic_slice %arg1, %cst_18, %cst_0, %cst_16 : (tensor<2x5x4xf32>, tensor<3xi64>, tensor<3xi64>, tensor<3xi64>) -> tensor<2x1x4xf32>
    %31 = stablehlo.real_dynamic_slice %30, %cst_18, %cst, %cst_16 : (tensor<2x1x4xf32>, tensor<3xi64>, tensor<3xi64>, tensor<3xi64>) -> tensor<2x1x1xf32>
    %32 = chlo.broadcast_select %29, %arg0, %31 : (tensor<2x6x5xi1>, tensor<2x6x5xf32>, tensor<2x1x1xf32>) -> tensor<2x6x5xf32>
    return %4, %15, %18, %21, %32, %24, %25 : tensor<2x4x5xf32>, tensor<2x2x5xf32>, tensor<5x12xf32>, tensor<2x7x8xf32>, tensor<2x6x5xf32>, tensor<2x6x2xf32>, tensor<2x6x2xi64>
  }
}
