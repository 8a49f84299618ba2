#![no_main]
// The target is oscar_visor::fuzzing::spec_target; it checks its own invariants.
oscar_visor_fuzz::target!(spec_target);
