#![no_main]
// The target is oscar_visor::fuzzing::zip_target; it checks its own invariants.
oscar_visor_fuzz::target!(zip_target);
