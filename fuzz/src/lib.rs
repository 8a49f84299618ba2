//! What every fuzz target shares: the counting allocator and the memory bound
//! around the target's call (`oscar_visor::fuzzing`).

pub use libfuzzer_sys;
pub use oscar_visor::fuzzing;

/// A libFuzzer entry point for `oscar_visor::fuzzing::<name>`, held to
/// `fuzzing::MEMORY_BOUND` by the counting allocator.
#[macro_export]
macro_rules! target {
    ($name:ident) => {
        #[global_allocator]
        static ALLOC: $crate::fuzzing::CountingAlloc = $crate::fuzzing::CountingAlloc;
        $crate::libfuzzer_sys::fuzz_target!(|data: &[u8]| {
            $crate::fuzzing::bounded($crate::fuzzing::$name, data);
        });
    };
}
