module {
  func.func @main(%arg0: tensor<2x6x16xf32>, %arg1: tensor<2x6xi1>) -> (tensor<2x6x16xf32>, tensor<2x4x6x4xf32>) {
    %c = stablehlo.constant dense<0> : tensor<6x6xi64>
    %c_0 = stablehlo.constant dense<1> : tensor<6x6xi64>
    %c_1 = stablehlo.constant dense<0> : tensor<6xi64>
    %c_2 = stablehlo.constant dense<1> : tensor<6xi64>
    %cst = stablehlo.constant dense<0.000000e+00> : tensor<f32>
    %cst_3 = stablehlo.constant dense<0.000000e+00> : tensor<2x4x6x6xf32>
    %cst_4 = stablehlo.constant dense<0.000000e+00> : tensor<6x6xf32>
    %cst_5 = stablehlo.constant dense<0xFF800000> : tensor<f32>
    %cst_6 = stablehlo.constant dense<0.000000e+00> : tensor<2x6xf32>
    %c_7 = stablehlo.constant dense<true> : tensor<6x6xi1>
    %cst_8 = stablehlo.constant dense_resource<torch_tensor_16_torch.float32> : tensor<16xf32>
    %cst_9 = stablehlo.constant dense_resource<torch_tensor_16_16_torch.float32> : tensor<16x16xf32>
    %cst_10 = stablehlo.constant dense_resource<torch_tensor_48_torch.float32> : tensor<48xf32>
    %cst_11 = stablehlo.constant dense_resource<torch_tensor_48_16_torch.float32> : tensor<48x16xf32>
    %c_12 = stablehlo.constant dense<true> : tensor<i1>
    %cst_13 = arith.constant dense<1> : tensor<1xi64>
    %cst_14 = arith.constant dense<0.70710678118654757> : tensor<1xf64>
    %cst_15 = arith.constant dense<0xFFF0000000000000> : tensor<1xf64>
    %c_16 = stablehlo.constant dense<1> : tensor<i64>
    %c_17 = stablehlo.constant dense<6> : tensor<i64>
    %0 = stablehlo.convert %c_16 : (tensor<i64>) -> tensor<f64>
    %1 = stablehlo.convert %c_17 : (tensor<i64>) -> tensor<f64>
    %2 = stablehlo.divide %1, %0 : tensor<f64>
    %3 = stablehlo.ceil %2 : tensor<f64>
    %4 = stablehlo.convert %3 : (tensor<f64>) -> tensor<i64>
    %5 = stablehlo.reshape %4 : (tensor<i64>) -> tensor<1xi64>
    %6 = stablehlo.dynamic_iota %5, dim = 0 : (tensor<1xi64>) -> tensor<6xi64>
    %7 = stablehlo.multiply %6, %c_2 : tensor<6xi64>
    %8 = stablehlo.add %7, %c_1 : tensor<6xi64>
    %9 = stablehlo.reshape %8 : (tensor<6xi64>) -> tensor<1x6xi64>
    %10 = stablehlo.reshape %8 : (tensor<6xi64>) -> tensor<6x1xi64>
    %11 = stablehlo.broadcast_in_dim %9, dims = [0, 1] : (tensor<1x6xi64>) -> tensor<6x6xi64>
    %12 = stablehlo.broadcast_in_dim %10, dims = [0, 1] : (tensor<6x1xi64>) -> tensor<6x6xi64>
    %13 = stablehlo.subtract %11, %12 : tensor<6x6xi64>
    %14 = stablehlo.compare GE, %13, %c_0, SIGNED : (tensor<6x6xi64>, tensor<6x6xi64>) -> tensor<6x6xi1>
    %15 = stablehlo.and %14, %c_7 : tensor<6x6xi1>
    %16 = stablehlo.broadcast_in_dim %arg1, dims = [0, 1] : (tensor<2x6xi1>) -> tensor<2x6xi1>
    %17 = stablehlo.broadcast_in_dim %cst_5, dims = [] : (tensor<f32>) -> tensor<2x6xf32>
    %18 = stablehlo.broadcast_in_dim %cst_6, dims = [0, 1] : (tensor<2x6xf32>) -> tensor<2x6xf32>
    %19 = stablehlo.select %16, %17, %18 : tensor<2x6xi1>, tensor<2x6xf32>
    %20 = stablehlo.broadcast_in_dim %15, dims = [0, 1] : (tensor<6x6xi1>) -> tensor<6x6xi1>
    %21 = stablehlo.broadcast_in_dim %cst_5, dims = [] : (tensor<f32>) -> tensor<6x6xf32>
    %22 = stablehlo.broadcast_in_dim %cst_4, dims = [0, 1] : (tensor<6x6xf32>) -> tensor<6x6xf32>
    %23 = stablehlo.select %20, %21, %22 : tensor<6x6xi1>, tensor<6x6xf32>
    %24 = stablehlo.transpose %arg0, dims = [1, 0, 2] : (tensor<2x6x16xf32>) -> tensor<6x2x16xf32>
    %25 = stablehlo.transpose %cst_11, dims = [1, 0] : (tensor<48x16xf32>) -> tensor<16x48xf32>
    %26 = stablehlo.reshape %24 : (tensor<6x2x16xf32>) -> tensor<6x2x16xf32>
    %27 = stablehlo.broadcast_in_dim %25, dims = [1, 2] : (tensor<16x48xf32>) -> tensor<6x16x48xf32>
    %28 = stablehlo.reshape %27 : (tensor<6x16x48xf32>) -> tensor<6x16x48xf32>
    %29 = stablehlo.broadcast_in_dim %28, dims = [0, 1, 2] : (tensor<6x16x48xf32>) -> tensor<6x16x48xf32>
    %30 = stablehlo.dot_general %26, %29, batching_dims = [0] x [0], contracting_dims = [2] x [1] : (tensor<6x2x16xf32>, tensor<6x16x48xf32>) -> tensor<6x2x48xf32>
    %31 = stablehlo.reshape %30 : (tensor<6x2x48xf32>) -> tensor<6x2x48xf32>
    %32 = stablehlo.broadcast_in_dim %cst_10, dims = [2] : (tensor<48xf32>) -> tensor<6x2x48xf32>
    %33 = stablehlo.add %31, %32 : tensor<6x2x48xf32>
    %34 = stablehlo.reshape %33 : (tensor<6x2x48xf32>) -> tensor<6x2x3x16xf32>
    %35 = stablehlo.reshape %34 : (tensor<6x2x3x16xf32>) -> tensor<1x6x2x3x16xf32>
    %36 = stablehlo.transpose %35, dims = [3, 1, 2, 0, 4] : (tensor<1x6x2x3x16xf32>) -> tensor<3x6x2x1x16xf32>
    %37 = stablehlo.reshape %36 : (tensor<3x6x2x1x16xf32>) -> tensor<3x6x2x16xf32>
    %38 = stablehlo.slice %37 [0:1, 0:6, 0:2, 0:16] : (tensor<3x6x2x16xf32>) -> tensor<1x6x2x16xf32>
    %39 = stablehlo.reshape %38 : (tensor<1x6x2x16xf32>) -> tensor<6x2x16xf32>
    %40 = stablehlo.slice %37 [1:2, 0:6, 0:2, 0:16] : (tensor<3x6x2x16xf32>) -> tensor<1x6x2x16xf32>
    %41 = stablehlo.reshape %40 : (tensor<1x6x2x16xf32>) -> tensor<6x2x16xf32>
    %42 = stablehlo.slice %37 [2:3, 0:6, 0:2, 0:16] : (tensor<3x6x2x16xf32>) -> tensor<1x6x2x16xf32>
    %43 = stablehlo.reshape %42 : (tensor<1x6x2x16xf32>) -> tensor<6x2x16xf32>
    %44 = stablehlo.reshape %39 : (tensor<6x2x16xf32>) -> tensor<6x8x4xf32>
    %45 = stablehlo.transpose %44, dims = [1, 0, 2] : (tensor<6x8x4xf32>) -> tensor<8x6x4xf32>
    %46 = stablehlo.reshape %41 : (tensor<6x2x16xf32>) -> tensor<6x8x4xf32>
    %47 = stablehlo.transpose %46, dims = [1, 0, 2] : (tensor<6x8x4xf32>) -> tensor<8x6x4xf32>
    %48 = stablehlo.reshape %43 : (tensor<6x2x16xf32>) -> tensor<6x8x4xf32>
    %49 = stablehlo.transpose %48, dims = [1, 0, 2] : (tensor<6x8x4xf32>) -> tensor<8x6x4xf32>
    %50 = stablehlo.reshape %19 : (tensor<2x6xf32>) -> tensor<2x1x1x6xf32>
    %51 = stablehlo.broadcast_in_dim %50, dims = [0, 1, 2, 3] : (tensor<2x1x1x6xf32>) -> tensor<2x4x1x6xf32>
    %52 = stablehlo.reshape %51 : (tensor<2x4x1x6xf32>) -> tensor<8x1x6xf32>
    %53 = stablehlo.reshape %23 : (tensor<6x6xf32>) -> tensor<1x6x6xf32>
    %54 = stablehlo.broadcast_in_dim %53, dims = [0, 1, 2] : (tensor<1x6x6xf32>) -> tensor<8x6x6xf32>
    %55 = stablehlo.broadcast_in_dim %52, dims = [0, 1, 2] : (tensor<8x1x6xf32>) -> tensor<8x6x6xf32>
    %56 = stablehlo.add %54, %55 : tensor<8x6x6xf32>
    %57 = stablehlo.reshape %56 : (tensor<8x6x6xf32>) -> tensor<2x4x6x6xf32>
    %58 = stablehlo.reshape %45 : (tensor<8x6x4xf32>) -> tensor<2x4x6x4xf32>
    %59 = stablehlo.reshape %47 : (tensor<8x6x4xf32>) -> tensor<2x4x6x4xf32>
    %60 = stablehlo.reshape %49 : (tensor<8x6x4xf32>) -> tensor<2x4x6x4xf32>
    %61 = stablehlo.convert %cst_14 : (tensor<1xf64>) -> tensor<1xf32>
    %62 = stablehlo.reshape %61 : (tensor<1xf32>) -> tensor<f32>
    %63 = stablehlo.broadcast_in_dim %62, dims = [] : (tensor<f32>) -> tensor<2x4x6x4xf32>
    %64 = stablehlo.multiply %58, %63 : tensor<2x4x6x4xf32>
    %65 = stablehlo.transpose %59, dims = [0, 1, 3, 2] : (tensor<2x4x6x4xf32>) -> tensor<2x4x4x6xf32>
    %66 = stablehlo.broadcast_in_dim %62, dims = [] : (tensor<f32>) -> tensor<2x4x4x6xf32>
    %67 = stablehlo.multiply %65, %66 : tensor<2x4x4x6xf32>
    %68 = stablehlo.reshape %64 : (tensor<2x4x6x4xf32>) -> tensor<8x6x4xf32>
    %69 = stablehlo.reshape %67 : (tensor<2x4x4x6xf32>) -> tensor<8x4x6xf32>
    %70 = stablehlo.broadcast_in_dim %69, dims = [0, 1, 2] : (tensor<8x4x6xf32>) -> tensor<8x4x6xf32>
    %71 = stablehlo.dot_general %68, %70, batching_dims = [0] x [0], contracting_dims = [2] x [1] : (tensor<8x6x4xf32>, tensor<8x4x6xf32>) -> tensor<8x6x6xf32>
    %72 = stablehlo.reshape %71 : (tensor<8x6x6xf32>) -> tensor<2x4x6x6xf32>
    %73 = stablehlo.add %72, %57 : tensor<2x4x6x6xf32>
    %74 = stablehlo.reduce(%73 init: %cst_5) applies stablehlo.maximum across dimensions = [3] : (tensor<2x4x6x6xf32>, tensor<f32>) -> tensor<2x4x6xf32>
    %75 = stablehlo.reshape %74 : (tensor<2x4x6xf32>) -> tensor<2x4x6x1xf32>
    %76 = stablehlo.broadcast_in_dim %75, dims = [0, 1, 2, 3] : (tensor<2x4x6x1xf32>) -> tensor<2x4x6x6xf32>
    %77 = stablehlo.subtract %73, %76 : tensor<2x4x6x6xf32>
    %78 = stablehlo.exponential %77 : tensor<2x4x6x6xf32>
    %79 = stablehlo.reduce(%78 init: %cst) applies stablehlo.add across dimensions = [3] : (tensor<2x4x6x6xf32>, tensor<f32>) -> tensor<2x4x6xf32>
    %80 = stablehlo.reshape %79 : (tensor<2x4x6xf32>) -> tensor<2x4x6x1xf32>
    %81 = stablehlo.broadcast_in_dim %80, dims = [0, 1, 2, 3] : (tensor<2x4x6x1xf32>) -> tensor<2x4x6x6xf32>
    %82 = stablehlo.divide %78, %81 : tensor<2x4x6x6xf32>
    %83 = stablehlo.convert %cst_15 : tensor<1xf64>
    %84 = stablehlo.reshape %83 : (tensor<1xf64>) -> tensor<f64>
    %85 = stablehlo.convert %84 : (tensor<f64>) -> tensor<f32>
    %86 = stablehlo.broadcast_in_dim %85, dims = [] : (tensor<f32>) -> tensor<2x4x6x6xf32>
    %87 = stablehlo.compare EQ, %73, %86, FLOAT : (tensor<2x4x6x6xf32>, tensor<2x4x6x6xf32>) -> tensor<2x4x6x6xi1>
    %88 = stablehlo.reduce(%87 init: %c_12) applies stablehlo.and across dimensions = [3] : (tensor<2x4x6x6xi1>, tensor<i1>) -> tensor<2x4x6xi1>
    %89 = stablehlo.reshape %88 : (tensor<2x4x6xi1>) -> tensor<2x4x6x1xi1>
    %90 = stablehlo.broadcast_in_dim %89, dims = [0, 1, 2, 3] : (tensor<2x4x6x1xi1>) -> tensor<2x4x6x6xi1>
    %91 = stablehlo.broadcast_in_dim %cst_3, dims = [0, 1, 2, 3] : (tensor<2x4x6x6xf32>) -> tensor<2x4x6x6xf32>
    %92 = stablehlo.broadcast_in_dim %82, dims = [0, 1, 2, 3] : (tensor<2x4x6x6xf32>) -> tensor<2x4x6x6xf32>
    %93 = stablehlo.select %90, %91, %92 : tensor<2x4x6x6xi1>, tensor<2x4x6x6xf32>
    %94 = stablehlo.reshape %93 : (tensor<2x4x6x6xf32>) -> tensor<8x6x6xf32>
    %95 = stablehlo.reshape %60 : (tensor<2x4x6x4xf32>) -> tensor<8x6x4xf32>
    %96 = stablehlo.broadcast_in_dim %95, dims = [0, 1, 2] : (tensor<8x6x4xf32>) -> tensor<8x6x4xf32>
    %97 = stablehlo.dot_general %94, %96, batching_dims = [0] x [0], contracting_dims = [2] x [1] : (tensor<8x6x6xf32>, tensor<8x6x4xf32>) -> tensor<8x6x4xf32>
    %98 = stablehlo.reshape %97 : (tensor<8x6x4xf32>) -> tensor<2x4x6x4xf32>
    %99 = stablehlo.transpose %98, dims = [2, 0, 1, 3] : (tensor<2x4x6x4xf32>) -> tensor<6x2x4x4xf32>
    %100 = stablehlo.transpose %99, dims = [1, 2, 0, 3] : (tensor<6x2x4x4xf32>) -> tensor<2x4x6x4xf32>
    %101 = stablehlo.transpose %100, dims = [2, 0, 1, 3] : (tensor<2x4x6x4xf32>) -> tensor<6x2x4x4xf32>
    %102 = stablehlo.reshape %101 : (tensor<6x2x4x4xf32>) -> tensor<12x16xf32>
    %103 = stablehlo.transpose %cst_9, dims = [1, 0] : (tensor<16x16xf32>) -> tensor<16x16xf32>
    %104 = stablehlo.dot_general %102, %103, contracting_dims = [1] x [0] : (tensor<12x16xf32>, tensor<16x16xf32>) -> tensor<12x16xf32>
    %105 = stablehlo.convert %cst_13 : (tensor<1xi64>) -> tensor<1xf32>
    %106 = stablehlo.reshape %105 : (tensor<1xf32>) -> tensor<f32>
    %107 = stablehlo.broadcast_in_dim %106, dims = [] : (tensor<f32>) -> tensor<12x16xf32>
    %108 = stablehlo.multiply %104, %107 : tensor<12x16xf32>
    %109 = stablehlo.broadcast_in_dim %cst_8, dims = [1] : (tensor<16xf32>) -> tensor<12x16xf32>
    %110 = stablehlo.multiply %109, %107 : tensor<12x16xf32>
    %111 = stablehlo.add %108, %110 : tensor<12x16xf32>
    %112 = stablehlo.reshape %111 : (tensor<12x16xf32>) -> tensor<6x2x16xf32>
    %113 = stablehlo.transpose %112, dims = [1, 0, 2] : (tensor<6x2x16xf32>) -> tensor<2x6x16xf32>
    %114 = stablehlo.reshape %arg0 : (tensor<2x6x16xf32>) -> tensor<2x6x4x4xf32>
    %115 = stablehlo.transpose %114, dims = [0, 2, 1, 3] : (tensor<2x6x4x4xf32>) -> tensor<2x4x6x4xf32>
    %116 = stablehlo.multiply %115, %63 : tensor<2x4x6x4xf32>
    %117 = stablehlo.compare LE, %13, %c, SIGNED : (tensor<6x6xi64>, tensor<6x6xi64>) -> tensor<6x6xi1>
    %118 = stablehlo.and %117, %c_7 : tensor<6x6xi1>
    %119 = stablehlo.broadcast_in_dim %118, dims = [0, 1] : (tensor<6x6xi1>) -> tensor<6x6xi1>
    %120 = stablehlo.broadcast_in_dim %cst, dims = [] : (tensor<f32>) -> tensor<6x6xf32>
    %121 = stablehlo.select %119, %120, %21 : tensor<6x6xi1>, tensor<6x6xf32>
    %122 = stablehlo.transpose %115, dims = [0, 1, 3, 2] : (tensor<2x4x6x4xf32>) -> tensor<2x4x4x6xf32>
    %123 = stablehlo.multiply %122, %66 : tensor<2x4x4x6xf32>
    %124 = stablehlo.reshape %116 : (tensor<2x4x6x4xf32>) -> tensor<8x6x4xf32>
    %125 = stablehlo.reshape %123 : (tensor<2x4x4x6xf32>) -> tensor<8x4x6xf32>
    %126 = stablehlo.broadcast_in_dim %125, dims = [0, 1, 2] : (tensor<8x4x6xf32>) -> tensor<8x4x6xf32>
    %127 = stablehlo.dot_general %124, %126, batching_dims = [0] x [0], contracting_dims = [2] x [1] : (tensor<8x6x4xf32>, tensor<8x4x6xf32>) -> tensor<8x6x6xf32>
    %128 = stablehlo.reshape %127 : (tensor<8x6x6xf32>) -> tensor<2x4x6x6xf32>
    %129 = stablehlo.broadcast_in_dim %121, dims = [2, 3] : (tensor<6x6xf32>) -> tensor<2x4x6x6xf32>
    %130 = stablehlo.add %128, %129 : tensor<2x4x6x6xf32>
    %131 = stablehlo.reduce(%130 init: %cst_5) applies stablehlo.maximum across dimensions = [3] : (tensor<2x4x6x6xf32>, tensor<f32>) -> tensor<2x4x6xf32>
    %132 = stablehlo.reshape %131 : (tensor<2x4x6xf32>) -> tensor<2x4x6x1xf32>
    %133 = stablehlo.broadcast_in_dim %132, dims = [0, 1, 2, 3] : (tensor<2x4x6x1xf32>) -> tensor<2x4x6x6xf32>
    %134 = stablehlo.subtract %130, %133 : tensor<2x4x6x6xf32>
    %135 = stablehlo.exponential %134 : tensor<2x4x6x6xf32>
    %136 = stablehlo.reduce(%135 init: %cst) applies stablehlo.add across dimensions = [3] : (tensor<2x4x6x6xf32>, tensor<f32>) -> tensor<2x4x6xf32>
    %137 = stablehlo.reshape %136 : (tensor<2x4x6xf32>) -> tensor<2x4x6x1xf32>
    %138 = stablehlo.broadcast_in_dim %137, dims = [0, 1, 2, 3] : (tensor<2x4x6x1xf32>) -> tensor<2x4x6x6xf32>
    %139 = stablehlo.divide %135, %138 : tensor<2x4x6x6xf32>
    %140 = stablehlo.compare EQ, %130, %86, FLOAT : (tensor<2x4x6x6xf32>, tensor<2x4x6x6xf32>) -> tensor<2x4x6x6xi1>
    %141 = stablehlo.reduce(%140 init: %c_12) applies stablehlo.and across dimensions = [3] : (tensor<2x4x6x6xi1>, tensor<i1>) -> tensor<2x4x6xi1>
    %142 = stablehlo.reshape %141 : (tensor<2x4x6xi1>) -> tensor<2x4x6x1xi1>
    %143 = stablehlo.broadcast_in_dim %142, dims = [0, 1, 2, 3] : (tensor<2x4x6x1xi1>) -> tensor<2x4x6x6xi1>
    %144 = stablehlo.broadcast_in_dim %139, dims = [0, 1, 2, 3] : (tensor<2x4x6x6xf32>) -> tensor<2x4x6x6xf32>
    %145 = stablehlo.select %143, %91, %144 : tensor<2x4x6x6xi1>, tensor<2x4x6x6xf32>
    %146 = stablehlo.reshape %145 : (tensor<2x4x6x6xf32>) -> tensor<8x6x6xf32>
    %147 = stablehlo.reshape %115 : (tensor<2x4x6x4xf32>) -> tensor<8x6x4xf32>
    %148 = stablehlo.broadcast_in_dim %147, dims = [0, 1, 2] : (tensor<8x6x4xf32>) -> tensor<8x6x4xf32>
    %149 = stablehlo.dot_general %146, %148, batching_dims = [0] x [0], contracting_dims = [2] x [1] : (tensor<8x6x6xf32>, tensor<8x6x4xf32>) -> tensor<8x6x4xf32>
    %150 = stablehlo.reshape %149 : (tensor<8x6x4xf32>) -> tensor<2x4x6x4xf32>
    %151 = stablehlo.transpose %150, dims = [2, 0, 1, 3] : (tensor<2x4x6x4xf32>) -> tensor<6x2x4x4xf32>
    %152 = stablehlo.transpose %151, dims = [1, 2, 0, 3] : (tensor<6x2x4x4xf32>) -> tensor<2x4x6x4xf32>
    return %113, %152 : tensor<2x6x16xf32>, tensor<2x4x6x4xf32>
  }
}

{-#
  dialect_resources: {
    builtin: {
      torch_tensor_16_torch.float32: "0x0400000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000",
      torch_tensor_16_16_torch.float32: "0x040000000478713EA8AF62BD84BFF2BD8A6A503E22B64ABE9A906DBE723E2BBE3880D93D847293BDD02A873D884F543DF87280BD2CEFCDBDAAE0123E70F875BE70434BBEE0450B3DB00B99BD40FC23BD70DB2B3DE8B1AE3D5C12C33DE83F77BEB42C273E9C17A43DC6BA773E7A3E59BEA00359BEA8BAFCBD725358BED41CEC3D10DFF1BD9AD45CBED8CE0BBDD0E40D3E50EF56BD00582E3DDC8F7DBE485C0EBEC207573E48265FBE4CB554BE900F9D3DAA7C53BE80BA3B3EF2A84B3E10C9193D8CB464BEECAB05BEB824633DA2E61B3E3E68123E401EE73B8E825FBE5E0E073E4CDDC83DFA114D3E6A1975BEC4716F3EA4BAFA3DC818CC3DB4898EBDCAE9413E2442893D5095B7BC96427C3E4006B83DC07F8ABD88ED34BE5E5120BE946ADFBD9037D83C8C7DEDBD549F1B3E4843593D0CBC26BE8077183B40CB4B3CF26165BE6029A2BC10D657BDF831B43DD09FE73DCCC2A8BD78FCE1BD26AD423EF0EDB6BCE453F5BD341F023ED2263FBEDA4F503E22A131BE7881693EE6D312BEE84B6CBE303FE43CF81DA0BDCC53F2BD8CA52C3EA4BD92BDC0B85D3D24491CBE2C89A13D66F7433E04D2BC3D20AFDE3C2EA65F3E848DC33D84708A3D3C77523E00C2623CB8CD4D3E74EE7F3E3CE2E8BDE848433DB0EFDD3C2E3A46BE4038F83C28F1023E92257CBE58FF7A3EE044F83C0892743D40B6DE3C1EEC63BE8C2910BE30C051BDE03E66BE783E443DB074D1BD303D4CBD6CE9A4BDD68602BE70C591BC18F3793EA6D008BE84B13C3EE00FF63DA452933D0049C0BA745F20BE405E923B84EFC2BD782342BE68712DBE8EA131BE20EFCABC7096103EB00D70BDCAFE36BE0091B03CE87F2BBE460F233ED4A013BEC0B5133E14631CBEF478843D58CF17BE502B2FBE4CE4F83D42D058BEDA49683E4C9BB33D4059A23DD092E83CB0C488BD802A0F3D940C633EB816E73DB8EA853DD06509BD90F94ABED05380BC80DE1E3E64D5563E9E2B653E00B8963B2A7F6FBE505CA9BD28E7173ED6AF563E3C93863D5873673E18D521BE58BBC23DA2AF43BEE05FF8BC7016B03CF0746EBE686DE43D002D5A3CA037603C00A090B81C36F23DD067E33C604EB0BD0021D0BC78FAA5BD20A0D0BD9CF9F03D308065BED045FC3DD83CAF3D74184A3E3044E2BC60D50A3C0039713EA66C1EBE703194BD684B3F3EE0A4DDBDF8F4CE3D7022C63D8658243E70C6D2BDF87D1CBD640C023E4203193E74476CBED483BE3D7481DC3DF8BA5ABD345C0BBE684F6BBE665E2F3E442D95BD6843F8BD2C17DEBD127D633EA41B3D3E2AAF1BBE1E4734BE502422BE768D7FBEA466553EE8E3D93DC8173ABD90214C3E6CB664BEF4803BBEE8E926BE645E663E26F5173EF8F9C63D388A2BBE8099C03B30E9AA3D60372EBC32DB19BE004461BCA8B1293D8047ECBBF8E13FBD40A0B8BB0AFB7BBE28E42CBE",
      torch_tensor_48_torch.float32: "0x04000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000",
      torch_tensor_48_16_torch.float32: "0x04000000621A95BEC1CE603EBCC8303D970516BD8D5E973EA8FF593EE0B86CBDABEDAABD40597F3E781C82BB391484BEBD4A103E1CF38A3DBA7C78BE7AE4B3BD216DCDBDA95C493EF6833A3E78F97DBE37521E3D53907E3EF39F89BEF96C99BEA33138BE7D1C05BE6D03953E8E8FC93D548C55BD47D7763E8319473EABE5F13DD7C5653E84FB953E693F45BEB6A96FBE934442BEEF1C823E325CA1384B9D2C3E9836803EE539943EAF7B9A3E6E7120BED6B84FBE4B8682BEB9FA993CB7D3853EDD5F993EC51C22BE9A7CE73D0D3FE4BDE6312D3EB64E81BE6EB569BEFA1D8E3EE0EA803D436E57BC817F6CBEC079963CA9D27B3EF7FAEDBD887C5ABEF2637F3CE493333EDEFD49BE3AF53FBEE30C2BBE767A1CBDFA125F3E350DFCBD534B03BE65C9763D70F66EBDC17A633E7B65843ECAB7E13D27F257BE3D82EABB7E2180BE8ABA203EA5C38ABE487D01BEE66C49BD73F58C3E87ABB53D9A35BE3D37A6853E3E897D3D33B9B63D79CAE9BD4E3832BE7B6E1ABEB053AFBC2224363E425583BD29015DBEAAD23ABE211F8CBE66C1B5BDA57B7D3E3E2DFCBDFD0BDC3DBE428E3EAFE9BD3D7DBA7BBE1608593EBE885FBEF95A3CBE7561E4BDB747153C0E4089BD29EB8FBE020898BEFFE995BC2C443BBE9E97293E963BB63D5DDF92BDA0E8153E2F99E4BD020934BED4B5DA3D77FFB03D866A5ABEC91C9CBED8A707BEAC3F83BDB9E475BE151D84BDE10B36BD9601D3BDC489183B20AB34BE341A24BDAE12043E28027EBE7CEAFE3D9C5F81BE524F91BE6FBC853E243B54BEDE1B063E835D7ABE0542EC3D7E6574BE50DF0D3DECB557BE46A2393E3EB78FBD17655DBEA84F91BDB9D94E3DB6A0003E237426BEECEE45BEF806303EA2268BBE190C98BED9A52A3D3D52913D67D232BDE78F82BD685A903E69367CBE197E0CBEF4C31DBC1E0677BE7E0A0A3EEA4E09BE38DA9ABDD25AF0BD39EB9D3CF811A5BD5240653EB6CACF3D3E5D913D7B5EB13D1A27973EF64B6DBD3E5F6DBECA837BBE50C71DBEB0AD813ED7AC3CBD42EB313E063888BE6FC55CBEE5AF92BE04DF553E7ABF6A3C59655C3ED22723BDB41C53BE0BFB5D3EA82A483E8506793E27EB423E3F467F3EB05BCEBC417F4D3E63FE643EBBCD7C3E7C1D513DA610563E09B0213ECC81323D92EE043EC3C34ABE92D62CBEE03477BEE44F01BE94854CBE476F3EBDF79513BE6BD9A43D34BF583E427683BEE2A1893EF11E093E2A97CEBD66B3B03D79985CBE495A8EBDA2287F3E96E585BE28B234BDCC6D5BBE705E6B3E9F8B8B3EF01EF73DC94ADB3C4210293E09E5583AAAEFF03DBEBE28BE570A0ABEFF43043E9E6914BE41D40EBEEF8E7C3DBF0E2CBEE28FE8BD0E3CD03D526A403CE7FDF03DE87107BC3922BB3D9E1EA7BD645A83BE5E92AA3D46B5783E105E573EADD042BE380EE13D496722BE96F4293EA76FBF3D54FF8F3EBD2D12BD468E9BBD0A519BBD50500C3DBD9B31BE638014BDD0499B3EF0A78CBE3E6065BDFF1B94BDCD5A8E3DF91E473EFF050F3E1E0A643DB6E480BE6BAC393E038440BE45AF813E94C7003E545326BCB962233E4A15F1BDB7A2D33D4C42533E0A5C473CA5068C3EEB8CD33C0E253DBD846875393687903E8415873E6DDD243E888536BE28D20E3CDA125CBE855F743E95C569BEA01687BE26C9683ED22D6F3E580967BD451B40BE174D8C3E3144123E573E823EFC0DB8BD81ED553D88F07D3E91E17A3EAD407FBECF445F3EFCA19BBD2E3433BE76846A3DEBEF9C3CA4F3B4BD230CCABD165F6A3EE7911EBE111218BEDFAB34BEB663A6BB8695753DB62705BED25A273E9E74583E67BAFBBA9DCEEC3DB99CE83D6B4437BE11F9C6BD4C573CBD9C288B3E3A6FEBBCB3BA78BE00A3FDBD6F1BFB3DEEC482BE812E763D2A04433EF1EF8DBEDD4908BE7B69923BE454403D03D37ABE9515663E0CF18ABEAA893ABE93C4763E5E02363EC2BEE93DEE3F4C3E2C198D3C9EE4603E9909AA3DB7C4A83DA6DB59BEF954B9BD5A682A3E221090BC8CA47ABEEAFCB13D0944B53D1E3AC63D46F822BEEDBD673EEA3FBC3D66117ABE8408F03B360C433E6644933E34BEE9BC064BEF3D773F573EE77F2FBE22ACBC3D55D14F3E3C60B63D6D0798BDDDE5023E4B38E23D9ACB883ECD2E793ED4BB98BE3A69F9BDEBB587BD4A4F813E40FF393E51F989BD66C6F13C894C26BE3BF092BEE826743D233D4B3E178539BEEC2288BD326592BD39B95B3ED8F5823D6935F4BD0ABC633DA665983E33EE9C3DBD331A3E2BDE433EF26A93BD84AA753E5C73633E2A0033BE5F718D3EDF0A943EF0EB01BDE1926C3E797CEBBC83199C3D56FF853EB3F702BC763930BE1AFE6B3EDDE0913E20FC9BBE1378183E8CBF8EBEFB84893E4B6C0BBE790AB3BDD34D1B3EDF573A3EF6A727BC7D3A8F3E9496F5BD555B2EBE1A122ABEE46984BE87C6E7BC5A01603DA47D5A3D5BEF323EC84E21BE52E5A4BD870E783E03F70DBE424383BEF8A6CA3AAC3E99BECC1996BD24BC243E9E1F81BD919B853D0776F7BDA45828BEF19B703EEA430EBECDF7923D19BE073ECB35C6BDB2F4233E201B873E30A58F3E77E5B8BD4185043E0B8F3C3EFDF2F1BD8029633EBBB6EA3D9655BDBD6CBEB2BDFBB1433E0316E5BDE3E38E3EE9C6CCBD7EA2833EAF6A3C3E43F2153C77C0913DAEC492BE90A516BE229A9EBD54A3253E9DF31EBE75D98BBE65E9B1BD4395833E5F30F9BB23612A3E98167BBDE4B8CDBD413449BD91FEC53D090349BE748BA03C640F883E20292A3EB806C4BDC1D0793E15942DBD1445193EC69BF8BD056F0CBE98AF6EBD63623B3DB4E93E3E33AD323D60DF973D42A7B53B9F74CA3D42051A3E6E95C3BDC679083E46223EBD81A46B3ED54C3D3EF7D6183D32AD423EB2541EBECD9CEABD5D136F3E8DE41C3EDA8451BE449807BE92D2C33C304236BDF0BB9FBC1BEC9BBECF81533ED6F394BEFAD21BBD50FA69BEEADBA13D1EB98DBE1C1793BE2FDF5F3E56239B3E7B0742BDB1CA3A3E2CD2B03D069616BE7267883EDC33883E5EE1903E602FF9BC35072C3EF96242BE54E995BE0E6B8DBE531E78BE751F063DEBB184BEA166913E3B3B013E33E66BBE7CDB093DF0A766BE24111D3C8F4B98BECA1A9A3E46D649BE90FB5C3E81C1E4BDCBD5593E41CAD5BD52E076BD2E5A58BDE46E853E936555BE22C831BD7CCB203ED135E5BDF1E5343D475A87BE0D87CC3DDA3E6FBECB4407BE476A473E4C03543D69F9E5BC0B14E93C61B8EC3A150F81BD2DBD293EE41663BE85B07C3EC44C5ABDB4388A3EC771DCBD61C9853C8ED9263EA8CEF0BD82CDC63CFE0C6FBE7AE64A3E6C689ABED240CA3DCDE085BDBF20FC3C22FA803E0E49F5BCBAA4123C095F5FBD9AEF32BE5A0999BE7C898D3EC0E7353ED35A89BE0B9DD83D4BEA4E3D0172893BF132943E3B1679BEA9190CBDF46B9CBBB94C62BEE8A004BE0F56633E83664F3E56D28FBED0B1203E89E74A3E9F86CDBD0F88063E621A4F3E0F14E5BD8899853E45F989BEB4762ABE2D0C94BE304181BE5932923DCAB775BECA5BE03C45BD8BBE241E75BEE4779CBEB4680D3EEBC7ECBD3A24183E6A0F5C3E92F2803E938404BEBF1180BE0189083EF45C88BE67554DBEC96354BD496426BD58C76F3EE740953C860363BE2F7190BEF273A3BDAF7183BE2A6F87BE01771B3CE272243DFF1712BDBC498D3EA35A1EBE90CC4B3DD8787F3DE5C43A3EC7E1853EBCA007BEF0403F3E7C8A93BD98A0873E7E1F003E625B65BD7ECE23BEFF8D63BD78E5783D3798843EC15084BE064E2F3CF2BEBEBDDD66913E16F893BE028B8EBDFE51B23C62233D3E794790BD5E405E3E25B64B3EA22B2EBE8C3B7E3E17093F3EF26C923E928B56BDC8C695BC117B553D9251E03DA7BD933D24D352BE7FCC2E3E723F59BEDFCB3FBEB0A23CBE30EC353E9BB1A5BD87D9913E2542DABD989D64BEEA65193CA9579FBB12C5CA3DA68F40BEA3E689BECA7BCDBD921C29BE438362BEF2CB363E774FF7BD2BBA3CBE57B111BE30B8823E0461C73C983AA73D6FDC5A3E9572633EF41FBA3DE51B863D0B99543EC9E914BE179E783DE66EC83D84A58E3E34A19DBB1BC81BBDA8D5513DE323203E18FFF83DDFF00ABEB629003E4FFB56BE6A4829BDD17D7FBE91E797BC2808043E6B5E6ABE4D6DE23D3C7C593E9BB29CBD20D2A03DAC29833EAF396FBD0EC2A63D1CBF99BD998E01BE7274123EB1DF33BEAC03253E06F07CBEB7470F3E3EEFEE3DD28F923E451F92BE8295973DAA689EBDAD4976BDB83A243E23852FBC9BB10EBE075A57BE3863A33D813F8B3EA55A20BED67421BE01968CBE7CB77E3E6C4F1EBD550E103E"
    }
  }
#-}
