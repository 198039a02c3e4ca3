module {
  func.func @main(%arg0: tensor<3x4x5xf32>, %arg1: tensor<3x5x8xf32>) -> (tensor<3x12x4xf32>, tensor<3x4x8xf32>) {
    %0 = "tosa.const"() <{values = dense<0.000000e+00> : tensor<1xf32>}> : () -> tensor<1xf32>
    %1 = tosa.const_shape  {values = dense<[1, 12, 8]> : tensor<3xindex>} : () -> !tosa.shape<3>
    %2 = tosa.const_shape  {values = dense<12> : tensor<2xindex>} : () -> !tosa.shape<2>
    %3 = "tosa.const"() <{values = dense<0> : tensor<1xi8>}> : () -> tensor<1xi8>
    %4 = tosa.const_shape  {values = dense<[3, 4, 12]> : tensor<3xindex>} : () -> !tosa.shape<3>
    %5 = "tosa.const"() <{values = dense<[[[-0.338702559, 0.258391201, 0.0165974703, -0.263217777, 0.158563063, 0.218871146, -0.0511801392, -0.276298165, 0.21583961, -0.229377851, 0.265122682, 0.163568929], [0.323793024, -0.137274891, -0.335701793, 0.105828799, 0.0199427921, 0.0220488701, -0.107588641, 0.270022213, 0.215533584, -0.139081359, 0.10279005, -0.0126883928], [-0.313966572, 0.343409032, -9.592580e-02, -0.160151571, 1.702050e-02, 0.16270335, -0.27260375, 0.313351065, -3.235840e-01, 0.248652667, -0.0766260847, 0.211347222], [0.020744931, -0.286844492, 0.186264917, -0.30939576, -0.0178895239, -0.198418811, 0.246410832, -0.152740091, -0.247889474, -0.279517949, 0.320911229, -0.0790302678], [0.0250369143, -0.122535177, 0.14035596, 0.06124603, 0.0805440172, -0.304237157, 0.105411582, -0.310812026, 0.149578616, 0.158052832, -0.231350243, -0.271292806], [-0.0917044579, 0.107561536, 0.254199862, 0.200278074, 0.277950108, -0.176320538, 2.554690e-01, 0.22384052, -0.324228913, 0.0922830552, 0.297715127, -0.228924781], [-0.143257976, -0.286915183, -0.130075037, -0.174587756, 0.211464733, 0.0256140716, 0.308908284, 1.900980e-01, -0.285294831, 0.126091018, -0.294020116, -0.189455807], [-0.336087912, -0.177518219, -0.0759776607, 0.0827982798, 0.184310228, -0.310284913, 4.650580e-02, 0.310873121, -0.0291651543, -0.345911652, 0.0219771788, 0.216904923]]]> : tensor<1x8x12xf32>}> : () -> tensor<1x8x12xf32>
    %6 = "tosa.const"() <{values = dense_resource<torch_tensor_12_torch.float32> : tensor<1x12xf32>}> : () -> tensor<1x12xf32>
    %7 = "tosa.const"() <{values = dense<5.000000e-01> : tensor<1x1x1xf32>}> : () -> tensor<1x1x1xf32>
    %8 = tosa.matmul %arg0, %arg1, %0, %0 : (tensor<3x4x5xf32>, tensor<3x5x8xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<3x4x8xf32>
    %9 = tosa.reshape %8, %1 : (tensor<3x4x8xf32>, !tosa.shape<3>) -> tensor<1x12x8xf32>
    %10 = tosa.matmul %9, %5, %0, %0 : (tensor<1x12x8xf32>, tensor<1x8x12xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x12x12xf32>
    %11 = tosa.reshape %10, %2 : (tensor<1x12x12xf32>, !tosa.shape<2>) -> tensor<12x12xf32>
    %12 = tosa.add %11, %6 : (tensor<12x12xf32>, tensor<1x12xf32>) -> tensor<12x12xf32>
    %13 = tosa.reshape %12, %4 : (tensor<12x12xf32>, !tosa.shape<3>) -> tensor<3x4x12xf32>
    %14 = tosa.transpose %13 {perms = array<i32: 0, 2, 1>} : (tensor<3x4x12xf32>) -> tensor<3x12x4xf32>
    %15 = tosa.mul %8, %7, %3 : (tensor<3x4x8xf32>, tensor<1x1x1xf32>, tensor<1xi8>) -> tensor<3x4x8xf32>
    return %14, %15 : tensor<3x12x4xf32>, tensor<3x4x8xf32>
  }
}

{-#
  dialect_resources: {
    builtin: {
      torch_tensor_12_torch.float32: "0x040000001D97B13E88E80C3EFEF8613E4AC2943EC841B53D2AB4C9BD01A1B4BD2AECFEBDEF2242BE832F5C3ECE25913EAFFA083E"
    }
  }
#-}
