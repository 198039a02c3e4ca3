module {
  func.func @main(%arg0: tensor<3x4x5xf32>, %arg1: tensor<3x5x8xf32>) -> (tensor<3x12x4xf32>, tensor<3x4x8xf32>) {
    %cst = stablehlo.constant dense_resource<torch_tensor_12_torch.float32> : tensor<12xf32>
    %cst_0 = stablehlo.constant dense_resource<torch_tensor_12_8_torch.float32> : tensor<12x8xf32>
    %cst_1 = arith.constant dense<1> : tensor<1xi64>
    %cst_2 = arith.constant dense<5.000000e-01> : tensor<1xf64>
    %0 = stablehlo.reshape %arg0 : (tensor<3x4x5xf32>) -> tensor<3x4x5xf32>
    %1 = stablehlo.reshape %arg1 : (tensor<3x5x8xf32>) -> tensor<3x5x8xf32>
    %2 = stablehlo.broadcast_in_dim %1, dims = [0, 1, 2] : (tensor<3x5x8xf32>) -> tensor<3x5x8xf32>
    %3 = stablehlo.dot_general %0, %2, batching_dims = [0] x [0], contracting_dims = [2] x [1] : (tensor<3x4x5xf32>, tensor<3x5x8xf32>) -> tensor<3x4x8xf32>
    %4 = stablehlo.reshape %3 : (tensor<3x4x8xf32>) -> tensor<3x4x8xf32>
    %5 = stablehlo.reshape %4 : (tensor<3x4x8xf32>) -> tensor<12x8xf32>
    %6 = stablehlo.transpose %cst_0, dims = [1, 0] : (tensor<12x8xf32>) -> tensor<8x12xf32>
    %7 = stablehlo.dot_general %5, %6, contracting_dims = [1] x [0] : (tensor<12x8xf32>, tensor<8x12xf32>) -> tensor<12x12xf32>
    %8 = stablehlo.convert %cst_1 : (tensor<1xi64>) -> tensor<1xf32>
    %9 = stablehlo.reshape %8 : (tensor<1xf32>) -> tensor<f32>
    %10 = stablehlo.broadcast_in_dim %9, dims = [] : (tensor<f32>) -> tensor<12x12xf32>
    %11 = stablehlo.multiply %7, %10 : tensor<12x12xf32>
    %12 = stablehlo.broadcast_in_dim %cst, dims = [1] : (tensor<12xf32>) -> tensor<12x12xf32>
    %13 = stablehlo.multiply %12, %10 : tensor<12x12xf32>
    %14 = stablehlo.add %11, %13 : tensor<12x12xf32>
    %15 = stablehlo.reshape %14 : (tensor<12x12xf32>) -> tensor<3x4x12xf32>
    %16 = stablehlo.transpose %15, dims = [0, 2, 1] : (tensor<3x4x12xf32>) -> tensor<3x12x4xf32>
    %17 = stablehlo.broadcast_in_dim %arg1, dims = [0, 1, 2] : (tensor<3x5x8xf32>) -> tensor<3x5x8xf32>
    %18 = stablehlo.dot_general %arg0, %17, batching_dims = [0] x [0], contracting_dims = [2] x [1] : (tensor<3x4x5xf32>, tensor<3x5x8xf32>) -> tensor<3x4x8xf32>
    %19 = stablehlo.convert %cst_2 : (tensor<1xf64>) -> tensor<1xf32>
    %20 = stablehlo.reshape %19 : (tensor<1xf32>) -> tensor<f32>
    %21 = stablehlo.broadcast_in_dim %20, dims = [] : (tensor<f32>) -> tensor<3x4x8xf32>
    %22 = stablehlo.multiply %18, %21 : tensor<3x4x8xf32>
    return %16, %22 : tensor<3x12x4xf32>, tensor<3x4x8xf32>
  }
}

{-#
  dialect_resources: {
    builtin: {
      torch_tensor_12_torch.float32: "0x040000001D97B13E88E80C3EFEF8613E4AC2943EC841B53D2AB4C9BD01A1B4BD2AECFEBDEF2242BE832F5C3ECE25913EAFFA083E",
      torch_tensor_12_8_torch.float32: "0x040000006C6AADBE33C8A53E3AC0A0BE46F1A93C371ACD3C8CCFBBBD38B212BEB713ACBEDA4B843ECA910CBE4FD3AF3E48DD92BEB9F3FABD3949DC3D8CE692BE56C735BE6BF7873C1BE1ABBEBF74C4BD3BBC3E3E79B90F3E7C26823E643205BE2D9A9BBD7BC486BEC5BCD83DC6FE23BE1F699EBE1EDD7A3DB2154D3E22C732BE2592A93D5B5E223E115FA33C936E8B3C0D8D92BC43F4A43D7A4F8E3E368A583ED2BB3C3EC21F603ED59FB43CB59B263E4D2E4BBEF9C49BBE5F8D34BE9AD4D13CAADD9EBE44A251BD6F57DCBDB8928BBE1F537C3E07E2D73DD5CC823E3A299E3EDE7C3E3DF4768DBE5A408A3E8D6FA03EE6671CBEC1229FBE7336653E0DA9423EC32A9F3E0F055D3ED6B45C3ECDACA5BEBDD67DBE232B193E5501A6BE2A1292BEC3EBEEBC07E26ABE586B0EBECE9E7E3EFA1C8FBE9AD8213EE6FEBC3D011E013E551BB1BE29BE873E9783D23D23EE9CBD7A4EA43E14E76CBE1E6E983ECE8996BE7C09B43C9D7E273EFAE24FBC686B583E9FDAA1BDE4E68ABE426B6ABEB40042BE531C5E3E"
    }
  }
#-}
