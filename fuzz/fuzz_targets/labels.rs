#![no_main]
// The target is oscar_visor::fuzzing::labels_target; it checks its own invariants.
oscar_visor_fuzz::target!(labels_target);
