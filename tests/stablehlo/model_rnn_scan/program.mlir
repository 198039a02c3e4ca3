module @jit_rnn_scan attributes {mhlo.num_partitions = 1 : i32, mhlo.num_replicas = 1 : i32} {
  func.func public @main(%arg0: tensor<7x4xf32>) -> (tensor<6xf32> {jax.result_info = "result[0]"}, tensor<7x6xf32> {jax.result_info = "result[1]"}) {
    %cst = stablehlo.constant dense<[[-0.153886318, 0.105842389, -0.31603989, 0.499502242, -0.325508744, 0.051512707], [-0.039930556, 0.0513722412, 0.432428569, 0.42797631, -0.410589904, -0.0582635626], [-0.169015527, 0.161033496, -0.0247501414, 0.214948699, -0.192057982, -0.240841046], [-0.143069223, 0.488915414, 0.450310349, 0.271921903, -0.304711193, -0.219178498]]> : tensor<4x6xf32>
    %cst_0 = stablehlo.constant dense<[[0.395495653, 0.213225737, -0.209182426, -0.340530813, 0.324465692, -0.316444933], [0.438127726, 0.0214215536, -0.313867182, 0.00970425736, 0.0907715112, 0.456059247], [-0.0542734824, 0.260159165, 0.175230831, -0.138491884, -0.26799342, 0.496964037], [-0.4485614, -0.482448429, -0.360981673, 0.478187621, -0.434316546, -0.408483773], [0.410832554, -4.968540e-01, -0.492123872, -0.410167396, 0.316194355, 0.206762522], [-0.0773618668, -4.343590e-01, 0.410595179, 0.155987248, 0.321987748, 0.324795216]]> : tensor<6x6xf32>
    %cst_1 = stablehlo.constant dense<0.000000e+00> : tensor<f32>
    %0 = stablehlo.broadcast_in_dim %cst_1, dims = [] : (tensor<f32>) -> tensor<6xf32>
    %cst_2 = stablehlo.constant dense<0.000000e+00> : tensor<f32>
    %1 = stablehlo.broadcast_in_dim %cst_2, dims = [] : (tensor<f32>) -> tensor<7x6xf32>
    %c = stablehlo.constant dense<0> : tensor<i32>
    %2:6 = stablehlo.while(%iterArg = %arg0, %iterArg_3 = %cst, %iterArg_4 = %cst_0, %iterArg_5 = %c, %iterArg_6 = %0, %iterArg_7 = %1) : tensor<7x4xf32>, tensor<4x6xf32>, tensor<6x6xf32>, tensor<i32>, tensor<6xf32>, tensor<7x6xf32>
    cond {
      %c_8 = stablehlo.constant dense<7> : tensor<i32>
      %3 = stablehlo.compare LT, %iterArg_5, %c_8, SIGNED : (tensor<i32>, tensor<i32>) -> tensor<i1>
      stablehlo.return %3 : tensor<i1>
    } do {
      %3 = func.call @dynamic_index_in_dim(%iterArg, %iterArg_5) : (tensor<7x4xf32>, tensor<i32>) -> tensor<4xf32>
      %4:2 = func.call @closed_call(%iterArg_3, %iterArg_4, %iterArg_6, %3) : (tensor<4x6xf32>, tensor<6x6xf32>, tensor<6xf32>, tensor<4xf32>) -> (tensor<6xf32>, tensor<6xf32>)
      %5 = func.call @dynamic_update_index_in_dim(%iterArg_7, %4#1, %iterArg_5) : (tensor<7x6xf32>, tensor<6xf32>, tensor<i32>) -> tensor<7x6xf32>
      %c_8 = stablehlo.constant dense<1> : tensor<i32>
      %6 = stablehlo.add %iterArg_5, %c_8 : tensor<i32>
      stablehlo.return %iterArg, %iterArg_3, %iterArg_4, %6, %4#0, %5 : tensor<7x4xf32>, tensor<4x6xf32>, tensor<6x6xf32>, tensor<i32>, tensor<6xf32>, tensor<7x6xf32>
    }
    return %2#4, %2#5 : tensor<6xf32>, tensor<7x6xf32>
  }
  func.func private @dynamic_index_in_dim(%arg0: tensor<7x4xf32>, %arg1: tensor<i32>) -> tensor<4xf32> {
    %c = stablehlo.constant dense<0> : tensor<i32>
    %0 = stablehlo.dynamic_slice %arg0, %arg1, %c, sizes = [1, 4] : (tensor<7x4xf32>, tensor<i32>, tensor<i32>) -> tensor<1x4xf32>
    %1 = stablehlo.reshape %0 : (tensor<1x4xf32>) -> tensor<4xf32>
    return %1 : tensor<4xf32>
  }
  func.func private @closed_call(%arg0: tensor<4x6xf32>, %arg1: tensor<6x6xf32>, %arg2: tensor<6xf32>, %arg3: tensor<4xf32>) -> (tensor<6xf32>, tensor<6xf32>) {
    %0 = stablehlo.dot_general %arg3, %arg0, contracting_dims = [0] x [0], precision = [DEFAULT, DEFAULT] : (tensor<4xf32>, tensor<4x6xf32>) -> tensor<6xf32>
    %1 = stablehlo.dot_general %arg2, %arg1, contracting_dims = [0] x [0], precision = [DEFAULT, DEFAULT] : (tensor<6xf32>, tensor<6x6xf32>) -> tensor<6xf32>
    %2 = stablehlo.add %0, %1 : tensor<6xf32>
    %3 = stablehlo.tanh %2 : tensor<6xf32>
    return %3, %3 : tensor<6xf32>, tensor<6xf32>
  }
  func.func private @dynamic_update_index_in_dim(%arg0: tensor<7x6xf32>, %arg1: tensor<6xf32>, %arg2: tensor<i32>) -> tensor<7x6xf32> {
    %0 = stablehlo.broadcast_in_dim %arg1, dims = [1] : (tensor<6xf32>) -> tensor<1x6xf32>
    %c = stablehlo.constant dense<0> : tensor<i32>
    %1 = stablehlo.dynamic_update_slice %arg0, %0, %arg2, %c : (tensor<7x6xf32>, tensor<1x6xf32>, tensor<i32>, tensor<i32>) -> tensor<7x6xf32>
    return %1 : tensor<7x6xf32>
  }
}
