module {
  func.func @main(%arg0: tensor<1x4x5x5xf32>) -> (tensor<1x3x10x10xf32>, tensor<1x4x3x3xf32>) {
    %0 = "tosa.const"() <{values = dense<[[100, 25, 5, 1]]> : tensor<1x4xi32>}> : () -> tensor<1x4xi32>
    %1 = "tosa.const"() <{values = dense_resource<torch_tensor_3_torch.float32> : tensor<3xf32>}> : () -> tensor<3xf32>
    %2 = "tosa.const"() <{values = dense<[0, 1, 2, 3, 4, 5, 6, 7, 8, 9]> : tensor<10xi64>}> : () -> tensor<10xi64>
    %3 = "tosa.const"() <{values = dense<0> : tensor<1xi8>}> : () -> tensor<1xi8>
    %4 = tosa.const_shape  {values = dense<[10, 1]> : tensor<2xindex>} : () -> !tosa.shape<2>
    %5 = "tosa.const"() <{values = dense<[0, 1, 2, 3]> : tensor<4xi64>}> : () -> tensor<4xi64>
    %6 = tosa.const_shape  {values = dense<[4, 1, 1]> : tensor<3xindex>} : () -> !tosa.shape<3>
    %7 = tosa.const_shape  {values = dense<[1, 4, 1, 1, 1]> : tensor<5xindex>} : () -> !tosa.shape<5>
    %8 = tosa.const_shape  {values = dense<[1, 1, 10, 1, 1]> : tensor<5xindex>} : () -> !tosa.shape<5>
    %9 = tosa.const_shape  {values = dense<[1, 1, 1, 10, 1]> : tensor<5xindex>} : () -> !tosa.shape<5>
    %10 = tosa.const_shape  {values = dense<[1, 4, 10, 10, 1]> : tensor<5xindex>} : () -> !tosa.shape<5>
    %11 = tosa.const_shape  {values = dense<[1, 1, 10, 10, 1]> : tensor<5xindex>} : () -> !tosa.shape<5>
    %12 = tosa.const_shape  {values = dense<[1, 4, 1, 10, 1]> : tensor<5xindex>} : () -> !tosa.shape<5>
    %13 = tosa.const_shape  {values = dense<[1, 4, 10, 1, 1]> : tensor<5xindex>} : () -> !tosa.shape<5>
    %14 = tosa.const_shape  {values = dense<[1, 100, 1]> : tensor<3xindex>} : () -> !tosa.shape<3>
    %15 = tosa.const_shape  {values = dense<[400, 4]> : tensor<2xindex>} : () -> !tosa.shape<2>
    %16 = tosa.const_shape  {values = dense<[1, 4]> : tensor<2xindex>} : () -> !tosa.shape<2>
    %17 = tosa.const_shape  {values = dense<[1, 400]> : tensor<2xindex>} : () -> !tosa.shape<2>
    %18 = tosa.const_shape  {values = dense<[1, 4, 10, 10]> : tensor<4xindex>} : () -> !tosa.shape<4>
    %19 = tosa.const_shape  {values = dense<[1, 1, 1, 10]> : tensor<4xindex>} : () -> !tosa.shape<4>
    %20 = tosa.const_shape  {values = dense<[1, 1, 10, 1]> : tensor<4xindex>} : () -> !tosa.shape<4>
    %21 = "tosa.const"() <{values = dense<0.000000e+00> : tensor<1xf32>}> : () -> tensor<1xf32>
    %22 = "tosa.const"() <{values = dense<[0, 1, 2]> : tensor<3xi64>}> : () -> tensor<3xi64>
    %23 = tosa.const_shape  {values = dense<[3, 1]> : tensor<2xindex>} : () -> !tosa.shape<2>
    %24 = tosa.const_shape  {values = dense<[3, 4, 1, 1]> : tensor<4xindex>} : () -> !tosa.shape<4>
    %25 = tosa.const_shape  {values = dense<[4, 1, 1, 1, 1]> : tensor<5xindex>} : () -> !tosa.shape<5>
    %26 = tosa.const_shape  {values = dense<[1, 4, 1, 1, 1, 1, 1]> : tensor<7xindex>} : () -> !tosa.shape<7>
    %27 = tosa.const_shape  {values = dense<[1, 1, 3, 4, 1, 1, 1]> : tensor<7xindex>} : () -> !tosa.shape<7>
    %28 = tosa.const_shape  {values = dense<[1, 1, 1, 1, 3, 4, 1]> : tensor<7xindex>} : () -> !tosa.shape<7>
    %29 = tosa.const_shape  {values = dense<[1, 4, 3, 4, 3, 4, 1]> : tensor<7xindex>} : () -> !tosa.shape<7>
    %30 = tosa.const_shape  {values = dense<[1, 1, 3, 4, 3, 4, 1]> : tensor<7xindex>} : () -> !tosa.shape<7>
    %31 = tosa.const_shape  {values = dense<[1, 4, 1, 1, 3, 4, 1]> : tensor<7xindex>} : () -> !tosa.shape<7>
    %32 = tosa.const_shape  {values = dense<[1, 4, 3, 4, 1, 1, 1]> : tensor<7xindex>} : () -> !tosa.shape<7>
    %33 = tosa.const_shape  {values = dense<[1, 400, 1]> : tensor<3xindex>} : () -> !tosa.shape<3>
    %34 = tosa.const_shape  {values = dense<[576, 4]> : tensor<2xindex>} : () -> !tosa.shape<2>
    %35 = tosa.const_shape  {values = dense<[1, 576]> : tensor<2xindex>} : () -> !tosa.shape<2>
    %36 = tosa.const_shape  {values = dense<[1, 4, 3, 4, 3, 4]> : tensor<6xindex>} : () -> !tosa.shape<6>
    %37 = tosa.const_shape  {values = dense<[1, 4, 3, 3]> : tensor<4xindex>} : () -> !tosa.shape<4>
    %38 = "tosa.const"() <{values = dense<5.000000e-01> : tensor<1xf32>}> : () -> tensor<1xf32>
    %39 = "tosa.const"() <{values = dense<0.000000e+00> : tensor<1x1xf32>}> : () -> tensor<1x1xf32>
    %40 = "tosa.const"() <{values = dense<1> : tensor<1x1xi32>}> : () -> tensor<1x1xi32>
    %41 = "tosa.const"() <{values = dense<-9223372036854775808> : tensor<1x1xi64>}> : () -> tensor<1x1xi64>
    %42 = "tosa.const"() <{values = dense<4> : tensor<1x1xi64>}> : () -> tensor<1x1xi64>
    %43 = "tosa.const"() <{values = dense<1> : tensor<1xi32>}> : () -> tensor<1xi32>
    %44 = "tosa.const"() <{values = dense<-9223372036854775808> : tensor<1xi64>}> : () -> tensor<1xi64>
    %45 = "tosa.const"() <{values = dense<4> : tensor<1xi64>}> : () -> tensor<1xi64>
    %46 = "tosa.const"() <{values = dense<0> : tensor<1x1x1x1x1xi32>}> : () -> tensor<1x1x1x1x1xi32>
    %47 = "tosa.const"() <{values = dense<0> : tensor<1x1x1xi32>}> : () -> tensor<1x1x1xi32>
    %48 = "tosa.const"() <{values = dense<4> : tensor<1x1x1xi32>}> : () -> tensor<1x1x1xi32>
    %49 = "tosa.const"() <{values = dense<0> : tensor<1x1xi32>}> : () -> tensor<1x1xi32>
    %50 = "tosa.const"() <{values = dense<5> : tensor<1x1xi32>}> : () -> tensor<1x1xi32>
    %51 = "tosa.const"() <{values = dense<0> : tensor<1xi32>}> : () -> tensor<1xi32>
    %52 = "tosa.const"() <{values = dense<5> : tensor<1xi32>}> : () -> tensor<1xi32>
    %53 = "tosa.const"() <{values = dense<[[[[-0.182068542, 0.00992095656, 0.0518234782, 0.153808028], [-0.228801027, -0.225546926, 0.229559347, -0.115748584]], [[-0.280988097, 0.204945043, -0.0318468735, -0.0374966897], [0.0964020714, -0.202171341, -0.182350889, -0.082550317]]], [[[-0.140299886, 0.157576218, -0.2672683, 0.223787323], [-0.0833651795, 0.14138867, -0.275649935, -0.0706937462]], [[0.177519172, -0.0971924662, -0.0556333847, 0.170915022], [-0.0584810376, -0.180743203, 0.211410195, -0.0748991594]]], [[[-0.235535428, 0.215616301, -0.0723773614, 0.027801035], [0.260434896, -0.00387608097, -0.106974497, -0.150253981]], [[0.12122678, 7.78210117E-4, 0.115035929, 0.0744324178], [-0.0109260501, 2.203010e-01, -0.233054712, -0.226071477]]]]> : tensor<3x2x2x4xf32>}> : () -> tensor<3x2x2x4xf32>
    %54 = "tosa.const"() <{values = dense<10> : tensor<1xi64>}> : () -> tensor<1xi64>
    %55 = "tosa.const"() <{values = dense<3> : tensor<1xi64>}> : () -> tensor<1xi64>
    %56 = "tosa.const"() <{values = dense<0> : tensor<1x1x1x1x1x1x1xi32>}> : () -> tensor<1x1x1x1x1x1x1xi32>
    %57 = "tosa.const"() <{values = dense<4> : tensor<1x1x1x1x1xi32>}> : () -> tensor<1x1x1x1x1xi32>
    %58 = "tosa.const"() <{values = dense<0> : tensor<1x1x1x1xi32>}> : () -> tensor<1x1x1x1xi32>
    %59 = "tosa.const"() <{values = dense<10> : tensor<1x1x1x1xi32>}> : () -> tensor<1x1x1x1xi32>
    %60 = "tosa.const"() <{values = dense<10> : tensor<1x1xi32>}> : () -> tensor<1x1xi32>
    %61 = "tosa.const"() <{values = dense<[[400, 100, 10, 1]]> : tensor<1x4xi32>}> : () -> tensor<1x4xi32>
    %62 = "tosa.const"() <{values = dense<6.250000e-02> : tensor<1x1x1x1xf32>}> : () -> tensor<1x1x1x1xf32>
    %63 = tosa.cast %2 : (tensor<10xi64>) -> tensor<10xf32>
    %64 = tosa.add %63, %38 : (tensor<10xf32>, tensor<1xf32>) -> tensor<10xf32>
    %65 = tosa.mul %64, %38, %3 : (tensor<10xf32>, tensor<1xf32>, tensor<1xi8>) -> tensor<10xf32>
    %66 = tosa.sub %65, %38 : (tensor<10xf32>, tensor<1xf32>) -> tensor<10xf32>
    %67 = tosa.clamp %66 {max_val = 3.40282347E+38 : f32, min_val = 0.000000e+00 : f32} : (tensor<10xf32>) -> tensor<10xf32>
    %68 = tosa.reshape %67, %4 : (tensor<10xf32>, !tosa.shape<2>) -> tensor<10x1xf32>
    %69 = tosa.floor %68 : (tensor<10x1xf32>) -> tensor<10x1xf32>
    %70 = tosa.ceil %68 : (tensor<10x1xf32>) -> tensor<10x1xf32>
    %71 = tosa.greater %39, %68 : (tensor<1x1xf32>, tensor<10x1xf32>) -> tensor<10x1xi1>
    %72 = tosa.select %71, %70, %69 : (tensor<10x1xi1>, tensor<10x1xf32>, tensor<10x1xf32>) -> tensor<10x1xf32>
    %73 = tosa.cast %72 : (tensor<10x1xf32>) -> tensor<10x1xi64>
    %74 = tosa.cast %73 : (tensor<10x1xi64>) -> tensor<10x1xi32>
    %75 = tosa.add %74, %40 : (tensor<10x1xi32>, tensor<1x1xi32>) -> tensor<10x1xi32>
    %76 = tosa.cast %75 : (tensor<10x1xi32>) -> tensor<10x1xi64>
    %77 = tosa.maximum %76, %41 : (tensor<10x1xi64>, tensor<1x1xi64>) -> tensor<10x1xi64>
    %78 = tosa.minimum %77, %42 : (tensor<10x1xi64>, tensor<1x1xi64>) -> tensor<10x1xi64>
    %79 = tosa.floor %67 : (tensor<10xf32>) -> tensor<10xf32>
    %80 = tosa.ceil %67 : (tensor<10xf32>) -> tensor<10xf32>
    %81 = tosa.greater %21, %67 : (tensor<1xf32>, tensor<10xf32>) -> tensor<10xi1>
    %82 = tosa.select %81, %80, %79 : (tensor<10xi1>, tensor<10xf32>, tensor<10xf32>) -> tensor<10xf32>
    %83 = tosa.cast %82 : (tensor<10xf32>) -> tensor<10xi64>
    %84 = tosa.cast %83 : (tensor<10xi64>) -> tensor<10xi32>
    %85 = tosa.add %84, %43 : (tensor<10xi32>, tensor<1xi32>) -> tensor<10xi32>
    %86 = tosa.cast %85 : (tensor<10xi32>) -> tensor<10xi64>
    %87 = tosa.maximum %86, %44 : (tensor<10xi64>, tensor<1xi64>) -> tensor<10xi64>
    %88 = tosa.minimum %87, %45 : (tensor<10xi64>, tensor<1xi64>) -> tensor<10xi64>
    %89 = tosa.reshape %5, %6 : (tensor<4xi64>, !tosa.shape<3>) -> tensor<4x1x1xi64>
    %90 = tosa.cast %89 : (tensor<4x1x1xi64>) -> tensor<4x1x1xi32>
    %91 = tosa.add %90, %48 : (tensor<4x1x1xi32>, tensor<1x1x1xi32>) -> tensor<4x1x1xi32>
    %92 = tosa.greater %47, %90 : (tensor<1x1x1xi32>, tensor<4x1x1xi32>) -> tensor<4x1x1xi1>
    %93 = tosa.select %92, %91, %90 : (tensor<4x1x1xi1>, tensor<4x1x1xi32>, tensor<4x1x1xi32>) -> tensor<4x1x1xi32>
    %94 = tosa.cast %73 : (tensor<10x1xi64>) -> tensor<10x1xi32>
    %95 = tosa.add %94, %50 : (tensor<10x1xi32>, tensor<1x1xi32>) -> tensor<10x1xi32>
    %96 = tosa.greater %49, %94 : (tensor<1x1xi32>, tensor<10x1xi32>) -> tensor<10x1xi1>
    %97 = tosa.select %96, %95, %94 : (tensor<10x1xi1>, tensor<10x1xi32>, tensor<10x1xi32>) -> tensor<10x1xi32>
    %98 = tosa.cast %83 : (tensor<10xi64>) -> tensor<10xi32>
    %99 = tosa.add %98, %52 : (tensor<10xi32>, tensor<1xi32>) -> tensor<10xi32>
    %100 = tosa.greater %51, %98 : (tensor<1xi32>, tensor<10xi32>) -> tensor<10xi1>
    %101 = tosa.select %100, %99, %98 : (tensor<10xi1>, tensor<10xi32>, tensor<10xi32>) -> tensor<10xi32>
    %102 = tosa.reshape %93, %7 : (tensor<4x1x1xi32>, !tosa.shape<5>) -> tensor<1x4x1x1x1xi32>
    %103 = tosa.reshape %97, %8 : (tensor<10x1xi32>, !tosa.shape<5>) -> tensor<1x1x10x1x1xi32>
    %104 = tosa.reshape %101, %9 : (tensor<10xi32>, !tosa.shape<5>) -> tensor<1x1x1x10x1xi32>
    %105 = tosa.tile %46, %10 : (tensor<1x1x1x1x1xi32>, !tosa.shape<5>) -> tensor<1x4x10x10x1xi32>
    %106 = tosa.tile %102, %11 : (tensor<1x4x1x1x1xi32>, !tosa.shape<5>) -> tensor<1x4x10x10x1xi32>
    %107 = tosa.tile %103, %12 : (tensor<1x1x10x1x1xi32>, !tosa.shape<5>) -> tensor<1x4x10x10x1xi32>
    %108 = tosa.tile %104, %13 : (tensor<1x1x1x10x1xi32>, !tosa.shape<5>) -> tensor<1x4x10x10x1xi32>
    %109 = tosa.concat %105, %106, %107, %108 {axis = 4 : i32} : (tensor<1x4x10x10x1xi32>, tensor<1x4x10x10x1xi32>, tensor<1x4x10x10x1xi32>, tensor<1x4x10x10x1xi32>) -> tensor<1x4x10x10x4xi32>
    %110 = tosa.reshape %arg0, %14 : (tensor<1x4x5x5xf32>, !tosa.shape<3>) -> tensor<1x100x1xf32>
    %111 = tosa.reshape %109, %15 : (tensor<1x4x10x10x4xi32>, !tosa.shape<2>) -> tensor<400x4xi32>
    %112 = tosa.mul %111, %0, %3 : (tensor<400x4xi32>, tensor<1x4xi32>, tensor<1xi8>) -> tensor<400x4xi32>
    %113 = tosa.reduce_sum %112 {axis = 1 : i32} : (tensor<400x4xi32>) -> tensor<400x1xi32>
    %114 = tosa.reshape %113, %17 : (tensor<400x1xi32>, !tosa.shape<2>) -> tensor<1x400xi32>
    %115 = tosa.gather %110, %114 : (tensor<1x100x1xf32>, tensor<1x400xi32>) -> tensor<1x400x1xf32>
    %116 = tosa.reshape %115, %18 : (tensor<1x400x1xf32>, !tosa.shape<4>) -> tensor<1x4x10x10xf32>
    %117 = tosa.cast %88 : (tensor<10xi64>) -> tensor<10xi32>
    %118 = tosa.add %117, %52 : (tensor<10xi32>, tensor<1xi32>) -> tensor<10xi32>
    %119 = tosa.greater %51, %117 : (tensor<1xi32>, tensor<10xi32>) -> tensor<10xi1>
    %120 = tosa.select %119, %118, %117 : (tensor<10xi1>, tensor<10xi32>, tensor<10xi32>) -> tensor<10xi32>
    %121 = tosa.reshape %120, %9 : (tensor<10xi32>, !tosa.shape<5>) -> tensor<1x1x1x10x1xi32>
    %122 = tosa.tile %121, %13 : (tensor<1x1x1x10x1xi32>, !tosa.shape<5>) -> tensor<1x4x10x10x1xi32>
    %123 = tosa.concat %105, %106, %107, %122 {axis = 4 : i32} : (tensor<1x4x10x10x1xi32>, tensor<1x4x10x10x1xi32>, tensor<1x4x10x10x1xi32>, tensor<1x4x10x10x1xi32>) -> tensor<1x4x10x10x4xi32>
    %124 = tosa.reshape %123, %15 : (tensor<1x4x10x10x4xi32>, !tosa.shape<2>) -> tensor<400x4xi32>
    %125 = tosa.mul %124, %0, %3 : (tensor<400x4xi32>, tensor<1x4xi32>, tensor<1xi8>) -> tensor<400x4xi32>
    %126 = tosa.reduce_sum %125 {axis = 1 : i32} : (tensor<400x4xi32>) -> tensor<400x1xi32>
    %127 = tosa.reshape %126, %17 : (tensor<400x1xi32>, !tosa.shape<2>) -> tensor<1x400xi32>
    %128 = tosa.gather %110, %127 : (tensor<1x100x1xf32>, tensor<1x400xi32>) -> tensor<1x400x1xf32>
    %129 = tosa.reshape %128, %18 : (tensor<1x400x1xf32>, !tosa.shape<4>) -> tensor<1x4x10x10xf32>
    %130 = tosa.cast %78 : (tensor<10x1xi64>) -> tensor<10x1xi32>
    %131 = tosa.add %130, %50 : (tensor<10x1xi32>, tensor<1x1xi32>) -> tensor<10x1xi32>
    %132 = tosa.greater %49, %130 : (tensor<1x1xi32>, tensor<10x1xi32>) -> tensor<10x1xi1>
    %133 = tosa.select %132, %131, %130 : (tensor<10x1xi1>, tensor<10x1xi32>, tensor<10x1xi32>) -> tensor<10x1xi32>
    %134 = tosa.reshape %133, %8 : (tensor<10x1xi32>, !tosa.shape<5>) -> tensor<1x1x10x1x1xi32>
    %135 = tosa.tile %134, %12 : (tensor<1x1x10x1x1xi32>, !tosa.shape<5>) -> tensor<1x4x10x10x1xi32>
    %136 = tosa.concat %105, %106, %135, %108 {axis = 4 : i32} : (tensor<1x4x10x10x1xi32>, tensor<1x4x10x10x1xi32>, tensor<1x4x10x10x1xi32>, tensor<1x4x10x10x1xi32>) -> tensor<1x4x10x10x4xi32>
    %137 = tosa.reshape %136, %15 : (tensor<1x4x10x10x4xi32>, !tosa.shape<2>) -> tensor<400x4xi32>
    %138 = tosa.mul %137, %0, %3 : (tensor<400x4xi32>, tensor<1x4xi32>, tensor<1xi8>) -> tensor<400x4xi32>
    %139 = tosa.reduce_sum %138 {axis = 1 : i32} : (tensor<400x4xi32>) -> tensor<400x1xi32>
    %140 = tosa.reshape %139, %17 : (tensor<400x1xi32>, !tosa.shape<2>) -> tensor<1x400xi32>
    %141 = tosa.gather %110, %140 : (tensor<1x100x1xf32>, tensor<1x400xi32>) -> tensor<1x400x1xf32>
    %142 = tosa.reshape %141, %18 : (tensor<1x400x1xf32>, !tosa.shape<4>) -> tensor<1x4x10x10xf32>
    %143 = tosa.concat %105, %106, %135, %122 {axis = 4 : i32} : (tensor<1x4x10x10x1xi32>, tensor<1x4x10x10x1xi32>, tensor<1x4x10x10x1xi32>, tensor<1x4x10x10x1xi32>) -> tensor<1x4x10x10x4xi32>
    %144 = tosa.reshape %143, %15 : (tensor<1x4x10x10x4xi32>, !tosa.shape<2>) -> tensor<400x4xi32>
    %145 = tosa.mul %144, %0, %3 : (tensor<400x4xi32>, tensor<1x4xi32>, tensor<1xi8>) -> tensor<400x4xi32>
    %146 = tosa.reduce_sum %145 {axis = 1 : i32} : (tensor<400x4xi32>) -> tensor<400x1xi32>
    %147 = tosa.reshape %146, %17 : (tensor<400x1xi32>, !tosa.shape<2>) -> tensor<1x400xi32>
    %148 = tosa.gather %110, %147 : (tensor<1x100x1xf32>, tensor<1x400xi32>) -> tensor<1x400x1xf32>
    %149 = tosa.reshape %148, %18 : (tensor<1x400x1xf32>, !tosa.shape<4>) -> tensor<1x4x10x10xf32>
    %150 = tosa.cast %83 : (tensor<10xi64>) -> tensor<10xf32>
    %151 = tosa.sub %67, %150 : (tensor<10xf32>, tensor<10xf32>) -> tensor<10xf32>
    %152 = tosa.clamp %151 {max_val = 1.000000e+00 : f32, min_val = 0.000000e+00 : f32} : (tensor<10xf32>) -> tensor<10xf32>
    %153 = tosa.sub %129, %116 : (tensor<1x4x10x10xf32>, tensor<1x4x10x10xf32>) -> tensor<1x4x10x10xf32>
    %154 = tosa.reshape %152, %19 : (tensor<10xf32>, !tosa.shape<4>) -> tensor<1x1x1x10xf32>
    %155 = tosa.mul %153, %154, %3 : (tensor<1x4x10x10xf32>, tensor<1x1x1x10xf32>, tensor<1xi8>) -> tensor<1x4x10x10xf32>
    %156 = tosa.add %116, %155 : (tensor<1x4x10x10xf32>, tensor<1x4x10x10xf32>) -> tensor<1x4x10x10xf32>
    %157 = tosa.sub %149, %142 : (tensor<1x4x10x10xf32>, tensor<1x4x10x10xf32>) -> tensor<1x4x10x10xf32>
    %158 = tosa.mul %157, %154, %3 : (tensor<1x4x10x10xf32>, tensor<1x1x1x10xf32>, tensor<1xi8>) -> tensor<1x4x10x10xf32>
    %159 = tosa.add %142, %158 : (tensor<1x4x10x10xf32>, tensor<1x4x10x10xf32>) -> tensor<1x4x10x10xf32>
    %160 = tosa.cast %73 : (tensor<10x1xi64>) -> tensor<10x1xf32>
    %161 = tosa.sub %68, %160 : (tensor<10x1xf32>, tensor<10x1xf32>) -> tensor<10x1xf32>
    %162 = tosa.clamp %161 {max_val = 1.000000e+00 : f32, min_val = 0.000000e+00 : f32} : (tensor<10x1xf32>) -> tensor<10x1xf32>
    %163 = tosa.sub %159, %156 : (tensor<1x4x10x10xf32>, tensor<1x4x10x10xf32>) -> tensor<1x4x10x10xf32>
    %164 = tosa.reshape %162, %20 : (tensor<10x1xf32>, !tosa.shape<4>) -> tensor<1x1x10x1xf32>
    %165 = tosa.mul %163, %164, %3 : (tensor<1x4x10x10xf32>, tensor<1x1x10x1xf32>, tensor<1xi8>) -> tensor<1x4x10x10xf32>
    %166 = tosa.add %156, %165 : (tensor<1x4x10x10xf32>, tensor<1x4x10x10xf32>) -> tensor<1x4x10x10xf32>
    %167 = tosa.transpose %arg0 {perms = array<i32: 0, 2, 3, 1>} : (tensor<1x4x5x5xf32>) -> tensor<1x5x5x4xf32>
    %168 = tosa.transpose_conv2d %167, %53, %1, %21, %21 {acc_type = f32, out_pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 2, 2>} : (tensor<1x5x5x4xf32>, tensor<3x2x2x4xf32>, tensor<3xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x10x10x3xf32>
    %169 = tosa.transpose %168 {perms = array<i32: 0, 3, 1, 2>} : (tensor<1x10x10x3xf32>) -> tensor<1x3x10x10xf32>
    %170 = tosa.mul %22, %54, %3 : (tensor<3xi64>, tensor<1xi64>, tensor<1xi8>) -> tensor<3xi64>
    %171 = tosa.intdiv %170, %55 : (tensor<3xi64>, tensor<1xi64>) -> tensor<3xi64>
    %172 = tosa.reshape %171, %23 : (tensor<3xi64>, !tosa.shape<2>) -> tensor<3x1xi64>
    %173 = tosa.cast %5 : (tensor<4xi64>) -> tensor<4xi32>
    %174 = tosa.reshape %173, %16 : (tensor<4xi32>, !tosa.shape<2>) -> tensor<1x4xi32>
    %175 = tosa.cast %172 : (tensor<3x1xi64>) -> tensor<3x1xi32>
    %176 = tosa.add %175, %174 : (tensor<3x1xi32>, tensor<1x4xi32>) -> tensor<3x4xi32>
    %177 = tosa.cast %176 : (tensor<3x4xi32>) -> tensor<3x4xi64>
    %178 = tosa.reshape %177, %24 : (tensor<3x4xi64>, !tosa.shape<4>) -> tensor<3x4x1x1xi64>
    %179 = tosa.reshape %5, %25 : (tensor<4xi64>, !tosa.shape<5>) -> tensor<4x1x1x1x1xi64>
    %180 = tosa.cast %179 : (tensor<4x1x1x1x1xi64>) -> tensor<4x1x1x1x1xi32>
    %181 = tosa.add %180, %57 : (tensor<4x1x1x1x1xi32>, tensor<1x1x1x1x1xi32>) -> tensor<4x1x1x1x1xi32>
    %182 = tosa.greater %46, %180 : (tensor<1x1x1x1x1xi32>, tensor<4x1x1x1x1xi32>) -> tensor<4x1x1x1x1xi1>
    %183 = tosa.select %182, %181, %180 : (tensor<4x1x1x1x1xi1>, tensor<4x1x1x1x1xi32>, tensor<4x1x1x1x1xi32>) -> tensor<4x1x1x1x1xi32>
    %184 = tosa.cast %178 : (tensor<3x4x1x1xi64>) -> tensor<3x4x1x1xi32>
    %185 = tosa.add %184, %59 : (tensor<3x4x1x1xi32>, tensor<1x1x1x1xi32>) -> tensor<3x4x1x1xi32>
    %186 = tosa.greater %58, %184 : (tensor<1x1x1x1xi32>, tensor<3x4x1x1xi32>) -> tensor<3x4x1x1xi1>
    %187 = tosa.select %186, %185, %184 : (tensor<3x4x1x1xi1>, tensor<3x4x1x1xi32>, tensor<3x4x1x1xi32>) -> tensor<3x4x1x1xi32>
    %188 = tosa.cast %177 : (tensor<3x4xi64>) -> tensor<3x4xi32>
    %189 = tosa.add %188, %60 : (tensor<3x4xi32>, tensor<1x1xi32>) -> tensor<3x4xi32>
    %190 = tosa.greater %49, %188 : (tensor<1x1xi32>, tensor<3x4xi32>) -> tensor<3x4xi1>
    %191 = tosa.select %190, %189, %188 : (tensor<3x4xi1>, tensor<3x4xi32>, tensor<3x4xi32>) -> tensor<3x4xi32>
    %192 = tosa.reshape %183, %26 : (tensor<4x1x1x1x1xi32>, !tosa.shape<7>) -> tensor<1x4x1x1x1x1x1xi32>
    %193 = tosa.reshape %187, %27 : (tensor<3x4x1x1xi32>, !tosa.shape<7>) -> tensor<1x1x3x4x1x1x1xi32>
    %194 = tosa.reshape %191, %28 : (tensor<3x4xi32>, !tosa.shape<7>) -> tensor<1x1x1x1x3x4x1xi32>
    %195 = tosa.tile %56, %29 : (tensor<1x1x1x1x1x1x1xi32>, !tosa.shape<7>) -> tensor<1x4x3x4x3x4x1xi32>
    %196 = tosa.tile %192, %30 : (tensor<1x4x1x1x1x1x1xi32>, !tosa.shape<7>) -> tensor<1x4x3x4x3x4x1xi32>
    %197 = tosa.tile %193, %31 : (tensor<1x1x3x4x1x1x1xi32>, !tosa.shape<7>) -> tensor<1x4x3x4x3x4x1xi32>
    %198 = tosa.tile %194, %32 : (tensor<1x1x1x1x3x4x1xi32>, !tosa.shape<7>) -> tensor<1x4x3x4x3x4x1xi32>
    %199 = tosa.concat %195, %196, %197, %198 {axis = 6 : i32} : (tensor<1x4x3x4x3x4x1xi32>, tensor<1x4x3x4x3x4x1xi32>, tensor<1x4x3x4x3x4x1xi32>, tensor<1x4x3x4x3x4x1xi32>) -> tensor<1x4x3x4x3x4x4xi32>
    %200 = tosa.reshape %166, %33 : (tensor<1x4x10x10xf32>, !tosa.shape<3>) -> tensor<1x400x1xf32>
    %201 = tosa.reshape %199, %34 : (tensor<1x4x3x4x3x4x4xi32>, !tosa.shape<2>) -> tensor<576x4xi32>
    %202 = tosa.mul %201, %61, %3 : (tensor<576x4xi32>, tensor<1x4xi32>, tensor<1xi8>) -> tensor<576x4xi32>
    %203 = tosa.reduce_sum %202 {axis = 1 : i32} : (tensor<576x4xi32>) -> tensor<576x1xi32>
    %204 = tosa.reshape %203, %35 : (tensor<576x1xi32>, !tosa.shape<2>) -> tensor<1x576xi32>
    %205 = tosa.gather %200, %204 : (tensor<1x400x1xf32>, tensor<1x576xi32>) -> tensor<1x576x1xf32>
    %206 = tosa.reshape %205, %36 : (tensor<1x576x1xf32>, !tosa.shape<6>) -> tensor<1x4x3x4x3x4xf32>
    %207 = tosa.reduce_sum %206 {axis = 3 : i32} : (tensor<1x4x3x4x3x4xf32>) -> tensor<1x4x3x1x3x4xf32>
    %208 = tosa.reduce_sum %207 {axis = 5 : i32} : (tensor<1x4x3x1x3x4xf32>) -> tensor<1x4x3x1x3x1xf32>
    %209 = tosa.reshape %208, %37 : (tensor<1x4x3x1x3x1xf32>, !tosa.shape<4>) -> tensor<1x4x3x3xf32>
    %210 = tosa.mul %209, %62, %3 : (tensor<1x4x3x3xf32>, tensor<1x1x1x1xf32>, tensor<1xi8>) -> tensor<1x4x3x3xf32>
    return %169, %210 : tensor<1x3x10x10xf32>, tensor<1x4x3x3xf32>
  }
}

{-#
  dialect_resources: {
    builtin: {
      torch_tensor_3_torch.float32: "0x04000000935ACDBD5723F43D50F81F3E"
    }
  }
#-}
