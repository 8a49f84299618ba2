#![no_main]
// The target is oscar_visor::fuzzing::s3_target; it checks its own invariants.
oscar_visor_fuzz::target!(s3_target);
