// A resource blob whose alignment word is 0: MLIR's parser would abort the
// process allocating it (found by the tosa_read fuzz target).
func.func @f(%x: tensor<2xf32>) -> tensor<2xf32> {
  %0 = "tosa.const"() <{values = dense_resource<w> : tensor<2xf32>}> : () -> tensor<2xf32>
  %1 = tosa.add %x, %0 : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
  return %1 : tensor<2xf32>
}
{-#
  dialect_resources: {
    builtin: {
      w: "0x000000000000803F0000803F"
    }
  }
#-}
