module {
  func.func @main(%arg0: tensor<2x4x16xf32>) -> (tensor<2x4x16xf32>, tensor<2x4x16xf32>) {
    %0 = chlo.constant dense<4.471500e-02> : tensor<2x4x16xf32>
    %1 = chlo.constant dense<0.636619746> : tensor<2x4x16xf32>
    %2 = chlo.constant dense<3.000000e+00> : tensor<2x4x16xf32>
    %3 = chlo.constant dense<5.000000e-01> : tensor<2x4x16xf32>
    %4 = chlo.constant dense<2.000000e+00> : tensor<2x4x16xf32>
    %5 = chlo.constant dense<1.000000e+00> : tensor<2x4x16xf32>
    %cst = arith.constant dense<[2, 4, 16]> : tensor<3xi64>
    %cst_0 = arith.constant dense<[8, 16]> : tensor<2xindex>
    %cst_1 = arith.constant dense<1> : tensor<1xi64>
    %cst_2 = arith.constant dense<[8, 16]> : tensor<2xi64>
    %cst_3 = arith.constant dense<1.000000e-05> : tensor<1xf64>
    %cst_4 = arith.constant dense<16> : tensor<1xi64>
    %cst_5 = arith.constant dense<[2, 4, 1]> : tensor<3xindex>
    %cst_6 = stablehlo.constant dense<0xFF800000> : tensor<f32>
    %cst_7 = stablehlo.constant dense<0.000000e+00> : tensor<f32>
    %cst_8 = stablehlo.constant dense<0.000000e+00> : tensor<f64>
    %cst_9 = stablehlo.constant dense_resource<torch_tensor_16_torch.float32> : tensor<16xf32>
    %cst_10 = stablehlo.constant dense_resource<torch_tensor_16_torch.float32_1> : tensor<16xf32>
    %cst_11 = stablehlo.constant dense_resource<torch_tensor_16_16_torch.float32> : tensor<16x16xf32>
    %cst_12 = stablehlo.constant dense_resource<torch_tensor_16_torch.float32_2> : tensor<16xf32>
    %6 = stablehlo.convert %arg0 : (tensor<2x4x16xf32>) -> tensor<2x4x16xf64>
    %7 = stablehlo.reduce(%6 init: %cst_8) applies stablehlo.add across dimensions = [2] : (tensor<2x4x16xf64>, tensor<f64>) -> tensor<2x4xf64>
    %8 = stablehlo.dynamic_reshape %7, %cst_5 : (tensor<2x4xf64>, tensor<3xindex>) -> tensor<2x4x1xf64>
    %9 = stablehlo.convert %cst_4 : (tensor<1xi64>) -> tensor<1xf64>
    %10 = stablehlo.reshape %9 : (tensor<1xf64>) -> tensor<f64>
    %11 = chlo.broadcast_divide %8, %10 : (tensor<2x4x1xf64>, tensor<f64>) -> tensor<2x4x1xf64>
    %12 = chlo.broadcast_subtract %6, %11 : (tensor<2x4x16xf64>, tensor<2x4x1xf64>) -> tensor<2x4x16xf64>
    %13 = chlo.broadcast_multiply %12, %12 : (tensor<2x4x16xf64>, tensor<2x4x16xf64>) -> tensor<2x4x16xf64>
    %14 = stablehlo.reduce(%13 init: %cst_8) applies stablehlo.add across dimensions = [2] : (tensor<2x4x16xf64>, tensor<f64>) -> tensor<2x4xf64>
    %15 = stablehlo.dynamic_reshape %14, %cst_5 : (tensor<2x4xf64>, tensor<3xindex>) -> tensor<2x4x1xf64>
    %16 = stablehlo.convert %cst_4 : (tensor<1xi64>) -> tensor<1xf64>
    %17 = stablehlo.reshape %16 : (tensor<1xf64>) -> tensor<f64>
    %18 = chlo.broadcast_divide %15, %17 : (tensor<2x4x1xf64>, tensor<f64>) -> tensor<2x4x1xf64>
    %19 = stablehlo.convert %18 : (tensor<2x4x1xf64>) -> tensor<2x4x1xf32>
    %20 = stablehlo.reduce(%arg0 init: %cst_7) applies stablehlo.add across dimensions = [2] : (tensor<2x4x16xf32>, tensor<f32>) -> tensor<2x4xf32>
    %21 = stablehlo.dynamic_reshape %20, %cst_5 : (tensor<2x4xf32>, tensor<3xindex>) -> tensor<2x4x1xf32>
    %22 = stablehlo.convert %cst_4 : (tensor<1xi64>) -> tensor<1xf32>
    %23 = stablehlo.reshape %22 : (tensor<1xf32>) -> tensor<f32>
    %24 = chlo.broadcast_divide %21, %23 : (tensor<2x4x1xf32>, tensor<f32>) -> tensor<2x4x1xf32>
    %25 = stablehlo.convert %cst_3 : (tensor<1xf64>) -> tensor<1xf32>
    %26 = stablehlo.reshape %25 : (tensor<1xf32>) -> tensor<f32>
    %27 = chlo.broadcast_add %19, %26 : (tensor<2x4x1xf32>, tensor<f32>) -> tensor<2x4x1xf32>
    %28 = stablehlo.rsqrt %27 : tensor<2x4x1xf32>
    %29 = chlo.broadcast_subtract %arg0, %24 : (tensor<2x4x16xf32>, tensor<2x4x1xf32>) -> tensor<2x4x16xf32>
    %30 = chlo.broadcast_multiply %29, %28 : (tensor<2x4x16xf32>, tensor<2x4x1xf32>) -> tensor<2x4x16xf32>
    %31 = chlo.broadcast_multiply %30, %cst_9 : (tensor<2x4x16xf32>, tensor<16xf32>) -> tensor<2x4x16xf32>
    %32 = chlo.broadcast_add %31, %cst_10 : (tensor<2x4x16xf32>, tensor<16xf32>) -> tensor<2x4x16xf32>
    %33 = stablehlo.dynamic_reshape %32, %cst_2 : (tensor<2x4x16xf32>, tensor<2xi64>) -> tensor<8x16xf32>
    %34 = stablehlo.transpose %cst_11, dims = [1, 0] : (tensor<16x16xf32>) -> tensor<16x16xf32>
    %35 = stablehlo.dot %33, %34 : (tensor<8x16xf32>, tensor<16x16xf32>) -> tensor<8x16xf32>
    %36 = stablehlo.convert %cst_1 : (tensor<1xi64>) -> tensor<1xf32>
    %37 = stablehlo.reshape %36 : (tensor<1xf32>) -> tensor<f32>
    %38 = chlo.broadcast_multiply %35, %37 : (tensor<8x16xf32>, tensor<f32>) -> tensor<8x16xf32>
    %39 = stablehlo.dynamic_broadcast_in_dim %cst_12, %cst_0, dims = [1] : (tensor<16xf32>, tensor<2xindex>) -> tensor<8x16xf32>
    %40 = stablehlo.convert %cst_1 : (tensor<1xi64>) -> tensor<1xf32>
    %41 = stablehlo.reshape %40 : (tensor<1xf32>) -> tensor<f32>
    %42 = chlo.broadcast_multiply %39, %41 : (tensor<8x16xf32>, tensor<f32>) -> tensor<8x16xf32>
    %43 = chlo.broadcast_add %38, %42 : (tensor<8x16xf32>, tensor<8x16xf32>) -> tensor<8x16xf32>
    %44 = stablehlo.dynamic_reshape %43, %cst : (tensor<8x16xf32>, tensor<3xi64>) -> tensor<2x4x16xf32>
    %45 = stablehlo.multiply %44, %3 : tensor<2x4x16xf32>
    %46 = stablehlo.rsqrt %4 : tensor<2x4x16xf32>
    %47 = stablehlo.multiply %44, %46 : tensor<2x4x16xf32>
    %48 = chlo.erf %47 : tensor<2x4x16xf32> -> tensor<2x4x16xf32>
    %49 = stablehlo.add %48, %5 : tensor<2x4x16xf32>
    %50 = stablehlo.multiply %49, %45 : tensor<2x4x16xf32>
    %51 = stablehlo.multiply %32, %3 : tensor<2x4x16xf32>
    %52 = stablehlo.sqrt %1 : tensor<2x4x16xf32>
    %53 = stablehlo.power %32, %2 : tensor<2x4x16xf32>
    %54 = stablehlo.multiply %0, %53 : tensor<2x4x16xf32>
    %55 = stablehlo.add %32, %54 : tensor<2x4x16xf32>
    %56 = stablehlo.multiply %52, %55 : tensor<2x4x16xf32>
    %57 = stablehlo.tanh %56 : tensor<2x4x16xf32>
    %58 = stablehlo.add %57, %5 : tensor<2x4x16xf32>
    %59 = stablehlo.multiply %58, %51 : tensor<2x4x16xf32>
    %60 = stablehlo.reduce(%50 init: %cst_6) applies stablehlo.maximum across dimensions = [2] : (tensor<2x4x16xf32>, tensor<f32>) -> tensor<2x4xf32>
    %61 = stablehlo.dynamic_reshape %60, %cst_5 : (tensor<2x4xf32>, tensor<3xindex>) -> tensor<2x4x1xf32>
    %62 = chlo.broadcast_subtract %50, %61 : (tensor<2x4x16xf32>, tensor<2x4x1xf32>) -> tensor<2x4x16xf32>
    %63 = stablehlo.exponential %62 : tensor<2x4x16xf32>
    %64 = stablehlo.reduce(%63 init: %cst_7) applies stablehlo.add across dimensions = [2] : (tensor<2x4x16xf32>, tensor<f32>) -> tensor<2x4xf32>
    %65 = stablehlo.dynamic_reshape %64, %cst_5 : (tensor<2x4xf32>, tensor<3xindex>) -> tensor<2x4x1xf32>
    %66 = chlo.broadcast_divide %63, %65 : (tensor<2x4x16xf32>, tensor<2x4x1xf32>) -> tensor<2x4x16xf32>
    %67 = stablehlo.logistic %59 : tensor<2x4x16xf32>
    %68 = chlo.broadcast_multiply %59, %67 : (tensor<2x4x16xf32>, tensor<2x4x16xf32>) -> tensor<2x4x16xf32>
    %69 = stablehlo.logistic %50 : tensor<2x4x16xf32>
    %70 = chlo.broadcast_multiply %68, %69 : (tensor<2x4x16xf32>, tensor<2x4x16xf32>) -> tensor<2x4x16xf32>
    %71 = stablehlo.tanh %66 : tensor<2x4x16xf32>
    %72 = chlo.broadcast_add %70, %71 : (tensor<2x4x16xf32>, tensor<2x4x16xf32>) -> tensor<2x4x16xf32>
    return %66, %72 : tensor<2x4x16xf32>, tensor<2x4x16xf32>
  }
}

{-#
  dialect_resources: {
    builtin: {
      torch_tensor_16_torch.float32: "0x040000000000803F0000803F0000803F0000803F0000803F0000803F0000803F0000803F0000803F0000803F0000803F0000803F0000803F0000803F0000803F0000803F",
      torch_tensor_16_torch.float32_1: "0x0400000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000",
      torch_tensor_16_16_torch.float32: "0x04000000982456BDEE682EBE7A69363EC47D2CBEE4031EBE74FCD9BD68B012BEA05F983D1C8A553E4A7B18BE3A7942BE604967BCA035BABD105A873DE63833BEB03395BC847660BE7AFB103EB8B2463DC6896CBEC057DA3BE8FC27BEC0FC703C405866BDF8FF713E568538BE040DED3D0033953DA4335C3EF002D5BDB6FC09BE98791F3E3C1397BD307E7DBEA00D343D9CA7BBBD403E0CBC000136BB7E2519BE40FD9F3B48DE553D244A6E3E2CC928BE80F3423E64E9C9BD3C9C67BEB22948BE8AD9733E40F3983DD4B758BE8E6E633E90B887BCAC97C2BD86816E3E009527BD28F1A33D6453573EE8B24F3D9057423D8C1EC83D5CAD73BE5E34543EE046B23D8C5BD0BD6018A03CC0F6853DC2DC623EF0D0E93D94BDF13DDC4C0E3E74CBF8BDC4B008BE38353D3E78B022BD605781BD942F17BE687A533E5A3A27BE784D583EAC2BB83D806C833DC81EBF3DDE2925BE50BC67BD4023D43C309ABC3D0C4174BEDCF7633E80E137BC54B63C3EB69818BEE86FFDBD0493133EAE1C1C3E9863D73D1A501ABE24399A3DA88C393D0098673C00CCADB900B479BBB01C71BE68FB2B3E3632523EF2C8673E0A4C433E1CA52DBE203F3B3D00E59CBD88D5143E8816683D98C7D43DACE5033EE42F813D343E373EF020173E3EAC62BE2CEBA8BDCAF17CBEF0F40B3D101B453D4C3B7C3E586AD2BDA045BE3D80AE943DE039053EB07EC03CBEC15EBECEF424BE5002C73C16DB56BEE087E3BD1E9751BEE02F7ABD8A194B3E20FA6A3D02E175BE222349BE087293BDE4CC47BE64DC603E3233783E10BC60BE56476D3EDC494B3EA6EA08BE002478BB84EBCB3DDC61C83DCE004ABED4A003BE00C45CBDD08815BE78D6A3BD707877BDBE1D573E2E3974BE4C0F023EFC5F213E508D053D12742E3EF0AA0BBED8B06B3E00A7413C98D079BD30BCA4BD6E1240BE40CD40BEB8B907BE402C723E2C24413E06657DBEA098873C943665BE1C13043ED009FA3C703776BE02BB46BE783A063D604401BE788E373E5C2B94BD1455E83DC06A3FBC807560BC40B0E73CC45C213E30623E3E98DB2BBE0013EABB405ABCBB484AF3BD48E0B53DD83FB1BD40AEF63C304C183D7C2F83BD848538BEA401B6BD4A8E6DBE4022C9BCEAC722BE50536F3EDA3E013E60939B3CE034FE3C00C600BB9C75B3BD0431A8BD0023713DB84DA93DAEA7133E38C74FBE0204453E60F75F3C885D3CBE7CE2BEBDE48799BD802DACBBE02B023CE2EE173E2018FF3CB058503E7853A8BDBC13773EE26A12BEBA39663E7A7677BE92A64C3E287CD53DC4DA113EB0BEDEBD400119BD48A6423D884F923D480A383DF467B93D60219C3C765620BEC6A6483E7CBEC53DA47EF93D644E95BDB4F88F3D90352EBE1C03073E40D612BCAEBD55BEB4F827BEB480F7BD9E9C6EBEF02034BD58B0F43D3467823D1456E5BDF8E0183E",
      torch_tensor_16_torch.float32_2: "0x040000000854143E30CD8DBCCCDF353EC0B340BDF85FBEBD30CE213D4E5C20BE84A478BEC8BE4EBE88117C3E08BA82BD183C4BBDA49AB93D246325BE103A013D705D153D"
    }
  }
#-}
