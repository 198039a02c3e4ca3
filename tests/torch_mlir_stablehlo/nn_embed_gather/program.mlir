module {
  func.func @main(%arg0: tensor<2x5xi64>, %arg1: tensor<2x4xf32>) -> (tensor<2x5x6xf32>, tensor<2x3xf32>, tensor<2x3xf32>) {
    %c = stablehlo.constant dense<4> : tensor<2x3xi64>
    %c_0 = stablehlo.constant dense_resource<torch_tensor_3_torch.int64> : tensor<3xi64>
    %cst = stablehlo.constant dense_resource<torch_tensor_20_6_torch.float32> : tensor<20x6xf32>
    %0 = "stablehlo.gather"(%cst, %arg0) <{dimension_numbers = #stablehlo.gather<offset_dims = [2], collapsed_slice_dims = [0], start_index_map = [0], index_vector_dim = 2>, indices_are_sorted = false, slice_sizes = array<i64: 1, 6>}> : (tensor<20x6xf32>, tensor<2x5xi64>) -> tensor<2x5x6xf32>
    %1 = stablehlo.convert %0 : tensor<2x5x6xf32>
    %2 = stablehlo.slice %arg0 [0:2, 0:3] : (tensor<2x5xi64>) -> tensor<2x3xi64>
    %3 = stablehlo.remainder %2, %c : tensor<2x3xi64>
    %4 = stablehlo.iota dim = 0 : tensor<2x3x1xi64>
    %5 = stablehlo.reshape %3 : (tensor<2x3xi64>) -> tensor<2x3x1xi64>
    %6 = stablehlo.concatenate %4, %5, dim = 2 : (tensor<2x3x1xi64>, tensor<2x3x1xi64>) -> tensor<2x3x2xi64>
    %7 = "stablehlo.gather"(%arg1, %6) <{dimension_numbers = #stablehlo.gather<collapsed_slice_dims = [0, 1], start_index_map = [0, 1], index_vector_dim = 2>, slice_sizes = array<i64: 1, 1>}> : (tensor<2x4xf32>, tensor<2x3x2xi64>) -> tensor<2x3xf32>
    %8 = "stablehlo.gather"(%arg1, %c_0) <{dimension_numbers = #stablehlo.gather<offset_dims = [0], collapsed_slice_dims = [1], start_index_map = [1], index_vector_dim = 1>, indices_are_sorted = false, slice_sizes = array<i64: 2, 1>}> : (tensor<2x4xf32>, tensor<3xi64>) -> tensor<2x3xf32>
    %9 = stablehlo.convert %8 : tensor<2x3xf32>
    return %1, %7, %9 : tensor<2x5x6xf32>, tensor<2x3xf32>, tensor<2x3xf32>
  }
}

{-#
  dialect_resources: {
    builtin: {
      torch_tensor_3_torch.int64: "0x08000000030000000000000000000000000000000200000000000000",
      torch_tensor_20_6_torch.float32: "0x040000006958573E68DAE3BE0653643FCC79333E4A9E5DBFD7416DBFBD54CE3F098D50BFFA663C3EDE5C1A3FFA0D82BF08F765408AE009BE6D8DACBE5F42DFBE7829D63F88BD8CBEBFD50FBF77B0B13EA5D91BBBC376F7BFAC8D62BF465B263F902CD4BE9F0C04BF8EF3683F6C70833CEA21AE3E8A5E4B3F39EF4ABF7EE4823FF4CACBBE26F395BF7044D53EC53367BF98B7EB3E9AFA933F5FEE7A3FDD6E80BF6FC2753FC0958BBE82B9A33EE021E5BD7025ECBDB4D188BD58A55FBFD447B23FA340B4BEE38FCB3E5EE490BF31E3BEBEE0DCC4BEB21D12BF2D56F6BE806C79BEE830D53E49CAFA3E1A40E43EED31833E3A321BBF2D204DBF12D40F4081F9B4BEAC05CABF3DFB81BFF91A20BF68AEB2BD8434CC3FC31F653E803B133F2D238ABFC8763E3F0B6FE93F3124D6BE153318BD3E8580BE92AAADBC1ADE2A408DE090BC45A76ABF59C87C3F46383F3FFCD9A33F8298213DB9AA09BF3E8F1A3E8222FABD941CFBBED6C58B3F82E5603F1D34F6BFAD107F3F32E98FBFF1FB403F5ECD9EBE936E883F8EBE80BF70C5923E3673CA3F49F4BA3F2F7DCCBF53FD9B3D5A268ABFCFFA283C3E4B8A3E790158BFA548C3BE6C72933FBCD6C13EC5F3653FD1D1403F6EC0BCBFBE0B413F68E8ECBE605C803FB8EAA03F1857C9BF8E2BBC3EF6536BBF690DD8BF"
    }
  }
#-}
