module {
  func.func @main(%arg0: tensor<3x4x5xf32>) -> (tensor<3x5xf32>, tensor<1x4x1xf32>, tensor<3x4xf32>, tensor<3x5xi64>, tensor<3x4xf32>, tensor<3x5xf32>, tensor<3x4x5xf32>) {
    %cst = arith.constant dense<2> : tensor<1xi64>
    %cst_0 = arith.constant dense<4.000000e+00> : tensor<1xf64>
    %cst_1 = arith.constant dense<5> : tensor<1xi64>
    %cst_2 = arith.constant dense<[3, 4, 1]> : tensor<3xindex>
    %cst_3 = arith.constant dense<[3, 4, 5]> : tensor<3xindex>
    %cst_4 = arith.constant dense<15> : tensor<1xi64>
    %cst_5 = arith.constant dense<[1, 4, 1]> : tensor<3xindex>
    %cst_6 = stablehlo.constant dense<1.000000e+00> : tensor<f32>
    %cst_7 = stablehlo.constant dense<0.000000e+00> : tensor<f64>
    %c = stablehlo.constant dense<0> : tensor<i64>
    %cst_8 = stablehlo.constant dense<0xFF800000> : tensor<f32>
    %cst_9 = stablehlo.constant dense<0.000000e+00> : tensor<f32>
    %0 = stablehlo.reduce(%arg0 init: %cst_9) applies stablehlo.add across dimensions = [1] : (tensor<3x4x5xf32>, tensor<f32>) -> tensor<3x5xf32>
    %1 = stablehlo.reduce(%arg0 init: %cst_9) applies stablehlo.add across dimensions = [0, 2] : (tensor<3x4x5xf32>, tensor<f32>) -> tensor<4xf32>
    %2 = stablehlo.dynamic_reshape %1, %cst_5 : (tensor<4xf32>, tensor<3xindex>) -> tensor<1x4x1xf32>
    %3 = stablehlo.convert %cst_4 : (tensor<1xi64>) -> tensor<1xf32>
    %4 = stablehlo.reshape %3 : (tensor<1xf32>) -> tensor<f32>
    %5 = chlo.broadcast_divide %2, %4 : (tensor<1x4x1xf32>, tensor<f32>) -> tensor<1x4x1xf32>
    %6 = stablehlo.reduce(%arg0 init: %cst_8) applies stablehlo.maximum across dimensions = [2] : (tensor<3x4x5xf32>, tensor<f32>) -> tensor<3x4xf32>
    %7 = stablehlo.dynamic_iota %cst_3, dim = 1 : (tensor<3xindex>) -> tensor<3x4x5xi64>
    %8:2 = stablehlo.reduce(%arg0 init: %cst_8), (%7 init: %c) across dimensions = [1] : (tensor<3x4x5xf32>, tensor<3x4x5xi64>, tensor<f32>, tensor<i64>) -> (tensor<3x5xf32>, tensor<3x5xi64>)
     reducer(%arg1: tensor<f32>, %arg3: tensor<f32>) (%arg2: tensor<i64>, %arg4: tensor<i64>)  {
      %30 = stablehlo.compare GE, %arg1, %arg3, FLOAT : (tensor<f32>, tensor<f32>) -> tensor<i1>
      %31 = stablehlo.select %30, %arg1, %arg3 : tensor<i1>, tensor<f32>
      %32 = stablehlo.compare EQ, %arg1, %arg3, FLOAT : (tensor<f32>, tensor<f32>) -> tensor<i1>
      %33 = stablehlo.minimum %arg2, %arg4 : tensor<i64>
      %34 = stablehlo.select %30, %arg2, %arg4 : tensor<i1>, tensor<i64>
      %35 = stablehlo.select %32, %33, %34 : tensor<i1>, tensor<i64>
      stablehlo.return %31, %35 : tensor<f32>, tensor<i64>
    }
    %9 = stablehlo.convert %arg0 : (tensor<3x4x5xf32>) -> tensor<3x4x5xf64>
    %10 = stablehlo.reduce(%9 init: %cst_7) applies stablehlo.add across dimensions = [2] : (tensor<3x4x5xf64>, tensor<f64>) -> tensor<3x4xf64>
    %11 = stablehlo.dynamic_reshape %10, %cst_2 : (tensor<3x4xf64>, tensor<3xindex>) -> tensor<3x4x1xf64>
    %12 = stablehlo.convert %cst_1 : (tensor<1xi64>) -> tensor<1xf64>
    %13 = stablehlo.reshape %12 : (tensor<1xf64>) -> tensor<f64>
    %14 = chlo.broadcast_divide %11, %13 : (tensor<3x4x1xf64>, tensor<f64>) -> tensor<3x4x1xf64>
    %15 = chlo.broadcast_subtract %9, %14 : (tensor<3x4x5xf64>, tensor<3x4x1xf64>) -> tensor<3x4x5xf64>
    %16 = chlo.broadcast_multiply %15, %15 : (tensor<3x4x5xf64>, tensor<3x4x5xf64>) -> tensor<3x4x5xf64>
    %17 = stablehlo.reduce(%16 init: %cst_7) applies stablehlo.add across dimensions = [2] : (tensor<3x4x5xf64>, tensor<f64>) -> tensor<3x4xf64>
    %18 = stablehlo.convert %cst_0 : tensor<1xf64>
    %19 = stablehlo.reshape %18 : (tensor<1xf64>) -> tensor<f64>
    %20 = chlo.broadcast_divide %17, %19 : (tensor<3x4xf64>, tensor<f64>) -> tensor<3x4xf64>
    %21 = stablehlo.convert %20 : (tensor<3x4xf64>) -> tensor<3x4xf32>
    %22 = stablehlo.convert %cst : (tensor<1xi64>) -> tensor<1xf32>
    %23 = stablehlo.reshape %22 : (tensor<1xf32>) -> tensor<f32>
    %24 = stablehlo.abs %arg0 : tensor<3x4x5xf32>
    %25 = chlo.broadcast_power %24, %23 : (tensor<3x4x5xf32>, tensor<f32>) -> tensor<3x4x5xf32>
    %26 = stablehlo.reduce(%25 init: %cst_9) applies stablehlo.add across dimensions = [1] : (tensor<3x4x5xf32>, tensor<f32>) -> tensor<3x5xf32>
    %27 = stablehlo.divide %cst_6, %23 : tensor<f32>
    %28 = chlo.broadcast_power %26, %27 : (tensor<3x5xf32>, tensor<f32>) -> tensor<3x5xf32>
    %29 = "stablehlo.reduce_window"(%arg0, %cst_9) <{padding = dense<[[0, 0], [0, 0], [4, 0]]> : tensor<3x2xi64>, window_dilations = array<i64: 1, 1, 1>, window_dimensions = array<i64: 1, 1, 5>, window_strides = array<i64: 1, 1, 1>}> ({
    ^bb0(%arg1: tensor<f32>, %arg2: tensor<f32>):
      %30 = stablehlo.add %arg1, %arg2 : tensor<f32>
      stablehlo.return %30 : tensor<f32>
    }) : (tensor<3x4x5xf32>, tensor<f32>) -> tensor<3x4x5xf32>
    return %0, %5, %6, %8#1, %21, %28, %29 : tensor<3x5xf32>, tensor<1x4x1xf32>, tensor<3x4xf32>, tensor<3x5xi64>, tensor<3x4xf32>, tensor<3x5xf32>, tensor<3x4x5xf32>
  }
}
