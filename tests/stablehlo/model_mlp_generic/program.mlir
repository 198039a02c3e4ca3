"builtin.module"() <{sym_name = "jit_mlp"}> ({
  "func.func"() <{arg_attrs = [{}], function_type = (tensor<4x8xf32>) -> tensor<4x10xf32>, res_attrs = [{jax.result_info = "result"}], sym_name = "main", sym_visibility = "public"}> ({
  ^bb0(%arg1: tensor<4x8xf32>):
    %3 = "stablehlo.constant"() <{value = dense<"0xC1696A3E064178BE30D48F3EDB2588BE5570623D88FA883DAB0E30BE3EB411BE6D51633E57469C3ECC39B5BCAECF25BE57C852BC67C1853EA304CF3D26B377BE5FAA79BE5C73A53E551E3F3E624456BCCF826BBEBDBB79BEDC669A3EA5B0263E35A6653D1DFBF8BCA20B95BEAD61323EB8DE74BE86549CBE0281903EB36D43BE4BBAA13E54798ABE8D122ABE6874413DA412FB3B51C7953EF01781BE29990FBE457D843D84ACAABE5659F93C038879BDA278593D30216E3E04F4A8BD78B4553E22DE9F3E38B2093E6C22AA3EE034A5BEB154083ECAF7C4BCA35C9F3EE29EB4BEE13967BB90E4763E9F7ADE3D00AC98BDE16A5B3EE9F357BE82709D3EE926F43D20D0A53E4FA535BE7754563E490D363C7F54AF3EF1D37DBD44E061BE2681A2BE08F861BE442992BE1013AE3E325360BEC5B87D3D78EE92BEE37E923D0ED76D3E785CA73E91B611BE5A9E33BEAA6997BEA96D153EA03596BE73F4D7BD346AC5BD93F23EBEE770033E893F843E2A73B43ED7C9553EC54D9F3E2C01A73EED6EA1BE5DBA623E9A7E373D4BB01D3D0BF99DBE97B1DABD243BAABE5387BEBD42BD19BD015D7B3DC25DDC3D801423BEAF43383E7A073CBE85BC85BEF81B37BE5342C9BB4B9B953D456F46BEBA17AB3E159D99BEBA77A23E24EC1BBED409B1BE86ECB63C4E476B3D9BA31FBCD267A9BECC579B3D9A78503C5160723E088E243E5E814CBE"> : tensor<8x16xf32>}> : () -> tensor<8x16xf32>
    %4 = "stablehlo.constant"() <{value = dense<[-0.0113690812, -0.0713220686, 0.0774640738, -0.0911285579, 9.47571243E-4, 0.079614386, 0.0501499102, 0.0675497055, -0.0208229683, -0.00733902957, -0.0710637793, -0.0124155469, 0.0461539105, -0.0280588977, 0.0847908332, 0.0208328944]> : tensor<16xf32>}> : () -> tensor<16xf32>
    %5 = "stablehlo.constant"() <{value = dense<"0x5C6265BEAB2C133E6BED58BE523759BEF2342E3C8EB4D13D303B9B3DFCCDBB3C0A9F0A3D0EF3353D80A7FA3C0A8E7C3E535B07BEBD3344BED004BABD550616BEC47B26BE40926A3D845724BE0432503E9BE0F9BC0B16A6BDDE1E783EAC14653EAAEB45BE24437E3DF454783E389778BEA1C386BDA61EE5BD8FEB143DD06E4CBD2603153E5CF7683E064BC63C9BDE16BE1BDE3FBEB75D383ECB06B73D809081BDF45A76BE3FAC63BE268D1E3E9A3F333E73FE593E877DCD3C87E4FA3DB31A583C30147BBE96031BBECDA5CDBDFA450C3CBCB0663EB3E408BE713124BDB27E263DC34952BD44D8B93D62DA1C3E67AD143E8621303E96F4E2BD4831523ECCD0703E272CA33D1D41E3BD9F5C4B3EEA0B6CBE5861763E7D301CBE28654B3E33189C3DFB52A53C302E8ABDF1BDA53D1A9395BD3AB1CD3CCFA17DBE78CC693EB0D7F03DABE6693E31CB61BEFB47F43D7DC67C3EDD25553EA1F86FBE7016513ECF02373E0202A03D656573BE57459EBD218E413EF17F9EBDE31E703D9A0AD0BC0C7BD93DA84975BE697D13BE5C0CC73C0359F13D431640BE389D4BBE1051C83D4FAEB93B4802BE3DB60A573E4D7319BE9ECD8DBD4A1A723ECE9EA8BD931B943DF576CBBDE6890F3E1AFF743EF3A3793DCDB904BE2FE6B8BD0BE33DBEB88F243E663FB1BD5518753E92B9C23DCF5844BDB93977BEB34D8DBCF55046BED199E2BDED5690BD954EE2BDDD485C3EF87745BC7BAB5F3E0A685D3E9E787B3EF7A42B3D3104EBBDCF497C3EBAE7DCBD81C3513E7B2E31BC78DDD3BDA374E2BD113133BE4EA416BE4D15C43D972931BD1A71333EF66145BEA92A35BDD5E034BEB23977BEDACBD73D74BAE53D154F283E76946FBE423B203E74D9AF3D52A90C3E38CE57BEC06B073E"> : tensor<16x10xf32>}> : () -> tensor<16x10xf32>
    %6 = "stablehlo.constant"() <{value = dense<[-0.00763268303, -0.067742072, 0.0290134661, 0.0152192321, 4.036970e-03, -0.0124372793, 0.0389418304, -0.00485538132, 0.0571113378, 0.0744973272]> : tensor<10xf32>}> : () -> tensor<10xf32>
    %7 = "stablehlo.dot_general"(%arg1, %3) <{dot_dimension_numbers = #stablehlo.dot<lhs_contracting_dimensions = [1], rhs_contracting_dimensions = [0]>, precision_config = [#stablehlo<precision DEFAULT>, #stablehlo<precision DEFAULT>]}> : (tensor<4x8xf32>, tensor<8x16xf32>) -> tensor<4x16xf32>
    %8 = "stablehlo.broadcast_in_dim"(%4) <{broadcast_dimensions = array<i64: 1>}> : (tensor<16xf32>) -> tensor<1x16xf32>
    %9 = "stablehlo.broadcast_in_dim"(%8) <{broadcast_dimensions = array<i64: 0, 1>}> : (tensor<1x16xf32>) -> tensor<4x16xf32>
    %10 = "stablehlo.add"(%7, %9) : (tensor<4x16xf32>, tensor<4x16xf32>) -> tensor<4x16xf32>
    %11 = "func.call"(%10) <{callee = @relu}> : (tensor<4x16xf32>) -> tensor<4x16xf32>
    %12 = "stablehlo.dot_general"(%11, %5) <{dot_dimension_numbers = #stablehlo.dot<lhs_contracting_dimensions = [1], rhs_contracting_dimensions = [0]>, precision_config = [#stablehlo<precision DEFAULT>, #stablehlo<precision DEFAULT>]}> : (tensor<4x16xf32>, tensor<16x10xf32>) -> tensor<4x10xf32>
    %13 = "stablehlo.broadcast_in_dim"(%6) <{broadcast_dimensions = array<i64: 1>}> : (tensor<10xf32>) -> tensor<1x10xf32>
    %14 = "stablehlo.broadcast_in_dim"(%13) <{broadcast_dimensions = array<i64: 0, 1>}> : (tensor<1x10xf32>) -> tensor<4x10xf32>
    %15 = "stablehlo.add"(%12, %14) : (tensor<4x10xf32>, tensor<4x10xf32>) -> tensor<4x10xf32>
    %16 = "stablehlo.constant"() <{value = dense<0xFF800000> : tensor<f32>}> : () -> tensor<f32>
    %17 = "stablehlo.reduce"(%15, %16) <{dimensions = array<i64: 1>}> ({
    ^bb0(%arg4: tensor<f32>, %arg5: tensor<f32>):
      %31 = "stablehlo.maximum"(%arg4, %arg5) : (tensor<f32>, tensor<f32>) -> tensor<f32>
      "stablehlo.return"(%31) : (tensor<f32>) -> ()
    }) : (tensor<4x10xf32>, tensor<f32>) -> tensor<4xf32>
    %18 = "stablehlo.constant"() <{value = dense<0xFF800000> : tensor<f32>}> : () -> tensor<f32>
    %19 = "stablehlo.broadcast_in_dim"(%18) <{broadcast_dimensions = array<i64>}> : (tensor<f32>) -> tensor<4xf32>
    %20 = "stablehlo.maximum"(%19, %17) : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
    %21 = "stablehlo.broadcast_in_dim"(%20) <{broadcast_dimensions = array<i64: 0>}> : (tensor<4xf32>) -> tensor<4x1xf32>
    %22 = "stablehlo.broadcast_in_dim"(%21) <{broadcast_dimensions = array<i64: 0, 1>}> : (tensor<4x1xf32>) -> tensor<4x10xf32>
    %23 = "stablehlo.subtract"(%15, %22) : (tensor<4x10xf32>, tensor<4x10xf32>) -> tensor<4x10xf32>
    %24 = "stablehlo.exponential"(%23) : (tensor<4x10xf32>) -> tensor<4x10xf32>
    %25 = "stablehlo.constant"() <{value = dense<0.000000e+00> : tensor<f32>}> : () -> tensor<f32>
    %26 = "stablehlo.reduce"(%24, %25) <{dimensions = array<i64: 1>}> ({
    ^bb0(%arg2: tensor<f32>, %arg3: tensor<f32>):
      %30 = "stablehlo.add"(%arg2, %arg3) : (tensor<f32>, tensor<f32>) -> tensor<f32>
      "stablehlo.return"(%30) : (tensor<f32>) -> ()
    }) : (tensor<4x10xf32>, tensor<f32>) -> tensor<4xf32>
    %27 = "stablehlo.broadcast_in_dim"(%26) <{broadcast_dimensions = array<i64: 0>}> : (tensor<4xf32>) -> tensor<4x1xf32>
    %28 = "stablehlo.broadcast_in_dim"(%27) <{broadcast_dimensions = array<i64: 0, 1>}> : (tensor<4x1xf32>) -> tensor<4x10xf32>
    %29 = "stablehlo.divide"(%24, %28) : (tensor<4x10xf32>, tensor<4x10xf32>) -> tensor<4x10xf32>
    "func.return"(%29) : (tensor<4x10xf32>) -> ()
  }) : () -> ()
  "func.func"() <{arg_attrs = [{}], function_type = (tensor<4x16xf32>) -> tensor<4x16xf32>, res_attrs = [{}], sym_name = "relu", sym_visibility = "private"}> ({
  ^bb0(%arg0: tensor<4x16xf32>):
    %0 = "stablehlo.constant"() <{value = dense<0.000000e+00> : tensor<f32>}> : () -> tensor<f32>
    %1 = "stablehlo.broadcast_in_dim"(%0) <{broadcast_dimensions = array<i64>}> : (tensor<f32>) -> tensor<4x16xf32>
    %2 = "stablehlo.maximum"(%arg0, %1) : (tensor<4x16xf32>, tensor<4x16xf32>) -> tensor<4x16xf32>
    "func.return"(%2) : (tensor<4x16xf32>) -> ()
  }) : () -> ()
}) {mhlo.num_partitions = 1 : i32, mhlo.num_replicas = 1 : i32} : () -> ()
