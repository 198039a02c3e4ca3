module {
  func.func @main(%arg0: tensor<2x4x16xf32>) -> (tensor<2x4x16xf32>, tensor<2x4x16xf32>) {
    %cst = stablehlo.constant dense_resource<torch_tensor_16_torch.float32_2> : tensor<16xf32>
    %cst_0 = stablehlo.constant dense_resource<torch_tensor_16_16_torch.float32> : tensor<16x16xf32>
    %cst_1 = stablehlo.constant dense_resource<torch_tensor_16_torch.float32_1> : tensor<16xf32>
    %cst_2 = stablehlo.constant dense_resource<torch_tensor_16_torch.float32> : tensor<16xf32>
    %cst_3 = stablehlo.constant dense<0.000000e+00> : tensor<f64>
    %cst_4 = stablehlo.constant dense<0.000000e+00> : tensor<f32>
    %cst_5 = stablehlo.constant dense<1.000000e+00> : tensor<2x4x16xf32>
    %cst_6 = stablehlo.constant dense<2.000000e+00> : tensor<2x4x16xf32>
    %cst_7 = stablehlo.constant dense<3.000000e+00> : tensor<2x4x16xf32>
    %cst_8 = stablehlo.constant dense<5.000000e-01> : tensor<2x4x16xf32>
    %cst_9 = stablehlo.constant dense<0.636619746> : tensor<2x4x16xf32>
    %cst_10 = stablehlo.constant dense<4.471500e-02> : tensor<2x4x16xf32>
    %cst_11 = stablehlo.constant dense<-4.000000e+00> : tensor<2x4x16xf32>
    %cst_12 = stablehlo.constant dense<4.000000e+00> : tensor<2x4x16xf32>
    %cst_13 = stablehlo.constant dense<-2.72614237E-10> : tensor<2x4x16xf32>
    %cst_14 = stablehlo.constant dense<2.77068146E-8> : tensor<2x4x16xf32>
    %cst_15 = stablehlo.constant dense<-2.10102394E-6> : tensor<2x4x16xf32>
    %cst_16 = stablehlo.constant dense<-5.69250624E-5> : tensor<2x4x16xf32>
    %cst_17 = stablehlo.constant dense<-7.34990637E-4> : tensor<2x4x16xf32>
    %cst_18 = stablehlo.constant dense<-2.954600e-03> : tensor<2x4x16xf32>
    %cst_19 = stablehlo.constant dense<-0.0160960332> : tensor<2x4x16xf32>
    %cst_20 = stablehlo.constant dense<-1.45660715E-5> : tensor<2x4x16xf32>
    %cst_21 = stablehlo.constant dense<-2.13374049E-4> : tensor<2x4x16xf32>
    %cst_22 = stablehlo.constant dense<-0.00168282702> : tensor<2x4x16xf32>
    %cst_23 = stablehlo.constant dense<-0.00737332925> : tensor<2x4x16xf32>
    %cst_24 = stablehlo.constant dense<-0.0142647391> : tensor<2x4x16xf32>
    %cst_25 = stablehlo.constant dense<-1.000000e+00> : tensor<2x4x16xf32>
    %cst_26 = stablehlo.constant dense<0xFF800000> : tensor<f32>
    %cst_27 = arith.constant dense<16> : tensor<1xi64>
    %cst_28 = arith.constant dense<1.000000e-05> : tensor<1xf64>
    %cst_29 = arith.constant dense<1> : tensor<1xi64>
    %0 = stablehlo.convert %arg0 : (tensor<2x4x16xf32>) -> tensor<2x4x16xf64>
    %1 = stablehlo.reduce(%0 init: %cst_3) applies stablehlo.add across dimensions = [2] : (tensor<2x4x16xf64>, tensor<f64>) -> tensor<2x4xf64>
    %2 = stablehlo.reshape %1 : (tensor<2x4xf64>) -> tensor<2x4x1xf64>
    %3 = stablehlo.convert %cst_27 : (tensor<1xi64>) -> tensor<1xf64>
    %4 = stablehlo.reshape %3 : (tensor<1xf64>) -> tensor<f64>
    %5 = stablehlo.broadcast_in_dim %4, dims = [] : (tensor<f64>) -> tensor<2x4x1xf64>
    %6 = stablehlo.divide %2, %5 : tensor<2x4x1xf64>
    %7 = stablehlo.broadcast_in_dim %6, dims = [0, 1, 2] : (tensor<2x4x1xf64>) -> tensor<2x4x16xf64>
    %8 = stablehlo.subtract %0, %7 : tensor<2x4x16xf64>
    %9 = stablehlo.multiply %8, %8 : tensor<2x4x16xf64>
    %10 = stablehlo.reduce(%9 init: %cst_3) applies stablehlo.add across dimensions = [2] : (tensor<2x4x16xf64>, tensor<f64>) -> tensor<2x4xf64>
    %11 = stablehlo.reshape %10 : (tensor<2x4xf64>) -> tensor<2x4x1xf64>
    %12 = stablehlo.divide %11, %5 : tensor<2x4x1xf64>
    %13 = stablehlo.convert %12 : (tensor<2x4x1xf64>) -> tensor<2x4x1xf32>
    %14 = stablehlo.reduce(%arg0 init: %cst_4) applies stablehlo.add across dimensions = [2] : (tensor<2x4x16xf32>, tensor<f32>) -> tensor<2x4xf32>
    %15 = stablehlo.reshape %14 : (tensor<2x4xf32>) -> tensor<2x4x1xf32>
    %16 = stablehlo.convert %cst_27 : (tensor<1xi64>) -> tensor<1xf32>
    %17 = stablehlo.reshape %16 : (tensor<1xf32>) -> tensor<f32>
    %18 = stablehlo.broadcast_in_dim %17, dims = [] : (tensor<f32>) -> tensor<2x4x1xf32>
    %19 = stablehlo.divide %15, %18 : tensor<2x4x1xf32>
    %20 = stablehlo.convert %cst_28 : (tensor<1xf64>) -> tensor<1xf32>
    %21 = stablehlo.reshape %20 : (tensor<1xf32>) -> tensor<f32>
    %22 = stablehlo.broadcast_in_dim %21, dims = [] : (tensor<f32>) -> tensor<2x4x1xf32>
    %23 = stablehlo.add %13, %22 : tensor<2x4x1xf32>
    %24 = stablehlo.rsqrt %23 : tensor<2x4x1xf32>
    %25 = stablehlo.broadcast_in_dim %19, dims = [0, 1, 2] : (tensor<2x4x1xf32>) -> tensor<2x4x16xf32>
    %26 = stablehlo.subtract %arg0, %25 : tensor<2x4x16xf32>
    %27 = stablehlo.broadcast_in_dim %24, dims = [0, 1, 2] : (tensor<2x4x1xf32>) -> tensor<2x4x16xf32>
    %28 = stablehlo.multiply %26, %27 : tensor<2x4x16xf32>
    %29 = stablehlo.broadcast_in_dim %cst_2, dims = [2] : (tensor<16xf32>) -> tensor<2x4x16xf32>
    %30 = stablehlo.multiply %28, %29 : tensor<2x4x16xf32>
    %31 = stablehlo.broadcast_in_dim %cst_1, dims = [2] : (tensor<16xf32>) -> tensor<2x4x16xf32>
    %32 = stablehlo.add %30, %31 : tensor<2x4x16xf32>
    %33 = stablehlo.reshape %32 : (tensor<2x4x16xf32>) -> tensor<8x16xf32>
    %34 = stablehlo.transpose %cst_0, dims = [1, 0] : (tensor<16x16xf32>) -> tensor<16x16xf32>
    %35 = stablehlo.dot_general %33, %34, contracting_dims = [1] x [0] : (tensor<8x16xf32>, tensor<16x16xf32>) -> tensor<8x16xf32>
    %36 = stablehlo.convert %cst_29 : (tensor<1xi64>) -> tensor<1xf32>
    %37 = stablehlo.reshape %36 : (tensor<1xf32>) -> tensor<f32>
    %38 = stablehlo.broadcast_in_dim %37, dims = [] : (tensor<f32>) -> tensor<8x16xf32>
    %39 = stablehlo.multiply %35, %38 : tensor<8x16xf32>
    %40 = stablehlo.broadcast_in_dim %cst, dims = [1] : (tensor<16xf32>) -> tensor<8x16xf32>
    %41 = stablehlo.multiply %40, %38 : tensor<8x16xf32>
    %42 = stablehlo.add %39, %41 : tensor<8x16xf32>
    %43 = stablehlo.reshape %42 : (tensor<8x16xf32>) -> tensor<2x4x16xf32>
    %44 = stablehlo.multiply %43, %cst_8 : tensor<2x4x16xf32>
    %45 = stablehlo.rsqrt %cst_6 : tensor<2x4x16xf32>
    %46 = stablehlo.multiply %43, %45 : tensor<2x4x16xf32>
    %47 = stablehlo.clamp %cst_11, %46, %cst_12 : tensor<2x4x16xf32>
    %48 = stablehlo.multiply %47, %47 : tensor<2x4x16xf32>
    %49 = stablehlo.multiply %cst_13, %48 : tensor<2x4x16xf32>
    %50 = stablehlo.add %49, %cst_14 : tensor<2x4x16xf32>
    %51 = stablehlo.multiply %50, %48 : tensor<2x4x16xf32>
    %52 = stablehlo.add %51, %cst_15 : tensor<2x4x16xf32>
    %53 = stablehlo.multiply %52, %48 : tensor<2x4x16xf32>
    %54 = stablehlo.add %53, %cst_16 : tensor<2x4x16xf32>
    %55 = stablehlo.multiply %54, %48 : tensor<2x4x16xf32>
    %56 = stablehlo.add %55, %cst_17 : tensor<2x4x16xf32>
    %57 = stablehlo.multiply %56, %48 : tensor<2x4x16xf32>
    %58 = stablehlo.add %57, %cst_18 : tensor<2x4x16xf32>
    %59 = stablehlo.multiply %58, %48 : tensor<2x4x16xf32>
    %60 = stablehlo.add %59, %cst_19 : tensor<2x4x16xf32>
    %61 = stablehlo.multiply %cst_20, %48 : tensor<2x4x16xf32>
    %62 = stablehlo.add %61, %cst_21 : tensor<2x4x16xf32>
    %63 = stablehlo.multiply %62, %48 : tensor<2x4x16xf32>
    %64 = stablehlo.add %63, %cst_22 : tensor<2x4x16xf32>
    %65 = stablehlo.multiply %64, %48 : tensor<2x4x16xf32>
    %66 = stablehlo.add %65, %cst_23 : tensor<2x4x16xf32>
    %67 = stablehlo.multiply %66, %48 : tensor<2x4x16xf32>
    %68 = stablehlo.add %67, %cst_24 : tensor<2x4x16xf32>
    %69 = stablehlo.multiply %47, %60 : tensor<2x4x16xf32>
    %70 = stablehlo.divide %69, %68 : tensor<2x4x16xf32>
    %71 = stablehlo.clamp %cst_25, %70, %cst_5 : tensor<2x4x16xf32>
    %72 = stablehlo.add %71, %cst_5 : tensor<2x4x16xf32>
    %73 = stablehlo.multiply %72, %44 : tensor<2x4x16xf32>
    %74 = stablehlo.multiply %32, %cst_8 : tensor<2x4x16xf32>
    %75 = stablehlo.sqrt %cst_9 : tensor<2x4x16xf32>
    %76 = stablehlo.power %32, %cst_7 : tensor<2x4x16xf32>
    %77 = stablehlo.multiply %cst_10, %76 : tensor<2x4x16xf32>
    %78 = stablehlo.add %32, %77 : tensor<2x4x16xf32>
    %79 = stablehlo.multiply %75, %78 : tensor<2x4x16xf32>
    %80 = stablehlo.tanh %79 : tensor<2x4x16xf32>
    %81 = stablehlo.add %80, %cst_5 : tensor<2x4x16xf32>
    %82 = stablehlo.multiply %81, %74 : tensor<2x4x16xf32>
    %83 = stablehlo.reduce(%73 init: %cst_26) applies stablehlo.maximum across dimensions = [2] : (tensor<2x4x16xf32>, tensor<f32>) -> tensor<2x4xf32>
    %84 = stablehlo.reshape %83 : (tensor<2x4xf32>) -> tensor<2x4x1xf32>
    %85 = stablehlo.broadcast_in_dim %84, dims = [0, 1, 2] : (tensor<2x4x1xf32>) -> tensor<2x4x16xf32>
    %86 = stablehlo.subtract %73, %85 : tensor<2x4x16xf32>
    %87 = stablehlo.exponential %86 : tensor<2x4x16xf32>
    %88 = stablehlo.reduce(%87 init: %cst_4) applies stablehlo.add across dimensions = [2] : (tensor<2x4x16xf32>, tensor<f32>) -> tensor<2x4xf32>
    %89 = stablehlo.reshape %88 : (tensor<2x4xf32>) -> tensor<2x4x1xf32>
    %90 = stablehlo.broadcast_in_dim %89, dims = [0, 1, 2] : (tensor<2x4x1xf32>) -> tensor<2x4x16xf32>
    %91 = stablehlo.divide %87, %90 : tensor<2x4x16xf32>
    %92 = stablehlo.logistic %82 : tensor<2x4x16xf32>
    %93 = stablehlo.multiply %82, %92 : tensor<2x4x16xf32>
    %94 = stablehlo.logistic %73 : tensor<2x4x16xf32>
    %95 = stablehlo.multiply %93, %94 : tensor<2x4x16xf32>
    %96 = stablehlo.tanh %91 : tensor<2x4x16xf32>
    %97 = stablehlo.add %95, %96 : tensor<2x4x16xf32>
    return %91, %97 : tensor<2x4x16xf32>, tensor<2x4x16xf32>
  }
}

{-#
  dialect_resources: {
    builtin: {
      torch_tensor_16_torch.float32_2: "0x040000000854143E30CD8DBCCCDF353EC0B340BDF85FBEBD30CE213D4E5C20BE84A478BEC8BE4EBE88117C3E08BA82BD183C4BBDA49AB93D246325BE103A013D705D153D",
      torch_tensor_16_16_torch.float32: "0x04000000982456BDEE682EBE7A69363EC47D2CBEE4031EBE74FCD9BD68B012BEA05F983D1C8A553E4A7B18BE3A7942BE604967BCA035BABD105A873DE63833BEB03395BC847660BE7AFB103EB8B2463DC6896CBEC057DA3BE8FC27BEC0FC703C405866BDF8FF713E568538BE040DED3D0033953DA4335C3EF002D5BDB6FC09BE98791F3E3C1397BD307E7DBEA00D343D9CA7BBBD403E0CBC000136BB7E2519BE40FD9F3B48DE553D244A6E3E2CC928BE80F3423E64E9C9BD3C9C67BEB22948BE8AD9733E40F3983DD4B758BE8E6E633E90B887BCAC97C2BD86816E3E009527BD28F1A33D6453573EE8B24F3D9057423D8C1EC83D5CAD73BE5E34543EE046B23D8C5BD0BD6018A03CC0F6853DC2DC623EF0D0E93D94BDF13DDC4C0E3E74CBF8BDC4B008BE38353D3E78B022BD605781BD942F17BE687A533E5A3A27BE784D583EAC2BB83D806C833DC81EBF3DDE2925BE50BC67BD4023D43C309ABC3D0C4174BEDCF7633E80E137BC54B63C3EB69818BEE86FFDBD0493133EAE1C1C3E9863D73D1A501ABE24399A3DA88C393D0098673C00CCADB900B479BBB01C71BE68FB2B3E3632523EF2C8673E0A4C433E1CA52DBE203F3B3D00E59CBD88D5143E8816683D98C7D43DACE5033EE42F813D343E373EF020173E3EAC62BE2CEBA8BDCAF17CBEF0F40B3D101B453D4C3B7C3E586AD2BDA045BE3D80AE943DE039053EB07EC03CBEC15EBECEF424BE5002C73C16DB56BEE087E3BD1E9751BEE02F7ABD8A194B3E20FA6A3D02E175BE222349BE087293BDE4CC47BE64DC603E3233783E10BC60BE56476D3EDC494B3EA6EA08BE002478BB84EBCB3DDC61C83DCE004ABED4A003BE00C45CBDD08815BE78D6A3BD707877BDBE1D573E2E3974BE4C0F023EFC5F213E508D053D12742E3EF0AA0BBED8B06B3E00A7413C98D079BD30BCA4BD6E1240BE40CD40BEB8B907BE402C723E2C24413E06657DBEA098873C943665BE1C13043ED009FA3C703776BE02BB46BE783A063D604401BE788E373E5C2B94BD1455E83DC06A3FBC807560BC40B0E73CC45C213E30623E3E98DB2BBE0013EABB405ABCBB484AF3BD48E0B53DD83FB1BD40AEF63C304C183D7C2F83BD848538BEA401B6BD4A8E6DBE4022C9BCEAC722BE50536F3EDA3E013E60939B3CE034FE3C00C600BB9C75B3BD0431A8BD0023713DB84DA93DAEA7133E38C74FBE0204453E60F75F3C885D3CBE7CE2BEBDE48799BD802DACBBE02B023CE2EE173E2018FF3CB058503E7853A8BDBC13773EE26A12BEBA39663E7A7677BE92A64C3E287CD53DC4DA113EB0BEDEBD400119BD48A6423D884F923D480A383DF467B93D60219C3C765620BEC6A6483E7CBEC53DA47EF93D644E95BDB4F88F3D90352EBE1C03073E40D612BCAEBD55BEB4F827BEB480F7BD9E9C6EBEF02034BD58B0F43D3467823D1456E5BDF8E0183E",
      torch_tensor_16_torch.float32_1: "0x0400000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000",
      torch_tensor_16_torch.float32: "0x040000000000803F0000803F0000803F0000803F0000803F0000803F0000803F0000803F0000803F0000803F0000803F0000803F0000803F0000803F0000803F0000803F"
    }
  }
#-}
