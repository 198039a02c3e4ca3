//! A target that crashes on purpose, for testing the fuzz smoke itself
//! (`scripts/fuzz-selftest.sh`): an input starting with `PLANTED` panics,
//! and `scripts/fuzz.sh` must then report the crash and exit non-zero.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if data.starts_with(b"PLANTED") {
        panic!("the planted crash of the fuzz smoke's self-test");
    }
});
