module {
  func.func @main(%arg0: tensor<3x7xf32>, %arg1: tensor<3x7xf32>) -> (tensor<3x7xf32>, tensor<3x7xf32>, tensor<3x7xf32>, tensor<3x7xf32>, tensor<3x7xf32>, tensor<3x7xf32>, tensor<3x7xi1>, tensor<3x7xf32>, tensor<3x7xi32>, tensor<3x7xf32>) {
    %0 = "tosa.const"() <{values = dense<0> : tensor<1xi8>}> : () -> tensor<1xi8>
    %1 = "tosa.const"() <{values = dense<2.000000e+00> : tensor<1x1xf32>}> : () -> tensor<1x1xf32>
    %2 = "tosa.const"() <{values = dense<1.000000e+00> : tensor<1x1xf32>}> : () -> tensor<1x1xf32>
    %3 = "tosa.const"() <{values = dense<1.500000e+00> : tensor<1x1xf32>}> : () -> tensor<1x1xf32>
    %4 = "tosa.const"() <{values = dense<3.000000e+00> : tensor<1x1xf32>}> : () -> tensor<1x1xf32>
    %5 = "tosa.const"() <{values = dense<5.000000e-01> : tensor<1x1xf32>}> : () -> tensor<1x1xf32>
    %6 = "tosa.const"() <{values = dense<5.000000e-01> : tensor<1x1xf64>}> : () -> tensor<1x1xf64>
    %7 = "tosa.const"() <{values = dense<0.000000e+00> : tensor<1x1xf32>}> : () -> tensor<1x1xf32>
    %8 = "tosa.const"() <{values = dense<2> : tensor<1x1xi32>}> : () -> tensor<1x1xi32>
    %9 = "tosa.const"() <{values = dense<1> : tensor<1x1xi32>}> : () -> tensor<1x1xi32>
    %10 = "tosa.const"() <{values = dense<1.000000e-01> : tensor<1x1xf32>}> : () -> tensor<1x1xf32>
    %11 = "tosa.const"() <{values = dense<0.166666672> : tensor<1x1xf32>}> : () -> tensor<1x1xf32>
    %12 = "tosa.const"() <{values = dense<2.000000e+01> : tensor<1x1xf32>}> : () -> tensor<1x1xf32>
    %13 = tosa.erf %arg0 : (tensor<3x7xf32>) -> tensor<3x7xf32>
    %14 = tosa.pow %arg0, %1 : (tensor<3x7xf32>, tensor<1x1xf32>) -> tensor<3x7xf32>
    %15 = tosa.abs %arg1 : (tensor<3x7xf32>) -> tensor<3x7xf32>
    %16 = tosa.add %15, %2 : (tensor<3x7xf32>, tensor<1x1xf32>) -> tensor<3x7xf32>
    %17 = tosa.rsqrt %16 : (tensor<3x7xf32>) -> tensor<3x7xf32>
    %18 = tosa.add %14, %17 : (tensor<3x7xf32>, tensor<3x7xf32>) -> tensor<3x7xf32>
    %19 = tosa.clamp %arg0 {max_val = 0.699999988 : f32, min_val = -5.000000e-01 : f32} : (tensor<3x7xf32>) -> tensor<3x7xf32>
    %20 = tosa.exp %arg0 : (tensor<3x7xf32>) -> tensor<3x7xf32>
    %21 = tosa.log %16 : (tensor<3x7xf32>) -> tensor<3x7xf32>
    %22 = tosa.sub %20, %21 : (tensor<3x7xf32>, tensor<3x7xf32>) -> tensor<3x7xf32>
    %23 = tosa.pow %15, %3 : (tensor<3x7xf32>, tensor<1x1xf32>) -> tensor<3x7xf32>
    %24 = tosa.mul %arg0, %4, %0 : (tensor<3x7xf32>, tensor<1x1xf32>, tensor<1xi8>) -> tensor<3x7xf32>
    %25 = tosa.floor %24 : (tensor<3x7xf32>) -> tensor<3x7xf32>
    %26 = tosa.ceil %arg1 : (tensor<3x7xf32>) -> tensor<3x7xf32>
    %27 = tosa.add %25, %26 : (tensor<3x7xf32>, tensor<3x7xf32>) -> tensor<3x7xf32>
    %28 = tosa.floor %arg0 : (tensor<3x7xf32>) -> tensor<3x7xf32>
    %29 = tosa.sub %arg0, %28 : (tensor<3x7xf32>, tensor<3x7xf32>) -> tensor<3x7xf32>
    %30 = tosa.ceil %arg0 : (tensor<3x7xf32>) -> tensor<3x7xf32>
    %31 = tosa.mul %28, %5, %0 : (tensor<3x7xf32>, tensor<1x1xf32>, tensor<1xi8>) -> tensor<3x7xf32>
    %32 = tosa.floor %31 : (tensor<3x7xf32>) -> tensor<3x7xf32>
    %33 = tosa.mul %32, %1, %0 : (tensor<3x7xf32>, tensor<1x1xf32>, tensor<1xi8>) -> tensor<3x7xf32>
    %34 = tosa.equal %28, %33 : (tensor<3x7xf32>, tensor<3x7xf32>) -> tensor<3x7xi1>
    %35 = tosa.equal %29, %5 : (tensor<3x7xf32>, tensor<1x1xf32>) -> tensor<3x7xi1>
    %36 = tosa.greater %5, %29 : (tensor<1x1xf32>, tensor<3x7xf32>) -> tensor<3x7xi1>
    %37 = tosa.logical_and %35, %34 : (tensor<3x7xi1>, tensor<3x7xi1>) -> tensor<3x7xi1>
    %38 = tosa.logical_or %36, %37 : (tensor<3x7xi1>, tensor<3x7xi1>) -> tensor<3x7xi1>
    %39 = tosa.select %38, %28, %30 : (tensor<3x7xi1>, tensor<3x7xf32>, tensor<3x7xf32>) -> tensor<3x7xf32>
    %40 = tosa.add %27, %39 : (tensor<3x7xf32>, tensor<3x7xf32>) -> tensor<3x7xf32>
    %41 = tosa.greater %arg0, %arg1 : (tensor<3x7xf32>, tensor<3x7xf32>) -> tensor<3x7xi1>
    %42 = tosa.cast %arg1 : (tensor<3x7xf32>) -> tensor<3x7xf64>
    %43 = tosa.greater %6, %42 : (tensor<1x1xf64>, tensor<3x7xf64>) -> tensor<3x7xi1>
    %44 = tosa.logical_and %41, %43 : (tensor<3x7xi1>, tensor<3x7xi1>) -> tensor<3x7xi1>
    %45 = tosa.maximum %arg0, %arg1 : (tensor<3x7xf32>, tensor<3x7xf32>) -> tensor<3x7xf32>
    %46 = tosa.minimum %arg0, %arg1 : (tensor<3x7xf32>, tensor<3x7xf32>) -> tensor<3x7xf32>
    %47 = tosa.abs %46 : (tensor<3x7xf32>) -> tensor<3x7xf32>
    %48 = tosa.add %47, %2 : (tensor<3x7xf32>, tensor<1x1xf32>) -> tensor<3x7xf32>
    %49 = tosa.reciprocal %48 : (tensor<3x7xf32>) -> tensor<3x7xf32>
    %50 = tosa.mul %45, %49, %0 : (tensor<3x7xf32>, tensor<3x7xf32>, tensor<1xi8>) -> tensor<3x7xf32>
    %51 = tosa.greater %7, %arg0 : (tensor<1x1xf32>, tensor<3x7xf32>) -> tensor<3x7xi1>
    %52 = tosa.select %51, %30, %28 : (tensor<3x7xi1>, tensor<3x7xf32>, tensor<3x7xf32>) -> tensor<3x7xf32>
    %53 = tosa.cast %52 : (tensor<3x7xf32>) -> tensor<3x7xi32>
    %54 = tosa.mul %53, %8, %0 : (tensor<3x7xi32>, tensor<1x1xi32>, tensor<1xi8>) -> tensor<3x7xi32>
    %55 = tosa.sub %54, %9 : (tensor<3x7xi32>, tensor<1x1xi32>) -> tensor<3x7xi32>
    %56 = tosa.maximum %arg0, %7 : (tensor<3x7xf32>, tensor<1x1xf32>) -> tensor<3x7xf32>
    %57 = tosa.minimum %arg0, %7 : (tensor<3x7xf32>, tensor<1x1xf32>) -> tensor<3x7xf32>
    %58 = tosa.mul %57, %10, %0 : (tensor<3x7xf32>, tensor<1x1xf32>, tensor<1xi8>) -> tensor<3x7xf32>
    %59 = tosa.add %56, %58 : (tensor<3x7xf32>, tensor<3x7xf32>) -> tensor<3x7xf32>
    %60 = tosa.maximum %arg1, %7 : (tensor<3x7xf32>, tensor<1x1xf32>) -> tensor<3x7xf32>
    %61 = tosa.minimum %arg1, %7 : (tensor<3x7xf32>, tensor<1x1xf32>) -> tensor<3x7xf32>
    %62 = tosa.exp %61 : (tensor<3x7xf32>) -> tensor<3x7xf32>
    %63 = tosa.sub %62, %2 : (tensor<3x7xf32>, tensor<1x1xf32>) -> tensor<3x7xf32>
    %64 = tosa.add %60, %63 : (tensor<3x7xf32>, tensor<3x7xf32>) -> tensor<3x7xf32>
    %65 = tosa.add %59, %64 : (tensor<3x7xf32>, tensor<3x7xf32>) -> tensor<3x7xf32>
    %66 = tosa.add %arg0, %4 : (tensor<3x7xf32>, tensor<1x1xf32>) -> tensor<3x7xf32>
    %67 = tosa.clamp %66 {max_val = 6.000000e+00 : f32, min_val = 0.000000e+00 : f32} : (tensor<3x7xf32>) -> tensor<3x7xf32>
    %68 = tosa.mul %arg0, %67, %0 : (tensor<3x7xf32>, tensor<3x7xf32>, tensor<1xi8>) -> tensor<3x7xf32>
    %69 = tosa.mul %68, %11, %0 : (tensor<3x7xf32>, tensor<1x1xf32>, tensor<1xi8>) -> tensor<3x7xf32>
    %70 = tosa.add %65, %69 : (tensor<3x7xf32>, tensor<3x7xf32>) -> tensor<3x7xf32>
    %71 = tosa.exp %arg1 : (tensor<3x7xf32>) -> tensor<3x7xf32>
    %72 = tosa.add %71, %2 : (tensor<3x7xf32>, tensor<1x1xf32>) -> tensor<3x7xf32>
    %73 = tosa.log %72 : (tensor<3x7xf32>) -> tensor<3x7xf32>
    %74 = tosa.greater %arg1, %12 : (tensor<3x7xf32>, tensor<1x1xf32>) -> tensor<3x7xi1>
    %75 = tosa.select %74, %arg1, %73 : (tensor<3x7xi1>, tensor<3x7xf32>, tensor<3x7xf32>) -> tensor<3x7xf32>
    %76 = tosa.add %70, %75 : (tensor<3x7xf32>, tensor<3x7xf32>) -> tensor<3x7xf32>
    return %13, %18, %19, %22, %23, %40, %44, %50, %55, %76 : tensor<3x7xf32>, tensor<3x7xf32>, tensor<3x7xf32>, tensor<3x7xf32>, tensor<3x7xf32>, tensor<3x7xf32>, tensor<3x7xi1>, tensor<3x7xf32>, tensor<3x7xi32>, tensor<3x7xf32>
  }
}
