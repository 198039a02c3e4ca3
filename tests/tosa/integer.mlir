// Integer arithmetic of quantized networks: mul with a shift, rounding and
// logical shifts, bitwise not, clz, i8 and i16 tables, rescale (per tensor
// with double rounding, per channel with unsigned output), integer division,
// reductions and argmax of integers.
func.func @integer(%a: tensor<2x4xi32>, %b: tensor<2x4xi32>, %c: tensor<2x4xi8>, %d: tensor<2x4xi16>) -> (tensor<2x4xi32>, tensor<2x4xi32>, tensor<2x4xi8>, tensor<2x4xi32>, tensor<2x4xi8>, tensor<2x4xi8>, tensor<2x1xi32>, tensor<4xi32>) {
  %big = "tosa.const"() <{values = dense<[[1000, -2000, 30000, 7], [-1, 123456, -99999, 5]]> : tensor<2x4xi32>}> : () -> tensor<2x4xi32>
  %s3 = "tosa.const"() <{values = dense<3> : tensor<1xi8>}> : () -> tensor<1xi8>
  %0 = tosa.mul %big, %b, %s3 : (tensor<2x4xi32>, tensor<2x4xi32>, tensor<1xi8>) -> tensor<2x4xi32>
  %amt = "tosa.const"() <{values = dense<[[0, 1, 2, 3], [4, 5, 6, 31]]> : tensor<2x4xi32>}> : () -> tensor<2x4xi32>
  %1 = tosa.arithmetic_right_shift %0, %amt {round = true} : (tensor<2x4xi32>, tensor<2x4xi32>) -> tensor<2x4xi32>
  %2 = tosa.arithmetic_right_shift %0, %amt {round = false} : (tensor<2x4xi32>, tensor<2x4xi32>) -> tensor<2x4xi32>
  %3 = tosa.logical_right_shift %0, %amt : (tensor<2x4xi32>, tensor<2x4xi32>) -> tensor<2x4xi32>
  %4 = tosa.logical_left_shift %a, %amt : (tensor<2x4xi32>, tensor<2x4xi32>) -> tensor<2x4xi32>
  %5 = tosa.bitwise_xor %3, %4 : (tensor<2x4xi32>, tensor<2x4xi32>) -> tensor<2x4xi32>
  %6 = tosa.bitwise_not %5 : (tensor<2x4xi32>) -> tensor<2x4xi32>
  %7 = tosa.clz %6 : (tensor<2x4xi32>) -> tensor<2x4xi32>
  %8 = tosa.add %7, %1 : (tensor<2x4xi32>, tensor<2x4xi32>) -> tensor<2x4xi32>
  %tab = "tosa.const"() <{values = dense<[-128, -55, 18, 91, -92, -19, 54, 127, -56, 17, 90, -93, -20, 53, 126, -57, 16, 89, -94, -21, 52, 125, -58, 15, 88, -95, -22, 51, 124, -59, 14, 87, -96, -23, 50, 123, -60, 13, 86, -97, -24, 49, 122, -61, 12, 85, -98, -25, 48, 121, -62, 11, 84, -99, -26, 47, 120, -63, 10, 83, -100, -27, 46, 119, -64, 9, 82, -101, -28, 45, 118, -65, 8, 81, -102, -29, 44, 117, -66, 7, 80, -103, -30, 43, 116, -67, 6, 79, -104, -31, 42, 115, -68, 5, 78, -105, -32, 41, 114, -69, 4, 77, -106, -33, 40, 113, -70, 3, 76, -107, -34, 39, 112, -71, 2, 75, -108, -35, 38, 111, -72, 1, 74, -109, -36, 37, 110, -73, 0, 73, -110, -37, 36, 109, -74, -1, 72, -111, -38, 35, 108, -75, -2, 71, -112, -39, 34, 107, -76, -3, 70, -113, -40, 33, 106, -77, -4, 69, -114, -41, 32, 105, -78, -5, 68, -115, -42, 31, 104, -79, -6, 67, -116, -43, 30, 103, -80, -7, 66, -117, -44, 29, 102, -81, -8, 65, -118, -45, 28, 101, -82, -9, 64, -119, -46, 27, 100, -83, -10, 63, -120, -47, 26, 99, -84, -11, 62, -121, -48, 25, 98, -85, -12, 61, -122, -49, 24, 97, -86, -13, 60, -123, -50, 23, 96, -87, -14, 59, -124, -51, 22, 95, -88, -15, 58, -125, -52, 21, 94, -89, -16, 57, -126, -53, 20, 93, -90, -17, 56, -127, -54, 19, 92, -91, -18, 55]> : tensor<256xi8>}> : () -> tensor<256xi8>
  %9 = tosa.table %c, %tab : (tensor<2x4xi8>, tensor<256xi8>) -> tensor<2x4xi8>
  %tab16 = "tosa.const"() <{values = dense<[-100, -63, -26, 11, 48, 85, -78, -41, -4, 33, 70, -93, -56, -19, 18, 55, 92, -71, -34, 3, 40, 77, -86, -49, -12, 25, 62, 99, -64, -27, 10, 47, 84, -79, -42, -5, 32, 69, -94, -57, -20, 17, 54, 91, -72, -35, 2, 39, 76, -87, -50, -13, 24, 61, 98, -65, -28, 9, 46, 83, -80, -43, -6, 31, 68, -95, -58, -21, 16, 53, 90, -73, -36, 1, 38, 75, -88, -51, -14, 23, 60, 97, -66, -29, 8, 45, 82, -81, -44, -7, 30, 67, -96, -59, -22, 15, 52, 89, -74, -37, 0, 37, 74, -89, -52, -15, 22, 59, 96, -67, -30, 7, 44, 81, -82, -45, -8, 29, 66, -97, -60, -23, 14, 51, 88, -75, -38, -1, 36, 73, -90, -53, -16, 21, 58, 95, -68, -31, 6, 43, 80, -83, -46, -9, 28, 65, -98, -61, -24, 13, 50, 87, -76, -39, -2, 35, 72, -91, -54, -17, 20, 57, 94, -69, -32, 5, 42, 79, -84, -47, -10, 27, 64, -99, -62, -25, 12, 49, 86, -77, -40, -3, 34, 71, -92, -55, -18, 19, 56, 93, -70, -33, 4, 41, 78, -85, -48, -11, 26, 63, -100, -63, -26, 11, 48, 85, -78, -41, -4, 33, 70, -93, -56, -19, 18, 55, 92, -71, -34, 3, 40, 77, -86, -49, -12, 25, 62, 99, -64, -27, 10, 47, 84, -79, -42, -5, 32, 69, -94, -57, -20, 17, 54, 91, -72, -35, 2, 39, 76, -87, -50, -13, 24, 61, 98, -65, -28, 9, 46, 83, -80, -43, -6, 31, 68, -95, -58, -21, 16, 53, 90, -73, -36, 1, 38, 75, -88, -51, -14, 23, 60, 97, -66, -29, 8, 45, 82, -81, -44, -7, 30, 67, -96, -59, -22, 15, 52, 89, -74, -37, 0, 37, 74, -89, -52, -15, 22, 59, 96, -67, -30, 7, 44, 81, -82, -45, -8, 29, 66, -97, -60, -23, 14, 51, 88, -75, -38, -1, 36, 73, -90, -53, -16, 21, 58, 95, -68, -31, 6, 43, 80, -83, -46, -9, 28, 65, -98, -61, -24, 13, 50, 87, -76, -39, -2, 35, 72, -91, -54, -17, 20, 57, 94, -69, -32, 5, 42, 79, -84, -47, -10, 27, 64, -99, -62, -25, 12, 49, 86, -77, -40, -3, 34, 71, -92, -55, -18, 19, 56, 93, -70, -33, 4, 41, 78, -85, -48, -11, 26, 63, -100, -63, -26, 11, 48, 85, -78, -41, -4, 33, 70, -93, -56, -19, 18, 55, 92, -71, -34, 3, 40, 77, -86, -49, -12, 25, 62, 99, -64, -27, 10, 47, 84, -79, -42, -5, 32, 69, -94, -57, -20, 17, 54, 91, -72, -35, 2, 39, 76, -87, -50, -13, 24, 61, 98, -65, -28, 9, 46, 83, -80, -43, -6, 31, 68, -95, -58, -21, 16, 53, 90, -73, -36, 1, 38, 75, -88, -51, -14, 23, 60, 97, -66, -29, 8, 45, 82, -81, -44, -7, 30, 67, -96, -59, -22, 15, 52, 89, -74, -37, 0, 37, 74, -89, -52, -15, 22, 59, 96, -67, -30, 7, 44]> : tensor<513xi16>}> : () -> tensor<513xi16>
  %10 = tosa.table %d, %tab16 : (tensor<2x4xi16>, tensor<513xi16>) -> tensor<2x4xi32>
  %m = "tosa.const"() <{values = dense<1518500250> : tensor<1xi32>}> : () -> tensor<1xi32>
  %sh = "tosa.const"() <{values = dense<36> : tensor<1xi8>}> : () -> tensor<1xi8>
  %zi = "tosa.const"() <{values = dense<0> : tensor<1xi32>}> : () -> tensor<1xi32>
  %zo = "tosa.const"() <{values = dense<-3> : tensor<1xi8>}> : () -> tensor<1xi8>
  %11 = tosa.rescale %0, %m, %sh, %zi, %zo {scale32 = true, rounding_mode = DOUBLE_ROUND, per_channel = false, input_unsigned = false, output_unsigned = false} : (tensor<2x4xi32>, tensor<1xi32>, tensor<1xi8>, tensor<1xi32>, tensor<1xi8>) -> tensor<2x4xi8>
  %mc = "tosa.const"() <{values = dense<[1073741824, 2000000000, 1500000000, 1900000000]> : tensor<4xi32>}> : () -> tensor<4xi32>
  %shc = "tosa.const"() <{values = dense<[30, 31, 33, 35]> : tensor<4xi8>}> : () -> tensor<4xi8>
  %zi8 = "tosa.const"() <{values = dense<1> : tensor<1xi8>}> : () -> tensor<1xi8>
  %zo8 = "tosa.const"() <{values = dense<-128> : tensor<1xi8>}> : () -> tensor<1xi8>
  %12 = tosa.rescale %c, %mc, %shc, %zi8, %zo8 {scale32 = true, rounding_mode = SINGLE_ROUND, per_channel = true, input_unsigned = false, output_unsigned = true} : (tensor<2x4xi8>, tensor<4xi32>, tensor<4xi8>, tensor<1xi8>, tensor<1xi8>) -> tensor<2x4xi8>
  %nz = "tosa.const"() <{values = dense<[[3, -2, 7, 1], [-5, 4, 2, -9]]> : tensor<2x4xi32>}> : () -> tensor<2x4xi32>
  %13 = tosa.intdiv %0, %nz : (tensor<2x4xi32>, tensor<2x4xi32>) -> tensor<2x4xi32>
  %14 = tosa.reduce_sum %13 {axis = 1 : i32} : (tensor<2x4xi32>) -> tensor<2x1xi32>
  %15 = tosa.argmax %8 {axis = 0 : i32} : (tensor<2x4xi32>) -> tensor<4xi32>
  return %8, %2, %9, %10, %11, %12, %14, %15 : tensor<2x4xi32>, tensor<2x4xi32>, tensor<2x4xi8>, tensor<2x4xi32>, tensor<2x4xi8>, tensor<2x4xi8>, tensor<2x1xi32>, tensor<4xi32>
}
