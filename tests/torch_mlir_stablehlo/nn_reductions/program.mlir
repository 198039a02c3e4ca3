module {
  func.func @main(%arg0: tensor<3x4x5xf32>) -> (tensor<3x5xf32>, tensor<1x4x1xf32>, tensor<3x4xf32>, tensor<3x5xi64>, tensor<3x4xf32>, tensor<3x5xf32>, tensor<3x4x5xf32>) {
    %cst = stablehlo.constant dense<0.000000e+00> : tensor<f32>
    %cst_0 = stablehlo.constant dense<0xFF800000> : tensor<f32>
    %c = stablehlo.constant dense<0> : tensor<i64>
    %cst_1 = stablehlo.constant dense<0.000000e+00> : tensor<f64>
    %cst_2 = stablehlo.constant dense<1.000000e+00> : tensor<f32>
    %cst_3 = arith.constant dense<15> : tensor<1xi64>
    %cst_4 = arith.constant dense<5> : tensor<1xi64>
    %cst_5 = arith.constant dense<4.000000e+00> : tensor<1xf64>
    %cst_6 = arith.constant dense<2> : tensor<1xi64>
    %0 = stablehlo.reduce(%arg0 init: %cst) applies stablehlo.add across dimensions = [1] : (tensor<3x4x5xf32>, tensor<f32>) -> tensor<3x5xf32>
    %1 = stablehlo.reduce(%arg0 init: %cst) applies stablehlo.add across dimensions = [0, 2] : (tensor<3x4x5xf32>, tensor<f32>) -> tensor<4xf32>
    %2 = stablehlo.reshape %1 : (tensor<4xf32>) -> tensor<1x4x1xf32>
    %3 = stablehlo.convert %cst_3 : (tensor<1xi64>) -> tensor<1xf32>
    %4 = stablehlo.reshape %3 : (tensor<1xf32>) -> tensor<f32>
    %5 = stablehlo.broadcast_in_dim %4, dims = [] : (tensor<f32>) -> tensor<1x4x1xf32>
    %6 = stablehlo.divide %2, %5 : tensor<1x4x1xf32>
    %7 = stablehlo.reduce(%arg0 init: %cst_0) applies stablehlo.maximum across dimensions = [2] : (tensor<3x4x5xf32>, tensor<f32>) -> tensor<3x4xf32>
    %8 = stablehlo.iota dim = 1 : tensor<3x4x5xi64>
    %9:2 = stablehlo.reduce(%arg0 init: %cst_0), (%8 init: %c) across dimensions = [1] : (tensor<3x4x5xf32>, tensor<3x4x5xi64>, tensor<f32>, tensor<i64>) -> (tensor<3x5xf32>, tensor<3x5xi64>)
     reducer(%arg1: tensor<f32>, %arg3: tensor<f32>) (%arg2: tensor<i64>, %arg4: tensor<i64>)  {
      %36 = stablehlo.compare GE, %arg1, %arg3, FLOAT : (tensor<f32>, tensor<f32>) -> tensor<i1>
      %37 = stablehlo.select %36, %arg1, %arg3 : tensor<i1>, tensor<f32>
      %38 = stablehlo.compare EQ, %arg1, %arg3, FLOAT : (tensor<f32>, tensor<f32>) -> tensor<i1>
      %39 = stablehlo.minimum %arg2, %arg4 : tensor<i64>
      %40 = stablehlo.select %36, %arg2, %arg4 : tensor<i1>, tensor<i64>
      %41 = stablehlo.select %38, %39, %40 : tensor<i1>, tensor<i64>
      stablehlo.return %37, %41 : tensor<f32>, tensor<i64>
    }
    %10 = stablehlo.convert %arg0 : (tensor<3x4x5xf32>) -> tensor<3x4x5xf64>
    %11 = stablehlo.reduce(%10 init: %cst_1) applies stablehlo.add across dimensions = [2] : (tensor<3x4x5xf64>, tensor<f64>) -> tensor<3x4xf64>
    %12 = stablehlo.reshape %11 : (tensor<3x4xf64>) -> tensor<3x4x1xf64>
    %13 = stablehlo.convert %cst_4 : (tensor<1xi64>) -> tensor<1xf64>
    %14 = stablehlo.reshape %13 : (tensor<1xf64>) -> tensor<f64>
    %15 = stablehlo.broadcast_in_dim %14, dims = [] : (tensor<f64>) -> tensor<3x4x1xf64>
    %16 = stablehlo.divide %12, %15 : tensor<3x4x1xf64>
    %17 = stablehlo.broadcast_in_dim %16, dims = [0, 1, 2] : (tensor<3x4x1xf64>) -> tensor<3x4x5xf64>
    %18 = stablehlo.subtract %10, %17 : tensor<3x4x5xf64>
    %19 = stablehlo.multiply %18, %18 : tensor<3x4x5xf64>
    %20 = stablehlo.reduce(%19 init: %cst_1) applies stablehlo.add across dimensions = [2] : (tensor<3x4x5xf64>, tensor<f64>) -> tensor<3x4xf64>
    %21 = stablehlo.convert %cst_5 : tensor<1xf64>
    %22 = stablehlo.reshape %21 : (tensor<1xf64>) -> tensor<f64>
    %23 = stablehlo.broadcast_in_dim %22, dims = [] : (tensor<f64>) -> tensor<3x4xf64>
    %24 = stablehlo.divide %20, %23 : tensor<3x4xf64>
    %25 = stablehlo.convert %24 : (tensor<3x4xf64>) -> tensor<3x4xf32>
    %26 = stablehlo.convert %cst_6 : (tensor<1xi64>) -> tensor<1xf32>
    %27 = stablehlo.reshape %26 : (tensor<1xf32>) -> tensor<f32>
    %28 = stablehlo.abs %arg0 : tensor<3x4x5xf32>
    %29 = stablehlo.broadcast_in_dim %27, dims = [] : (tensor<f32>) -> tensor<3x4x5xf32>
    %30 = stablehlo.power %28, %29 : tensor<3x4x5xf32>
    %31 = stablehlo.reduce(%30 init: %cst) applies stablehlo.add across dimensions = [1] : (tensor<3x4x5xf32>, tensor<f32>) -> tensor<3x5xf32>
    %32 = stablehlo.divide %cst_2, %27 : tensor<f32>
    %33 = stablehlo.broadcast_in_dim %32, dims = [] : (tensor<f32>) -> tensor<3x5xf32>
    %34 = stablehlo.power %31, %33 : tensor<3x5xf32>
    %35 = "stablehlo.reduce_window"(%arg0, %cst) <{padding = dense<[[0, 0], [0, 0], [4, 0]]> : tensor<3x2xi64>, window_dilations = array<i64: 1, 1, 1>, window_dimensions = array<i64: 1, 1, 5>, window_strides = array<i64: 1, 1, 1>}> ({
    ^bb0(%arg1: tensor<f32>, %arg2: tensor<f32>):
      %36 = stablehlo.add %arg1, %arg2 : tensor<f32>
      stablehlo.return %36 : tensor<f32>
    }) : (tensor<3x4x5xf32>, tensor<f32>) -> tensor<3x4x5xf32>
    return %0, %6, %7, %9#1, %25, %34, %35 : tensor<3x5xf32>, tensor<1x4x1xf32>, tensor<3x4xf32>, tensor<3x5xi64>, tensor<3x4xf32>, tensor<3x5xf32>, tensor<3x4x5xf32>
  }
}
