module {
  func.func @main(%arg0: tensor<3x5xf32>, %arg1: tensor<3x5xf32>) -> (tensor<3x5xf32>, tensor<3x5xf32>, tensor<3x5xf32>, tensor<3x5xi1>, tensor<3x5xf32>) {
    %cst = arith.constant dense<2> : tensor<1xi64>
    %cst_0 = arith.constant dense<0x7FF0000000000000> : tensor<1xf64>
    %cst_1 = arith.constant dense<1.500000e+00> : tensor<1xf64>
    %cst_2 = arith.constant dense<5.000000e-01> : tensor<1xf64>
    %0 = chlo.sinh %arg0 : tensor<3x5xf32> -> tensor<3x5xf32>
    %1 = chlo.cosh %arg1 : tensor<3x5xf32> -> tensor<3x5xf32>
    %2 = chlo.broadcast_add %0, %1 : (tensor<3x5xf32>, tensor<3x5xf32>) -> tensor<3x5xf32>
    %3 = chlo.atan %arg0 : tensor<3x5xf32> -> tensor<3x5xf32>
    %4 = chlo.broadcast_add %2, %3 : (tensor<3x5xf32>, tensor<3x5xf32>) -> tensor<3x5xf32>
    %5 = stablehlo.convert %cst_2 : (tensor<1xf64>) -> tensor<1xf32>
    %6 = stablehlo.reshape %5 : (tensor<1xf32>) -> tensor<f32>
    %7 = chlo.broadcast_multiply %arg1, %6 : (tensor<3x5xf32>, tensor<f32>) -> tensor<3x5xf32>
    %8 = chlo.tan %7 : tensor<3x5xf32> -> tensor<3x5xf32>
    %9 = chlo.broadcast_add %4, %8 : (tensor<3x5xf32>, tensor<3x5xf32>) -> tensor<3x5xf32>
    %10 = stablehlo.convert %cst_2 : (tensor<1xf64>) -> tensor<1xf32>
    %11 = stablehlo.reshape %10 : (tensor<1xf32>) -> tensor<f32>
    %12 = chlo.broadcast_multiply %arg0, %11 : (tensor<3x5xf32>, tensor<f32>) -> tensor<3x5xf32>
    %13 = chlo.asin %12 : tensor<3x5xf32> -> tensor<3x5xf32>
    %14 = stablehlo.convert %cst_2 : (tensor<1xf64>) -> tensor<1xf32>
    %15 = stablehlo.reshape %14 : (tensor<1xf32>) -> tensor<f32>
    %16 = chlo.broadcast_multiply %arg1, %15 : (tensor<3x5xf32>, tensor<f32>) -> tensor<3x5xf32>
    %17 = chlo.acos %16 : tensor<3x5xf32> -> tensor<3x5xf32>
    %18 = chlo.broadcast_add %13, %17 : (tensor<3x5xf32>, tensor<3x5xf32>) -> tensor<3x5xf32>
    %19 = stablehlo.convert %cst_2 : (tensor<1xf64>) -> tensor<1xf32>
    %20 = stablehlo.reshape %19 : (tensor<1xf32>) -> tensor<f32>
    %21 = chlo.broadcast_multiply %arg0, %20 : (tensor<3x5xf32>, tensor<f32>) -> tensor<3x5xf32>
    %22 = chlo.atanh %21 : tensor<3x5xf32> -> tensor<3x5xf32>
    %23 = chlo.broadcast_add %18, %22 : (tensor<3x5xf32>, tensor<3x5xf32>) -> tensor<3x5xf32>
    %24 = chlo.asinh %arg0 : tensor<3x5xf32> -> tensor<3x5xf32>
    %25 = stablehlo.abs %arg1 : tensor<3x5xf32>
    %26 = stablehlo.convert %cst_1 : (tensor<1xf64>) -> tensor<1xf32>
    %27 = stablehlo.reshape %26 : (tensor<1xf32>) -> tensor<f32>
    %28 = chlo.broadcast_add %25, %27 : (tensor<3x5xf32>, tensor<f32>) -> tensor<3x5xf32>
    %29 = chlo.acosh %28 : tensor<3x5xf32> -> tensor<3x5xf32>
    %30 = chlo.broadcast_add %24, %29 : (tensor<3x5xf32>, tensor<3x5xf32>) -> tensor<3x5xf32>
    %31 = chlo.broadcast_subtract %arg1, %arg1 : (tensor<3x5xf32>, tensor<3x5xf32>) -> tensor<3x5xf32>
    %32 = chlo.broadcast_divide %arg0, %31 : (tensor<3x5xf32>, tensor<3x5xf32>) -> tensor<3x5xf32>
    %33 = stablehlo.abs %32 : tensor<3x5xf32>
    %34 = stablehlo.convert %cst_0 : tensor<1xf64>
    %35 = stablehlo.reshape %34 : (tensor<1xf64>) -> tensor<f64>
    %36 = stablehlo.convert %35 : (tensor<f64>) -> tensor<f32>
    %37 = chlo.broadcast_compare %33, %36 {compare_type = #chlo<comparison_type FLOAT>, comparison_direction = #chlo<comparison_direction EQ>} : (tensor<3x5xf32>, tensor<f32>) -> tensor<3x5xi1>
    %38 = stablehlo.convert %cst_0 : tensor<1xf64>
    %39 = stablehlo.reshape %38 : (tensor<1xf64>) -> tensor<f64>
    %40 = stablehlo.convert %39 : (tensor<f64>) -> tensor<f32>
    %41 = chlo.broadcast_compare %arg0, %40 {compare_type = #chlo<comparison_type FLOAT>, comparison_direction = #chlo<comparison_direction EQ>} : (tensor<3x5xf32>, tensor<f32>) -> tensor<3x5xi1>
    %42 = chlo.broadcast_or %37, %41 : (tensor<3x5xi1>, tensor<3x5xi1>) -> tensor<3x5xi1>
    %43 = chlo.erf %arg0 : tensor<3x5xf32> -> tensor<3x5xf32>
    %44 = stablehlo.convert %cst : (tensor<1xi64>) -> tensor<1xf32>
    %45 = stablehlo.reshape %44 : (tensor<1xf32>) -> tensor<f32>
    %46 = chlo.broadcast_power %arg0, %45 : (tensor<3x5xf32>, tensor<f32>) -> tensor<3x5xf32>
    %47 = chlo.broadcast_add %43, %46 : (tensor<3x5xf32>, tensor<3x5xf32>) -> tensor<3x5xf32>
    return %9, %23, %30, %42, %47 : tensor<3x5xf32>, tensor<3x5xf32>, tensor<3x5xf32>, tensor<3x5xi1>, tensor<3x5xf32>
  }
}
