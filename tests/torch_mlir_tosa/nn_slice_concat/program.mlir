module {
  func.func @main(%arg0: tensor<2x6x5xf32>, %arg1: tensor<2x5x4xf32>) -> (tensor<2x4x5xf32>, tensor<2x2x5xf32>, tensor<5x12xf32>, tensor<2x7x8xf32>, tensor<2x6x5xf32>, tensor<2x6x2xf32>, tensor<2x6x2xi64>) {
    %0 = tosa.const_shape  {values = dense<[2, 1]> : tensor<2xindex>} : () -> !tosa.shape<2>
    %1 = tosa.const_shape  {values = dense<[2, 2, 5]> : tensor<3xindex>} : () -> !tosa.shape<3>
    %2 = tosa.const_shape  {values = dense<[2, 5, 3]> : tensor<3xindex>} : () -> !tosa.shape<3>
    %3 = tosa.const_shape  {values = dense<0> : tensor<3xindex>} : () -> !tosa.shape<3>
    %4 = tosa.const_shape  {values = dense<[2, 1, 5]> : tensor<3xindex>} : () -> !tosa.shape<3>
    %5 = tosa.const_shape  {values = dense<[2, 5]> : tensor<2xindex>} : () -> !tosa.shape<2>
    %6 = tosa.const_shape  {values = dense<[2, 5, 1]> : tensor<3xindex>} : () -> !tosa.shape<3>
    %7 = tosa.const_shape  {values = dense<[2, 4]> : tensor<2xindex>} : () -> !tosa.shape<2>
    %8 = tosa.const_shape  {values = dense<0> : tensor<2xindex>} : () -> !tosa.shape<2>
    %9 = tosa.const_shape  {values = dense<[2, 1, 4]> : tensor<3xindex>} : () -> !tosa.shape<3>
    %10 = tosa.const_shape  {values = dense<[1, 2, 1]> : tensor<3xindex>} : () -> !tosa.shape<3>
    %11 = tosa.const_shape  {values = dense<[2, 8]> : tensor<2xindex>} : () -> !tosa.shape<2>
    %12 = tosa.const_shape  {values = dense<[5, 12]> : tensor<2xindex>} : () -> !tosa.shape<2>
    %13 = tosa.const_shape  {values = dense<[0, 0, 0, 1, 1, 2]> : tensor<6xindex>} : () -> !tosa.shape<6>
    %14 = tosa.const_shape  {values = dense<[12, 5, 1]> : tensor<3xindex>} : () -> !tosa.shape<3>
    %15 = "tosa.const"() <{values = dense<0xFF800000> : tensor<12x5x1xf32>}> : () -> tensor<12x5x1xf32>
    %16 = "tosa.const"() <{values = dense<0> : tensor<12x5x1xi8>}> : () -> tensor<12x5x1xi8>
    %17 = "tosa.const"() <{values = dense<1> : tensor<12x5x1xi8>}> : () -> tensor<12x5x1xi8>
    %18 = "tosa.const"() <{values = dense<1> : tensor<12x1x1xi8>}> : () -> tensor<12x1x1xi8>
    %19 = "tosa.const"() <{values = dense<0> : tensor<12x5x1xi32>}> : () -> tensor<12x5x1xi32>
    %20 = "tosa.const"() <{values = dense<1> : tensor<12x1xi32>}> : () -> tensor<12x1xi32>
    %21 = tosa.const_shape  {values = dense<[12, 1]> : tensor<2xindex>} : () -> !tosa.shape<2>
    %22 = tosa.const_shape  {values = dense<[12, 1, 1]> : tensor<3xindex>} : () -> !tosa.shape<3>
    %23 = tosa.const_shape  {values = dense<[2, 6, 2]> : tensor<3xindex>} : () -> !tosa.shape<3>
    %24 = tosa.const_shape  {values = dense<[2, 1, 1]> : tensor<3xindex>} : () -> !tosa.shape<3>
    %25 = "tosa.const"() <{values = dense<[[1, 3]]> : tensor<1x2xi32>}> : () -> tensor<1x2xi32>
    %26 = "tosa.const"() <{values = dense<5.000000e-01> : tensor<1xf32>}> : () -> tensor<1xf32>
    %27 = "tosa.const"() <{values = dense<true> : tensor<12x5x1xi1>}> : () -> tensor<12x5x1xi1>
    %28 = "tosa.const"() <{values = dense<0.000000e+00> : tensor<1x1x1xf32>}> : () -> tensor<1x1x1xf32>
    %29 = tosa.tile %25, %0 : (tensor<1x2xi32>, !tosa.shape<2>) -> tensor<2x2xi32>
    %30 = tosa.gather %arg0, %29 : (tensor<2x6x5xf32>, tensor<2x2xi32>) -> tensor<2x2x5xf32>
    %31 = tosa.slice %arg1, %3, %2 : (tensor<2x5x4xf32>, !tosa.shape<3>, !tosa.shape<3>) -> tensor<2x5x3xf32>
    %32 = tosa.transpose %31 {perms = array<i32: 0, 2, 1>} : (tensor<2x5x3xf32>) -> tensor<2x3x5xf32>
    %33 = tosa.slice %32, %3, %1 : (tensor<2x3x5xf32>, !tosa.shape<3>, !tosa.shape<3>) -> tensor<2x2x5xf32>
    %34 = tosa.concat %30, %33 {axis = 1 : i32} : (tensor<2x2x5xf32>, tensor<2x2x5xf32>) -> tensor<2x4x5xf32>
    %35 = tosa.slice %arg0, %3, %4 : (tensor<2x6x5xf32>, !tosa.shape<3>, !tosa.shape<3>) -> tensor<2x1x5xf32>
    %36 = tosa.reshape %35, %5 : (tensor<2x1x5xf32>, !tosa.shape<2>) -> tensor<2x5xf32>
    %37 = tosa.slice %arg1, %3, %6 : (tensor<2x5x4xf32>, !tosa.shape<3>, !tosa.shape<3>) -> tensor<2x5x1xf32>
    %38 = tosa.reshape %37, %5 : (tensor<2x5x1xf32>, !tosa.shape<2>) -> tensor<2x5xf32>
    %39 = tosa.slice %38, %8, %7 : (tensor<2x5xf32>, !tosa.shape<2>, !tosa.shape<2>) -> tensor<2x4xf32>
    %40 = tosa.reshape %39, %9 : (tensor<2x4xf32>, !tosa.shape<3>) -> tensor<2x1x4xf32>
    %41 = tosa.tile %40, %10 : (tensor<2x1x4xf32>, !tosa.shape<3>) -> tensor<2x2x4xf32>
    %42 = tosa.reshape %41, %11 : (tensor<2x2x4xf32>, !tosa.shape<2>) -> tensor<2x8xf32>
    %43 = tosa.slice %42, %8, %5 : (tensor<2x8xf32>, !tosa.shape<2>, !tosa.shape<2>) -> tensor<2x5xf32>
    %44 = tosa.concat %36, %43 {axis = 0 : i32} : (tensor<2x5xf32>, tensor<2x5xf32>) -> tensor<4x5xf32>
    %45 = tosa.reshape %44, %1 : (tensor<4x5xf32>, !tosa.shape<3>) -> tensor<2x2x5xf32>
    %46 = tosa.reverse %arg0 {axis = 2 : i32} : (tensor<2x6x5xf32>) -> tensor<2x6x5xf32>
    %47 = tosa.transpose %46 {perms = array<i32: 2, 0, 1>} : (tensor<2x6x5xf32>) -> tensor<5x2x6xf32>
    %48 = tosa.reshape %47, %12 : (tensor<5x2x6xf32>, !tosa.shape<2>) -> tensor<5x12xf32>
    %49 = tosa.pad %arg0, %13, %26 : (tensor<2x6x5xf32>, !tosa.shape<6>, tensor<1xf32>) -> tensor<2x7x8xf32>
    %50 = tosa.reshape %arg0, %14 : (tensor<2x6x5xf32>, !tosa.shape<3>) -> tensor<12x5x1xf32>
    %51 = tosa.equal %50, %50 : (tensor<12x5x1xf32>, tensor<12x5x1xf32>) -> tensor<12x5x1xi1>
    %52 = tosa.logical_not %51 : (tensor<12x5x1xi1>) -> tensor<12x5x1xi1>
    %53 = tosa.logical_and %51, %27 : (tensor<12x5x1xi1>, tensor<12x5x1xi1>) -> tensor<12x5x1xi1>
    %54 = tosa.logical_and %52, %27 : (tensor<12x5x1xi1>, tensor<12x5x1xi1>) -> tensor<12x5x1xi1>
    %55 = tosa.select %53, %17, %16 : (tensor<12x5x1xi1>, tensor<12x5x1xi8>, tensor<12x5x1xi8>) -> tensor<12x5x1xi8>
    %56 = tosa.argmax %55 {axis = 1 : i32} : (tensor<12x5x1xi8>) -> tensor<12x1xi32>
    %57 = tosa.select %54, %17, %16 : (tensor<12x5x1xi1>, tensor<12x5x1xi8>, tensor<12x5x1xi8>) -> tensor<12x5x1xi8>
    %58 = tosa.argmax %57 {axis = 1 : i32} : (tensor<12x5x1xi8>) -> tensor<12x1xi32>
    %59 = tosa.gather %57, %58 : (tensor<12x5x1xi8>, tensor<12x1xi32>) -> tensor<12x1x1xi8>
    %60 = tosa.reshape %59, %21 : (tensor<12x1x1xi8>, !tosa.shape<2>) -> tensor<12x1xi8>
    %61 = tosa.cast %60 : (tensor<12x1xi8>) -> tensor<12x1xi32>
    %62 = tosa.equal %61, %20 : (tensor<12x1xi32>, tensor<12x1xi32>) -> tensor<12x1xi1>
    %63 = tosa.select %53, %50, %15 : (tensor<12x5x1xi1>, tensor<12x5x1xf32>, tensor<12x5x1xf32>) -> tensor<12x5x1xf32>
    %64 = tosa.argmax %63 {axis = 1 : i32} : (tensor<12x5x1xf32>) -> tensor<12x1xi32>
    %65 = tosa.gather %55, %64 : (tensor<12x5x1xi8>, tensor<12x1xi32>) -> tensor<12x1x1xi8>
    %66 = tosa.reshape %65, %21 : (tensor<12x1x1xi8>, !tosa.shape<2>) -> tensor<12x1xi8>
    %67 = tosa.cast %66 : (tensor<12x1xi8>) -> tensor<12x1xi32>
    %68 = tosa.equal %67, %20 : (tensor<12x1xi32>, tensor<12x1xi32>) -> tensor<12x1xi1>
    %69 = tosa.select %68, %64, %56 : (tensor<12x1xi1>, tensor<12x1xi32>, tensor<12x1xi32>) -> tensor<12x1xi32>
    %70 = tosa.select %62, %58, %69 : (tensor<12x1xi1>, tensor<12x1xi32>, tensor<12x1xi32>) -> tensor<12x1xi32>
    %71 = tosa.gather %50, %70 : (tensor<12x5x1xf32>, tensor<12x1xi32>) -> tensor<12x1x1xf32>
    %72 = tosa.reshape %70, %22 : (tensor<12x1xi32>, !tosa.shape<3>) -> tensor<12x1x1xi32>
    %73 = tosa.scatter %16, %70, %18 : (tensor<12x5x1xi8>, tensor<12x1xi32>, tensor<12x1x1xi8>) -> tensor<12x5x1xi8>
    %74 = tosa.cast %73 : (tensor<12x5x1xi8>) -> tensor<12x5x1xi32>
    %75 = tosa.equal %74, %19 : (tensor<12x5x1xi32>, tensor<12x5x1xi32>) -> tensor<12x5x1xi1>
    %76 = tosa.logical_and %75, %51 : (tensor<12x5x1xi1>, tensor<12x5x1xi1>) -> tensor<12x5x1xi1>
    %77 = tosa.logical_and %75, %52 : (tensor<12x5x1xi1>, tensor<12x5x1xi1>) -> tensor<12x5x1xi1>
    %78 = tosa.select %76, %17, %16 : (tensor<12x5x1xi1>, tensor<12x5x1xi8>, tensor<12x5x1xi8>) -> tensor<12x5x1xi8>
    %79 = tosa.argmax %78 {axis = 1 : i32} : (tensor<12x5x1xi8>) -> tensor<12x1xi32>
    %80 = tosa.select %77, %17, %16 : (tensor<12x5x1xi1>, tensor<12x5x1xi8>, tensor<12x5x1xi8>) -> tensor<12x5x1xi8>
    %81 = tosa.argmax %80 {axis = 1 : i32} : (tensor<12x5x1xi8>) -> tensor<12x1xi32>
    %82 = tosa.gather %80, %81 : (tensor<12x5x1xi8>, tensor<12x1xi32>) -> tensor<12x1x1xi8>
    %83 = tosa.reshape %82, %21 : (tensor<12x1x1xi8>, !tosa.shape<2>) -> tensor<12x1xi8>
    %84 = tosa.cast %83 : (tensor<12x1xi8>) -> tensor<12x1xi32>
    %85 = tosa.equal %84, %20 : (tensor<12x1xi32>, tensor<12x1xi32>) -> tensor<12x1xi1>
    %86 = tosa.select %76, %50, %15 : (tensor<12x5x1xi1>, tensor<12x5x1xf32>, tensor<12x5x1xf32>) -> tensor<12x5x1xf32>
    %87 = tosa.argmax %86 {axis = 1 : i32} : (tensor<12x5x1xf32>) -> tensor<12x1xi32>
    %88 = tosa.gather %78, %87 : (tensor<12x5x1xi8>, tensor<12x1xi32>) -> tensor<12x1x1xi8>
    %89 = tosa.reshape %88, %21 : (tensor<12x1x1xi8>, !tosa.shape<2>) -> tensor<12x1xi8>
    %90 = tosa.cast %89 : (tensor<12x1xi8>) -> tensor<12x1xi32>
    %91 = tosa.equal %90, %20 : (tensor<12x1xi32>, tensor<12x1xi32>) -> tensor<12x1xi1>
    %92 = tosa.select %91, %87, %79 : (tensor<12x1xi1>, tensor<12x1xi32>, tensor<12x1xi32>) -> tensor<12x1xi32>
    %93 = tosa.select %85, %81, %92 : (tensor<12x1xi1>, tensor<12x1xi32>, tensor<12x1xi32>) -> tensor<12x1xi32>
    %94 = tosa.gather %50, %93 : (tensor<12x5x1xf32>, tensor<12x1xi32>) -> tensor<12x1x1xf32>
    %95 = tosa.reshape %93, %22 : (tensor<12x1xi32>, !tosa.shape<3>) -> tensor<12x1x1xi32>
    %96 = tosa.concat %71, %94 {axis = 1 : i32} : (tensor<12x1x1xf32>, tensor<12x1x1xf32>) -> tensor<12x2x1xf32>
    %97 = tosa.concat %72, %95 {axis = 1 : i32} : (tensor<12x1x1xi32>, tensor<12x1x1xi32>) -> tensor<12x2x1xi32>
    %98 = tosa.reshape %96, %23 : (tensor<12x2x1xf32>, !tosa.shape<3>) -> tensor<2x6x2xf32>
    %99 = tosa.reshape %97, %23 : (tensor<12x2x1xi32>, !tosa.shape<3>) -> tensor<2x6x2xi32>
    %100 = tosa.cast %99 : (tensor<2x6x2xi32>) -> tensor<2x6x2xi64>
    %101 = tosa.greater %arg0, %28 : (tensor<2x6x5xf32>, tensor<1x1x1xf32>) -> tensor<2x6x5xi1>
    %102 = tosa.slice %arg1, %3, %9 : (tensor<2x5x4xf32>, !tosa.shape<3>, !tosa.shape<3>) -> tensor<2x1x4xf32>
    %103 = tosa.slice %102, %3, %24 : (tensor<2x1x4xf32>, !tosa.shape<3>, !tosa.shape<3>) -> tensor<2x1x1xf32>
    %104 = tosa.select %101, %arg0, %103 : (tensor<2x6x5xi1>, tensor<2x6x5xf32>, tensor<2x1x1xf32>) -> tensor<2x6x5xf32>
    return %34, %45, %48, %49, %104, %98, %100 : tensor<2x4x5xf32>, tensor<2x2x5xf32>, tensor<5x12xf32>, tensor<2x7x8xf32>, tensor<2x6x5xf32>, tensor<2x6x2xf32>, tensor<2x6x2xi64>
  }
}
