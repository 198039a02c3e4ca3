module {
  func.func @main(%arg0: tensor<3x7xf32>, %arg1: tensor<3x7xf32>) -> (tensor<3x7xf32>, tensor<3x7xf32>, tensor<3x7xf32>, tensor<3x7xf32>, tensor<3x7xf32>, tensor<3x7xf32>, tensor<3x7xi1>, tensor<3x7xf32>, tensor<3x7xi32>, tensor<3x7xf32>) {
    %c = stablehlo.constant dense<20> : tensor<i64>
    %c_0 = stablehlo.constant dense<1> : tensor<3x7xi32>
    %c_1 = stablehlo.constant dense<2> : tensor<3x7xi32>
    %cst = stablehlo.constant dense<0.000000e+00> : tensor<f32>
    %cst_2 = stablehlo.constant dense<-4.000000e+00> : tensor<3x7xf32>
    %cst_3 = stablehlo.constant dense<4.000000e+00> : tensor<3x7xf32>
    %cst_4 = stablehlo.constant dense<-2.72614237E-10> : tensor<3x7xf32>
    %cst_5 = stablehlo.constant dense<2.77068146E-8> : tensor<3x7xf32>
    %cst_6 = stablehlo.constant dense<-2.10102394E-6> : tensor<3x7xf32>
    %cst_7 = stablehlo.constant dense<-5.69250624E-5> : tensor<3x7xf32>
    %cst_8 = stablehlo.constant dense<-7.34990637E-4> : tensor<3x7xf32>
    %cst_9 = stablehlo.constant dense<-2.954600e-03> : tensor<3x7xf32>
    %cst_10 = stablehlo.constant dense<-0.0160960332> : tensor<3x7xf32>
    %cst_11 = stablehlo.constant dense<-1.45660715E-5> : tensor<3x7xf32>
    %cst_12 = stablehlo.constant dense<-2.13374049E-4> : tensor<3x7xf32>
    %cst_13 = stablehlo.constant dense<-0.00168282702> : tensor<3x7xf32>
    %cst_14 = stablehlo.constant dense<-0.00737332925> : tensor<3x7xf32>
    %cst_15 = stablehlo.constant dense<-0.0142647391> : tensor<3x7xf32>
    %cst_16 = stablehlo.constant dense<-1.000000e+00> : tensor<3x7xf32>
    %cst_17 = stablehlo.constant dense<1.000000e+00> : tensor<3x7xf32>
    %cst_18 = stablehlo.constant dense<0x7F800000> : tensor<f32>
    %cst_19 = stablehlo.constant dense<0xFF800000> : tensor<f32>
    %cst_20 = arith.constant dense<2> : tensor<1xi64>
    %cst_21 = arith.constant dense<1> : tensor<1xi64>
    %cst_22 = arith.constant dense<-5.000000e-01> : tensor<1xf64>
    %cst_23 = arith.constant dense<0.69999999999999996> : tensor<1xf64>
    %cst_24 = arith.constant dense<1.500000e+00> : tensor<1xf64>
    %cst_25 = arith.constant dense<3> : tensor<1xi64>
    %cst_26 = arith.constant dense<5.000000e-01> : tensor<1xf64>
    %cst_27 = arith.constant dense<1.000000e-01> : tensor<1xf64>
    %cst_28 = arith.constant dense<1.000000e+00> : tensor<1xf64>
    %cst_29 = arith.constant dense<0> : tensor<1xi64>
    %cst_30 = arith.constant dense<6> : tensor<1xi64>
    %0 = stablehlo.clamp %cst_2, %arg0, %cst_3 : tensor<3x7xf32>
    %1 = stablehlo.multiply %0, %0 : tensor<3x7xf32>
    %2 = stablehlo.multiply %cst_4, %1 : tensor<3x7xf32>
    %3 = stablehlo.add %2, %cst_5 : tensor<3x7xf32>
    %4 = stablehlo.multiply %3, %1 : tensor<3x7xf32>
    %5 = stablehlo.add %4, %cst_6 : tensor<3x7xf32>
    %6 = stablehlo.multiply %5, %1 : tensor<3x7xf32>
    %7 = stablehlo.add %6, %cst_7 : tensor<3x7xf32>
    %8 = stablehlo.multiply %7, %1 : tensor<3x7xf32>
    %9 = stablehlo.add %8, %cst_8 : tensor<3x7xf32>
    %10 = stablehlo.multiply %9, %1 : tensor<3x7xf32>
    %11 = stablehlo.add %10, %cst_9 : tensor<3x7xf32>
    %12 = stablehlo.multiply %11, %1 : tensor<3x7xf32>
    %13 = stablehlo.add %12, %cst_10 : tensor<3x7xf32>
    %14 = stablehlo.multiply %cst_11, %1 : tensor<3x7xf32>
    %15 = stablehlo.add %14, %cst_12 : tensor<3x7xf32>
    %16 = stablehlo.multiply %15, %1 : tensor<3x7xf32>
    %17 = stablehlo.add %16, %cst_13 : tensor<3x7xf32>
    %18 = stablehlo.multiply %17, %1 : tensor<3x7xf32>
    %19 = stablehlo.add %18, %cst_14 : tensor<3x7xf32>
    %20 = stablehlo.multiply %19, %1 : tensor<3x7xf32>
    %21 = stablehlo.add %20, %cst_15 : tensor<3x7xf32>
    %22 = stablehlo.multiply %0, %13 : tensor<3x7xf32>
    %23 = stablehlo.divide %22, %21 : tensor<3x7xf32>
    %24 = stablehlo.clamp %cst_16, %23, %cst_17 : tensor<3x7xf32>
    %25 = stablehlo.convert %cst_20 : (tensor<1xi64>) -> tensor<1xf32>
    %26 = stablehlo.reshape %25 : (tensor<1xf32>) -> tensor<f32>
    %27 = stablehlo.broadcast_in_dim %26, dims = [] : (tensor<f32>) -> tensor<3x7xf32>
    %28 = stablehlo.power %arg0, %27 : tensor<3x7xf32>
    %29 = stablehlo.abs %arg1 : tensor<3x7xf32>
    %30 = stablehlo.convert %cst_21 : (tensor<1xi64>) -> tensor<1xf32>
    %31 = stablehlo.reshape %30 : (tensor<1xf32>) -> tensor<f32>
    %32 = stablehlo.broadcast_in_dim %31, dims = [] : (tensor<f32>) -> tensor<3x7xf32>
    %33 = stablehlo.add %29, %32 : tensor<3x7xf32>
    %34 = stablehlo.rsqrt %33 : tensor<3x7xf32>
    %35 = stablehlo.add %28, %34 : tensor<3x7xf32>
    %36 = stablehlo.convert %cst_22 : (tensor<1xf64>) -> tensor<1xf32>
    %37 = stablehlo.reshape %36 : (tensor<1xf32>) -> tensor<f32>
    %38 = stablehlo.convert %cst_23 : (tensor<1xf64>) -> tensor<1xf32>
    %39 = stablehlo.reshape %38 : (tensor<1xf32>) -> tensor<f32>
    %40 = stablehlo.clamp %37, %arg0, %39 : (tensor<f32>, tensor<3x7xf32>, tensor<f32>) -> tensor<3x7xf32>
    %41 = stablehlo.exponential %arg0 : tensor<3x7xf32>
    %42 = stablehlo.log_plus_one %29 : tensor<3x7xf32>
    %43 = stablehlo.subtract %41, %42 : tensor<3x7xf32>
    %44 = stablehlo.convert %cst_24 : (tensor<1xf64>) -> tensor<1xf32>
    %45 = stablehlo.reshape %44 : (tensor<1xf32>) -> tensor<f32>
    %46 = stablehlo.broadcast_in_dim %45, dims = [] : (tensor<f32>) -> tensor<3x7xf32>
    %47 = stablehlo.power %29, %46 : tensor<3x7xf32>
    %48 = stablehlo.convert %cst_25 : (tensor<1xi64>) -> tensor<1xf32>
    %49 = stablehlo.reshape %48 : (tensor<1xf32>) -> tensor<f32>
    %50 = stablehlo.broadcast_in_dim %49, dims = [] : (tensor<f32>) -> tensor<3x7xf32>
    %51 = stablehlo.multiply %arg0, %50 : tensor<3x7xf32>
    %52 = stablehlo.floor %51 : tensor<3x7xf32>
    %53 = stablehlo.ceil %arg1 : tensor<3x7xf32>
    %54 = stablehlo.add %52, %53 : tensor<3x7xf32>
    %55 = stablehlo.round_nearest_even %arg0 : tensor<3x7xf32>
    %56 = stablehlo.add %54, %55 : tensor<3x7xf32>
    %57 = stablehlo.compare GT, %arg0, %arg1, FLOAT : (tensor<3x7xf32>, tensor<3x7xf32>) -> tensor<3x7xi1>
    %58 = stablehlo.convert %cst_26 : tensor<1xf64>
    %59 = stablehlo.reshape %58 : (tensor<1xf64>) -> tensor<f64>
    %60 = stablehlo.convert %59 : (tensor<f64>) -> tensor<f32>
    %61 = stablehlo.broadcast_in_dim %60, dims = [] : (tensor<f32>) -> tensor<3x7xf32>
    %62 = stablehlo.compare LT, %arg1, %61, FLOAT : (tensor<3x7xf32>, tensor<3x7xf32>) -> tensor<3x7xi1>
    %63 = stablehlo.and %57, %62 : tensor<3x7xi1>
    %64 = stablehlo.maximum %arg0, %arg1 : tensor<3x7xf32>
    %65 = stablehlo.minimum %arg0, %arg1 : tensor<3x7xf32>
    %66 = stablehlo.abs %65 : tensor<3x7xf32>
    %67 = stablehlo.add %66, %32 : tensor<3x7xf32>
    %68 = stablehlo.divide %64, %67 : tensor<3x7xf32>
    %69 = stablehlo.convert %arg0 : (tensor<3x7xf32>) -> tensor<3x7xi32>
    %70 = stablehlo.multiply %69, %c_1 : tensor<3x7xi32>
    %71 = stablehlo.subtract %70, %c_0 : tensor<3x7xi32>
    %72 = stablehlo.broadcast_in_dim %cst, dims = [] : (tensor<f32>) -> tensor<3x7xf32>
    %73 = stablehlo.maximum %arg0, %72 : tensor<3x7xf32>
    %74 = stablehlo.minimum %arg0, %72 : tensor<3x7xf32>
    %75 = stablehlo.convert %cst_27 : (tensor<1xf64>) -> tensor<1xf32>
    %76 = stablehlo.reshape %75 : (tensor<1xf32>) -> tensor<f32>
    %77 = stablehlo.broadcast_in_dim %76, dims = [] : (tensor<f32>) -> tensor<3x7xf32>
    %78 = stablehlo.multiply %74, %77 : tensor<3x7xf32>
    %79 = stablehlo.add %73, %78 : tensor<3x7xf32>
    %80 = stablehlo.maximum %arg1, %72 : tensor<3x7xf32>
    %81 = stablehlo.multiply %80, %32 : tensor<3x7xf32>
    %82 = stablehlo.minimum %arg1, %72 : tensor<3x7xf32>
    %83 = stablehlo.multiply %82, %32 : tensor<3x7xf32>
    %84 = stablehlo.exponential %83 : tensor<3x7xf32>
    %85 = stablehlo.convert %cst_28 : (tensor<1xf64>) -> tensor<1xf32>
    %86 = stablehlo.reshape %85 : (tensor<1xf32>) -> tensor<f32>
    %87 = stablehlo.broadcast_in_dim %86, dims = [] : (tensor<f32>) -> tensor<3x7xf32>
    %88 = stablehlo.subtract %84, %87 : tensor<3x7xf32>
    %89 = stablehlo.multiply %88, %32 : tensor<3x7xf32>
    %90 = stablehlo.multiply %89, %87 : tensor<3x7xf32>
    %91 = stablehlo.add %81, %90 : tensor<3x7xf32>
    %92 = stablehlo.add %79, %91 : tensor<3x7xf32>
    %93 = stablehlo.add %arg0, %50 : tensor<3x7xf32>
    %94 = stablehlo.convert %cst_29 : (tensor<1xi64>) -> tensor<1xf32>
    %95 = stablehlo.reshape %94 : (tensor<1xf32>) -> tensor<f32>
    %96 = stablehlo.clamp %95, %93, %cst_18 : (tensor<f32>, tensor<3x7xf32>, tensor<f32>) -> tensor<3x7xf32>
    %97 = stablehlo.convert %cst_30 : (tensor<1xi64>) -> tensor<1xf32>
    %98 = stablehlo.reshape %97 : (tensor<1xf32>) -> tensor<f32>
    %99 = stablehlo.clamp %cst_19, %96, %98 : (tensor<f32>, tensor<3x7xf32>, tensor<f32>) -> tensor<3x7xf32>
    %100 = stablehlo.multiply %arg0, %99 : tensor<3x7xf32>
    %101 = stablehlo.broadcast_in_dim %98, dims = [] : (tensor<f32>) -> tensor<3x7xf32>
    %102 = stablehlo.divide %100, %101 : tensor<3x7xf32>
    %103 = stablehlo.add %92, %102 : tensor<3x7xf32>
    %104 = stablehlo.exponential %arg1 : tensor<3x7xf32>
    %105 = stablehlo.log_plus_one %104 : tensor<3x7xf32>
    %106 = stablehlo.convert %c : (tensor<i64>) -> tensor<f32>
    %107 = stablehlo.broadcast_in_dim %106, dims = [] : (tensor<f32>) -> tensor<3x7xf32>
    %108 = stablehlo.compare GT, %arg1, %107, FLOAT : (tensor<3x7xf32>, tensor<3x7xf32>) -> tensor<3x7xi1>
    %109 = stablehlo.broadcast_in_dim %108, dims = [0, 1] : (tensor<3x7xi1>) -> tensor<3x7xi1>
    %110 = stablehlo.broadcast_in_dim %arg1, dims = [0, 1] : (tensor<3x7xf32>) -> tensor<3x7xf32>
    %111 = stablehlo.broadcast_in_dim %105, dims = [0, 1] : (tensor<3x7xf32>) -> tensor<3x7xf32>
    %112 = stablehlo.select %109, %110, %111 : tensor<3x7xi1>, tensor<3x7xf32>
    %113 = stablehlo.add %103, %112 : tensor<3x7xf32>
    return %24, %35, %40, %43, %47, %56, %63, %68, %71, %113 : tensor<3x7xf32>, tensor<3x7xf32>, tensor<3x7xf32>, tensor<3x7xf32>, tensor<3x7xf32>, tensor<3x7xf32>, tensor<3x7xi1>, tensor<3x7xf32>, tensor<3x7xi32>, tensor<3x7xf32>
  }
}
