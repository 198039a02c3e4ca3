// rfft2d of a real (N, H, W) signal, fft2d forward and inverse of a complex one.
func.func @fft(%x: tensor<1x4x8xf32>, %re: tensor<2x4x4xf32>, %im: tensor<2x4x4xf32>) -> (tensor<1x4x5xf32>, tensor<1x4x5xf32>, tensor<2x4x4xf32>, tensor<2x4x4xf32>, tensor<2x4x4xf32>, tensor<2x4x4xf32>) {
  %0, %1 = tosa.rfft2d %x : (tensor<1x4x8xf32>) -> (tensor<1x4x5xf32>, tensor<1x4x5xf32>)
  %2, %3 = tosa.fft2d %re, %im {inverse = false} : (tensor<2x4x4xf32>, tensor<2x4x4xf32>) -> (tensor<2x4x4xf32>, tensor<2x4x4xf32>)
  %4, %5 = tosa.fft2d %re, %im {inverse = true} : (tensor<2x4x4xf32>, tensor<2x4x4xf32>) -> (tensor<2x4x4xf32>, tensor<2x4x4xf32>)
  return %0, %1, %2, %3, %4, %5 : tensor<1x4x5xf32>, tensor<1x4x5xf32>, tensor<2x4x4xf32>, tensor<2x4x4xf32>, tensor<2x4x4xf32>, tensor<2x4x4xf32>
}
