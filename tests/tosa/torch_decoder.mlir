// A segmentation-style decoder: transposed convolution, concat, bilinear upsampling, sigmoid.
// Exported by torch-mlir from PyTorch; weights seeded (tests/tosa/make_programs.py).
module {
  func.func @torch_decoder(%arg0: tensor<1x8x4x4xf32>, %arg1: tensor<1x4x8x8xf32>) -> tensor<1x2x16x16xf32> {
    %0 = "tosa.const"() <{values = dense<[[256, 64, 8, 1]]> : tensor<1x4xi32>}> : () -> tensor<1x4xi32>
    %cst = arith.constant dense<[[[0]], [[1]], [[2]], [[3]]]> : tensor<4x1x1xi64>
    %1 = "tosa.const"() <{values = dense_resource<torch_tensor_2_torch.float32> : tensor<2xf32>}> : () -> tensor<2xf32>
    %2 = "tosa.const"() <{values = dense_resource<torch_tensor_4_torch.float32_1> : tensor<4xf32>}> : () -> tensor<4xf32>
    %3 = "tosa.const"() <{values = dense_resource<torch_tensor_4_torch.float32> : tensor<4xf32>}> : () -> tensor<4xf32>
    %4 = "tosa.const"() <{values = dense<0.000000e+00> : tensor<1xf32>}> : () -> tensor<1xf32>
    %5 = "tosa.const"() <{values = dense<[0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15]> : tensor<16xi64>}> : () -> tensor<16xi64>
    %6 = "tosa.const"() <{values = dense<0> : tensor<1xi8>}> : () -> tensor<1xi8>
    %7 = tosa.const_shape  {values = dense<[16, 1]> : tensor<2xindex>} : () -> !tosa.shape<2>
    %8 = tosa.const_shape  {values = dense<[1, 4, 1, 1, 1]> : tensor<5xindex>} : () -> !tosa.shape<5>
    %9 = tosa.const_shape  {values = dense<[1, 1, 16, 1, 1]> : tensor<5xindex>} : () -> !tosa.shape<5>
    %10 = tosa.const_shape  {values = dense<[1, 1, 1, 16, 1]> : tensor<5xindex>} : () -> !tosa.shape<5>
    %11 = tosa.const_shape  {values = dense<[1, 4, 16, 16, 1]> : tensor<5xindex>} : () -> !tosa.shape<5>
    %12 = tosa.const_shape  {values = dense<[1, 1, 16, 16, 1]> : tensor<5xindex>} : () -> !tosa.shape<5>
    %13 = tosa.const_shape  {values = dense<[1, 4, 1, 16, 1]> : tensor<5xindex>} : () -> !tosa.shape<5>
    %14 = tosa.const_shape  {values = dense<[1, 4, 16, 1, 1]> : tensor<5xindex>} : () -> !tosa.shape<5>
    %15 = tosa.const_shape  {values = dense<[1, 256, 1]> : tensor<3xindex>} : () -> !tosa.shape<3>
    %16 = tosa.const_shape  {values = dense<[1024, 4]> : tensor<2xindex>} : () -> !tosa.shape<2>
    %17 = tosa.const_shape  {values = dense<[1, 1024]> : tensor<2xindex>} : () -> !tosa.shape<2>
    %18 = tosa.const_shape  {values = dense<[1, 4, 16, 16]> : tensor<4xindex>} : () -> !tosa.shape<4>
    %19 = tosa.const_shape  {values = dense<[1, 1, 1, 16]> : tensor<4xindex>} : () -> !tosa.shape<4>
    %20 = tosa.const_shape  {values = dense<[1, 1, 16, 1]> : tensor<4xindex>} : () -> !tosa.shape<4>
    %21 = "tosa.const"() <{values = dense<"0x0054F5BA6069CA3D1AEF25BEC811E3BD6E890C3E8C946EBE38A6FF3D38C91BBE5E54093E189B193EC0B0EBBD20CB13BC203F01BD3E74633E1853563D6849683E16B352BE8C8D2DBE1ADA32BE40BA233E40641C3CF0A6423E96B347BED06F2F3E80663CBEFCF4DEBD76C26FBE827F7E3E00446D3DFE5D7FBEE86813BE64E157BEF432C5BD98F7B93D047015BE2434CB3D00D11E3E08AA3F3DF2D4703E88DB7EBDEC4B893D4E94543E9E0E5C3EC8550A3D48CF753EC8802CBD547F2C3E80D2383C404FA2BB48BD52BDBC76E43DFEA42B3E964745BEB88228BDB03EDFBD1867153DCEFA4A3E5C913F3E0027F83DC0BB16BEECA1BBBD1C5FEABDD4DC80BDD0DD723D70BFB5BC400D25BD406A573CF8D03E3D9838C93D8CE4C43D78DD73BE5CECC83D4C7B873D10B5D83C3A3F03BE6C7A46BED01B543E34A117BE803E93BBE059753CACBB9ABD4ACD673EC03E2D3D186E31BEE8C55E3EDCB1BB3D78C840BECCD1F9BD704849BDCE7B6DBE9E066FBED23E04BE22E2613E1676013EA27745BED445F23DB89174BE662921BE1AFA38BE8CAAE73D78CA4B3D5C43373E20B061BC569175BE528B29BEE09E81BDC6F903BEF8E7CD3DF89C5EBE4871BF3DA0BF193DA0BB17BEE80ED3BDDC93C7BD2685213E6AA417BE9066BC3C4A5F7DBEF4ADD1BD3C2B80BD00BB173C282F5D3E2619163EC8AD9A3DAC2720BE001126BE98E7173EEC66F9BD"> : tensor<4x2x2x8xf32>}> : () -> tensor<4x2x2x8xf32>
    %22 = "tosa.const"() <{values = dense<"0xB93C9DBDCB46993D5DE0E1BDA2BA43BDBF3CD9BD1D7D57BDBD29E8BC48DD84BDAD2EC6BB4D26E53D86B5CBBD33F5B9BC2D4F02BCED00C13D5B09CBBC2BA48CBDF2C6AC3DD8A40BBC74D3C3BC718EBDBC8341D43D890AC3BD4AE6C6BD70F7243D857E46BC6ED1D8BDE05C843D6695D8BD9BE544BD33314F3C6EC7823D3ED48FBD27A7563B81D864BD187D823D0B66D0BDB2F2D93DD721CABC44A2BF3D498128BB049326BCBA57A43D41C6E8BD2D1297BC77D12E3D8B5BAC3DD724A53DD774A23BE862C33C034548BA348E963D60C3C73A32D1D9BD87BF063DDE3FAABDED959B3D3577993DEFEE6FBDA4DDBCBD6A495BBD10B5983DDDF2673DC33BAC3BBD72B6BD63A0E43DD2F4B8BD6B1ACCBCEED6353DE3CF5EBCEC792A3D6C24AABD2CB2A5BDE0258CBDC973DCBC2E602E3D2713C73DC6631F3DF023A4BC01D567BD039C0E3D70EFA83D0D1359BAF0AC5A3B440C713C0A13B53D113C7EBD9411A1BDD467C63D33852DBDAF5D763C092AD1BD022FD83D08651BBD9A347F3C1E0C8BBD503F033D6C95CB3DD6CABCBDC1206F3D73A4933DEED345399995C73D59C58A3D596564BDF78D2E3DFF017DBD5BEAABBD329798BDC483783DA41B0DBD87A27F3D39EA62BDAE7F743C4FE5C23DC60609BD4880583DA06AE9BD224B8FBD973FB93D9432E4BDB6F965BACBDFC3BDB9F521BDA69DAABD7A7FAE3D288732BDD3172F3DA394D03C56D9BEBC0DA60ABC0EF88EBC8F964CBDD495C7BD0239EFBD5C3521BD4F7287BD7342723C04C3EE3DAAF6A83A78FA0D3DE8E5D43A66E5593D0CE506BDA130D7BD63A4D33DC93CC83DF520D9BCF670DE3CD9A6273D6819713CF102C8BD70FEBA3DC7BD9CBDA6D321BDEDC794BDDE97BD3C012230BD71BEBDBDBF8CCFBDD255DDBCBAA85BBCF12F0E3D1FE9A63DE434B3BD103B373D71BE173C3EC8F03DEB6729BDB04B0A3DB8C5DCBC6DACB3BD67BEA03C74BCA03D4822A73D5236993DEA2AC63DB90E763B7BBCABBBC4C0453D929A4D3D560D7CBDF57DD93DE8D5A6BDB340873DF967A2BD95FF92BDD25022BD28133F3DE255983AEADB8D3D25DC3C3DAE3E91BD8718C3BD7941233D67E568BD460E73BC7F9A473D165F813C3F44B63D6AFCD83D1362C03D7A9E183D976FAD3CFCDCC5BD7156173CAF6F613D2344F13DBE3A693DDE359D3C19531FBB59C07ABD72D394BCE949213C25D56ABD0E0BD33DCC92833D374797BD0E5C6B3DA05BC13DD30789BD37B11F3D3C6E87BD88E863BD374C97BCE47D0A3D1495A8BD6E8BD7BD2F83C63DF047F13DA1B8B9BD11D2DD3D35F0CC3D0F3929BD740CDA3C02B6A4BD7E9DC53D395E7A3D1D08A23D3367453D61909F3B6896BC3D374DA3BD6BFF9BBC22C6AC3D5D0A963DF896AB3D063AB7BD8DB1AABDA0B8ADBC1E1CEEBD14BF9CBD265CBA3D96F228BD01C25BBC2C00E73D205721BDA1ED3B3D28D3C1BD5399A73DFF9CD63D1A9F673DD0AB8BBD2348B73D120803BD8C7BAB3CBA8BBE3D2978B6BD6936F7BCB5DE5D3C3B8CBA3D46F22FBDAF42BABC9A614D3D7A95823DD8846BBDA465543D1E90E6BCB3589A3D5EAE873D26C9383C7C0A24BD6972E23DCA2CE9BDC008D73D780E88BD91870F3C3A2389BD4F37DF3D"> : tensor<4x3x3x8xf32>}> : () -> tensor<4x3x3x8xf32>
    %23 = "tosa.const"() <{values = dense<5.000000e-01> : tensor<1xf32>}> : () -> tensor<1xf32>
    %24 = "tosa.const"() <{values = dense<0.000000e+00> : tensor<1x1xf32>}> : () -> tensor<1x1xf32>
    %25 = "tosa.const"() <{values = dense<1> : tensor<1x1xi32>}> : () -> tensor<1x1xi32>
    %26 = "tosa.const"() <{values = dense<-9223372036854775808> : tensor<1x1xi64>}> : () -> tensor<1x1xi64>
    %27 = "tosa.const"() <{values = dense<7> : tensor<1x1xi64>}> : () -> tensor<1x1xi64>
    %28 = "tosa.const"() <{values = dense<1> : tensor<1xi32>}> : () -> tensor<1xi32>
    %29 = "tosa.const"() <{values = dense<-9223372036854775808> : tensor<1xi64>}> : () -> tensor<1xi64>
    %30 = "tosa.const"() <{values = dense<7> : tensor<1xi64>}> : () -> tensor<1xi64>
    %31 = "tosa.const"() <{values = dense<0> : tensor<1x1x1x1x1xi32>}> : () -> tensor<1x1x1x1x1xi32>
    %32 = "tosa.const"() <{values = dense<0> : tensor<1x1x1xi32>}> : () -> tensor<1x1x1xi32>
    %33 = "tosa.const"() <{values = dense<4> : tensor<1x1x1xi32>}> : () -> tensor<1x1x1xi32>
    %34 = "tosa.const"() <{values = dense<0> : tensor<1x1xi32>}> : () -> tensor<1x1xi32>
    %35 = "tosa.const"() <{values = dense<8> : tensor<1x1xi32>}> : () -> tensor<1x1xi32>
    %36 = "tosa.const"() <{values = dense<0> : tensor<1xi32>}> : () -> tensor<1xi32>
    %37 = "tosa.const"() <{values = dense<8> : tensor<1xi32>}> : () -> tensor<1xi32>
    %38 = "tosa.const"() <{values = dense<[[[[0.248020113, -0.456969261, -0.089471221, -0.371572256]]], [[[-0.213342786, 0.180146694, -0.355065107, 0.185863435]]]]> : tensor<2x1x1x4xf32>}> : () -> tensor<2x1x1x4xf32>
    %39 = tosa.transpose %arg0 {perms = array<i32: 0, 2, 3, 1>} : (tensor<1x8x4x4xf32>) -> tensor<1x4x4x8xf32>
    %40 = tosa.transpose_conv2d %39, %21, %3, %4, %4 {acc_type = f32, out_pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 2, 2>} : (tensor<1x4x4x8xf32>, tensor<4x2x2x8xf32>, tensor<4xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x8x8x4xf32>
    %41 = tosa.transpose %40 {perms = array<i32: 0, 3, 1, 2>} : (tensor<1x8x8x4xf32>) -> tensor<1x4x8x8xf32>
    %42 = tosa.clamp %41 {max_val = 3.40282347E+38 : f32, min_val = 0.000000e+00 : f32} : (tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32>
    %43 = tosa.concat %42, %arg1 {axis = 1 : i32} : (tensor<1x4x8x8xf32>, tensor<1x4x8x8xf32>) -> tensor<1x8x8x8xf32>
    %44 = tosa.transpose %43 {perms = array<i32: 0, 2, 3, 1>} : (tensor<1x8x8x8xf32>) -> tensor<1x8x8x8xf32>
    %45 = tosa.conv2d %44, %22, %2, %4, %4 {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 1, 1, 1, 1>, stride = array<i64: 1, 1>} : (tensor<1x8x8x8xf32>, tensor<4x3x3x8xf32>, tensor<4xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x8x8x4xf32>
    %46 = tosa.transpose %45 {perms = array<i32: 0, 3, 1, 2>} : (tensor<1x8x8x4xf32>) -> tensor<1x4x8x8xf32>
    %47 = tosa.clamp %46 {max_val = 3.40282347E+38 : f32, min_val = 0.000000e+00 : f32} : (tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32>
    %48 = tosa.cast %5 : (tensor<16xi64>) -> tensor<16xf32>
    %49 = tosa.add %48, %23 : (tensor<16xf32>, tensor<1xf32>) -> tensor<16xf32>
    %50 = tosa.mul %49, %23, %6 : (tensor<16xf32>, tensor<1xf32>, tensor<1xi8>) -> tensor<16xf32>
    %51 = tosa.sub %50, %23 : (tensor<16xf32>, tensor<1xf32>) -> tensor<16xf32>
    %52 = tosa.clamp %51 {max_val = 3.40282347E+38 : f32, min_val = 0.000000e+00 : f32} : (tensor<16xf32>) -> tensor<16xf32>
    %53 = tosa.reshape %52, %7 : (tensor<16xf32>, !tosa.shape<2>) -> tensor<16x1xf32>
    %54 = tosa.floor %53 : (tensor<16x1xf32>) -> tensor<16x1xf32>
    %55 = tosa.ceil %53 : (tensor<16x1xf32>) -> tensor<16x1xf32>
    %56 = tosa.greater %24, %53 : (tensor<1x1xf32>, tensor<16x1xf32>) -> tensor<16x1xi1>
    %57 = tosa.select %56, %55, %54 : (tensor<16x1xi1>, tensor<16x1xf32>, tensor<16x1xf32>) -> tensor<16x1xf32>
    %58 = tosa.cast %57 : (tensor<16x1xf32>) -> tensor<16x1xi64>
    %59 = tosa.cast %58 : (tensor<16x1xi64>) -> tensor<16x1xi32>
    %60 = tosa.add %59, %25 : (tensor<16x1xi32>, tensor<1x1xi32>) -> tensor<16x1xi32>
    %61 = tosa.cast %60 : (tensor<16x1xi32>) -> tensor<16x1xi64>
    %62 = tosa.maximum %61, %26 : (tensor<16x1xi64>, tensor<1x1xi64>) -> tensor<16x1xi64>
    %63 = tosa.minimum %62, %27 : (tensor<16x1xi64>, tensor<1x1xi64>) -> tensor<16x1xi64>
    %64 = tosa.floor %52 : (tensor<16xf32>) -> tensor<16xf32>
    %65 = tosa.ceil %52 : (tensor<16xf32>) -> tensor<16xf32>
    %66 = tosa.greater %4, %52 : (tensor<1xf32>, tensor<16xf32>) -> tensor<16xi1>
    %67 = tosa.select %66, %65, %64 : (tensor<16xi1>, tensor<16xf32>, tensor<16xf32>) -> tensor<16xf32>
    %68 = tosa.cast %67 : (tensor<16xf32>) -> tensor<16xi64>
    %69 = tosa.cast %68 : (tensor<16xi64>) -> tensor<16xi32>
    %70 = tosa.add %69, %28 : (tensor<16xi32>, tensor<1xi32>) -> tensor<16xi32>
    %71 = tosa.cast %70 : (tensor<16xi32>) -> tensor<16xi64>
    %72 = tosa.maximum %71, %29 : (tensor<16xi64>, tensor<1xi64>) -> tensor<16xi64>
    %73 = tosa.minimum %72, %30 : (tensor<16xi64>, tensor<1xi64>) -> tensor<16xi64>
    %74 = tosa.cast %cst : (tensor<4x1x1xi64>) -> tensor<4x1x1xi32>
    %75 = tosa.add %74, %33 : (tensor<4x1x1xi32>, tensor<1x1x1xi32>) -> tensor<4x1x1xi32>
    %76 = tosa.greater %32, %74 : (tensor<1x1x1xi32>, tensor<4x1x1xi32>) -> tensor<4x1x1xi1>
    %77 = tosa.select %76, %75, %74 : (tensor<4x1x1xi1>, tensor<4x1x1xi32>, tensor<4x1x1xi32>) -> tensor<4x1x1xi32>
    %78 = tosa.cast %58 : (tensor<16x1xi64>) -> tensor<16x1xi32>
    %79 = tosa.add %78, %35 : (tensor<16x1xi32>, tensor<1x1xi32>) -> tensor<16x1xi32>
    %80 = tosa.greater %34, %78 : (tensor<1x1xi32>, tensor<16x1xi32>) -> tensor<16x1xi1>
    %81 = tosa.select %80, %79, %78 : (tensor<16x1xi1>, tensor<16x1xi32>, tensor<16x1xi32>) -> tensor<16x1xi32>
    %82 = tosa.cast %68 : (tensor<16xi64>) -> tensor<16xi32>
    %83 = tosa.add %82, %37 : (tensor<16xi32>, tensor<1xi32>) -> tensor<16xi32>
    %84 = tosa.greater %36, %82 : (tensor<1xi32>, tensor<16xi32>) -> tensor<16xi1>
    %85 = tosa.select %84, %83, %82 : (tensor<16xi1>, tensor<16xi32>, tensor<16xi32>) -> tensor<16xi32>
    %86 = tosa.reshape %77, %8 : (tensor<4x1x1xi32>, !tosa.shape<5>) -> tensor<1x4x1x1x1xi32>
    %87 = tosa.reshape %81, %9 : (tensor<16x1xi32>, !tosa.shape<5>) -> tensor<1x1x16x1x1xi32>
    %88 = tosa.reshape %85, %10 : (tensor<16xi32>, !tosa.shape<5>) -> tensor<1x1x1x16x1xi32>
    %89 = tosa.tile %31, %11 : (tensor<1x1x1x1x1xi32>, !tosa.shape<5>) -> tensor<1x4x16x16x1xi32>
    %90 = tosa.tile %86, %12 : (tensor<1x4x1x1x1xi32>, !tosa.shape<5>) -> tensor<1x4x16x16x1xi32>
    %91 = tosa.tile %87, %13 : (tensor<1x1x16x1x1xi32>, !tosa.shape<5>) -> tensor<1x4x16x16x1xi32>
    %92 = tosa.tile %88, %14 : (tensor<1x1x1x16x1xi32>, !tosa.shape<5>) -> tensor<1x4x16x16x1xi32>
    %93 = tosa.concat %89, %90, %91, %92 {axis = 4 : i32} : (tensor<1x4x16x16x1xi32>, tensor<1x4x16x16x1xi32>, tensor<1x4x16x16x1xi32>, tensor<1x4x16x16x1xi32>) -> tensor<1x4x16x16x4xi32>
    %94 = tosa.reshape %47, %15 : (tensor<1x4x8x8xf32>, !tosa.shape<3>) -> tensor<1x256x1xf32>
    %95 = tosa.reshape %93, %16 : (tensor<1x4x16x16x4xi32>, !tosa.shape<2>) -> tensor<1024x4xi32>
    %96 = tosa.mul %95, %0, %6 : (tensor<1024x4xi32>, tensor<1x4xi32>, tensor<1xi8>) -> tensor<1024x4xi32>
    %97 = tosa.reduce_sum %96 {axis = 1 : i32} : (tensor<1024x4xi32>) -> tensor<1024x1xi32>
    %98 = tosa.reshape %97, %17 : (tensor<1024x1xi32>, !tosa.shape<2>) -> tensor<1x1024xi32>
    %99 = tosa.gather %94, %98 : (tensor<1x256x1xf32>, tensor<1x1024xi32>) -> tensor<1x1024x1xf32>
    %100 = tosa.reshape %99, %18 : (tensor<1x1024x1xf32>, !tosa.shape<4>) -> tensor<1x4x16x16xf32>
    %101 = tosa.cast %73 : (tensor<16xi64>) -> tensor<16xi32>
    %102 = tosa.add %101, %37 : (tensor<16xi32>, tensor<1xi32>) -> tensor<16xi32>
    %103 = tosa.greater %36, %101 : (tensor<1xi32>, tensor<16xi32>) -> tensor<16xi1>
    %104 = tosa.select %103, %102, %101 : (tensor<16xi1>, tensor<16xi32>, tensor<16xi32>) -> tensor<16xi32>
    %105 = tosa.reshape %104, %10 : (tensor<16xi32>, !tosa.shape<5>) -> tensor<1x1x1x16x1xi32>
    %106 = tosa.tile %105, %14 : (tensor<1x1x1x16x1xi32>, !tosa.shape<5>) -> tensor<1x4x16x16x1xi32>
    %107 = tosa.concat %89, %90, %91, %106 {axis = 4 : i32} : (tensor<1x4x16x16x1xi32>, tensor<1x4x16x16x1xi32>, tensor<1x4x16x16x1xi32>, tensor<1x4x16x16x1xi32>) -> tensor<1x4x16x16x4xi32>
    %108 = tosa.reshape %107, %16 : (tensor<1x4x16x16x4xi32>, !tosa.shape<2>) -> tensor<1024x4xi32>
    %109 = tosa.mul %108, %0, %6 : (tensor<1024x4xi32>, tensor<1x4xi32>, tensor<1xi8>) -> tensor<1024x4xi32>
    %110 = tosa.reduce_sum %109 {axis = 1 : i32} : (tensor<1024x4xi32>) -> tensor<1024x1xi32>
    %111 = tosa.reshape %110, %17 : (tensor<1024x1xi32>, !tosa.shape<2>) -> tensor<1x1024xi32>
    %112 = tosa.gather %94, %111 : (tensor<1x256x1xf32>, tensor<1x1024xi32>) -> tensor<1x1024x1xf32>
    %113 = tosa.reshape %112, %18 : (tensor<1x1024x1xf32>, !tosa.shape<4>) -> tensor<1x4x16x16xf32>
    %114 = tosa.cast %63 : (tensor<16x1xi64>) -> tensor<16x1xi32>
    %115 = tosa.add %114, %35 : (tensor<16x1xi32>, tensor<1x1xi32>) -> tensor<16x1xi32>
    %116 = tosa.greater %34, %114 : (tensor<1x1xi32>, tensor<16x1xi32>) -> tensor<16x1xi1>
    %117 = tosa.select %116, %115, %114 : (tensor<16x1xi1>, tensor<16x1xi32>, tensor<16x1xi32>) -> tensor<16x1xi32>
    %118 = tosa.reshape %117, %9 : (tensor<16x1xi32>, !tosa.shape<5>) -> tensor<1x1x16x1x1xi32>
    %119 = tosa.tile %118, %13 : (tensor<1x1x16x1x1xi32>, !tosa.shape<5>) -> tensor<1x4x16x16x1xi32>
    %120 = tosa.concat %89, %90, %119, %92 {axis = 4 : i32} : (tensor<1x4x16x16x1xi32>, tensor<1x4x16x16x1xi32>, tensor<1x4x16x16x1xi32>, tensor<1x4x16x16x1xi32>) -> tensor<1x4x16x16x4xi32>
    %121 = tosa.reshape %120, %16 : (tensor<1x4x16x16x4xi32>, !tosa.shape<2>) -> tensor<1024x4xi32>
    %122 = tosa.mul %121, %0, %6 : (tensor<1024x4xi32>, tensor<1x4xi32>, tensor<1xi8>) -> tensor<1024x4xi32>
    %123 = tosa.reduce_sum %122 {axis = 1 : i32} : (tensor<1024x4xi32>) -> tensor<1024x1xi32>
    %124 = tosa.reshape %123, %17 : (tensor<1024x1xi32>, !tosa.shape<2>) -> tensor<1x1024xi32>
    %125 = tosa.gather %94, %124 : (tensor<1x256x1xf32>, tensor<1x1024xi32>) -> tensor<1x1024x1xf32>
    %126 = tosa.reshape %125, %18 : (tensor<1x1024x1xf32>, !tosa.shape<4>) -> tensor<1x4x16x16xf32>
    %127 = tosa.concat %89, %90, %119, %106 {axis = 4 : i32} : (tensor<1x4x16x16x1xi32>, tensor<1x4x16x16x1xi32>, tensor<1x4x16x16x1xi32>, tensor<1x4x16x16x1xi32>) -> tensor<1x4x16x16x4xi32>
    %128 = tosa.reshape %127, %16 : (tensor<1x4x16x16x4xi32>, !tosa.shape<2>) -> tensor<1024x4xi32>
    %129 = tosa.mul %128, %0, %6 : (tensor<1024x4xi32>, tensor<1x4xi32>, tensor<1xi8>) -> tensor<1024x4xi32>
    %130 = tosa.reduce_sum %129 {axis = 1 : i32} : (tensor<1024x4xi32>) -> tensor<1024x1xi32>
    %131 = tosa.reshape %130, %17 : (tensor<1024x1xi32>, !tosa.shape<2>) -> tensor<1x1024xi32>
    %132 = tosa.gather %94, %131 : (tensor<1x256x1xf32>, tensor<1x1024xi32>) -> tensor<1x1024x1xf32>
    %133 = tosa.reshape %132, %18 : (tensor<1x1024x1xf32>, !tosa.shape<4>) -> tensor<1x4x16x16xf32>
    %134 = tosa.cast %68 : (tensor<16xi64>) -> tensor<16xf32>
    %135 = tosa.sub %52, %134 : (tensor<16xf32>, tensor<16xf32>) -> tensor<16xf32>
    %136 = tosa.clamp %135 {max_val = 1.000000e+00 : f32, min_val = 0.000000e+00 : f32} : (tensor<16xf32>) -> tensor<16xf32>
    %137 = tosa.sub %113, %100 : (tensor<1x4x16x16xf32>, tensor<1x4x16x16xf32>) -> tensor<1x4x16x16xf32>
    %138 = tosa.reshape %136, %19 : (tensor<16xf32>, !tosa.shape<4>) -> tensor<1x1x1x16xf32>
    %139 = tosa.mul %137, %138, %6 : (tensor<1x4x16x16xf32>, tensor<1x1x1x16xf32>, tensor<1xi8>) -> tensor<1x4x16x16xf32>
    %140 = tosa.add %100, %139 : (tensor<1x4x16x16xf32>, tensor<1x4x16x16xf32>) -> tensor<1x4x16x16xf32>
    %141 = tosa.sub %133, %126 : (tensor<1x4x16x16xf32>, tensor<1x4x16x16xf32>) -> tensor<1x4x16x16xf32>
    %142 = tosa.mul %141, %138, %6 : (tensor<1x4x16x16xf32>, tensor<1x1x1x16xf32>, tensor<1xi8>) -> tensor<1x4x16x16xf32>
    %143 = tosa.add %126, %142 : (tensor<1x4x16x16xf32>, tensor<1x4x16x16xf32>) -> tensor<1x4x16x16xf32>
    %144 = tosa.cast %58 : (tensor<16x1xi64>) -> tensor<16x1xf32>
    %145 = tosa.sub %53, %144 : (tensor<16x1xf32>, tensor<16x1xf32>) -> tensor<16x1xf32>
    %146 = tosa.clamp %145 {max_val = 1.000000e+00 : f32, min_val = 0.000000e+00 : f32} : (tensor<16x1xf32>) -> tensor<16x1xf32>
    %147 = tosa.sub %143, %140 : (tensor<1x4x16x16xf32>, tensor<1x4x16x16xf32>) -> tensor<1x4x16x16xf32>
    %148 = tosa.reshape %146, %20 : (tensor<16x1xf32>, !tosa.shape<4>) -> tensor<1x1x16x1xf32>
    %149 = tosa.mul %147, %148, %6 : (tensor<1x4x16x16xf32>, tensor<1x1x16x1xf32>, tensor<1xi8>) -> tensor<1x4x16x16xf32>
    %150 = tosa.add %140, %149 : (tensor<1x4x16x16xf32>, tensor<1x4x16x16xf32>) -> tensor<1x4x16x16xf32>
    %151 = tosa.transpose %150 {perms = array<i32: 0, 2, 3, 1>} : (tensor<1x4x16x16xf32>) -> tensor<1x16x16x4xf32>
    %152 = tosa.conv2d %151, %38, %1, %4, %4 {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>} : (tensor<1x16x16x4xf32>, tensor<2x1x1x4xf32>, tensor<2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x16x16x2xf32>
    %153 = tosa.transpose %152 {perms = array<i32: 0, 3, 1, 2>} : (tensor<1x16x16x2xf32>) -> tensor<1x2x16x16xf32>
    %154 = tosa.sigmoid %153 : (tensor<1x2x16x16xf32>) -> tensor<1x2x16x16xf32>
    return %154 : tensor<1x2x16x16xf32>
  }
}

{-#
  dialect_resources: {
    builtin: {
      torch_tensor_2_torch.float32: "0x040000008649D93E3053063D",
      torch_tensor_4_torch.float32_1: "0x040000005CC2CE3B570695BD54EEC53B0B75673D",
      torch_tensor_4_torch.float32: "0x040000005C1DB3BDBAD251BE00D259BDF8E25A3D"
    }
  }
#-}
