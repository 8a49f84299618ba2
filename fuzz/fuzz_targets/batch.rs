#![no_main]
// The target is oscar_visor::fuzzing::batch_target; it checks its own invariants.
oscar_visor_fuzz::target!(batch_target);
