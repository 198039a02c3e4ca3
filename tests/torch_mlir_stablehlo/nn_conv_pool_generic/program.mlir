"builtin.module"() ({
  "func.func"() <{function_type = (tensor<2x3x8x8xf32>) -> tensor<2x5xf32>, sym_name = "main"}> ({
  ^bb0(%arg0: tensor<2x3x8x8xf32>):
    %0 = "stablehlo.constant"() <{value = dense<6.000000e+00> : tensor<f32>}> : () -> tensor<f32>
    %1 = "stablehlo.constant"() <{value = dense<0.000000e+00> : tensor<f32>}> : () -> tensor<f32>
    %2 = "stablehlo.constant"() <{value = dense_resource<torch_tensor_5_torch.float32> : tensor<5xf32>}> : () -> tensor<5xf32>
    %3 = "stablehlo.constant"() <{value = dense_resource<torch_tensor_5_8_torch.float32> : tensor<5x8xf32>}> : () -> tensor<5x8xf32>
    %4 = "stablehlo.constant"() <{value = dense_resource<torch_tensor_8_torch.float32_5> : tensor<8xf32>}> : () -> tensor<8xf32>
    %5 = "stablehlo.constant"() <{value = dense_resource<torch_tensor_8_4_3_3_torch.float32> : tensor<8x4x3x3xf32>}> : () -> tensor<8x4x3x3xf32>
    %6 = "stablehlo.constant"() <{value = dense_resource<torch_tensor_8_torch.float32_4> : tensor<8xf32>}> : () -> tensor<8xf32>
    %7 = "stablehlo.constant"() <{value = dense_resource<torch_tensor_8_torch.float32_3> : tensor<8xf32>}> : () -> tensor<8xf32>
    %8 = "stablehlo.constant"() <{value = dense_resource<torch_tensor_8_torch.float32_2> : tensor<8xf32>}> : () -> tensor<8xf32>
    %9 = "stablehlo.constant"() <{value = dense_resource<torch_tensor_8_torch.float32_1> : tensor<8xf32>}> : () -> tensor<8xf32>
    %10 = "stablehlo.constant"() <{value = dense_resource<torch_tensor_8_3_3_3_torch.float32> : tensor<8x3x3x3xf32>}> : () -> tensor<8x3x3x3xf32>
    %11 = "stablehlo.constant"() <{value = dense_resource<torch_tensor_8_torch.float32> : tensor<8xf32>}> : () -> tensor<8xf32>
    %12 = "stablehlo.constant"() <{value = dense<0.000000e+00> : tensor<2x8x8x8xf32>}> : () -> tensor<2x8x8x8xf32>
    %13 = "stablehlo.constant"() <{value = dense<0xFF800000> : tensor<f32>}> : () -> tensor<f32>
    %14 = "stablehlo.constant"() <{value = dense<4> : tensor<i64>}> : () -> tensor<i64>
    %15 = "arith.constant"() <{value = dense<1.000000e-05> : tensor<1xf64>}> : () -> tensor<1xf64>
    %16 = "arith.constant"() <{value = dense<1> : tensor<1xi64>}> : () -> tensor<1xi64>
    %17 = "stablehlo.convolution"(%arg0, %10) <{batch_group_count = 1 : i64, dimension_numbers = #stablehlo.conv<[b, f, 0, 1]x[o, i, 0, 1]->[b, f, 0, 1]>, feature_group_count = 1 : i64, padding = dense<1> : tensor<2x2xi64>, rhs_dilation = array<i64: 1, 1>, window_strides = array<i64: 1, 1>}> : (tensor<2x3x8x8xf32>, tensor<8x3x3x3xf32>) -> tensor<2x8x8x8xf32>
    %18 = "stablehlo.reshape"(%11) : (tensor<8xf32>) -> tensor<8x1x1xf32>
    %19 = "stablehlo.broadcast_in_dim"(%18) <{broadcast_dimensions = array<i64: 1, 2, 3>}> : (tensor<8x1x1xf32>) -> tensor<2x8x8x8xf32>
    %20 = "stablehlo.add"(%17, %19) : (tensor<2x8x8x8xf32>, tensor<2x8x8x8xf32>) -> tensor<2x8x8x8xf32>
    %21 = "stablehlo.convert"(%15) : (tensor<1xf64>) -> tensor<1xf32>
    %22 = "stablehlo.reshape"(%21) : (tensor<1xf32>) -> tensor<f32>
    %23 = "stablehlo.broadcast_in_dim"(%22) <{broadcast_dimensions = array<i64>}> : (tensor<f32>) -> tensor<8xf32>
    %24 = "stablehlo.add"(%23, %8) : (tensor<8xf32>, tensor<8xf32>) -> tensor<8xf32>
    %25 = "stablehlo.rsqrt"(%24) : (tensor<8xf32>) -> tensor<8xf32>
    %26 = "stablehlo.reshape"(%9) : (tensor<8xf32>) -> tensor<8x1xf32>
    %27 = "stablehlo.reshape"(%26) : (tensor<8x1xf32>) -> tensor<8x1x1xf32>
    %28 = "stablehlo.reshape"(%25) : (tensor<8xf32>) -> tensor<8x1xf32>
    %29 = "stablehlo.reshape"(%28) : (tensor<8x1xf32>) -> tensor<8x1x1xf32>
    %30 = "stablehlo.broadcast_in_dim"(%27) <{broadcast_dimensions = array<i64: 1, 2, 3>}> : (tensor<8x1x1xf32>) -> tensor<2x8x8x8xf32>
    %31 = "stablehlo.subtract"(%20, %30) : (tensor<2x8x8x8xf32>, tensor<2x8x8x8xf32>) -> tensor<2x8x8x8xf32>
    %32 = "stablehlo.broadcast_in_dim"(%29) <{broadcast_dimensions = array<i64: 1, 2, 3>}> : (tensor<8x1x1xf32>) -> tensor<2x8x8x8xf32>
    %33 = "stablehlo.multiply"(%31, %32) : (tensor<2x8x8x8xf32>, tensor<2x8x8x8xf32>) -> tensor<2x8x8x8xf32>
    %34 = "stablehlo.reshape"(%7) : (tensor<8xf32>) -> tensor<8x1xf32>
    %35 = "stablehlo.reshape"(%34) : (tensor<8x1xf32>) -> tensor<8x1x1xf32>
    %36 = "stablehlo.broadcast_in_dim"(%35) <{broadcast_dimensions = array<i64: 1, 2, 3>}> : (tensor<8x1x1xf32>) -> tensor<2x8x8x8xf32>
    %37 = "stablehlo.multiply"(%33, %36) : (tensor<2x8x8x8xf32>, tensor<2x8x8x8xf32>) -> tensor<2x8x8x8xf32>
    %38 = "stablehlo.reshape"(%6) : (tensor<8xf32>) -> tensor<8x1xf32>
    %39 = "stablehlo.reshape"(%38) : (tensor<8x1xf32>) -> tensor<8x1x1xf32>
    %40 = "stablehlo.broadcast_in_dim"(%39) <{broadcast_dimensions = array<i64: 1, 2, 3>}> : (tensor<8x1x1xf32>) -> tensor<2x8x8x8xf32>
    %41 = "stablehlo.add"(%37, %40) : (tensor<2x8x8x8xf32>, tensor<2x8x8x8xf32>) -> tensor<2x8x8x8xf32>
    %42 = "stablehlo.maximum"(%41, %12) : (tensor<2x8x8x8xf32>, tensor<2x8x8x8xf32>) -> tensor<2x8x8x8xf32>
    %43 = "stablehlo.convolution"(%42, %5) <{batch_group_count = 1 : i64, dimension_numbers = #stablehlo.conv<[b, f, 0, 1]x[o, i, 0, 1]->[b, f, 0, 1]>, feature_group_count = 2 : i64, padding = dense<1> : tensor<2x2xi64>, rhs_dilation = array<i64: 1, 1>, window_strides = array<i64: 2, 2>}> : (tensor<2x8x8x8xf32>, tensor<8x4x3x3xf32>) -> tensor<2x8x4x4xf32>
    %44 = "stablehlo.reshape"(%4) : (tensor<8xf32>) -> tensor<8x1x1xf32>
    %45 = "stablehlo.broadcast_in_dim"(%44) <{broadcast_dimensions = array<i64: 1, 2, 3>}> : (tensor<8x1x1xf32>) -> tensor<2x8x4x4xf32>
    %46 = "stablehlo.add"(%43, %45) : (tensor<2x8x4x4xf32>, tensor<2x8x4x4xf32>) -> tensor<2x8x4x4xf32>
    %47 = "stablehlo.broadcast_in_dim"(%1) <{broadcast_dimensions = array<i64>}> : (tensor<f32>) -> tensor<2x8x4x4xf32>
    %48 = "stablehlo.maximum"(%46, %47) : (tensor<2x8x4x4xf32>, tensor<2x8x4x4xf32>) -> tensor<2x8x4x4xf32>
    %49 = "stablehlo.broadcast_in_dim"(%0) <{broadcast_dimensions = array<i64>}> : (tensor<f32>) -> tensor<2x8x4x4xf32>
    %50 = "stablehlo.minimum"(%48, %49) : (tensor<2x8x4x4xf32>, tensor<2x8x4x4xf32>) -> tensor<2x8x4x4xf32>
    %51 = "stablehlo.reduce_window"(%50, %13) <{padding = dense<0> : tensor<4x2xi64>, window_dilations = array<i64: 1, 1, 1, 1>, window_dimensions = array<i64: 1, 1, 2, 2>, window_strides = array<i64: 1, 1, 2, 2>}> ({
    ^bb0(%arg3: tensor<f32>, %arg4: tensor<f32>):
      %67 = "stablehlo.maximum"(%arg3, %arg4) : (tensor<f32>, tensor<f32>) -> tensor<f32>
      "stablehlo.return"(%67) : (tensor<f32>) -> ()
    }) : (tensor<2x8x4x4xf32>, tensor<f32>) -> tensor<2x8x2x2xf32>
    %52 = "stablehlo.reduce_window"(%51, %1) <{padding = dense<0> : tensor<4x2xi64>, window_dilations = array<i64: 1, 1, 1, 1>, window_dimensions = array<i64: 1, 1, 2, 2>, window_strides = array<i64: 1, 1, 2, 2>}> ({
    ^bb0(%arg1: tensor<f32>, %arg2: tensor<f32>):
      %66 = "stablehlo.add"(%arg1, %arg2) : (tensor<f32>, tensor<f32>) -> tensor<f32>
      "stablehlo.return"(%66) : (tensor<f32>) -> ()
    }) : (tensor<2x8x2x2xf32>, tensor<f32>) -> tensor<2x8x1x1xf32>
    %53 = "stablehlo.convert"(%14) : (tensor<i64>) -> tensor<f32>
    %54 = "stablehlo.broadcast_in_dim"(%53) <{broadcast_dimensions = array<i64>}> : (tensor<f32>) -> tensor<2x8x1x1xf32>
    %55 = "stablehlo.divide"(%52, %54) : (tensor<2x8x1x1xf32>, tensor<2x8x1x1xf32>) -> tensor<2x8x1x1xf32>
    %56 = "stablehlo.reshape"(%55) : (tensor<2x8x1x1xf32>) -> tensor<2x8xf32>
    %57 = "stablehlo.transpose"(%3) <{permutation = array<i64: 1, 0>}> : (tensor<5x8xf32>) -> tensor<8x5xf32>
    %58 = "stablehlo.dot_general"(%56, %57) <{dot_dimension_numbers = #stablehlo.dot<lhs_contracting_dimensions = [1], rhs_contracting_dimensions = [0]>}> : (tensor<2x8xf32>, tensor<8x5xf32>) -> tensor<2x5xf32>
    %59 = "stablehlo.convert"(%16) : (tensor<1xi64>) -> tensor<1xf32>
    %60 = "stablehlo.reshape"(%59) : (tensor<1xf32>) -> tensor<f32>
    %61 = "stablehlo.broadcast_in_dim"(%60) <{broadcast_dimensions = array<i64>}> : (tensor<f32>) -> tensor<2x5xf32>
    %62 = "stablehlo.multiply"(%58, %61) : (tensor<2x5xf32>, tensor<2x5xf32>) -> tensor<2x5xf32>
    %63 = "stablehlo.broadcast_in_dim"(%2) <{broadcast_dimensions = array<i64: 1>}> : (tensor<5xf32>) -> tensor<2x5xf32>
    %64 = "stablehlo.multiply"(%63, %61) : (tensor<2x5xf32>, tensor<2x5xf32>) -> tensor<2x5xf32>
    %65 = "stablehlo.add"(%62, %64) : (tensor<2x5xf32>, tensor<2x5xf32>) -> tensor<2x5xf32>
    "func.return"(%65) : (tensor<2x5xf32>) -> ()
  }) : () -> ()
}) : () -> ()

{-#
  dialect_resources: {
    builtin: {
      torch_tensor_5_torch.float32: "0x0400000057B9923EF5E5363C788D50BEE28944BE949CB5BD",
      torch_tensor_5_8_torch.float32: "0x0400000002205DBDA3709BBEF4165CBE9652813E1680C8BDC282593DDD526A3E519AB73D4CA7073E65EAEEBD896BA4BEDD5E813E22886DBEEE9D93BEB093CC3CF778B0BE4B4DADBA64991DBE07BCB33E631A13BE5FD3FEBC7DFA7FBE993290BDD374AC3E613CC0BD6BE9D1BD15EC9D3E33FE64BE3112453E6C80843D7F11793D4AF9E9BD4BE196BE81913ABE0F25923EA50BA53E9C6897BD72C67ABDEA1F8DBEA832443E",
      torch_tensor_8_torch.float32_5: "0x04000000167DDC3D00D9EA3C4BEF2DBD166E733DD62295BD90A93C3D560C34BB53E59C3D",
      torch_tensor_8_4_3_3_torch.float32: "0x04000000CB3F233EC019143D5072D7BD806269BC2C4A0D3E90299FBDEB99B5BD56BD833AB04FF73D96F4B53C8048E53DFE3E83BD286397BD6BDD653CFCB623BE880EF4BD167A28BDCB0CE6BCBB38853D86D6F9BDA6EB28BE23CB24BE76E4DA3D144C0B3EF6702D3DEBDAF2BDAA051DBED0EE6EBD6BCA4DBD409C433C769C39BD67342A3E70FC433D006DAF3D38C1023E8345F73DAE0F84BD8304A83D466A80BD064AF7BDE26D093E9E641CBEB8D2903DB21128BEB05B763D2808B5BDCB35113E08D2B4BD535CC23DCA8E2A3E8B00EABC23FEA13DE0D38FBC37E2043E7369C63D80260D3EFB3D83BD63D9B4BD8058A23C5635C5BA70C51FBD03CE003E362B283EE672053E40E0B0BC70B37F3DFC5D15BE80259DBBC3DE133E16BD24BDDC96123E10AC613DB453263EF875DFBD1B9334BDBB591CBDB08121BE6BE11D3D13A3B6BD2B6FA8BC481D11BEC6A8863D5605D8BD7075B4BD20338CBDB0672ABDDB1255BDCF8008BED6B6AF3D56085EBB7B781CBD8EDE833D587713BE103EE83D241E173E769359BD449A103E6017D2BD4B0EA8BC4EC18F3D001254BBF60A13BEB62136BD7B1F503DB632E5BCA67D8F3D83C3AABDC0641E3EB0DE9D3D569391BA789BA9BDF0334C3DB300B4BDF656B83C2ADF12BEBBF48F3D3000A1BD2B69BA3C338AB53D0853A1BD52D7103EF689ADBD6BC662BDDB87FA3D404C953D4BBA543D0428133E075506BE80C5D8BCAB12843C2BBECE3D97460D3E7B4C923D7C7C23BED6F8C53C70584F3D14470C3E7B4A653D0BE7BB3CC016363D5BF78A3D2ED98E3D76B482BDC31E093E33B2C83D1657F3BD7637903CC29C00BE0456233E8BB2C1BD0A56213E66CF833D8F94283E009133BB3EAF043E43A5CC3DB4352ABE022718BED6E83CBD206739BD6E1EB3BDB6C815BD8BA554BD00ED133DB6BC6DBD0B21EC3D22F019BE0358D7BD13ABC63D8E28C43D1632B0BDAB539F3CFB9022BEE888EB3D18CCD93D3A7F1DBEF0646ABDF056173DF046B23DFF391DBE5838ABBD1BDD55BD16D027BD5B03C8BD2C1819BE4BE5C13CBBC9E63DABA19CBC2650FEBDC699B8BDCBAA4FBD5696E63BE0A2CEBD4ED4963D7EEFC43DE2A31EBE364E2EBD060263BD7670233E36E4473DF0EE1CBD90D3C9BDCEDEDC3DDEE0AD3D40EA22BEB6EDC33DD681313D1EA400BE0BCE6DBD2B0681BB40ED243DF0587D3D5E15F4BDA61B5D3DC0D4213DDCA01ABEB6E79ABC130094BD8BD316BE535429BE02CC0D3EB851023E32A90DBE0B00743DABDA253D6BF63BBDD640203CA08960BDC3279ABDFE7513BEEB42133D48C2B83D2B8F3EBD9677F3BDAB10433CB65A00BE40971BBCB484033E8EAF103EDE73B7BD2ECE1BBE5EF9EA3DB66F18BE6E4BEB3D6E7CDE3DF30DB0BD46DF703D5FE31EBE00B8F23A0BC704BDEBD21A3CBC5C20BEF018F6BD56641C3DEF3D0B3E400CFF3D2B91AC3BD6FE7ABD8360FC3D189A1CBE1BDA52BD0B297FBD2073E53DF8938F3DA085DE3C323614BEB889DD3DE7BE00BE7EE1B2BDB6E1593D76DA6ABDEB0AE7BC7066443DFE71993D5470223E20B501BD67CC1E3E308B1BBDF6B8E6BCCBFABFBD7B8F28BE8F2B25BED8FFFCBD0B30E2BDE34B94BD46953B3D265F563DCB06DE3D",
      torch_tensor_8_torch.float32_4: "0x040000000000000000000000000000000000000000000000000000000000000000000000",
      torch_tensor_8_torch.float32_3: "0x040000000000803F0000803F0000803F0000803F0000803F0000803F0000803F0000803F",
      torch_tensor_8_torch.float32_2: "0x0400000050F15F3EB0B4B43E76DE693E81FDA23E7E1A763EFADEA73E67BE9E3E5CA8663E",
      torch_tensor_8_torch.float32_1: "0x04000000798A26BE8E78803DE766B53D690B6EBC3D87883CB4F3CEBDA508AB3CE424F63B",
      torch_tensor_8_3_3_3_torch.float32: "0x04000000BBBA8EBDED08333D8495B7BCABBBBEBD5A66B3BD76D5463DA908BABC846454BD99FE66BD7927193DAB2E61BDA59BF3BB8F00F7BC2FA913BEA24B8F3D0E8C2EBE47578F3DD36E32BE624DB5BB2ECF3ABEF2E93FBEDB80CD3DC59C28BE26A61CBE511F2BBDA0A7B3BC8093783D6603E9BCB1A572BD0E528F3D8FBDF63DB9E9D5BDBAB0663DEED83C3E8893143EF832423EA5A948BDE1EC1D3D9EF86BBD8AED103DFC6FFEBCC3BB43BEAF2C1FBD1EE13C3EED46303E7D73403D9B5A223EDA1E37BE958C5D3DBB4445BDFAFC3F3E82ADDE3D90A61B3E59CCBC3DC1A1BFBD170007BEAD373FBEC0F4773DDF80083EEB45153E821A043DA3B399BD9A3D20BC510F3CBE2565843DB563AE3C72F722BEF8D8E9BC7430453D9916D43B916613BEE77EB0BCDA14853D8D29703C0D992D3E3030F53D3AD225BE19063F3DDC857FBD8C8D683DF640AD3D9ED709BE9E10643D84E4F23D1EE141BE72DF5FBDA450CCBDBEA3083E1A0C003E654134BCA472FABDD3F640BEC85E2DBE002942BD809CAC3D26DD40BED351543DC18CC33D15A1B1BD5BED3C3E421535BEAF43293EC31601BDA123BC3D3204D83C60EF113D95D2393B921134BDD8B23DBEEEAD88BB7BF31A3ECE57C83C11F82C3EB1F8ED3DA226E1BD92E1393DCCAF833D21E3C53D73A00CBE8F6C0ABDDCB0483B1E596ABD92D7133EB1B932BE2D7D35BEDA32B2BC2F2B193ED5AF70BDA3C6F7BD9C415BBBC89C1EBD0552E1BD72D7B6BD75E3B7BC7785333CB37916BD5E651F3E53939EBDC8891F3D4024013E71503C3EDD7B2EBE57B3003E5531973DBF991B3E63A11E3E0998D63DD7355EBD9E74D7BDCE5111BD8A85213D8B1BDF3D298B27BC73D390BDE22C183EC705CC3DA93B04BD06C63F3E204A093EA24C32BE381E1DBEAFE012BEAEABF5BCF7533BBE4E7C393E245BAA3DF1B121BE5DD4F23CE065213ED5EE8F3C1432B93D6DD61F3E20CB1FBEE8599B3C216D223DF5E5A1BDF729783D8F00F7BDB2C1BE3D9FF35EBDF32AA2BD97650F3EB471323E4959E8BDAE661ABE42129B3D2E659D3C75CEAEBD9F0CF53D248AABBD6ED9423D45E3363E8B4886BDC74581BD6A0BD13D55851D3EB407133E462B0A3EDF89853C3692F8BD73990CBEB47F063D4D8D2A3EBD99D2BD6E2D9D3D8A39B2BDA9CF293ECF1FA53D5D2EB03CAD1C04BDF79694BDB41FC4BDE27EAFBDCEC9923CC446B7BDC00ADD3D",
      torch_tensor_8_torch.float32: "0x0400000004EADDBDB501163DC32EA03D8E049BBBCCFC2A3DAD7C01BEF343833CFB6E9B3C"
    }
  }
#-}
