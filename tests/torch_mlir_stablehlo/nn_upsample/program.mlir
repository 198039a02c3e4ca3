module {
  func.func @main(%arg0: tensor<1x4x5x5xf32>) -> (tensor<1x3x10x10xf32>, tensor<1x4x3x3xf32>) {
    %c = stablehlo.constant dense<3> : tensor<3xi64>
    %c_0 = stablehlo.constant dense<10> : tensor<3xi64>
    %c_1 = stablehlo.constant dense<0> : tensor<3xi64>
    %c_2 = stablehlo.constant dense<1> : tensor<3xi64>
    %c_3 = stablehlo.constant dense<3> : tensor<i64>
    %c_4 = stablehlo.constant dense<0> : tensor<1xi64>
    %c_5 = stablehlo.constant dense<1> : tensor<1xi64>
    %c_6 = stablehlo.constant dense<0> : tensor<4xi64>
    %c_7 = stablehlo.constant dense<1> : tensor<4xi64>
    %c_8 = stablehlo.constant dense<4> : tensor<i64>
    %c_9 = stablehlo.constant dense<1> : tensor<10x1xi64>
    %c_10 = stablehlo.constant dense<0> : tensor<10xi64>
    %c_11 = stablehlo.constant dense<1> : tensor<10xi64>
    %cst = stablehlo.constant dense_resource<torch_tensor_3_torch.float32> : tensor<3xf32>
    %cst_12 = stablehlo.constant dense_resource<torch_tensor_4_3_2_2_torch.float32> : tensor<4x3x2x2xf32>
    %cst_13 = stablehlo.constant dense<0x7F800000> : tensor<f32>
    %c_14 = stablehlo.constant dense<-9223372036854775808> : tensor<i64>
    %cst_15 = stablehlo.constant dense<0.000000e+00> : tensor<f32>
    %cst_16 = arith.constant dense<5.000000e-01> : tensor<1xf64>
    %cst_17 = arith.constant dense<0.000000e+00> : tensor<1xf64>
    %cst_18 = arith.constant dense<1.000000e+00> : tensor<1xf64>
    %cst_19 = arith.constant dense<16> : tensor<1xi64>
    %c_20 = stablehlo.constant dense<1> : tensor<i64>
    %c_21 = stablehlo.constant dense<10> : tensor<i64>
    %0 = stablehlo.convert %c_20 : (tensor<i64>) -> tensor<f64>
    %1 = stablehlo.convert %c_21 : (tensor<i64>) -> tensor<f64>
    %2 = stablehlo.divide %1, %0 : tensor<f64>
    %3 = stablehlo.ceil %2 : tensor<f64>
    %4 = stablehlo.convert %3 : (tensor<f64>) -> tensor<i64>
    %5 = stablehlo.reshape %4 : (tensor<i64>) -> tensor<1xi64>
    %6 = stablehlo.dynamic_iota %5, dim = 0 : (tensor<1xi64>) -> tensor<10xi64>
    %7 = stablehlo.multiply %6, %c_11 : tensor<10xi64>
    %8 = stablehlo.add %7, %c_10 : tensor<10xi64>
    %9 = stablehlo.convert %8 : (tensor<10xi64>) -> tensor<10xf32>
    %10 = stablehlo.convert %cst_16 : (tensor<1xf64>) -> tensor<1xf32>
    %11 = stablehlo.reshape %10 : (tensor<1xf32>) -> tensor<f32>
    %12 = stablehlo.broadcast_in_dim %11, dims = [] : (tensor<f32>) -> tensor<10xf32>
    %13 = stablehlo.add %9, %12 : tensor<10xf32>
    %14 = stablehlo.multiply %13, %12 : tensor<10xf32>
    %15 = stablehlo.subtract %14, %12 : tensor<10xf32>
    %16 = stablehlo.convert %cst_17 : (tensor<1xf64>) -> tensor<1xf32>
    %17 = stablehlo.reshape %16 : (tensor<1xf32>) -> tensor<f32>
    %18 = stablehlo.clamp %17, %15, %cst_13 : (tensor<f32>, tensor<10xf32>, tensor<f32>) -> tensor<10xf32>
    %19 = stablehlo.reshape %18 : (tensor<10xf32>) -> tensor<10x1xf32>
    %20 = stablehlo.convert %19 : (tensor<10x1xf32>) -> tensor<10x1xi64>
    %21 = stablehlo.add %20, %c_9 : tensor<10x1xi64>
    %22 = stablehlo.clamp %c_14, %21, %c_8 : (tensor<i64>, tensor<10x1xi64>, tensor<i64>) -> tensor<10x1xi64>
    %23 = stablehlo.convert %18 : (tensor<10xf32>) -> tensor<10xi64>
    %24 = stablehlo.add %23, %c_11 : tensor<10xi64>
    %25 = stablehlo.clamp %c_14, %24, %c_8 : (tensor<i64>, tensor<10xi64>, tensor<i64>) -> tensor<10xi64>
    %26 = stablehlo.convert %c_8 : (tensor<i64>) -> tensor<f64>
    %27 = stablehlo.divide %26, %0 : tensor<f64>
    %28 = stablehlo.ceil %27 : tensor<f64>
    %29 = stablehlo.convert %28 : (tensor<f64>) -> tensor<i64>
    %30 = stablehlo.reshape %29 : (tensor<i64>) -> tensor<1xi64>
    %31 = stablehlo.dynamic_iota %30, dim = 0 : (tensor<1xi64>) -> tensor<4xi64>
    %32 = stablehlo.multiply %31, %c_7 : tensor<4xi64>
    %33 = stablehlo.add %32, %c_6 : tensor<4xi64>
    %34 = stablehlo.reshape %33 : (tensor<4xi64>) -> tensor<4x1xi64>
    %35 = stablehlo.reshape %34 : (tensor<4x1xi64>) -> tensor<4x1x1xi64>
    %36 = stablehlo.convert %c_20 : (tensor<i64>) -> tensor<f64>
    %37 = stablehlo.divide %36, %0 : tensor<f64>
    %38 = stablehlo.ceil %37 : tensor<f64>
    %39 = stablehlo.convert %38 : (tensor<f64>) -> tensor<i64>
    %40 = stablehlo.reshape %39 : (tensor<i64>) -> tensor<1xi64>
    %41 = stablehlo.dynamic_iota %40, dim = 0 : (tensor<1xi64>) -> tensor<1xi64>
    %42 = stablehlo.multiply %41, %c_5 : tensor<1xi64>
    %43 = stablehlo.add %42, %c_4 : tensor<1xi64>
    %44 = stablehlo.reshape %43 : (tensor<1xi64>) -> tensor<1x1xi64>
    %45 = stablehlo.reshape %44 : (tensor<1x1xi64>) -> tensor<1x1x1xi64>
    %46 = stablehlo.reshape %45 : (tensor<1x1x1xi64>) -> tensor<1x1x1x1xi64>
    %47 = stablehlo.broadcast_in_dim %46, dims = [0, 1, 2, 3] : (tensor<1x1x1x1xi64>) -> tensor<1x4x10x10xi64>
    %48 = stablehlo.reshape %47 : (tensor<1x4x10x10xi64>) -> tensor<1x4x10x10x1xi64>
    %49 = stablehlo.broadcast_in_dim %35, dims = [1, 2, 3] : (tensor<4x1x1xi64>) -> tensor<1x4x10x10xi64>
    %50 = stablehlo.reshape %49 : (tensor<1x4x10x10xi64>) -> tensor<1x4x10x10x1xi64>
    %51 = stablehlo.broadcast_in_dim %20, dims = [2, 3] : (tensor<10x1xi64>) -> tensor<1x4x10x10xi64>
    %52 = stablehlo.reshape %51 : (tensor<1x4x10x10xi64>) -> tensor<1x4x10x10x1xi64>
    %53 = stablehlo.broadcast_in_dim %23, dims = [3] : (tensor<10xi64>) -> tensor<1x4x10x10xi64>
    %54 = stablehlo.reshape %53 : (tensor<1x4x10x10xi64>) -> tensor<1x4x10x10x1xi64>
    %55 = stablehlo.concatenate %48, %50, %52, %54, dim = 4 : (tensor<1x4x10x10x1xi64>, tensor<1x4x10x10x1xi64>, tensor<1x4x10x10x1xi64>, tensor<1x4x10x10x1xi64>) -> tensor<1x4x10x10x4xi64>
    %56 = "stablehlo.gather"(%arg0, %55) <{dimension_numbers = #stablehlo.gather<collapsed_slice_dims = [0, 1, 2, 3], start_index_map = [0, 1, 2, 3], index_vector_dim = 4>, slice_sizes = array<i64: 1, 1, 1, 1>}> : (tensor<1x4x5x5xf32>, tensor<1x4x10x10x4xi64>) -> tensor<1x4x10x10xf32>
    %57 = stablehlo.broadcast_in_dim %25, dims = [3] : (tensor<10xi64>) -> tensor<1x4x10x10xi64>
    %58 = stablehlo.reshape %57 : (tensor<1x4x10x10xi64>) -> tensor<1x4x10x10x1xi64>
    %59 = stablehlo.concatenate %48, %50, %52, %58, dim = 4 : (tensor<1x4x10x10x1xi64>, tensor<1x4x10x10x1xi64>, tensor<1x4x10x10x1xi64>, tensor<1x4x10x10x1xi64>) -> tensor<1x4x10x10x4xi64>
    %60 = "stablehlo.gather"(%arg0, %59) <{dimension_numbers = #stablehlo.gather<collapsed_slice_dims = [0, 1, 2, 3], start_index_map = [0, 1, 2, 3], index_vector_dim = 4>, slice_sizes = array<i64: 1, 1, 1, 1>}> : (tensor<1x4x5x5xf32>, tensor<1x4x10x10x4xi64>) -> tensor<1x4x10x10xf32>
    %61 = stablehlo.broadcast_in_dim %22, dims = [2, 3] : (tensor<10x1xi64>) -> tensor<1x4x10x10xi64>
    %62 = stablehlo.reshape %61 : (tensor<1x4x10x10xi64>) -> tensor<1x4x10x10x1xi64>
    %63 = stablehlo.concatenate %48, %50, %62, %54, dim = 4 : (tensor<1x4x10x10x1xi64>, tensor<1x4x10x10x1xi64>, tensor<1x4x10x10x1xi64>, tensor<1x4x10x10x1xi64>) -> tensor<1x4x10x10x4xi64>
    %64 = "stablehlo.gather"(%arg0, %63) <{dimension_numbers = #stablehlo.gather<collapsed_slice_dims = [0, 1, 2, 3], start_index_map = [0, 1, 2, 3], index_vector_dim = 4>, slice_sizes = array<i64: 1, 1, 1, 1>}> : (tensor<1x4x5x5xf32>, tensor<1x4x10x10x4xi64>) -> tensor<1x4x10x10xf32>
    %65 = stablehlo.concatenate %48, %50, %62, %58, dim = 4 : (tensor<1x4x10x10x1xi64>, tensor<1x4x10x10x1xi64>, tensor<1x4x10x10x1xi64>, tensor<1x4x10x10x1xi64>) -> tensor<1x4x10x10x4xi64>
    %66 = "stablehlo.gather"(%arg0, %65) <{dimension_numbers = #stablehlo.gather<collapsed_slice_dims = [0, 1, 2, 3], start_index_map = [0, 1, 2, 3], index_vector_dim = 4>, slice_sizes = array<i64: 1, 1, 1, 1>}> : (tensor<1x4x5x5xf32>, tensor<1x4x10x10x4xi64>) -> tensor<1x4x10x10xf32>
    %67 = stablehlo.convert %23 : (tensor<10xi64>) -> tensor<10xf32>
    %68 = stablehlo.subtract %18, %67 : tensor<10xf32>
    %69 = stablehlo.convert %cst_18 : (tensor<1xf64>) -> tensor<1xf32>
    %70 = stablehlo.reshape %69 : (tensor<1xf32>) -> tensor<f32>
    %71 = stablehlo.clamp %17, %68, %70 : (tensor<f32>, tensor<10xf32>, tensor<f32>) -> tensor<10xf32>
    %72 = stablehlo.subtract %60, %56 : tensor<1x4x10x10xf32>
    %73 = stablehlo.broadcast_in_dim %71, dims = [3] : (tensor<10xf32>) -> tensor<1x4x10x10xf32>
    %74 = stablehlo.multiply %72, %73 : tensor<1x4x10x10xf32>
    %75 = stablehlo.add %56, %74 : tensor<1x4x10x10xf32>
    %76 = stablehlo.subtract %66, %64 : tensor<1x4x10x10xf32>
    %77 = stablehlo.multiply %76, %73 : tensor<1x4x10x10xf32>
    %78 = stablehlo.add %64, %77 : tensor<1x4x10x10xf32>
    %79 = stablehlo.convert %20 : (tensor<10x1xi64>) -> tensor<10x1xf32>
    %80 = stablehlo.subtract %19, %79 : tensor<10x1xf32>
    %81 = stablehlo.clamp %17, %80, %70 : (tensor<f32>, tensor<10x1xf32>, tensor<f32>) -> tensor<10x1xf32>
    %82 = stablehlo.subtract %78, %75 : tensor<1x4x10x10xf32>
    %83 = stablehlo.broadcast_in_dim %81, dims = [2, 3] : (tensor<10x1xf32>) -> tensor<1x4x10x10xf32>
    %84 = stablehlo.multiply %82, %83 : tensor<1x4x10x10xf32>
    %85 = stablehlo.add %75, %84 : tensor<1x4x10x10xf32>
    %86 = stablehlo.transpose %cst_12, dims = [2, 3, 1, 0] : (tensor<4x3x2x2xf32>) -> tensor<2x2x3x4xf32>
    %87 = stablehlo.reverse %86, dims = [0, 1] : tensor<2x2x3x4xf32>
    %88 = stablehlo.convolution(%arg0, %87) dim_numbers = [b, f, 0, 1]x[0, 1, o, i]->[b, f, 0, 1], window = {stride = [1, 1], pad = [[1, 1], [1, 1]], lhs_dilate = [2, 2], rhs_dilate = [1, 1]} {batch_group_count = 1 : i64, feature_group_count = 1 : i64} : (tensor<1x4x5x5xf32>, tensor<2x2x3x4xf32>) -> tensor<1x3x10x10xf32>
    %89 = stablehlo.reshape %cst : (tensor<3xf32>) -> tensor<3x1x1xf32>
    %90 = stablehlo.broadcast_in_dim %89, dims = [1, 2, 3] : (tensor<3x1x1xf32>) -> tensor<1x3x10x10xf32>
    %91 = stablehlo.add %88, %90 : tensor<1x3x10x10xf32>
    %92 = stablehlo.convert %c_3 : (tensor<i64>) -> tensor<f64>
    %93 = stablehlo.divide %92, %0 : tensor<f64>
    %94 = stablehlo.ceil %93 : tensor<f64>
    %95 = stablehlo.convert %94 : (tensor<f64>) -> tensor<i64>
    %96 = stablehlo.reshape %95 : (tensor<i64>) -> tensor<1xi64>
    %97 = stablehlo.dynamic_iota %96, dim = 0 : (tensor<1xi64>) -> tensor<3xi64>
    %98 = stablehlo.multiply %97, %c_2 : tensor<3xi64>
    %99 = stablehlo.add %98, %c_1 : tensor<3xi64>
    %100 = stablehlo.multiply %99, %c_0 : tensor<3xi64>
    %101 = stablehlo.divide %100, %c : tensor<3xi64>
    %102 = stablehlo.reshape %101 : (tensor<3xi64>) -> tensor<3x1xi64>
    %103 = stablehlo.broadcast_in_dim %102, dims = [0, 1] : (tensor<3x1xi64>) -> tensor<3x4xi64>
    %104 = stablehlo.broadcast_in_dim %33, dims = [1] : (tensor<4xi64>) -> tensor<3x4xi64>
    %105 = stablehlo.add %103, %104 : tensor<3x4xi64>
    %106 = stablehlo.reshape %105 : (tensor<3x4xi64>) -> tensor<3x4x1xi64>
    %107 = stablehlo.reshape %106 : (tensor<3x4x1xi64>) -> tensor<3x4x1x1xi64>
    %108 = stablehlo.reshape %35 : (tensor<4x1x1xi64>) -> tensor<4x1x1x1xi64>
    %109 = stablehlo.reshape %108 : (tensor<4x1x1x1xi64>) -> tensor<4x1x1x1x1xi64>
    %110 = stablehlo.reshape %46 : (tensor<1x1x1x1xi64>) -> tensor<1x1x1x1x1xi64>
    %111 = stablehlo.reshape %110 : (tensor<1x1x1x1x1xi64>) -> tensor<1x1x1x1x1x1xi64>
    %112 = stablehlo.broadcast_in_dim %111, dims = [0, 1, 2, 3, 4, 5] : (tensor<1x1x1x1x1x1xi64>) -> tensor<1x4x3x4x3x4xi64>
    %113 = stablehlo.reshape %112 : (tensor<1x4x3x4x3x4xi64>) -> tensor<1x4x3x4x3x4x1xi64>
    %114 = stablehlo.broadcast_in_dim %109, dims = [1, 2, 3, 4, 5] : (tensor<4x1x1x1x1xi64>) -> tensor<1x4x3x4x3x4xi64>
    %115 = stablehlo.reshape %114 : (tensor<1x4x3x4x3x4xi64>) -> tensor<1x4x3x4x3x4x1xi64>
    %116 = stablehlo.broadcast_in_dim %107, dims = [2, 3, 4, 5] : (tensor<3x4x1x1xi64>) -> tensor<1x4x3x4x3x4xi64>
    %117 = stablehlo.reshape %116 : (tensor<1x4x3x4x3x4xi64>) -> tensor<1x4x3x4x3x4x1xi64>
    %118 = stablehlo.broadcast_in_dim %105, dims = [4, 5] : (tensor<3x4xi64>) -> tensor<1x4x3x4x3x4xi64>
    %119 = stablehlo.reshape %118 : (tensor<1x4x3x4x3x4xi64>) -> tensor<1x4x3x4x3x4x1xi64>
    %120 = stablehlo.concatenate %113, %115, %117, %119, dim = 6 : (tensor<1x4x3x4x3x4x1xi64>, tensor<1x4x3x4x3x4x1xi64>, tensor<1x4x3x4x3x4x1xi64>, tensor<1x4x3x4x3x4x1xi64>) -> tensor<1x4x3x4x3x4x4xi64>
    %121 = "stablehlo.gather"(%85, %120) <{dimension_numbers = #stablehlo.gather<collapsed_slice_dims = [0, 1, 2, 3], start_index_map = [0, 1, 2, 3], index_vector_dim = 6>, slice_sizes = array<i64: 1, 1, 1, 1>}> : (tensor<1x4x10x10xf32>, tensor<1x4x3x4x3x4x4xi64>) -> tensor<1x4x3x4x3x4xf32>
    %122 = stablehlo.reduce(%121 init: %cst_15) applies stablehlo.add across dimensions = [3, 5] : (tensor<1x4x3x4x3x4xf32>, tensor<f32>) -> tensor<1x4x3x3xf32>
    %123 = stablehlo.convert %cst_19 : (tensor<1xi64>) -> tensor<1xf32>
    %124 = stablehlo.reshape %123 : (tensor<1xf32>) -> tensor<f32>
    %125 = stablehlo.broadcast_in_dim %124, dims = [] : (tensor<f32>) -> tensor<1x4x3x3xf32>
    %126 = stablehlo.divide %122, %125 : tensor<1x4x3x3xf32>
    return %91, %126 : tensor<1x3x10x10xf32>, tensor<1x4x3x3xf32>
  }
}

{-#
  dialect_resources: {
    builtin: {
      torch_tensor_3_torch.float32: "0x04000000935ACDBD5723F43D50F81F3E",
      torch_tensor_4_3_2_2_torch.float32: "0x040000002D703ABED14A6ABEACDD8FBE736EC53DC6AA0FBE5DBBAABD96C7353ED0896FBD333071BEB957853EBF45F83D2D0333BC828B223CC6F566BE1DDD513E01064FBEA95B213E31C8103ED80CC7BDBF1439BE85CA5C3ED9057EBBCC004C3A9696613EDB44543D9B116B3EDE7102BD31BA3ABE64D788BEFD218DBED5DF63BDEA7B583E953A94BD7215DBBDF597EB3DE5A56EBEDA7F1D3E980DEDBD219619BD2410A9BD8128653EE2C790BD59042F3EBB6499BDFFBEE33C2EDC19BE0670983D487F67BE"
    }
  }
#-}
