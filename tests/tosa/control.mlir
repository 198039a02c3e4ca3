// while_loop with a run-time trip count (n, from an input; none when n <= 0),
// carrying a counter and a tensor, reading x and the scale from outside its
// regions; cond_if on an input flag (a branch reading a value from outside)
// and on a computed condition.
func.func @control(%x: tensor<2x3xf32>, %n: tensor<i32>, %c: tensor<i1>) -> (tensor<i32>, tensor<2x3xf32>, tensor<2x3xf32>) {
  %zero = "tosa.const"() <{values = dense<0> : tensor<i32>}> : () -> tensor<i32>
  %scale = "tosa.const"() <{values = dense<0.5> : tensor<1x1xf32>}> : () -> tensor<1x1xf32>
  %shift = "tosa.const"() <{values = dense<0> : tensor<1xi8>}> : () -> tensor<1xi8>
  %r:2 = tosa.while_loop (%i = %zero, %acc = %x) : (tensor<i32>, tensor<2x3xf32>) -> (tensor<i32>, tensor<2x3xf32>) {
    %more = tosa.greater %n, %i : (tensor<i32>, tensor<i32>) -> tensor<i1>
    tosa.yield %more : tensor<i1>
  } do {
  ^bb0(%i1: tensor<i32>, %acc1: tensor<2x3xf32>):
    %one = "tosa.const"() <{values = dense<1> : tensor<i32>}> : () -> tensor<i32>
    %next = tosa.add %i1, %one : (tensor<i32>, tensor<i32>) -> tensor<i32>
    %t = tosa.tanh %acc1 : (tensor<2x3xf32>) -> tensor<2x3xf32>
    %s = tosa.mul %t, %scale, %shift : (tensor<2x3xf32>, tensor<1x1xf32>, tensor<1xi8>) -> tensor<2x3xf32>
    %a = tosa.add %s, %x : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
    tosa.yield %next, %a : tensor<i32>, tensor<2x3xf32>
  }
  %y = "tosa.cond_if"(%c, %x, %r#1) ({
  ^bb0(%a: tensor<2x3xf32>, %b: tensor<2x3xf32>):
    %d = tosa.sub %a, %b : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
    %k = tosa.mul %d, %scale, %shift : (tensor<2x3xf32>, tensor<1x1xf32>, tensor<1xi8>) -> tensor<2x3xf32>
    tosa.yield %k : tensor<2x3xf32>
  }, {
  ^bb0(%a: tensor<2x3xf32>, %b: tensor<2x3xf32>):
    %m = tosa.maximum %a, %b : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
    tosa.yield %m : tensor<2x3xf32>
  }) : (tensor<i1>, tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  %pos = tosa.greater %n, %zero : (tensor<i32>, tensor<i32>) -> tensor<i1>
  %z = "tosa.cond_if"(%pos, %y) ({
  ^bb0(%p: tensor<2x3xf32>):
    %e = tosa.exp %p : (tensor<2x3xf32>) -> tensor<2x3xf32>
    tosa.yield %e : tensor<2x3xf32>
  }, {
  ^bb0(%p: tensor<2x3xf32>):
    %g = tosa.sin %p : (tensor<2x3xf32>) -> tensor<2x3xf32>
    tosa.yield %g : tensor<2x3xf32>
  }) : (tensor<i1>, tensor<2x3xf32>) -> tensor<2x3xf32>
  return %r#0, %r#1, %z : tensor<i32>, tensor<2x3xf32>, tensor<2x3xf32>
}
