module {
  func.func @main(%arg0: tensor<2x5xi64>, %arg1: tensor<2x4xf32>) -> (tensor<2x5x6xf32>, tensor<2x3xf32>, tensor<2x3xf32>) {
    %0 = "tosa.const"() <{values = dense<[[4, 1]]> : tensor<1x2xi32>}> : () -> tensor<1x2xi32>
    %1 = "tosa.const"() <{values = dense_resource<torch_tensor_3_torch.int64> : tensor<3xi64>}> : () -> tensor<3xi64>
    %2 = tosa.const_shape  {values = dense<[1, 10]> : tensor<2xindex>} : () -> !tosa.shape<2>
    %3 = tosa.const_shape  {values = dense<[2, 5, 6]> : tensor<3xindex>} : () -> !tosa.shape<3>
    %4 = tosa.const_shape  {values = dense<[2, 3]> : tensor<2xindex>} : () -> !tosa.shape<2>
    %5 = tosa.const_shape  {values = dense<0> : tensor<2xindex>} : () -> !tosa.shape<2>
    %6 = "tosa.const"() <{values = dense<0> : tensor<1xi8>}> : () -> tensor<1xi8>
    %7 = tosa.const_shape  {values = dense<[2, 3, 1]> : tensor<3xindex>} : () -> !tosa.shape<3>
    %8 = "tosa.const"() <{values = dense<[[[0], [0], [0]], [[1], [1], [1]]]> : tensor<2x3x1xi32>}> : () -> tensor<2x3x1xi32>
    %9 = tosa.const_shape  {values = dense<[1, 8, 1]> : tensor<3xindex>} : () -> !tosa.shape<3>
    %10 = tosa.const_shape  {values = dense<[6, 2]> : tensor<2xindex>} : () -> !tosa.shape<2>
    %11 = tosa.const_shape  {values = dense<[1, 6]> : tensor<2xindex>} : () -> !tosa.shape<2>
    %12 = tosa.const_shape  {values = dense<[1, 3]> : tensor<2xindex>} : () -> !tosa.shape<2>
    %13 = tosa.const_shape  {values = dense<[2, 1]> : tensor<2xindex>} : () -> !tosa.shape<2>
    %14 = "tosa.const"() <{values = dense_resource<torch_tensor_20_6_torch.float32> : tensor<1x20x6xf32>}> : () -> tensor<1x20x6xf32>
    %15 = "tosa.const"() <{values = dense<4> : tensor<1x1xi64>}> : () -> tensor<1x1xi64>
    %16 = "tosa.const"() <{values = dense<1> : tensor<1x1xi64>}> : () -> tensor<1x1xi64>
    %17 = "tosa.const"() <{values = dense<0> : tensor<1x1xi64>}> : () -> tensor<1x1xi64>
    %18 = tosa.reshape %arg0, %2 : (tensor<2x5xi64>, !tosa.shape<2>) -> tensor<1x10xi64>
    %19 = tosa.cast %18 : (tensor<1x10xi64>) -> tensor<1x10xi32>
    %20 = tosa.gather %14, %19 : (tensor<1x20x6xf32>, tensor<1x10xi32>) -> tensor<1x10x6xf32>
    %21 = tosa.reshape %20, %3 : (tensor<1x10x6xf32>, !tosa.shape<3>) -> tensor<2x5x6xf32>
    %22 = tosa.slice %arg0, %5, %4 : (tensor<2x5xi64>, !tosa.shape<2>, !tosa.shape<2>) -> tensor<2x3xi64>
    %23 = tosa.intdiv %22, %15 : (tensor<2x3xi64>, tensor<1x1xi64>) -> tensor<2x3xi64>
    %24 = tosa.mul %22, %15, %6 : (tensor<2x3xi64>, tensor<1x1xi64>, tensor<1xi8>) -> tensor<2x3xi64>
    %25 = tosa.greater %17, %24 : (tensor<1x1xi64>, tensor<2x3xi64>) -> tensor<2x3xi1>
    %26 = tosa.mul %23, %15, %6 : (tensor<2x3xi64>, tensor<1x1xi64>, tensor<1xi8>) -> tensor<2x3xi64>
    %27 = tosa.equal %26, %22 : (tensor<2x3xi64>, tensor<2x3xi64>) -> tensor<2x3xi1>
    %28 = tosa.logical_not %27 : (tensor<2x3xi1>) -> tensor<2x3xi1>
    %29 = tosa.sub %23, %16 : (tensor<2x3xi64>, tensor<1x1xi64>) -> tensor<2x3xi64>
    %30 = tosa.logical_and %25, %28 : (tensor<2x3xi1>, tensor<2x3xi1>) -> tensor<2x3xi1>
    %31 = tosa.select %30, %29, %23 : (tensor<2x3xi1>, tensor<2x3xi64>, tensor<2x3xi64>) -> tensor<2x3xi64>
    %32 = tosa.mul %15, %31, %6 : (tensor<1x1xi64>, tensor<2x3xi64>, tensor<1xi8>) -> tensor<2x3xi64>
    %33 = tosa.sub %22, %32 : (tensor<2x3xi64>, tensor<2x3xi64>) -> tensor<2x3xi64>
    %34 = tosa.cast %33 : (tensor<2x3xi64>) -> tensor<2x3xi32>
    %35 = tosa.reshape %34, %7 : (tensor<2x3xi32>, !tosa.shape<3>) -> tensor<2x3x1xi32>
    %36 = tosa.concat %8, %35 {axis = 2 : i32} : (tensor<2x3x1xi32>, tensor<2x3x1xi32>) -> tensor<2x3x2xi32>
    %37 = tosa.reshape %arg1, %9 : (tensor<2x4xf32>, !tosa.shape<3>) -> tensor<1x8x1xf32>
    %38 = tosa.reshape %36, %10 : (tensor<2x3x2xi32>, !tosa.shape<2>) -> tensor<6x2xi32>
    %39 = tosa.mul %38, %0, %6 : (tensor<6x2xi32>, tensor<1x2xi32>, tensor<1xi8>) -> tensor<6x2xi32>
    %40 = tosa.reduce_sum %39 {axis = 1 : i32} : (tensor<6x2xi32>) -> tensor<6x1xi32>
    %41 = tosa.reshape %40, %11 : (tensor<6x1xi32>, !tosa.shape<2>) -> tensor<1x6xi32>
    %42 = tosa.gather %37, %41 : (tensor<1x8x1xf32>, tensor<1x6xi32>) -> tensor<1x6x1xf32>
    %43 = tosa.reshape %42, %4 : (tensor<1x6x1xf32>, !tosa.shape<2>) -> tensor<2x3xf32>
    %44 = tosa.cast %1 : (tensor<3xi64>) -> tensor<3xi32>
    %45 = tosa.reshape %44, %12 : (tensor<3xi32>, !tosa.shape<2>) -> tensor<1x3xi32>
    %46 = tosa.tile %45, %13 : (tensor<1x3xi32>, !tosa.shape<2>) -> tensor<2x3xi32>
    %47 = tosa.reshape %46, %7 : (tensor<2x3xi32>, !tosa.shape<3>) -> tensor<2x3x1xi32>
    %48 = tosa.concat %8, %47 {axis = 2 : i32} : (tensor<2x3x1xi32>, tensor<2x3x1xi32>) -> tensor<2x3x2xi32>
    %49 = tosa.reshape %48, %10 : (tensor<2x3x2xi32>, !tosa.shape<2>) -> tensor<6x2xi32>
    %50 = tosa.mul %49, %0, %6 : (tensor<6x2xi32>, tensor<1x2xi32>, tensor<1xi8>) -> tensor<6x2xi32>
    %51 = tosa.reduce_sum %50 {axis = 1 : i32} : (tensor<6x2xi32>) -> tensor<6x1xi32>
    %52 = tosa.reshape %51, %11 : (tensor<6x1xi32>, !tosa.shape<2>) -> tensor<1x6xi32>
    %53 = tosa.gather %37, %52 : (tensor<1x8x1xf32>, tensor<1x6xi32>) -> tensor<1x6x1xf32>
    %54 = tosa.reshape %53, %4 : (tensor<1x6x1xf32>, !tosa.shape<2>) -> tensor<2x3xf32>
    return %21, %43, %54 : tensor<2x5x6xf32>, tensor<2x3xf32>, tensor<2x3xf32>
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
