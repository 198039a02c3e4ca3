module {
  func.func @main(%arg0: tensor<3x4x5xf32>) -> (tensor<3x5xf32>, tensor<1x4x1xf32>, tensor<3x4xf32>, tensor<3x5xi64>, tensor<3x4xf32>, tensor<3x5xf32>, tensor<3x4x5xf32>) {
    %0 = tosa.const_shape  {values = dense<[3, 5]> : tensor<2xindex>} : () -> !tosa.shape<2>
    %1 = "tosa.const"() <{values = dense<0> : tensor<1xi8>}> : () -> tensor<1xi8>
    %2 = tosa.const_shape  {values = dense<[3, 4]> : tensor<2xindex>} : () -> !tosa.shape<2>
    %3 = tosa.const_shape  {values = dense<[12, 5, 1]> : tensor<3xindex>} : () -> !tosa.shape<3>
    %4 = "tosa.const"() <{values = dense<0.000000e+00> : tensor<1xf32>}> : () -> tensor<1xf32>
    %5 = tosa.const_shape  {values = dense<0> : tensor<3xindex>} : () -> !tosa.shape<3>
    %6 = tosa.const_shape  {values = dense<[0, 0, 1, 0, 0, 0]> : tensor<6xindex>} : () -> !tosa.shape<6>
    %7 = tosa.const_shape  {values = dense<[0, 0, 2, 0, 0, 0]> : tensor<6xindex>} : () -> !tosa.shape<6>
    %8 = tosa.const_shape  {values = dense<[0, 0, 4, 0, 0, 0]> : tensor<6xindex>} : () -> !tosa.shape<6>
    %9 = tosa.const_shape  {values = dense<[3, 4, 5]> : tensor<3xindex>} : () -> !tosa.shape<3>
    %10 = "tosa.const"() <{values = dense<0.0666666701> : tensor<1x1x1xf32>}> : () -> tensor<1x1x1xf32>
    %11 = "tosa.const"() <{values = dense<2.000000e-01> : tensor<1x1x1xf64>}> : () -> tensor<1x1x1xf64>
    %12 = "tosa.const"() <{values = dense<2.500000e-01> : tensor<1x1xf64>}> : () -> tensor<1x1xf64>
    %13 = "tosa.const"() <{values = dense<2.000000e+00> : tensor<1x1x1xf32>}> : () -> tensor<1x1x1xf32>
    %14 = "tosa.const"() <{values = dense<5.000000e-01> : tensor<1x1xf32>}> : () -> tensor<1x1xf32>
    %15 = tosa.reduce_sum %arg0 {axis = 1 : i32} : (tensor<3x4x5xf32>) -> tensor<3x1x5xf32>
    %16 = tosa.reshape %15, %0 : (tensor<3x1x5xf32>, !tosa.shape<2>) -> tensor<3x5xf32>
    %17 = tosa.reduce_sum %arg0 {axis = 0 : i32} : (tensor<3x4x5xf32>) -> tensor<1x4x5xf32>
    %18 = tosa.reduce_sum %17 {axis = 2 : i32} : (tensor<1x4x5xf32>) -> tensor<1x4x1xf32>
    %19 = tosa.mul %18, %10, %1 : (tensor<1x4x1xf32>, tensor<1x1x1xf32>, tensor<1xi8>) -> tensor<1x4x1xf32>
    %20 = tosa.reduce_max %arg0 {axis = 2 : i32} : (tensor<3x4x5xf32>) -> tensor<3x4x1xf32>
    %21 = tosa.reshape %20, %2 : (tensor<3x4x1xf32>, !tosa.shape<2>) -> tensor<3x4xf32>
    %22 = tosa.argmax %arg0 {axis = 1 : i32} : (tensor<3x4x5xf32>) -> tensor<3x5xi64>
    %23 = tosa.cast %arg0 : (tensor<3x4x5xf32>) -> tensor<3x4x5xf64>
    %24 = tosa.reduce_sum %23 {axis = 2 : i32} : (tensor<3x4x5xf64>) -> tensor<3x4x1xf64>
    %25 = tosa.mul %24, %11, %1 : (tensor<3x4x1xf64>, tensor<1x1x1xf64>, tensor<1xi8>) -> tensor<3x4x1xf64>
    %26 = tosa.sub %23, %25 : (tensor<3x4x5xf64>, tensor<3x4x1xf64>) -> tensor<3x4x5xf64>
    %27 = tosa.mul %26, %26, %1 : (tensor<3x4x5xf64>, tensor<3x4x5xf64>, tensor<1xi8>) -> tensor<3x4x5xf64>
    %28 = tosa.reduce_sum %27 {axis = 2 : i32} : (tensor<3x4x5xf64>) -> tensor<3x4x1xf64>
    %29 = tosa.reshape %28, %2 : (tensor<3x4x1xf64>, !tosa.shape<2>) -> tensor<3x4xf64>
    %30 = tosa.mul %29, %12, %1 : (tensor<3x4xf64>, tensor<1x1xf64>, tensor<1xi8>) -> tensor<3x4xf64>
    %31 = tosa.cast %30 : (tensor<3x4xf64>) -> tensor<3x4xf32>
    %32 = tosa.abs %arg0 : (tensor<3x4x5xf32>) -> tensor<3x4x5xf32>
    %33 = tosa.pow %32, %13 : (tensor<3x4x5xf32>, tensor<1x1x1xf32>) -> tensor<3x4x5xf32>
    %34 = tosa.reduce_sum %33 {axis = 1 : i32} : (tensor<3x4x5xf32>) -> tensor<3x1x5xf32>
    %35 = tosa.reshape %34, %0 : (tensor<3x1x5xf32>, !tosa.shape<2>) -> tensor<3x5xf32>
    %36 = tosa.pow %35, %14 : (tensor<3x5xf32>, tensor<1x1xf32>) -> tensor<3x5xf32>
    %37 = tosa.reshape %arg0, %3 : (tensor<3x4x5xf32>, !tosa.shape<3>) -> tensor<12x5x1xf32>
    %38 = tosa.pad %37, %6, %4 : (tensor<12x5x1xf32>, !tosa.shape<6>, tensor<1xf32>) -> tensor<12x6x1xf32>
    %39 = tosa.slice %38, %5, %3 : (tensor<12x6x1xf32>, !tosa.shape<3>, !tosa.shape<3>) -> tensor<12x5x1xf32>
    %40 = tosa.add %37, %39 : (tensor<12x5x1xf32>, tensor<12x5x1xf32>) -> tensor<12x5x1xf32>
    %41 = tosa.pad %40, %7, %4 : (tensor<12x5x1xf32>, !tosa.shape<6>, tensor<1xf32>) -> tensor<12x7x1xf32>
    %42 = tosa.slice %41, %5, %3 : (tensor<12x7x1xf32>, !tosa.shape<3>, !tosa.shape<3>) -> tensor<12x5x1xf32>
    %43 = tosa.add %40, %42 : (tensor<12x5x1xf32>, tensor<12x5x1xf32>) -> tensor<12x5x1xf32>
    %44 = tosa.pad %43, %8, %4 : (tensor<12x5x1xf32>, !tosa.shape<6>, tensor<1xf32>) -> tensor<12x9x1xf32>
    %45 = tosa.slice %44, %5, %3 : (tensor<12x9x1xf32>, !tosa.shape<3>, !tosa.shape<3>) -> tensor<12x5x1xf32>
    %46 = tosa.add %43, %45 : (tensor<12x5x1xf32>, tensor<12x5x1xf32>) -> tensor<12x5x1xf32>
    %47 = tosa.reshape %46, %9 : (tensor<12x5x1xf32>, !tosa.shape<3>) -> tensor<3x4x5xf32>
    return %16, %19, %21, %22, %31, %36, %47 : tensor<3x5xf32>, tensor<1x4x1xf32>, tensor<3x4xf32>, tensor<3x5xi64>, tensor<3x4xf32>, tensor<3x5xf32>, tensor<3x4x5xf32>
  }
}
