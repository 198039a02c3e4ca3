module {
  func.func @main(%arg0: tensor<2x6x5xf32>, %arg1: tensor<2x5x4xf32>) -> (tensor<2x4x5xf32>, tensor<2x2x5xf32>, tensor<5x12xf32>, tensor<2x7x8xf32>, tensor<2x6x5xf32>, tensor<2x6x2xf32>, tensor<2x6x2xi64>) {
    %c = stablehlo.constant dense<0> : tensor<i64>
    %cst = arith.constant dense<5.000000e-01> : tensor<1xf64>
    %0 = stablehlo.slice %arg0 [0:2, 1:5:2, 0:5] : (tensor<2x6x5xf32>) -> tensor<2x2x5xf32>
    %1 = stablehlo.slice %arg1 [0:2, 0:5, 0:3] : (tensor<2x5x4xf32>) -> tensor<2x5x3xf32>
    %2 = stablehlo.transpose %1, dims = [0, 2, 1] : (tensor<2x5x3xf32>) -> tensor<2x3x5xf32>
    %3 = stablehlo.slice %2 [0:2, 0:2, 0:5] : (tensor<2x3x5xf32>) -> tensor<2x2x5xf32>
    %4 = stablehlo.concatenate %0, %3, dim = 1 : (tensor<2x2x5xf32>, tensor<2x2x5xf32>) -> tensor<2x4x5xf32>
    %5 = stablehlo.slice %arg0 [0:2, 0:1, 0:5] : (tensor<2x6x5xf32>) -> tensor<2x1x5xf32>
    %6 = stablehlo.reshape %5 : (tensor<2x1x5xf32>) -> tensor<2x5xf32>
    %7 = stablehlo.slice %arg1 [0:2, 0:5, 0:1] : (tensor<2x5x4xf32>) -> tensor<2x5x1xf32>
    %8 = stablehlo.reshape %7 : (tensor<2x5x1xf32>) -> tensor<2x5xf32>
    %9 = stablehlo.slice %8 [0:2, 0:4] : (tensor<2x5xf32>) -> tensor<2x4xf32>
    %10 = stablehlo.reshape %9 : (tensor<2x4xf32>) -> tensor<2x1x4xf32>
    %11 = stablehlo.broadcast_in_dim %10, dims = [0, 1, 2] : (tensor<2x1x4xf32>) -> tensor<2x2x4xf32>
    %12 = stablehlo.reshape %11 : (tensor<2x2x4xf32>) -> tensor<2x8xf32>
    %13 = stablehlo.slice %12 [0:2, 0:5] : (tensor<2x8xf32>) -> tensor<2x5xf32>
    %14 = stablehlo.concatenate %6, %13, dim = 0 : (tensor<2x5xf32>, tensor<2x5xf32>) -> tensor<4x5xf32>
    %15 = stablehlo.reshape %14 : (tensor<4x5xf32>) -> tensor<2x2x5xf32>
    %16 = stablehlo.reverse %arg0, dims = [2] : tensor<2x6x5xf32>
    %17 = stablehlo.transpose %16, dims = [2, 0, 1] : (tensor<2x6x5xf32>) -> tensor<5x2x6xf32>
    %18 = stablehlo.reshape %17 : (tensor<5x2x6xf32>) -> tensor<5x12xf32>
    %19 = stablehlo.convert %cst : (tensor<1xf64>) -> tensor<1xf32>
    %20 = stablehlo.reshape %19 : (tensor<1xf32>) -> tensor<f32>
    %21 = stablehlo.pad %arg0, %20, low = [0, 0, 1], high = [0, 1, 2], interior = [0, 0, 0] : (tensor<2x6x5xf32>, tensor<f32>) -> tensor<2x7x8xf32>
    %22 = stablehlo.iota dim = 2 : tensor<2x6x5xi64>
    %23:2 = "stablehlo.sort"(%arg0, %22) <{dimension = 2 : i64, is_stable = false}> ({
    ^bb0(%arg2: tensor<f32>, %arg3: tensor<f32>, %arg4: tensor<i64>, %arg5: tensor<i64>):
      %35 = stablehlo.compare GT, %arg2, %arg3, FLOAT : (tensor<f32>, tensor<f32>) -> tensor<i1>
      stablehlo.return %35 : tensor<i1>
    }) : (tensor<2x6x5xf32>, tensor<2x6x5xi64>) -> (tensor<2x6x5xf32>, tensor<2x6x5xi64>)
    %24 = stablehlo.slice %23#0 [0:2, 0:6, 0:2] : (tensor<2x6x5xf32>) -> tensor<2x6x2xf32>
    %25 = stablehlo.slice %23#1 [0:2, 0:6, 0:2] : (tensor<2x6x5xi64>) -> tensor<2x6x2xi64>
    %26 = stablehlo.convert %c : (tensor<i64>) -> tensor<f32>
    %27 = stablehlo.broadcast_in_dim %26, dims = [] : (tensor<f32>) -> tensor<2x6x5xf32>
    %28 = stablehlo.compare GT, %arg0, %27, FLOAT : (tensor<2x6x5xf32>, tensor<2x6x5xf32>) -> tensor<2x6x5xi1>
    %29 = stablehlo.slice %arg1 [0:2, 0:1, 0:4] : (tensor<2x5x4xf32>) -> tensor<2x1x4xf32>
    %30 = stablehlo.slice %29 [0:2, 0:1, 0:1] : (tensor<2x1x4xf32>) -> tensor<2x1x1xf32>
    %31 = stablehlo.broadcast_in_dim %28, dims = [0, 1, 2] : (tensor<2x6x5xi1>) -> tensor<2x6x5xi1>
    %32 = stablehlo.broadcast_in_dim %arg0, dims = [0, 1, 2] : (tensor<2x6x5xf32>) -> tensor<2x6x5xf32>
    %33 = stablehlo.broadcast_in_dim %30, dims = [0, 1, 2] : (tensor<2x1x1xf32>) -> tensor<2x6x5xf32>
    %34 = stablehlo.select %31, %32, %33 : tensor<2x6x5xi1>, tensor<2x6x5xf32>
    return %4, %15, %18, %21, %34, %24, %25 : tensor<2x4x5xf32>, tensor<2x2x5xf32>, tensor<5x12xf32>, tensor<2x7x8xf32>, tensor<2x6x5xf32>, tensor<2x6x2xf32>, tensor<2x6x2xi64>
  }
}
