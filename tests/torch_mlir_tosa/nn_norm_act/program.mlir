module {
  func.func @main(%arg0: tensor<2x4x16xf32>) -> (tensor<2x4x16xf32>, tensor<2x4x16xf32>) {
    %0 = "tosa.const"() <{values = dense<0> : tensor<1xi8>}> : () -> tensor<1xi8>
    %1 = tosa.const_shape  {values = dense<[8, 16]> : tensor<2xindex>} : () -> !tosa.shape<2>
    %2 = "tosa.const"() <{values = dense<0.000000e+00> : tensor<1xf32>}> : () -> tensor<1xf32>
    %3 = tosa.const_shape  {values = dense<[1, 8, 16]> : tensor<3xindex>} : () -> !tosa.shape<3>
    %4 = tosa.const_shape  {values = dense<[2, 4, 16]> : tensor<3xindex>} : () -> !tosa.shape<3>
    %5 = "tosa.const"() <{values = dense<5.000000e-01> : tensor<2x4x16xf32>}> : () -> tensor<2x4x16xf32>
    %6 = "tosa.const"() <{values = dense<1.000000e+00> : tensor<2x4x16xf32>}> : () -> tensor<2x4x16xf32>
    %7 = "tosa.const"() <{values = dense<3.000000e+00> : tensor<2x4x16xf32>}> : () -> tensor<2x4x16xf32>
    %8 = "tosa.const"() <{values = dense<4.471500e-02> : tensor<2x4x16xf32>}> : () -> tensor<2x4x16xf32>
    %9 = "tosa.const"() <{values = dense<0.636619746> : tensor<2x4x16xf32>}> : () -> tensor<2x4x16xf32>
    %10 = "tosa.const"() <{values = dense<6.250000e-02> : tensor<1x1x1xf64>}> : () -> tensor<1x1x1xf64>
    %11 = "tosa.const"() <{values = dense<6.250000e-02> : tensor<1x1x1xf32>}> : () -> tensor<1x1x1xf32>
    %12 = "tosa.const"() <{values = dense<9.99999974E-6> : tensor<1x1x1xf32>}> : () -> tensor<1x1x1xf32>
    %13 = "tosa.const"() <{values = dense_resource<torch_tensor_16_torch.float32> : tensor<1x1x16xf32>}> : () -> tensor<1x1x16xf32>
    %14 = "tosa.const"() <{values = dense_resource<torch_tensor_16_torch.float32_1> : tensor<1x1x16xf32>}> : () -> tensor<1x1x16xf32>
    %15 = "tosa.const"() <{values = dense<"0x982456BD847660BE3C1397BD40F3983D6018A03C806C833D24399A3DACE5033ECEF424BEDC494B3E12742E3E703776BE48E0B53D0431A8BDBC13773E7CBEC53DEE682EBE7AFB103E307E7DBED4B758BEC0F6853DC81EBF3DA88C393DE42F813D5002C73CA6EA08BEF0AA0BBE02BB46BED83FB1BD0023713DE26A12BEA47EF93D7A69363EB8B2463DA00D343D8E6E633EC2DC623EDE2925BE0098673C343E373E16DB56BE002478BBD8B06B3E783A063D40AEF63CB84DA93DBA39663E644E95BDC47D2CBEC6896CBE9CA7BBBD90B887BCF0D0E93D50BC67BD00CCADB9F020173EE087E3BD84EBCB3D00A7413C604401BE304C183DAEA7133E7A7677BEB4F88F3DE4031EBEC057DA3B403E0CBCAC97C2BD94BDF13D4023D43C00B479BB3EAC62BE1E9751BEDC61C83D98D079BD788E373E7C2F83BD38C74FBE92A64C3E90352EBE74FCD9BDE8FC27BE000136BB86816E3EDC4C0E3E309ABC3DB01C71BE2CEBA8BDE02F7ABDCE004ABE30BCA4BD5C2B94BD848538BE0204453E287CD53D1C03073E68B012BEC0FC703C7E2519BE009527BD74CBF8BD0C4174BE68FB2B3ECAF17CBE8A194B3ED4A003BE6E1240BE1455E83DA401B6BD60F75F3CC4DA113E40D612BCA05F983D405866BD40FD9F3B28F1A33DC4B008BEDCF7633E3632523EF0F40B3D20FA6A3D00C45CBD40CD40BEC06A3FBC4A8E6DBE885D3CBEB0BEDEBDAEBD55BE1C8A553EF8FF713E48DE553D6453573E38353D3E80E137BCF2C8673E101B453D02E175BED08815BEB8B907BE807560BC4022C9BC7CE2BEBD400119BDB4F827BE4A7B18BE568538BE244A6E3EE8B24F3D78B022BD54B63C3E0A4C433E4C3B7C3E222349BE78D6A3BD402C723E40B0E73CEAC722BEE48799BD48A6423DB480F7BD3A7942BE040DED3D2CC928BE9057423D605781BDB69818BE1CA52DBE586AD2BD087293BD707877BD2C24413EC45C213E50536F3E802DACBB884F923D9E9C6EBE604967BC0033953D80F3423E8C1EC83D942F17BEE86FFDBD203F3B3DA045BE3DE4CC47BEBE1D573E06657DBE30623E3EDA3E013EE02B023C480A383DF02034BDA035BABDA4335C3E64E9C9BD5CAD73BE687A533E0493133E00E59CBD80AE943D64DC603E2E3974BEA098873C98DB2BBE60939B3CE2EE173EF467B93D58B0F43D105A873DF002D5BD3C9C67BE5E34543E5A3A27BEAE1C1C3E88D5143EE039053E3233783E4C0F023E943665BE0013EABBE034FE3C2018FF3C60219C3C3467823DE63833BEB6FC09BEB22948BEE046B23D784D583E9863D73D8816683DB07EC03C10BC60BEFC5F213E1C13043E405ABCBB00C600BBB058503E765620BE1456E5BDB03395BC98791F3E8AD9733E8C5BD0BDAC2BB83D1A501ABE98C7D43DBEC15EBE56476D3E508D053DD009FA3C484AF3BD9C75B3BD7853A8BDC6A6483EF8E0183E"> : tensor<1x16x16xf32>}> : () -> tensor<1x16x16xf32>
    %16 = "tosa.const"() <{values = dense_resource<torch_tensor_16_torch.float32_2> : tensor<1x16xf32>}> : () -> tensor<1x16xf32>
    %17 = "tosa.const"() <{values = dense<1.000000e+00> : tensor<1x1x1xf32>}> : () -> tensor<1x1x1xf32>
    %18 = "tosa.const"() <{values = dense<5.000000e-01> : tensor<1x1x1xf32>}> : () -> tensor<1x1x1xf32>
    %19 = "tosa.const"() <{values = dense<0.707106769> : tensor<1x1x1xf32>}> : () -> tensor<1x1x1xf32>
    %20 = tosa.cast %arg0 : (tensor<2x4x16xf32>) -> tensor<2x4x16xf64>
    %21 = tosa.reduce_sum %20 {axis = 2 : i32} : (tensor<2x4x16xf64>) -> tensor<2x4x1xf64>
    %22 = tosa.mul %21, %10, %0 : (tensor<2x4x1xf64>, tensor<1x1x1xf64>, tensor<1xi8>) -> tensor<2x4x1xf64>
    %23 = tosa.sub %20, %22 : (tensor<2x4x16xf64>, tensor<2x4x1xf64>) -> tensor<2x4x16xf64>
    %24 = tosa.mul %23, %23, %0 : (tensor<2x4x16xf64>, tensor<2x4x16xf64>, tensor<1xi8>) -> tensor<2x4x16xf64>
    %25 = tosa.reduce_sum %24 {axis = 2 : i32} : (tensor<2x4x16xf64>) -> tensor<2x4x1xf64>
    %26 = tosa.mul %25, %10, %0 : (tensor<2x4x1xf64>, tensor<1x1x1xf64>, tensor<1xi8>) -> tensor<2x4x1xf64>
    %27 = tosa.cast %26 : (tensor<2x4x1xf64>) -> tensor<2x4x1xf32>
    %28 = tosa.reduce_sum %arg0 {axis = 2 : i32} : (tensor<2x4x16xf32>) -> tensor<2x4x1xf32>
    %29 = tosa.mul %28, %11, %0 : (tensor<2x4x1xf32>, tensor<1x1x1xf32>, tensor<1xi8>) -> tensor<2x4x1xf32>
    %30 = tosa.add %27, %12 : (tensor<2x4x1xf32>, tensor<1x1x1xf32>) -> tensor<2x4x1xf32>
    %31 = tosa.rsqrt %30 : (tensor<2x4x1xf32>) -> tensor<2x4x1xf32>
    %32 = tosa.sub %arg0, %29 : (tensor<2x4x16xf32>, tensor<2x4x1xf32>) -> tensor<2x4x16xf32>
    %33 = tosa.mul %32, %31, %0 : (tensor<2x4x16xf32>, tensor<2x4x1xf32>, tensor<1xi8>) -> tensor<2x4x16xf32>
    %34 = tosa.mul %33, %13, %0 : (tensor<2x4x16xf32>, tensor<1x1x16xf32>, tensor<1xi8>) -> tensor<2x4x16xf32>
    %35 = tosa.add %34, %14 : (tensor<2x4x16xf32>, tensor<1x1x16xf32>) -> tensor<2x4x16xf32>
    %36 = tosa.reshape %35, %3 : (tensor<2x4x16xf32>, !tosa.shape<3>) -> tensor<1x8x16xf32>
    %37 = tosa.matmul %36, %15, %2, %2 : (tensor<1x8x16xf32>, tensor<1x16x16xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x8x16xf32>
    %38 = tosa.reshape %37, %1 : (tensor<1x8x16xf32>, !tosa.shape<2>) -> tensor<8x16xf32>
    %39 = tosa.add %38, %16 : (tensor<8x16xf32>, tensor<1x16xf32>) -> tensor<8x16xf32>
    %40 = tosa.reshape %39, %4 : (tensor<8x16xf32>, !tosa.shape<3>) -> tensor<2x4x16xf32>
    %41 = tosa.mul %40, %19, %0 : (tensor<2x4x16xf32>, tensor<1x1x1xf32>, tensor<1xi8>) -> tensor<2x4x16xf32>
    %42 = tosa.erf %41 : (tensor<2x4x16xf32>) -> tensor<2x4x16xf32>
    %43 = tosa.add %42, %17 : (tensor<2x4x16xf32>, tensor<1x1x1xf32>) -> tensor<2x4x16xf32>
    %44 = tosa.mul %18, %43, %0 : (tensor<1x1x1xf32>, tensor<2x4x16xf32>, tensor<1xi8>) -> tensor<2x4x16xf32>
    %45 = tosa.mul %40, %44, %0 : (tensor<2x4x16xf32>, tensor<2x4x16xf32>, tensor<1xi8>) -> tensor<2x4x16xf32>
    %46 = tosa.mul %5, %35, %0 : (tensor<2x4x16xf32>, tensor<2x4x16xf32>, tensor<1xi8>) -> tensor<2x4x16xf32>
    %47 = tosa.pow %9, %5 : (tensor<2x4x16xf32>, tensor<2x4x16xf32>) -> tensor<2x4x16xf32>
    %48 = tosa.pow %35, %7 : (tensor<2x4x16xf32>, tensor<2x4x16xf32>) -> tensor<2x4x16xf32>
    %49 = tosa.mul %8, %48, %0 : (tensor<2x4x16xf32>, tensor<2x4x16xf32>, tensor<1xi8>) -> tensor<2x4x16xf32>
    %50 = tosa.add %35, %49 : (tensor<2x4x16xf32>, tensor<2x4x16xf32>) -> tensor<2x4x16xf32>
    %51 = tosa.mul %47, %50, %0 : (tensor<2x4x16xf32>, tensor<2x4x16xf32>, tensor<1xi8>) -> tensor<2x4x16xf32>
    %52 = tosa.tanh %51 : (tensor<2x4x16xf32>) -> tensor<2x4x16xf32>
    %53 = tosa.add %52, %6 : (tensor<2x4x16xf32>, tensor<2x4x16xf32>) -> tensor<2x4x16xf32>
    %54 = tosa.mul %46, %53, %0 : (tensor<2x4x16xf32>, tensor<2x4x16xf32>, tensor<1xi8>) -> tensor<2x4x16xf32>
    %55 = tosa.reduce_max %45 {axis = 2 : i32} : (tensor<2x4x16xf32>) -> tensor<2x4x1xf32>
    %56 = tosa.sub %45, %55 : (tensor<2x4x16xf32>, tensor<2x4x1xf32>) -> tensor<2x4x16xf32>
    %57 = tosa.exp %56 : (tensor<2x4x16xf32>) -> tensor<2x4x16xf32>
    %58 = tosa.reduce_sum %57 {axis = 2 : i32} : (tensor<2x4x16xf32>) -> tensor<2x4x1xf32>
    %59 = tosa.reciprocal %58 : (tensor<2x4x1xf32>) -> tensor<2x4x1xf32>
    %60 = tosa.mul %57, %59, %0 : (tensor<2x4x16xf32>, tensor<2x4x1xf32>, tensor<1xi8>) -> tensor<2x4x16xf32>
    %61 = tosa.sigmoid %54 : (tensor<2x4x16xf32>) -> tensor<2x4x16xf32>
    %62 = tosa.mul %54, %61, %0 : (tensor<2x4x16xf32>, tensor<2x4x16xf32>, tensor<1xi8>) -> tensor<2x4x16xf32>
    %63 = tosa.sigmoid %45 : (tensor<2x4x16xf32>) -> tensor<2x4x16xf32>
    %64 = tosa.mul %62, %63, %0 : (tensor<2x4x16xf32>, tensor<2x4x16xf32>, tensor<1xi8>) -> tensor<2x4x16xf32>
    %65 = tosa.tanh %60 : (tensor<2x4x16xf32>) -> tensor<2x4x16xf32>
    %66 = tosa.add %64, %65 : (tensor<2x4x16xf32>, tensor<2x4x16xf32>) -> tensor<2x4x16xf32>
    return %60, %66 : tensor<2x4x16xf32>, tensor<2x4x16xf32>
  }
}

{-#
  dialect_resources: {
    builtin: {
      torch_tensor_16_torch.float32: "0x040000000000803F0000803F0000803F0000803F0000803F0000803F0000803F0000803F0000803F0000803F0000803F0000803F0000803F0000803F0000803F0000803F",
      torch_tensor_16_torch.float32_1: "0x0400000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000",
      torch_tensor_16_torch.float32_2: "0x040000000854143E30CD8DBCCCDF353EC0B340BDF85FBEBD30CE213D4E5C20BE84A478BEC8BE4EBE88117C3E08BA82BD183C4BBDA49AB93D246325BE103A013D705D153D"
    }
  }
#-}
